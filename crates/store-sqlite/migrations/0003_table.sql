-- The table view (issue 3): custom fields of a project, their values per
-- task (JSON text, read by the field's kind), and saved views. A view whose
-- owner is NULL is shared with everyone who can see the project. Kept in
-- lockstep with store-postgres.
CREATE TABLE custom_fields (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'number', 'single_select', 'multi_select', 'date', 'person', 'checkbox', 'url')),
    options TEXT NOT NULL,
    position INTEGER NOT NULL,
    source TEXT,
    external_id TEXT,
    version INTEGER NOT NULL,
    UNIQUE (project_id, name),
    UNIQUE (source, external_id)
);

CREATE TABLE task_field_values (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    field_id INTEGER NOT NULL REFERENCES custom_fields (id),
    value TEXT NOT NULL,
    PRIMARY KEY (task_id, field_id)
);
CREATE INDEX task_field_values_field ON task_field_values (field_id);

CREATE TABLE saved_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    owner_id INTEGER REFERENCES users (id),
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX saved_views_project ON saved_views (project_id, owner_id);
