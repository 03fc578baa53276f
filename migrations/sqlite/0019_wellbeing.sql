-- The minutes each person spent with a conversation open: one row per person per minute,
-- however many tabs they had open, so the rolling 24-hour and 7-day windows of the wellbeing
-- limits are exact counts of rows. Rows older than 8 days count in no window and are deleted
-- as the person's new minutes arrive.
CREATE TABLE active_minutes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Minutes since the Unix epoch (UTC).
    minute BIGINT NOT NULL,
    PRIMARY KEY (user_id, minute)
);
-- Who is over a limit reads the last week's minutes of everyone.
CREATE INDEX active_minutes_by_minute ON active_minutes (minute, user_id);
