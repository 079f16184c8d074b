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

#[cfg(test)]
mod tests {
    use super::CSS;

    /// Every `{` of the stylesheet is closed, and none too early: a lost
    /// brace silently turns every later rule into, say, a phone-only one.
    #[test]
    fn the_stylesheet_closes_every_block() {
        let mut depth = 0i32;
        let mut in_comment = false;
        let bytes = CSS.as_bytes();
        let mut line = 1;
        let mut i = 0;
        while i < bytes.len() {
            let (c, next) = (bytes[i], bytes.get(i + 1).copied());
            if c == b'\n' {
                line += 1;
            }
            if in_comment {
                if c == b'*' && next == Some(b'/') {
                    in_comment = false;
                    i += 1;
                }
            } else if c == b'/' && next == Some(b'*') {
                in_comment = true;
                i += 1;
            } else if c == b'{' {
                depth += 1;
                // Only @media and @supports blocks hold rules; none nests deeper.
                assert!(depth <= 2, "keel.css line {line}: a block opened inside a rule");
            } else if c == b'}' {
                depth -= 1;
                assert!(depth >= 0, "keel.css line {line}: a `}}` with no block to close");
            }
            // A rule at depth 1 must sit in an at-rule; a line starting a
            // selector while an at-rule is open must be indented.
            if c == b'\n' && depth == 1 && !in_comment {
                let rest = &CSS[i + 1..];
                let next_line = rest.lines().next().unwrap_or("");
                assert!(
                    next_line.is_empty() || next_line.starts_with(' ') || next_line.starts_with('}'),
                    "keel.css line {}: `{}` is inside an unclosed block",
                    line,
                    next_line
                );
            }
            i += 1;
        }
        assert!(!in_comment, "keel.css ends inside a comment");
        assert_eq!(depth, 0, "keel.css leaves {depth} block(s) open");
    }
}
