//! The change record: every change is written with who, when, the entity,
//! and the item before and after, in the same transaction as the change.

use crate::AppResult;
use crate::auth::Actor;
use crate::store::{Change, Tx};
use chrono::Utc;
use keel_domain::ChangeId;
use serde::Serialize;

pub async fn record<T: Serialize>(
    tx: &mut dyn Tx,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> AppResult<()> {
    tx.insert_change(&change(actor, entity, entity_id, action, before, after)).await?;
    Ok(())
}

/// The record of one change, not yet written (an import writes them in batches).
pub fn change<T: Serialize>(
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Change {
    let to_json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
    Change {
        id: ChangeId(0),
        at: Utc::now(),
        actor_id: actor.id(),
        entity: entity.to_string(),
        entity_id,
        action: action.to_string(),
        before: to_json(before),
        after: to_json(after),
    }
}
