-- Comments on key results (Markdown, shown sanitised) and each person's
-- notification preferences (a JSON document read by the automation).
-- Kept in lockstep with store-postgres.
CREATE TABLE kr_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    author_id INTEGER REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    UNIQUE (source, external_id)
);
CREATE INDEX kr_comments_kr ON kr_comments (key_result_id, created_at);

CREATE TABLE notification_prefs (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    prefs TEXT NOT NULL,
    version INTEGER NOT NULL
);
