-- Reports read response and resolution times from a rollup: each conversation's samples
-- (first response, reply, resolution), computed from its timeline by the domain rules and
-- replaced whenever the timeline changes. Triggers mark a conversation stale when a message
-- arrives, is approved or deleted, or its status changes; a report first brings stale
-- conversations up to date, so its figures are never behind the inbox.
CREATE TABLE report_stale (
    conversation_id BIGINT PRIMARY KEY,
    -- Bumped by every change, so a refresh that read an older timeline leaves the mark.
    generation BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE report_samples (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('first_response', 'reply', 'resolution')),
    -- When the wait began (it counts on that day) and ended, epoch ms; the duration is taken
    -- when the report is read, on the wall clock or in business hours.
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    -- Whose reply ended it; NULL for a resolution.
    user_id BIGINT,
    channel_id BIGINT NOT NULL
);
CREATE INDEX report_samples_by_start ON report_samples (started_at, kind);
CREATE INDEX report_samples_by_conversation ON report_samples (conversation_id);

-- Open periods without a human reply, per conversation and period start, for the report's
-- "unanswered" count.
CREATE TABLE report_unanswered (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, started_at)
);
CREATE INDEX report_unanswered_by_start ON report_unanswered (started_at);

-- Volume by day and channel reads messages by time alone.
CREATE INDEX messages_by_time ON messages (created_at, channel_id, direction);
CREATE INDEX conversations_by_creation ON conversations (created_at);

CREATE TRIGGER report_stale_on_message AFTER INSERT ON messages BEGIN
    INSERT INTO report_stale (conversation_id) VALUES (new.conversation_id)
        ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1;
END;
CREATE TRIGGER report_stale_on_approval AFTER UPDATE OF status ON messages
    WHEN old.status = 'awaiting_approval' BEGIN
    INSERT INTO report_stale (conversation_id) VALUES (new.conversation_id)
        ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1;
END;
CREATE TRIGGER report_stale_on_message_deleted AFTER DELETE ON messages BEGIN
    INSERT INTO report_stale (conversation_id)
        SELECT old.conversation_id WHERE EXISTS (SELECT 1 FROM conversations WHERE id = old.conversation_id)
        ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1;
END;
CREATE TRIGGER report_stale_on_status AFTER INSERT ON conversation_events
    WHEN new.kind = 'status' BEGIN
    INSERT INTO report_stale (conversation_id) VALUES (new.conversation_id)
        ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1;
END;

-- Conversations from before this version are brought into the rollup by the first report.
INSERT INTO report_stale (conversation_id) SELECT id FROM conversations;
