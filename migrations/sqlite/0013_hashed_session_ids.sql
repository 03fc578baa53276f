-- Session rows are now keyed by the SHA-256 of the session id (store/sessions.rs). Rows keyed by
-- the raw id would never be found again and would keep live credentials in the database, so
-- everyone signs in again once after this upgrade.
DELETE FROM sessions;
