//! Nothing here: Keel's browser tests live in `tests/browser.rs`.
