-- Escalation: a conversation whose contact wrote a risk word (or that a coordinator flagged by
-- hand) is urgent until a coordinator clears it. `urgent` is a 0/1 flag so the queue's order
-- can put urgent conversations first in one ascending key (see store::inbox::QUEUE_KEY).
ALTER TABLE conversations ADD COLUMN urgent BIGINT NOT NULL DEFAULT 0;
-- When it was flagged, and why: the risk word that matched, or the person who flagged it.
ALTER TABLE conversations ADD COLUMN urgent_at BIGINT;
ALTER TABLE conversations ADD COLUMN urgent_word TEXT;
ALTER TABLE conversations ADD COLUMN urgent_by BIGINT REFERENCES users (id) ON DELETE SET NULL;

-- The queue's indexes follow the key, which now starts with urgency.
DROP INDEX conversations_queue_by_status;
DROP INDEX conversations_queue_by_assignee;
CREATE INDEX conversations_queue_by_status ON conversations (status, (COALESCE(waiting_since, 8000000000000 - last_message_at) - 16000000000000 * urgent), id);
CREATE INDEX conversations_queue_by_assignee ON conversations (assignee_id, status, (COALESCE(waiting_since, 8000000000000 - last_message_at) - 16000000000000 * urgent), id);

-- The thread tells when a conversation became urgent and when the flag was cleared: two more
-- kinds of event. SQLite changes a CHECK constraint only by rebuilding the table (same columns,
-- ids kept; nothing refers to it).
CREATE TABLE conversation_events_new (
    id INTEGER PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    -- NULL when Switchboard itself acted (auto-assignment, a snooze ending, a risk word)
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'unassigned', 'status', 'tagged', 'untagged', 'urgent', 'urgent_cleared')),
    detail TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
INSERT INTO conversation_events_new (id, conversation_id, actor_id, kind, detail, created_at)
    SELECT id, conversation_id, actor_id, kind, detail, created_at FROM conversation_events;
DROP TABLE conversation_events;
ALTER TABLE conversation_events_new RENAME TO conversation_events;
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, id);
