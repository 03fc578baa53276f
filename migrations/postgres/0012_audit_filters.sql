-- The Audit page filters by person, action or subject and pages newest first by id; each filter
-- gets an index that ends in id, so a page is an index range scan however large the log grows.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
