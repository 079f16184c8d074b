//! The stylesheet, embedded in the binary and served with a year-long cache:
//! pages link it with a hash of its content, so a new release is fetched anew.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/keel.css");

/// FNV-1a over the stylesheet, computed at compile time.
pub const CSS_HASH: u64 = {
    let bytes = CSS.as_bytes();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
};

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
}
