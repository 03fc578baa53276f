-- Second factor (TOTP, RFC 6238). One row per person who started or finished enrolment: the seed
-- is sealed by the server before it is stored; `confirmed_at` is NULL while enrolment waits for
-- its first code. `last_step` is the highest time-step a code was accepted for, so a code cannot
-- be used twice within its window.
CREATE TABLE user_totp (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seed TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- One-time recovery codes: only a SHA-256 of each (they are long and random), spent once.
CREATE TABLE user_recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
