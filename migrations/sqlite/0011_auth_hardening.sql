-- Failed sign-ins, counted per key ("account:<email>" or "address:<ip>") in a fixed window, in the
-- database so that every instance sharing it enforces one limit. An attempt reserves its place by
-- incrementing the count before the password is hashed, so parallel attempts cannot all pass.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    window_started_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_started_at);

-- An API token may end on its own; NULL means it lasts until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
