-- A message from someone new looks for their number on every channel by address alone (one
-- person, however many channels); the (channel_id, address) key cannot answer that, so every
-- new contact read the whole table.
CREATE INDEX contact_identities_address ON contact_identities (address);

-- Searching by phone digits finds the digits anywhere in a number. A trigram index answers
-- `LIKE '+%digits%'` from the trigrams of the digits instead of reading every identity.
-- pg_trgm ships with PostgreSQL and is a trusted extension: the database's owner may create
-- it. fastupdate is off so that new entries go straight into the index (as 0005's are).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contact_identities_address_digits ON contact_identities
    USING GIN (address gin_trgm_ops) WITH (fastupdate = off);
