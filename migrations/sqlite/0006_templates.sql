-- Message templates as Switchboard keeps them. `components` holds the template's content in
-- Switchboard's own shape (header, body, footer, buttons and the samples Meta reviews), not
-- Meta's. A changed template is a new row: `family` is the name of its first version and
-- `version` counts from 1. Twilio Content templates are registered by their `content_sid`.
ALTER TABLE message_templates ADD COLUMN family TEXT;
ALTER TABLE message_templates ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE message_templates ADD COLUMN content_sid TEXT;
ALTER TABLE message_templates ADD COLUMN created_by BIGINT REFERENCES users (id);
ALTER TABLE message_templates ADD COLUMN submitted_at BIGINT;
UPDATE message_templates SET family = name;
CREATE INDEX message_templates_family ON message_templates (channel_id, family, version);
