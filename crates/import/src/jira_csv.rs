//! Jira CSV export → ImportBatch.
