-- Keel's first schema on SQLite. Dates are TEXT 'YYYY-MM-DD'; instants are
-- fixed-width RFC 3339 TEXT in UTC, so text order is time order; booleans
-- are INTEGER 0/1. Kept in lockstep with store-postgres/migrations.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    lang TEXT,
    time_zone TEXT NOT NULL,
    can_login INTEGER NOT NULL,
    password_hash TEXT,
    source TEXT,
    external_id TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (source, external_id)
);

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES units (id),
    name TEXT NOT NULL,
    region TEXT,
    lead_id INTEGER REFERENCES users (id),
    version INTEGER NOT NULL
);

CREATE TABLE user_units (
    user_id INTEGER NOT NULL REFERENCES users (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (user_id, unit_id)
);
CREATE INDEX user_units_unit ON user_units (unit_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    state TEXT NOT NULL,
    parent_id INTEGER REFERENCES cycles (id),
    version INTEGER NOT NULL
);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    unit_id INTEGER REFERENCES units (id),
    owner_id INTEGER NOT NULL REFERENCES users (id),
    parent_objective_id INTEGER REFERENCES objectives (id),
    parent_key_result_id INTEGER REFERENCES key_results (id),
    private INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX objectives_cycle ON objectives (cycle_id);

CREATE TABLE key_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    objective_id INTEGER NOT NULL REFERENCES objectives (id),
    title TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    weight REAL NOT NULL,
    start_value REAL,
    target_value REAL,
    current_value REAL,
    unit_label TEXT,
    direction TEXT,
    due_date TEXT,
    status_override TEXT,
    override_reason TEXT,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX key_results_objective ON key_results (objective_id);

CREATE TABLE kr_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    title TEXT NOT NULL,
    weight REAL NOT NULL,
    done INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX kr_items_kr ON kr_items (key_result_id);

CREATE TABLE check_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    value REAL,
    progress REAL NOT NULL,
    confidence INTEGER,
    note TEXT NOT NULL
);
CREATE INDEX check_ins_kr ON check_ins (key_result_id, at);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    parent_id INTEGER REFERENCES projects (id),
    owner_id INTEGER REFERENCES users (id),
    unit_id INTEGER REFERENCES units (id),
    status TEXT NOT NULL,
    start_date TEXT,
    target_date TEXT,
    private INTEGER NOT NULL,
    workflow TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    archived INTEGER NOT NULL,
    next_number INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX projects_parent ON projects (parent_id);

CREATE TABLE project_key_results (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    PRIMARY KEY (project_id, key_result_id)
);

CREATE TABLE project_milestones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    title TEXT NOT NULL,
    due_date TEXT,
    done INTEGER NOT NULL
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    blocked INTEGER NOT NULL,
    blocked_reason TEXT,
    priority TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users (id),
    reporter_id INTEGER REFERENCES users (id),
    start_date TEXT,
    due_date TEXT,
    estimate REAL,
    progress REAL,
    parent_id INTEGER REFERENCES tasks (id),
    labels TEXT NOT NULL,
    cancelled INTEGER NOT NULL,
    archived INTEGER NOT NULL,
    source TEXT,
    external_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (project_id, number),
    UNIQUE (source, external_id)
);
CREATE INDEX tasks_assignee ON tasks (assignee_id);
CREATE INDEX tasks_parent ON tasks (parent_id);

CREATE TABLE task_key_results (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    key_result_id INTEGER NOT NULL REFERENCES key_results (id),
    PRIMARY KEY (task_id, key_result_id)
);

CREATE TABLE task_dependencies (
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    depends_on_id INTEGER NOT NULL REFERENCES tasks (id),
    PRIMARY KEY (task_id, depends_on_id)
);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    author_id INTEGER REFERENCES users (id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    UNIQUE (source, external_id)
);
CREATE INDEX comments_task ON comments (task_id);

CREATE TABLE worklogs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    day TEXT NOT NULL,
    hours REAL NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX worklogs_task ON worklogs (task_id);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX changes_entity ON changes (entity, entity_id);
