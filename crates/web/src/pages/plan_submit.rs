//! What the planning forms on /okrs send: a cycle, an objective, a key
//! result. Typed text becomes the application's input here; the application
//! decides who may do what and what is valid. A refused form comes back with
//! 422, what was typed, and the field at fault named as the form labels it.

use super::auth::PageActor;
use super::forms::{self, FieldError};
use super::okrs::overview_page;
use super::planning::{CycleForm, Failed, KrForm, ObjectiveForm};
use super::{PageError, PageResult};
use crate::AppState;
use crate::i18n::{self, Msg};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use keel_app::okr::{CycleInput, KeyResultInput, KrItemInput, ObjectiveInput};
use keel_app::{AppError, access};
use keel_domain::okr::{CycleState, KrKind, ObjectiveLevel, ThresholdDirection};
use keel_domain::org::Lang;
use keel_domain::{CycleId, KeyResultId, ObjectiveId, UnitId, UserId};

/// Shows /okrs again with the refused form filled in (422).
async fn refused(state: &AppState, page: &PageActor, cycle: Option<i64>, failed: Failed) -> PageResult {
    overview_page(state, page, cycle, failed).await
}

/// The input an application field belongs to, by the form's names and labels.
pub(super) fn named(map: &[(&str, &'static str, Msg)], app_field: &str) -> (&'static str, Option<Msg>) {
    map.iter().find(|(f, _, _)| *f == app_field).map(|(_, input, label)| (*input, Some(*label))).unwrap_or(("", None))
}

const CYCLE_FIELDS: &[(&str, &str, Msg)] = &[
    ("name", "name", Msg::Name),
    ("start_date", "start", Msg::StartDate),
    ("end_date", "end", Msg::EndDate),
    ("state", "state", Msg::CycleState),
    ("parent_id", "parent", Msg::ParentCycle),
];

pub(super) const OBJECTIVE_FIELDS: &[(&str, &str, Msg)] = &[
    ("title", "title", Msg::Title),
    ("description", "description", Msg::Description),
    ("level", "level", Msg::Level),
    ("unit_id", "unit", Msg::UnitLabelOfObjective),
    ("owner_id", "owner", Msg::Owner),
    ("parent_objective_id", "align", Msg::AlignsTo),
    ("parent_key_result_id", "align", Msg::AlignsTo),
];

const KR_FIELDS: &[(&str, &str, Msg)] = &[
    ("title", "title", Msg::Title),
    ("kind", "kind", Msg::Kind),
    ("owner_id", "owner", Msg::Owner),
    ("weight", "weight", Msg::Weight),
    ("start_value", "start", Msg::StartValue),
    ("target_value", "target", Msg::TargetValue),
    ("direction", "direction", Msg::Direction),
    ("unit_label", "unit_label", Msg::UnitLabel),
    ("items", "items", Msg::Milestones),
    ("due_date", "due", Msg::DueDate),
];

impl CycleForm {
    fn input(&self, lang: Lang) -> Result<CycleInput, FieldError> {
        let required = |field, label| FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::WhyRequired));
        let start = forms::date(lang, "start", Msg::StartDate, &self.start)?
            .ok_or_else(|| required("start", Msg::StartDate))?;
        let end = forms::date(lang, "end", Msg::EndDate, &self.end)?.ok_or_else(|| required("end", Msg::EndDate))?;
        let state = CycleState::parse(&self.state).ok_or_else(|| forms::choose(lang, "state", Msg::CycleState))?;
        let parent = forms::id(lang, "parent", Msg::ParentCycle, &self.parent)?;
        Ok(CycleInput {
            name: self.name.clone(),
            start_date: start,
            end_date: end,
            state: Some(state),
            parent_id: parent.map(CycleId),
        })
    }
}

