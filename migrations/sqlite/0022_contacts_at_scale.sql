-- A message from someone new looks for their number on every channel by address alone (one
-- person, however many channels); the (channel_id, address) key cannot answer that, so every
-- new contact read the whole table.
CREATE INDEX contact_identities_address ON contact_identities (address);

-- Searching by phone digits finds the digits anywhere in a number. A trigram index answers
-- `LIKE '+%digits%'` from the trigrams of the digits instead of reading every identity. It
-- holds only the index (external content), and triggers keep it in step with the addresses.
CREATE VIRTUAL TABLE contact_identities_digits USING fts5 (
    address,
    content = 'contact_identities',
    content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER contact_identities_digits_insert AFTER INSERT ON contact_identities BEGIN
    INSERT INTO contact_identities_digits (rowid, address) VALUES (new.id, new.address);
END;

CREATE TRIGGER contact_identities_digits_delete AFTER DELETE ON contact_identities BEGIN
    INSERT INTO contact_identities_digits (contact_identities_digits, rowid, address)
        VALUES ('delete', old.id, old.address);
END;

CREATE TRIGGER contact_identities_digits_update AFTER UPDATE OF address ON contact_identities BEGIN
    INSERT INTO contact_identities_digits (contact_identities_digits, rowid, address)
        VALUES ('delete', old.id, old.address);
    INSERT INTO contact_identities_digits (rowid, address) VALUES (new.id, new.address);
END;

-- The addresses stored before this migration.
INSERT INTO contact_identities_digits (contact_identities_digits) VALUES ('rebuild');
