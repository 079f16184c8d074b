//! Names the pages show in place of ids: people, and the key results that
//! projects and tasks support. Only what the viewer may see is looked up.

use keel_app::store::Page;
use keel_app::{Actor, App, AppResult};
use keel_domain::{KeyResultId, UserId};
use std::collections::HashMap;

pub struct Names(HashMap<UserId, String>);

impl Names {
    pub async fn load(app: &App, actor: &Actor) -> AppResult<Names> {
        let users = app.list_users(actor, Page::ALL).await?;
        Ok(Names(users.into_iter().map(|u| (u.id, u.display_name)).collect()))
    }

    /// The person's name, or an em dash for nobody.
    pub fn of(&self, id: Option<UserId>) -> String {
        id.and_then(|id| self.0.get(&id).cloned()).unwrap_or_else(|| "—".into())
    }
}

/// Titles of key results. One KR's view reveals its cycle; the whole cycle's
/// tree is then computed once and answers for every other KR in it.
pub async fn kr_titles(app: &App, actor: &Actor, ids: &[KeyResultId]) -> HashMap<KeyResultId, String> {
    let mut titles = HashMap::new();
    for id in ids {
        if titles.contains_key(id) {
            continue;
        }
        // A KR the viewer may not see is simply not named.
        let Ok((objective, _)) = app.key_result_view(actor, *id).await else { continue };
        if let Ok(tree) = app.okr_tree(actor, objective.objective.cycle_id).await {
            for kr in tree.objectives.iter().flat_map(|o| &o.key_results) {
                titles.insert(kr.key_result.id, kr.key_result.title.clone());
            }
        }
    }
    titles
}
