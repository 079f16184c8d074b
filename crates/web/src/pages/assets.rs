//! The stylesheet and the board's script, embedded in the binary and served
//! with a year-long cache: pages link them with a hash of their content, so
//! a new release is fetched anew.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/keel.css");
const BOARD_JS: &str = include_str!("../../assets/board.js");
const LIVE_JS: &str = include_str!("../../assets/live.js");
const GANTT_JS: &str = include_str!("../../assets/gantt.js");
const KEYS_JS: &str = include_str!("../../assets/keys.js");
const TABLE_JS: &str = include_str!("../../assets/table.js");

/// FNV-1a, computed at compile time.
const fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// FNV-1a over the stylesheet.
pub const CSS_HASH: u64 = fnv(CSS.as_bytes());

/// FNV-1a over the board's script.
pub const BOARD_JS_HASH: u64 = fnv(BOARD_JS.as_bytes());

/// FNV-1a over the live-update script.
pub const LIVE_JS_HASH: u64 = fnv(LIVE_JS.as_bytes());

/// FNV-1a over the Gantt chart's script.
pub const GANTT_JS_HASH: u64 = fnv(GANTT_JS.as_bytes());

/// The Gantt chart's drag to move and resize: an ES module like the board's.
pub async fn gantt_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        GANTT_JS,
    )
}

/// FNV-1a over the keyboard-shortcut script.
pub const KEYS_JS_HASH: u64 = fnv(KEYS_JS.as_bytes());

/// Keyboard shortcuts and the guard that keeps an input method's Enter from
/// submitting a form; on every page.
pub async fn keys_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        KEYS_JS,
    )
}

/// Reloads a page when what it shows changes (server-sent events).
pub async fn live_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        LIVE_JS,
    )
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
}

/// The board's drag and drop: an ES module, allowed by `script-src 'self'`.
pub async fn board_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        BOARD_JS,
    )
}

/// FNV-1a over the table's script.
pub const TABLE_JS_HASH: u64 = fnv(TABLE_JS.as_bytes());

/// The table's inline editing and view-form niceties: an ES module like the board's.
pub async fn table_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        TABLE_JS,
    )
}
