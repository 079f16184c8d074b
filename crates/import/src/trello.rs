//! Trello board JSON → ImportBatch.
