-- PostgreSQL's 0005 stores tsvectors in place of expression indexes. SQLite searches with the
-- FTS5 tables of 0004, which need no such change; this migration keeps the version numbers of
-- the two folders the same, so a version means the same schema step on both databases.
SELECT 1;
