-- Satisfaction surveys (CSAT): one row per survey sent when a conversation was resolved, with
-- the rating and comment that came back. Rows go with their conversation (retention, erasure):
-- a comment is the contact's own words.
CREATE TABLE satisfaction_surveys (
    id BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL,
    -- Who resolved the conversation, for the per-person figures.
    resolved_by BIGINT,
    asked_at BIGINT NOT NULL,
    rating BIGINT CHECK (rating BETWEEN 1 AND 5),
    answered_at BIGINT,
    comment TEXT,
    -- The contact wrote something else first: later text is not read as an answer.
    set_aside BIGINT NOT NULL DEFAULT 0,
    -- The last moment an inbound message can still belong to the survey.
    open_until BIGINT NOT NULL,
    -- When the thank-you was queued, so it goes once however often the rating changes.
    thanked_at BIGINT
);
CREATE INDEX satisfaction_surveys_by_conversation ON satisfaction_surveys (conversation_id, id);
CREATE INDEX satisfaction_surveys_by_asked ON satisfaction_surveys (asked_at);

-- A message's part in a survey: 'question' and 'thanks' go out, 'answer' and 'comment' come
-- in. Such inbound messages neither reopen the conversation nor count as a new request.
ALTER TABLE messages ADD COLUMN survey_id BIGINT;
ALTER TABLE messages ADD COLUMN survey_part TEXT
    CHECK (survey_part IN ('question', 'thanks', 'answer', 'comment'));
