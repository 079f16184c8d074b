-- Listing and counting a project's live tasks reads only this index instead
-- of visiting every task row to check `archived` (measured: 3.8 ms → well under
-- 1 ms to count 11,898 tasks). Kept in lockstep with store-postgres.
CREATE INDEX tasks_project_live ON tasks (project_id, archived, number);
