-- Translation (issue #17): the service an admin points Switchboard at, translations of the
-- contacts' messages kept so that a second reader does not ask the service again, the
-- contact's detected language, and replies sent translated with their author's own words.

-- At most one service (id 1); no row means translation is off. The API key is sealed like
-- channel credentials and never leaves the server.
CREATE TABLE translation_service (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    kind TEXT NOT NULL CHECK (kind IN ('libretranslate', 'openai_compatible')),
    base_url TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    api_key TEXT,
    updated_at BIGINT NOT NULL
);

-- A message in a reader's language. The text holds [PHONE n] / [EMAIL n] placeholders where
-- numbers were hidden from the service; they are put back as each reader may see them. Rows go
-- with their message (retention and erasure delete them first, the cascade is the backstop).
CREATE TABLE message_translations (
    id BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    target_language TEXT NOT NULL,
    source_language TEXT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (message_id, target_language)
);

-- The contact's language as last detected in one of their messages (ISO 639-1).
ALTER TABLE conversations ADD COLUMN language TEXT;

-- A reply sent translated: the language of `body` (what the contact received) and what its
-- author wrote.
ALTER TABLE messages ADD COLUMN translated_to TEXT;
ALTER TABLE messages ADD COLUMN original_text TEXT;
