//! One objective on its own page: its progress, key results, coach warnings,
//! what it aligns to and what aligns to it, and the form that edits it
//! (title, description, level, unit, owner, alignment, privacy). The form
//! carries the version it was filled from: a change someone made meanwhile
//! is a 409 that shows the objective as it is now, never an overwrite.

use super::auth::PageActor;
use super::forms::{self, Choice, ChoiceGroup, FieldError};
use super::lookup::Names;
use super::okrs::{ObjectiveRow, objective_row};
use super::plan_submit::{OBJECTIVE_FIELDS, named};
use super::view::{self, Chrome};
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::Msg;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use keel_app::compute::OkrTree;
use keel_app::okr::ObjectivePatch;
use keel_app::store::Page;
use keel_app::{AppError, access};
use keel_domain::okr::{Objective, ObjectiveLevel};
use keel_domain::org::Lang;
use keel_domain::{KeyResultId, ObjectiveId, UnitId, UserId};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ObjectiveEditForm {
    csrf: String,
    pub version: i64,
    pub title: String,
    pub description: String,
    pub level: String,
    pub unit: String,
    pub owner: String,
    /// A checkbox: "on" when ticked, absent otherwise.
    pub private: String,
    /// "o:12" for a parent objective, "k:34" for a parent key result, "" for none.
    pub align: String,
}

impl ObjectiveEditForm {
    fn of(o: &Objective) -> ObjectiveEditForm {
        let align = match (o.parent_objective_id, o.parent_key_result_id) {
            (_, Some(k)) => format!("k:{}", k.0),
            (Some(p), None) => format!("o:{}", p.0),
            (None, None) => String::new(),
        };
        ObjectiveEditForm {
            csrf: String::new(),
            version: o.version,
            title: o.title.clone(),
            description: o.description.clone(),
            level: o.level.as_str().to_string(),
            unit: o.unit_id.map(|u| u.0.to_string()).unwrap_or_default(),
            owner: o.owner_id.0.to_string(),
            private: if o.private { "on".into() } else { String::new() },
            align,
        }
    }

    /// Every field of the objective as the form says it should be.
    fn patch(&self, lang: Lang) -> Result<ObjectivePatch, FieldError> {
        let level = ObjectiveLevel::parse(&self.level).ok_or_else(|| forms::choose(lang, "level", Msg::Level))?;
        let (parent_objective, parent_kr) = match self.align.split_once(':') {
            _ if self.align.is_empty() => (None, None),
            Some(("o", id)) => (Some(id.parse().map_err(|_| forms::choose(lang, "align", Msg::AlignsTo))?), None),
            Some(("k", id)) => (None, Some(id.parse().map_err(|_| forms::choose(lang, "align", Msg::AlignsTo))?)),
            _ => return Err(forms::choose(lang, "align", Msg::AlignsTo)),
        };
        let owner = forms::id(lang, "owner", Msg::Owner, &self.owner)?
            .ok_or_else(|| forms::choose(lang, "owner", Msg::Owner))?;
        Ok(ObjectivePatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            level: Some(level),
            unit_id: Some(forms::id(lang, "unit", Msg::UnitLabelOfObjective, &self.unit)?.map(UnitId)),
            owner_id: Some(UserId(owner)),
            parent_objective_id: Some(parent_objective.map(ObjectiveId)),
            parent_key_result_id: Some(parent_kr.map(KeyResultId)),
            private: Some(!self.private.is_empty()),
            version: self.version,
        })
    }
}

/// Why the page is shown again instead of redirecting.
pub enum Problem {
    Nothing,
    /// The form was refused (422); what was typed comes back.
    Edit(Box<ObjectiveEditForm>, FieldError),
    /// Someone else changed the objective first (409).
    Conflict,
}

pub struct EditShown {
    f: ObjectiveEditForm,
    error: Option<FieldError>,
    conflict: bool,
    levels: Vec<Choice>,
    units: Vec<Choice>,
    people: Vec<Choice>,
    alignments: Vec<ChoiceGroup>,
}

