-- Reports sort waits in the database to read their medians and 90th percentiles, so each wait
-- keeps its duration in business hours, counted by the rollup with the hours set then; saving
-- new hours marks every conversation for the rollup, which counts them again.
ALTER TABLE report_samples ADD COLUMN business_ms BIGINT;

-- Every column a report reads, so the waits of a range are read from the index alone.
DROP INDEX report_samples_by_start;
CREATE INDEX report_samples_by_start ON report_samples
    (started_at, kind, ended_at, business_ms, user_id, channel_id, conversation_id);

-- Hours set before this version: their waits are counted by the next rollup.
INSERT INTO report_stale (conversation_id)
    SELECT id FROM conversations WHERE EXISTS (SELECT 1 FROM settings WHERE key = 'business_hours')
    ON CONFLICT (conversation_id) DO UPDATE SET generation = report_stale.generation + 1;
