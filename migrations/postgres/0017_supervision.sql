-- Supervision: trainees whose replies wait for a coordinator, who is online and what they have
-- open, and coordinators joining conversations.

-- A trainee's replies are held (status 'awaiting_approval') until a coordinator approves them.
ALTER TABLE users ADD COLUMN trainee BIGINT NOT NULL DEFAULT 0;

-- When each person last had Switchboard open (their live stream, or an open conversation).
CREATE TABLE user_presence (
    person_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seen_at BIGINT NOT NULL
);

-- Which conversations each person has open, by when they last said so; old rows are pruned.
CREATE TABLE conversation_presence (
    person_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, conversation_id)
);
CREATE INDEX conversation_presence_conversation ON conversation_presence (conversation_id);

-- Coordinators who joined a conversation to read along.
CREATE TABLE conversation_watchers (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, person_id)
);

-- What supervision did in a conversation, told in its thread: a coordinator joined or took it
-- over, a held reply was approved or rejected (with the coordinator's note).
CREATE TABLE supervision_events (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id BIGINT REFERENCES messages (id) ON DELETE CASCADE,
    actor_id BIGINT REFERENCES users (id),
    kind TEXT NOT NULL,
    -- The other person concerned: the volunteer taken over from, the trainee whose reply it was.
    subject_name TEXT,
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX supervision_events_conversation ON supervision_events (conversation_id, id);
-- Held replies are listed on the Supervision board.
CREATE INDEX messages_awaiting_approval ON messages (status) WHERE status = 'awaiting_approval';
