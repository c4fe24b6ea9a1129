-- +goose Up

-- A DingTalk robot's messages are written in its group's language: zh-CN
-- (the default) or en. A standard endpoint receives JSON and has none ('').
ALTER TABLE webhook_endpoints ADD COLUMN language text NOT NULL DEFAULT ''
    CHECK (language IN ('', 'zh-CN', 'en'));
UPDATE webhook_endpoints SET language = 'zh-CN' WHERE kind = 'dingtalk';
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_language_check_kind
    CHECK ((kind = 'dingtalk') = (language <> ''));

-- An endpoint disabled after 24 hours of failures can be enabled again;
-- the last time, and by whom, is kept (and audited).
ALTER TABLE webhook_endpoints ADD COLUMN enabled_again_at timestamptz;
ALTER TABLE webhook_endpoints ADD COLUMN enabled_again_by text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE webhook_endpoints DROP COLUMN enabled_again_by;
ALTER TABLE webhook_endpoints DROP COLUMN enabled_again_at;
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_language_check_kind;
ALTER TABLE webhook_endpoints DROP COLUMN language;
