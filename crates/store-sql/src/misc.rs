//! The change record: every change, who made it, before → after.

use crate::conn::{fetch_map, insert_id};
use crate::okr::{viewer_args, visible};
use crate::{Conn, Row, Value, args};
use keel_app::store::{Change, R, SearchHit, Viewer};
use keel_domain::{ChangeId, UserId};

fn json_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

pub async fn insert_change(c: &mut dyn Conn, ch: &Change) -> R<ChangeId> {
    Ok(ChangeId(
        insert_id(
            c,
            "INSERT INTO changes (at, actor_id, entity, entity_id, action, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            change_args(ch),
        )
        .await?,
    ))
}

/// A change's seven columns, in the order both inserts name them.
fn change_args(ch: &Change) -> Vec<Value> {
    args![
        ch.at,
        ch.actor_id.map(|a| a.0),
        ch.entity.as_str(),
        ch.entity_id,
        ch.action.as_str(),
        json_text(&ch.before),
        json_text(&ch.after)
    ]
}

/// Several changes in few statements (an import's thousands), in order.
pub async fn insert_changes(c: &mut dyn Conn, changes: &[Change]) -> R<()> {
    // Short statements: SQLite looks each `$n` up one by one.
    for chunk in changes.chunks(40) {
        let mut values = Vec::with_capacity(chunk.len() * 7);
        let mut rows = Vec::with_capacity(chunk.len());
        for ch in chunk {
            let n = values.len();
            rows.push(format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7));
            values.extend(change_args(ch));
        }
        let sql = format!(
            "INSERT INTO changes (at, actor_id, entity, entity_id, action, before_json, after_json) VALUES {}",
            rows.join(", ")
        );
        c.execute(&sql, values).await?;
    }
    Ok(())
}

const CHANGE_COLS: &str = "id, at, actor_id, entity, entity_id, action, before_json, after_json";

fn change_from(r: &Row) -> R<Change> {
    let mut c = r.cursor();
    let parse = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
    Ok(Change {
        id: ChangeId(c.int()?),
        at: c.time()?,
        actor_id: c.opt_int()?.map(UserId),
        entity: c.text()?,
        entity_id: c.int()?,
        action: c.text()?,
        before: parse(c.opt_text()?),
        after: parse(c.opt_text()?),
    })
}

pub async fn list_changes(c: &mut dyn Conn, entity: &str, entity_id: i64) -> R<Vec<Change>> {
    let sql = format!("SELECT {CHANGE_COLS} FROM changes WHERE entity = $1 AND entity_id = $2 ORDER BY id");
    fetch_map(c, &sql, args![entity, entity_id], change_from).await
}

pub async fn latest_change_id(c: &mut dyn Conn) -> R<i64> {
    let rows = c.fetch("SELECT COALESCE(MAX(id), 0) FROM changes", vec![]).await?;
    rows.first().map(|r| r.cursor().int()).unwrap_or(Ok(0))
}

pub async fn list_changes_after(c: &mut dyn Conn, after_id: i64, limit: i64) -> R<Vec<Change>> {
    let sql = format!("SELECT {CHANGE_COLS} FROM changes WHERE id > $1 ORDER BY id LIMIT $2");
    fetch_map(c, &sql, args![after_id, limit], change_from).await
}

/// `text` as a LIKE pattern that matches it anywhere, its own % and _ taken literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped: String =
        text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    format!("%{}%", escaped.to_lowercase())
}

pub async fn search(c: &mut dyn Conn, text: &str, viewer: Option<Viewer>, limit: i64) -> R<Vec<SearchHit>> {
    let (admin, user) = viewer_args(viewer);
    let pattern = Value::from(contains_pattern(text.trim()));
    let matches = |column: &str| format!("LOWER({column}) LIKE $3 ESCAPE '\\'");
    let queries = [
        (
            "objective",
            format!(
                "SELECT o.id, o.title, '' FROM objectives o WHERE {} AND ({} OR {}) ORDER BY o.id DESC LIMIT $4",
                visible("o", 1, 2),
                matches("o.title"),
                matches("o.description")
            ),
        ),
        (
            "key_result",
            format!(
                "SELECT k.id, k.title, o.title FROM key_results k JOIN objectives o ON o.id = k.objective_id \
                 WHERE {} AND {} ORDER BY k.id DESC LIMIT $4",
                visible("o", 1, 2),
                matches("k.title")
            ),
        ),
        (
            "project",
            format!(
                "SELECT p.id, p.name, p.key FROM projects p WHERE {} AND ({} OR {}) ORDER BY p.id DESC LIMIT $4",
                visible("p", 1, 2),
                matches("p.name"),
                matches("p.key")
            ),
        ),
        (
            "task",
            format!(
                "SELECT t.id, t.title, p.key || '-' || t.number FROM tasks t JOIN projects p ON p.id = t.project_id \
                 WHERE {} AND ({} OR {}) ORDER BY t.archived, t.id DESC LIMIT $4",
                visible("p", 1, 2),
                matches("t.title"),
                matches("p.key || '-' || t.number")
            ),
        ),
    ];
    let mut hits = Vec::new();
    for (kind, sql) in queries {
        let args = vec![admin.clone(), user.clone(), pattern.clone(), limit.into()];
        hits.extend(
            fetch_map(c, &sql, args, |r| {
                let mut c = r.cursor();
                Ok(SearchHit { kind: kind.to_string(), id: c.int()?, title: c.text()?, context: c.text()? })
            })
            .await?,
        );
    }
    Ok(hits)
}
