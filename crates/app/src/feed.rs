//! The change feed that open pages follow to update without a reload. Each
//! recorded change names the items it touches ("topics": the changed item
//! and the items it belongs to), so a project page hears about its tasks and
//! a key result page about its check-ins. Only topics a person may see can
//! be followed, so the feed never tells anyone about a hidden item.

use crate::auth::Actor;
use crate::okr::{visible_key_result, visible_objective};
use crate::work::{visible_project, visible_task};
use crate::{App, AppResult};
use keel_domain::*;
use serde::Serialize;

/// An item a page follows, such as ("task", 12).
pub type Topic = (String, i64);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedItem {
    pub change_id: i64,
    /// Who made the change (None: the system, e.g. an import from the CLI).
    pub actor_id: Option<UserId>,
    pub topics: Vec<Topic>,
}

/// Entities a page may follow.
pub const FOLLOWABLE: [&str; 5] = ["task", "project", "objective", "key_result", "cycle"];

/// The topics of one change: the item itself and its owners named in its JSON.
fn topics_of(change: &crate::store::Change) -> Vec<Topic> {
    let mut topics: Vec<Topic> = vec![(change.entity.clone(), change.entity_id)];
    let links = [
        ("task_id", "task"),
        ("project_id", "project"),
        ("key_result_id", "key_result"),
        ("objective_id", "objective"),
        ("cycle_id", "cycle"),
    ];
    for state in [&change.before, &change.after].into_iter().flatten() {
        for (field, entity) in links {
            if let Some(id) = state.get(field).and_then(|v| v.as_i64()) {
                let topic = (entity.to_string(), id);
                if !topics.contains(&topic) {
                    topics.push(topic);
                }
            }
        }
        // A sub-task's parent page lists it.
        if change.entity == "task"
            && let Some(parent) = state.get("parent_id").and_then(|v| v.as_i64())
            && !topics.contains(&("task".to_string(), parent))
        {
            topics.push(("task".to_string(), parent));
        }
    }
    topics
}

impl App {
    pub async fn latest_change_id(&self) -> AppResult<i64> {
        Ok(self.store.read().await?.latest_change_id().await?)
    }

    /// Changes after `after`, each with its topics.
    pub async fn feed_after(&self, after: i64, limit: i64) -> AppResult<Vec<FeedItem>> {
        let mut tx = self.store.read().await?;
        let changes = tx.list_changes_after(after, limit).await?;
        Ok(changes.iter().map(|c| FeedItem { change_id: c.id.0, actor_id: c.actor_id, topics: topics_of(c) }).collect())
    }

    /// Whether the actor may follow a topic: it must exist and be visible to them.
    pub async fn may_follow(&self, actor: &Actor, topic: &Topic) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        let (entity, id) = (topic.0.as_str(), topic.1);
        Ok(match entity {
            "task" => visible_task(&mut *tx, actor, TaskId(id)).await.is_ok(),
            "project" => visible_project(&mut *tx, actor, ProjectId(id)).await.is_ok(),
            "objective" => visible_objective(&mut *tx, actor, ObjectiveId(id)).await.is_ok(),
            "key_result" => visible_key_result(&mut *tx, actor, KeyResultId(id)).await.is_ok(),
            "cycle" => tx.get_cycle(CycleId(id)).await?.is_some(),
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Change;

    #[test]
    fn a_change_names_its_item_and_the_items_it_belongs_to() {
        let change = Change {
            id: ChangeId(7),
            at: chrono::Utc::now(),
            actor_id: None,
            entity: "task".into(),
            entity_id: 12,
            action: "update".into(),
            before: Some(serde_json::json!({ "project_id": 3, "parent_id": 10 })),
            after: Some(serde_json::json!({ "project_id": 4, "parent_id": 10 })),
        };
        let topics = topics_of(&change);
        assert_eq!(
            topics,
            vec![("task".into(), 12), ("project".into(), 3), ("task".into(), 10), ("project".into(), 4)]
        );
        let check_in = Change {
            entity: "check_in".into(),
            entity_id: 5,
            before: None,
            after: Some(serde_json::json!({ "key_result_id": 9 })),
            ..change
        };
        assert_eq!(topics_of(&check_in), vec![("check_in".into(), 5), ("key_result".into(), 9)]);
    }
}
