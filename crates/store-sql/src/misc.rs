//! The change record: every change, who made it, before → after.

use crate::conn::{fetch_map, insert_id};
use crate::{Conn, args};
use keel_app::store::{Change, R};
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
            args![
                ch.at,
                ch.actor_id.map(|a| a.0),
                ch.entity.as_str(),
                ch.entity_id,
                ch.action.as_str(),
                json_text(&ch.before),
                json_text(&ch.after)
            ],
        )
        .await?,
    ))
}

pub async fn list_changes(c: &mut dyn Conn, entity: &str, entity_id: i64) -> R<Vec<Change>> {
    fetch_map(
        c,
        "SELECT id, at, actor_id, entity, entity_id, action, before_json, after_json FROM changes \
             WHERE entity = $1 AND entity_id = $2 ORDER BY id",
        args![entity, entity_id],
        |r| {
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
        },
    )
    .await
}