impl EditShown {
    fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

pub struct Link {
    id: i64,
    title: String,
}

#[derive(Template)]
#[template(path = "objective.html")]
struct ObjectivePage {
    c: Chrome,
    o: ObjectiveRow,
    cycle_id: i64,
    cycle: String,
    parent: Option<Link>,
    children: Vec<Link>,
    edit: Option<EditShown>,
}

pub async fn show(State(state): State<AppState>, page: PageActor, Path(id): Path<i64>) -> PageResult {
    objective_page(&state, &page, ObjectiveId(id), Problem::Nothing).await
}

/// The objective and every objective aligned under it, at any depth: none
/// of them may become its parent.
fn self_and_below(tree: &OkrTree, id: ObjectiveId) -> HashSet<ObjectiveId> {
    let children: HashMap<ObjectiveId, &Vec<ObjectiveId>> =
        tree.objectives.iter().map(|o| (o.objective.id, &o.child_ids)).collect();
    let mut out = HashSet::from([id]);
    let mut stack = vec![id];
    while let Some(next) = stack.pop() {
        for child in children.get(&next).into_iter().flat_map(|c| c.iter()) {
            if out.insert(*child) {
                stack.push(*child);
            }
        }
    }
    out
}

async fn objective_page(state: &AppState, page: &PageActor, id: ObjectiveId, problem: Problem) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let objective = app.get_objective(&page.actor, id).await.or_page(lang)?;
    let cycle = app.get_cycle(&page.actor, objective.cycle_id).await.or_page(lang)?;
    let tree = app.okr_tree_shared(&page.actor, cycle.id).await.or_page(lang)?;
    let view = tree
        .objectives
        .iter()
        .find(|o| o.objective.id == id)
        .ok_or_else(|| PageError::app(lang, AppError::NotFound("objective")))?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let all_units = app.list_units(&page.actor).await.or_page(lang)?;
    let units: HashMap<_, _> = all_units.iter().map(|u| (u.id, u.name.clone())).collect();
    let title_of = |id: ObjectiveId| tree.objectives.iter().find(|o| o.objective.id == id).map(|o| &o.objective);
    // The parent: an objective, or the objective of the key result it aligns to (only if visible).
    let parent = match (objective.parent_objective_id, objective.parent_key_result_id) {
        (_, Some(kr)) => {
            tree.objectives.iter().find(|o| o.key_results.iter().any(|k| k.key_result.id == kr)).map(|o| &o.objective)
        }
        (Some(p), None) => title_of(p),
        (None, None) => None,
    };
    let children =
        view.child_ids.iter().filter_map(|c| title_of(*c)).map(|o| Link { id: o.id.0, title: o.title.clone() });
    let edit = if access::can_edit_objective(&page.actor, &objective) {
        let (f, error, conflict) = match problem {
            Problem::Nothing => (ObjectiveEditForm::of(&objective), None, false),
            Problem::Edit(f, e) => (*f, Some(e), false),
            Problem::Conflict => (ObjectiveEditForm::of(&objective), None, true),
        };
        let excluded = self_and_below(&tree, id);
        let alignments = super::planning::alignments(page, &tree, &excluded);
        Some(EditShown {
            f,
            error,
            conflict,
            // A company objective needs an admin; one that already is stays choosable.
            levels: [ObjectiveLevel::Company, ObjectiveLevel::Unit, ObjectiveLevel::Individual]
                .into_iter()
                .filter(|l| *l != ObjectiveLevel::Company || page.actor.is_admin() || objective.level == *l)
                .map(|l| Choice::new(l.as_str(), page.t(view::level(l))))
                .collect(),
            units: all_units.iter().map(|u| Choice::new(u.id.0, u.name.clone())).collect(),
            people: app
                .list_users(&page.actor, Page::ALL)
                .await
                .or_page(lang)?
                .into_iter()
                .map(|u| Choice::new(u.id.0, u.display_name))
                .collect(),
            alignments,
        })
    } else {
        None
    };
    let status = match &edit {
        Some(e) if e.conflict => StatusCode::CONFLICT,
        Some(e) if e.error.is_some() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let mut c = page.chrome(objective.title.clone());
    c.here = format!("/objectives/{}", id.0);
    c.watch = std::iter::once(format!("objective:{}", id.0))
        .chain(view.key_results.iter().map(|k| format!("key_result:{}", k.key_result.id.0)))
        .collect::<Vec<_>>()
        .join(",");
    let out = ObjectivePage {
        c,
        o: objective_row(page, &names, &units, view, 0),
        cycle_id: cycle.id.0,
        cycle: cycle.name.clone(),
        parent: parent.map(|p| Link { id: p.id.0, title: p.title.clone() }),
        children: children.collect(),
        edit,
    };
    Ok(render(status, &out))
}

pub async fn edit(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<ObjectiveEditForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (lang, id) = (page.lang, ObjectiveId(id));
    let patch = match form.patch(lang) {
        Ok(patch) => patch,
        Err(e) => return objective_page(&state, &page, id, Problem::Edit(Box::new(form), e)).await,
    };
    match state.app.update_objective(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/objectives/{}", id.0)).into_response()),
        Err(AppError::Conflict { .. }) => objective_page(&state, &page, id, Problem::Conflict).await,
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = named(OBJECTIVE_FIELDS, &field);
            let e = FieldError::from_app(lang, input, label, &message);
            objective_page(&state, &page, id, Problem::Edit(Box::new(form), e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
