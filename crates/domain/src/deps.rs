//! Guards for the graphs users build: finish-to-start dependencies and parent
//! trees (units, projects, tasks, objectives) must never form a cycle.
