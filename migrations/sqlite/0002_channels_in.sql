-- Reactions shown on the message they react to (one per reactor; removing deletes the row), and
-- delivery statuses that arrive before the send call has returned the provider's message id.

CREATE TABLE message_reactions (
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    -- 'contact' for the beneficiary, 'user:<id>' for a person of the organisation
    reactor TEXT NOT NULL,
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, reactor)
);

CREATE TABLE early_statuses (
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    provider_message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT,
    error_title TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel_id, provider_message_id, status)
);

CREATE INDEX webhook_events_errors ON webhook_events (error, id);
