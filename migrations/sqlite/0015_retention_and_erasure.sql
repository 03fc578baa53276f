-- When each periodic job (retention) last started, so that of several instances sharing the
-- database one runs it at a time.
CREATE TABLE job_runs (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    started_at BIGINT NOT NULL
);

-- When retention removed an attachment's file; the attachment keeps its place in the thread.
ALTER TABLE attachments ADD COLUMN expired_at BIGINT;

-- When the contact was erased on request: the row stays as a tombstone with nothing personal.
ALTER TABLE contacts ADD COLUMN erased_at BIGINT;
