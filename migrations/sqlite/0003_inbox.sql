-- The shared inbox: what happened in a conversation besides messages (assignments, status
-- changes, tags), mentions that notify people, and indexes for the queue's keyset pagination.

CREATE TABLE conversation_events (
    id INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- NULL when Switchboard itself acted (auto-assignment, a snooze ending)
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'unassigned', 'status', 'tagged', 'untagged')),
    detail TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('mention')),
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    note_id BIGINT REFERENCES notes (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

CREATE INDEX notes_contact ON notes (contact_id, id);

-- Auto-assignment hands out conversations round-robin: the person given one longest ago is next.
ALTER TABLE users ADD COLUMN last_auto_assigned_at BIGINT;

-- The queue's order (see store::inbox::QUEUE_KEY): conversations waiting for an answer first,
-- longest waiting first, then the others, most recent first.
CREATE INDEX conversations_queue_by_status ON conversations (status, (COALESCE(waiting_since, 8000000000000 - last_message_at)), id);
CREATE INDEX conversations_queue_by_assignee ON conversations (assignee_id, status, (COALESCE(waiting_since, 8000000000000 - last_message_at)), id);
DROP INDEX conversations_queue;
DROP INDEX conversations_assignee;
