-- Kept webhook deliveries are processed again, by an admin or in the background when what they
-- wait for may have changed (a channel connected since, a failure of the moment). The signature
-- and the path a delivery came with are kept so that it is checked again against the secrets of
-- the channels connected by then.
ALTER TABLE webhook_events ADD COLUMN signature TEXT;
ALTER TABLE webhook_events ADD COLUMN request_path TEXT;
-- tries after the delivery itself
ALTER TABLE webhook_events ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
-- when to try again; NULL when there is nothing a later try could change
ALTER TABLE webhook_events ADD COLUMN retry_at BIGINT;

CREATE INDEX webhook_events_retry ON webhook_events (retry_at) WHERE retry_at IS NOT NULL;
