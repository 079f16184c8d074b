//! Binding a project to the key results it supports ("supports KR1"): a
//! select of the visible key results of the current cycle, and an unlink
//! button beside each linked one. Every form carries the project's version,
//! so a change someone else made meanwhile answers 409 and the page shows
//! the project as it is now instead of overwriting it.

use super::auth::PageActor;
use super::forms::{self, Choice, ChoiceGroup, FieldError};
use super::projects::detail_page;
use super::{PageError, PageResult};
use crate::AppState;
use crate::i18n::Msg;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use keel_app::work::ProjectPatch;
use keel_app::{App, AppError, AppResult, access};
use keel_domain::work::Project;
use keel_domain::{KeyResultId, ProjectId};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LinkForm {
    csrf: String,
    version: i64,
    /// The key result's id.
    kr: String,
    /// "link" or "unlink".
    action: String,
}

/// Why the project page is shown again instead of redirecting.
pub enum LinkProblem {
    Nothing,
    Invalid(FieldError),
    Conflict,
}

/// The link form as shown on the project page.
pub struct KrLinks {
    pub version: i64,
    /// The current cycle's name, where the choices come from.
    pub cycle: Option<String>,
    /// Key results not linked yet, under their objectives.
    pub groups: Vec<ChoiceGroup>,
    pub error: Option<String>,
    pub conflict: bool,
}

impl KrLinks {
    /// The form for someone who may change the project; None for anyone else.
    pub async fn load(
        app: &App,
        page: &PageActor,
        project: &Project,
        problem: LinkProblem,
    ) -> AppResult<Option<KrLinks>> {
        let actor = &page.actor;
        if !access::can_edit_project(actor, project) {
            return Ok(None);
        }
        let (mut cycle, mut groups) = (None, Vec::new());
        if let Some(current) = app.current_cycle(actor).await? {
            let tree = app.okr_tree(actor, current.id).await?;
            cycle = Some(current.name);
            for o in &tree.objectives {
                let choices: Vec<Choice> = o
                    .key_results
                    .iter()
                    .filter(|k| !project.key_result_ids.contains(&k.key_result.id))
                    .map(|k| Choice::new(k.key_result.id.0, k.key_result.title.clone()))
                    .collect();
                if !choices.is_empty() {
                    groups.push(ChoiceGroup { label: o.objective.title.clone(), choices });
                }
            }
        }
        let (error, conflict) = match problem {
            LinkProblem::Nothing => (None, false),
            LinkProblem::Invalid(e) => (Some(e.text), false),
            LinkProblem::Conflict => (Some(page.t(Msg::ErrConflict).to_string()), true),
        };
        Ok(Some(KrLinks { version: project.version, cycle, groups, error, conflict }))
    }
}

pub async fn link(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (lang, id) = (page.lang, ProjectId(id));
    let project = state.app.get_project(&page.actor, id).await.map_err(|e| PageError::app(lang, e))?;
    let bad = |field| LinkProblem::Invalid(forms::choose(lang, field, Msg::KeyResults));
    let kr = match forms::id(lang, "kr", Msg::KeyResults, &form.kr) {
        Ok(Some(kr)) => KeyResultId(kr),
        Ok(None) => return detail_page(&state, &page, id, bad("kr")).await,
        Err(e) => return detail_page(&state, &page, id, LinkProblem::Invalid(e)).await,
    };
    // The links the viewer sees, changed by one; the application keeps any they cannot see.
    let mut ids = project.key_result_ids.clone();
    match form.action.as_str() {
        "link" if !ids.contains(&kr) => ids.push(kr),
        "link" => {}
        "unlink" => ids.retain(|k| *k != kr),
        _ => return detail_page(&state, &page, id, bad("")).await,
    }
    let patch = ProjectPatch { key_result_ids: Some(ids), version: form.version, ..Default::default() };
    match state.app.update_project(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/projects/{}#supports", id.0)).into_response()),
        Err(AppError::Conflict { .. }) => detail_page(&state, &page, id, LinkProblem::Conflict).await,
        Err(AppError::Invalid { message, .. }) => {
            let e = FieldError::from_app(lang, "kr", Some(Msg::KeyResults), &message);
            detail_page(&state, &page, id, LinkProblem::Invalid(e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
