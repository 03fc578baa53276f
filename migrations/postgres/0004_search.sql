-- Full-text search over message text and contact names. Expression indexes rather than stored
-- tsvector columns: the text is not kept twice, and no column of a type the store cannot read
-- appears in its tables. The 'simple' configuration lowercases without stemming or stop words,
-- which suits an inbox where contacts write in many languages. Queries must use the very same
-- expressions for these indexes to apply.

CREATE INDEX messages_body_search ON messages USING GIN (to_tsvector('simple', body));
CREATE INDEX contacts_name_search ON contacts USING GIN (to_tsvector('simple', name));

-- Conversations of the contacts a name or number matched.
CREATE INDEX conversations_contact ON conversations (contact_id);
