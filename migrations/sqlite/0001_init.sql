-- The unified conversation model. Times are Unix epoch milliseconds (BIGINT) and flags are 0/1, so
-- the same SQL and the same Rust types serve SQLite and PostgreSQL.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'volunteer')),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    available BIGINT NOT NULL DEFAULT 0,
    deactivated_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    actor_id BIGINT REFERENCES users (id),
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (created_at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('whatsapp', 'twilio', 'messenger')),
    name TEXT NOT NULL,
    -- phone number id (WhatsApp), page id (Messenger), sender number or messaging service (Twilio)
    route_key TEXT NOT NULL,
    api_base_url TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    -- write-only: never returned by the UI or the API
    secrets TEXT NOT NULL DEFAULT '{}',
    send_rate_per_second BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    UNIQUE (kind, route_key)
);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    opted_out_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE contact_identities (
    id INTEGER PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    -- E.164 for phone channels, the provider's scoped id otherwise
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (channel_id, address)
);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    assignee_id BIGINT REFERENCES users (id),
    snoozed_until BIGINT,
    -- the provider's time of the contact's last message: the 24-hour window runs from it
    last_inbound_at BIGINT,
    last_message_at BIGINT NOT NULL,
    waiting_since BIGINT,
    unread_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel_id, contact_id)
);
CREATE INDEX conversations_queue ON conversations (status, waiting_since, id);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    author_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '{}',
    provider_message_id TEXT,
    reply_to_provider_id TEXT,
    status TEXT NOT NULL,
    error_code TEXT,
    error_title TEXT,
    provider_timestamp BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel_id, provider_message_id)
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    mime_type TEXT,
    filename TEXT,
    size_bytes BIGINT,
    sha256 TEXT,
    -- where the provider keeps it: a WhatsApp media id or a URL
    source TEXT NOT NULL,
    fetch_state TEXT NOT NULL CHECK (fetch_state IN ('pending', 'stored', 'failed')),
    fetch_attempts BIGINT NOT NULL DEFAULT 0,
    next_fetch_at BIGINT,
    fetch_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX attachments_pending ON attachments (fetch_state, next_fetch_at);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    conversation_id BIGINT REFERENCES conversations (id),
    contact_id BIGINT REFERENCES contacts (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notes_conversation ON notes (conversation_id, id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    colour TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE conversation_tags (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_id)
);

CREATE TABLE message_templates (
    id INTEGER PRIMARY KEY,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    provider_template_id TEXT,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    rejection_reason TEXT,
    components TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (channel_id, name, language)
);

CREATE TABLE canned_responses (
    id INTEGER PRIMARY KEY,
    shortcut TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    kind TEXT NOT NULL CHECK (kind IN ('opt_out', 'opt_in', 'help')),
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, id);

CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    channel_id BIGINT REFERENCES channels (id),
    -- the provider's delivery identity, so a retried delivery is stored once
    dedupe_key TEXT UNIQUE,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    error TEXT
);
CREATE INDEX webhook_events_unprocessed ON webhook_events (processed_at, id);

CREATE TABLE outbound_jobs (
    id INTEGER PRIMARY KEY,
    message_id BIGINT NOT NULL UNIQUE REFERENCES messages (id),
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'done', 'failed', 'unknown')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_at BIGINT,
    claimed_by TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outbound_jobs_due ON outbound_jobs (state, next_attempt_at);
