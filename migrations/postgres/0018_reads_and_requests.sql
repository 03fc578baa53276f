-- Reads recorded in the audit log are coalesced: one entry per person, action, subject and
-- hour. The hour (epoch ms / 3600000) is stored with such entries and a unique index makes an
-- insert of a second one within the hour do nothing, however many requests or instances race.
-- Other entries leave it NULL, which a unique index never counts as a duplicate.
ALTER TABLE audit_log ADD COLUMN hour_bucket BIGINT;
CREATE UNIQUE INDEX audit_log_once_an_hour ON audit_log (actor_id, action, subject, hour_bucket);

-- A contact's request, by message, that their data be erased; an admin confirms or declines
-- it. The conversation it came in goes with an erasure, so it is kept as a plain id. The
-- message id makes a delivery processed twice create one request.
CREATE TABLE erasure_requests (
    id BIGSERIAL PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL UNIQUE,
    requested_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'declined')),
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    reason TEXT
);
CREATE INDEX erasure_requests_queue ON erasure_requests (status, requested_at, id);
CREATE INDEX erasure_requests_contact ON erasure_requests (contact_id, status);

-- When the conversation was last resolved (NULL while it is not): volunteers may lose access
-- some days after. Conversations resolved before this version count from their last change.
ALTER TABLE conversations ADD COLUMN resolved_at BIGINT;
UPDATE conversations SET resolved_at = updated_at WHERE status = 'resolved';
