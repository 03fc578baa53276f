-- Message text and contact names get stored tsvectors in place of 0004's expression indexes.
-- A search looks through the newest messages first (store::search), and checking a stored
-- tsvector is many times cheaper than parsing the text again. The store cannot read tsvector
-- columns, so these are never selected: no `SELECT *` or `RETURNING *` on these tables.
--
-- fastupdate is off so that new entries go straight into the index: a search never has to read
-- through a list of pending ones, at a small cost to each insert.

DROP INDEX messages_body_search;
ALTER TABLE messages
    ADD COLUMN body_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
CREATE INDEX messages_body_search ON messages USING GIN (body_search) WITH (fastupdate = off);

DROP INDEX contacts_name_search;
ALTER TABLE contacts
    ADD COLUMN name_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED;
CREATE INDEX contacts_name_search ON contacts USING GIN (name_search) WITH (fastupdate = off);
