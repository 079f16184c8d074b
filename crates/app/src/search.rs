//! Search across everything a person may see: objectives, key results,
//! projects and tasks by title (and task keys such as RET-42). Privacy is
//! applied inside the query, so hidden items never appear, not even counted.

use crate::auth::Actor;
use crate::store::SearchHit;
use crate::{App, AppError, AppResult};

/// Results per kind of item.
pub const PER_KIND: i64 = 20;

/// The longest search text, in characters.
pub const MAX_CHARS: usize = 200;

impl App {
    pub async fn search(&self, actor: &Actor, text: &str) -> AppResult<Vec<SearchHit>> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid("q", "type something to search for"));
        }
        keel_domain::text::limit("q", text, MAX_CHARS)?;
        let mut tx = self.store.read().await?;
        Ok(tx.search(text, actor.viewer(), PER_KIND).await?)
    }
}