pub async fn create_cycle(State(state): State<AppState>, page: PageActor, Form(form): Form<CycleForm>) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let back = form.from.parse().ok();
    let input = match form.input(page.lang) {
        Ok(input) => input,
        Err(e) => return refused(&state, &page, back, Failed::Cycle(form, e)).await,
    };
    match state.app.create_cycle(&page.actor, input).await {
        Ok(cycle) => Ok(Redirect::to(&format!("/okrs?cycle={}", cycle.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = named(CYCLE_FIELDS, &field);
            let e = FieldError::from_app(page.lang, input, label, &message);
            refused(&state, &page, back, Failed::Cycle(form, e)).await
        }
        Err(e) => Err(PageError::app(page.lang, e)),
    }
}

impl ObjectiveForm {
    fn input(&self, lang: Lang) -> Result<ObjectiveInput, FieldError> {
        let cycle = forms::id(lang, "", Msg::Cycle, &self.cycle)?.ok_or_else(|| forms::choose(lang, "", Msg::Cycle))?;
        let level = ObjectiveLevel::parse(&self.level).ok_or_else(|| forms::choose(lang, "level", Msg::Level))?;
        let (mut parent_objective, mut parent_kr) = (None, None);
        match self.align.split_once(':') {
            _ if self.align.is_empty() => {}
            Some(("o", id)) if id.parse::<i64>().is_ok() => parent_objective = id.parse().ok().map(ObjectiveId),
            Some(("k", id)) if id.parse::<i64>().is_ok() => parent_kr = id.parse().ok().map(KeyResultId),
            _ => return Err(forms::choose(lang, "align", Msg::AlignsTo)),
        }
        Ok(ObjectiveInput {
            cycle_id: CycleId(cycle),
            title: self.title.clone(),
            description: self.description.clone(),
            level,
            unit_id: forms::id(lang, "unit", Msg::UnitLabelOfObjective, &self.unit)?.map(UnitId),
            owner_id: forms::id(lang, "owner", Msg::Owner, &self.owner)?.map(UserId),
            parent_objective_id: parent_objective,
            parent_key_result_id: parent_kr,
            private: !self.private.is_empty(),
        })
    }
}

pub async fn create_objective(
    State(state): State<AppState>,
    page: PageActor,
    Form(form): Form<ObjectiveForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let back = form.cycle.parse().ok();
    let input = match form.input(page.lang) {
        Ok(input) => input,
        Err(e) => return refused(&state, &page, back, Failed::Objective(form, e)).await,
    };
    match state.app.create_objective(&page.actor, input).await {
        Ok(o) => Ok(Redirect::to(&format!("/okrs?cycle={}#obj-{}", o.cycle_id.0, o.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = named(OBJECTIVE_FIELDS, &field);
            let e = FieldError::from_app(page.lang, input, label, &message);
            refused(&state, &page, back, Failed::Objective(form, e)).await
        }
        Err(e) => Err(PageError::app(page.lang, e)),
    }
}

/// A checklist typed one milestone per line, each optionally "title | weight"
/// (the full-width ｜ of a Chinese keyboard too).
fn checklist(lang: Lang, text: &str) -> Result<Vec<KrItemInput>, FieldError> {
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let (title, weight) = match line.rsplit_once(['|', '｜']) {
            Some((title, weight)) => {
                let bad = |e: forms::NumberError| {
                    let mut reason = i18n::tf(lang, Msg::WhyItemWeight, &[&(n + 1)]);
                    if e == forms::NumberError::Comma {
                        let gap = if lang == Lang::Zh { "" } else { " " };
                        reason = format!("{reason}{gap}{}", e.reason(lang));
                    }
                    FieldError::new(lang, "items", Some(Msg::Milestones), &reason)
                };
                (title, forms::parse_number(weight).map_err(bad)?)
            }
            None => (line, None),
        };
        items.push(KrItemInput { title: title.trim().to_string(), weight, done: false });
    }
    Ok(items)
}

impl KrForm {
    fn input(&self, lang: Lang, objective: ObjectiveId) -> Result<KeyResultInput, FieldError> {
        let kind = KrKind::parse(&self.kind).ok_or_else(|| forms::choose(lang, "kind", Msg::Kind))?;
        let (start, target, direction) = match kind {
            KrKind::Metric => (
                forms::number(lang, "start", Msg::StartValue, &self.start)?,
                forms::number(lang, "target", Msg::TargetValue, &self.target)?,
                None,
            ),
            KrKind::Threshold => (
                None,
                forms::number(lang, "line", Msg::Line, &self.line)?,
                Some(
                    ThresholdDirection::parse(&self.direction)
                        .ok_or_else(|| forms::choose(lang, "direction", Msg::Direction))?,
                ),
            ),
            _ => (None, None, None),
        };
        let items = if kind == KrKind::Milestone { checklist(lang, &self.items)? } else { vec![] };
        // Without items a milestone KR could never move, and the pages have no other way to add them.
        if kind == KrKind::Milestone && items.is_empty() {
            let reason = i18n::t(lang, Msg::WhyItemsNeeded);
            return Err(FieldError::new(lang, "items", Some(Msg::Milestones), reason));
        }
        Ok(KeyResultInput {
            objective_id: objective,
            title: self.title.clone(),
            kind,
            owner_id: forms::id(lang, "owner", Msg::Owner, &self.owner)?.map(UserId),
            weight: forms::number(lang, "weight", Msg::Weight, &self.weight)?,
            start_value: start,
            target_value: target,
            unit_label: Some(self.unit_label.trim().to_string()).filter(|u| !u.is_empty() && kind.takes_values()),
            direction,
            due_date: forms::date(lang, "due", Msg::DueDate, &self.due)?,
            items,
        })
    }
}

pub async fn create_key_result(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<KrForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (lang, id) = (page.lang, ObjectiveId(id));
    let objective = state.app.get_objective(&page.actor, id).await.map_err(|e| PageError::app(lang, e))?;
    if !access::can_edit_objective(&page.actor, &objective) {
        return Err(PageError::app(lang, AppError::forbidden("you may not add key results to this objective")));
    }
    let back = Some(objective.cycle_id.0);
    // The owner is typed (with suggestions): whom it names.
    let people =
        state.app.list_users(&page.actor, keel_app::store::Page::ALL).await.map_err(|e| PageError::app(lang, e))?;
    let owner = match super::planning::find_person(&people, &form.owner) {
        Some(id) => id.0.to_string(),
        None if form.owner.trim().is_empty() => String::new(),
        None => {
            let e = FieldError::new(lang, "owner", Some(Msg::Owner), i18n::t(lang, Msg::WhyNoSuchPerson));
            return refused(&state, &page, back, Failed::KeyResult(id, form, e)).await;
        }
    };
    // A refused form shows the owner as it was typed.
    let input = match (KrForm { owner, ..form.clone() }).input(lang, id) {
        Ok(input) => input,
        Err(e) => return refused(&state, &page, back, Failed::KeyResult(id, form, e)).await,
    };
    let threshold = input.kind == KrKind::Threshold;
    match state.app.create_key_result(&page.actor, input).await {
        Ok(kr) => Ok(Redirect::to(&format!("/okrs?cycle={}#kr-{}", objective.cycle_id.0, kr.id.0)).into_response()),
        Err(AppError::Invalid { field, message }) => {
            // A threshold's line is stored as its target value.
            let (input, label) = match named(KR_FIELDS, &field) {
                ("target", _) if threshold => ("line", Some(Msg::Line)),
                other => other,
            };
            let e = FieldError::from_app(lang, input, label, &message);
            refused(&state, &page, back, Failed::KeyResult(id, form, e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
