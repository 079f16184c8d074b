//! The forms on the OKR page that plan a cycle, as shown: a new cycle
//! (admins), a new objective in the chosen cycle with its level, unit, owner
//! and alignment, and a new key result of any kind under each objective the
//! viewer may change. After a refusal the form shows what was typed and why
//! (the submissions are in `plan_submit`).

use super::auth::PageActor;
use super::forms::{Choice, ChoiceGroup, FieldError};
use super::view;
use crate::i18n::Msg;
use keel_app::compute::OkrTree;
use keel_app::store::Page;
use keel_app::{App, AppResult};
use keel_domain::ObjectiveId;
use keel_domain::okr::{Cycle, CycleState, KrKind, ObjectiveLevel, ThresholdDirection};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CycleForm {
    pub(super) csrf: String,
    pub name: String,
    pub start: String,
    pub end: String,
    pub state: String,
    pub parent: String,
    /// The cycle on screen when the form was sent, to show it again on a refusal.
    pub from: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ObjectiveForm {
    pub(super) csrf: String,
    pub cycle: String,
    pub title: String,
    pub description: String,
    pub level: String,
    pub unit: String,
    pub owner: String,
    /// A checkbox: "on" when ticked, absent otherwise.
    pub private: String,
    /// "o:12" for a parent objective, "k:34" for a parent key result.
    pub align: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct KrForm {
    pub(super) csrf: String,
    pub title: String,
    pub kind: String,
    pub owner: String,
    pub weight: String,
    pub start: String,
    pub target: String,
    pub line: String,
    pub direction: String,
    pub unit_label: String,
    pub items: String,
    pub due: String,
}

/// The form that was refused, what was typed into it, and why.
pub enum Failed {
    Nothing,
    Cycle(CycleForm, FieldError),
    Objective(ObjectiveForm, FieldError),
    KeyResult(ObjectiveId, KrForm, FieldError),
}

/// A form as shown: its values and, after a refusal, the error.
pub struct Shown<F> {
    pub f: F,
    pub error: Option<FieldError>,
}

impl<F> Shown<F> {
    fn blank(f: F) -> Shown<F> {
        Shown { f, error: None }
    }
    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

/// Everything the planning forms on /okrs need; a form the viewer may not
/// use is absent.
#[derive(Default)]
pub struct Planning {
    pub new_cycle: Option<Shown<CycleForm>>,
    pub new_objective: Option<Shown<ObjectiveForm>>,
    kr_blank: KrForm,
    kr_failed: Option<(ObjectiveId, Shown<KrForm>)>,
    pub states: Vec<Choice>,
    pub cycles: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub units: Vec<Choice>,
    pub people: Vec<Choice>,
    pub alignments: Vec<ChoiceGroup>,
    pub kinds: Vec<Choice>,
    pub directions: Vec<Choice>,
}

impl Planning {
    /// The values of the key-result form under one objective.
    /// (Templates pass arguments by reference.)
    pub fn kr_values(&self, objective: &i64) -> &KrForm {
        match &self.kr_failed {
            Some((id, shown)) if id.0 == *objective => &shown.f,
            _ => &self.kr_blank,
        }
    }
    pub fn kr_error(&self, objective: &i64) -> Option<&FieldError> {
        self.kr_failed.as_ref().filter(|(id, _)| id.0 == *objective).and_then(|(_, s)| s.error.as_ref())
    }
    pub fn kr_invalid(&self, objective: &i64, field: &str) -> bool {
        self.kr_error(objective).is_some_and(|e| e.field == field)
    }

    pub async fn load(
        app: &App,
        page: &PageActor,
        cycles: &[Cycle],
        chosen: Option<&Cycle>,
        tree: Option<&OkrTree>,
        failed: Failed,
    ) -> AppResult<Planning> {
        let actor = &page.actor;
        if !actor.may_write() {
            return Ok(Planning::default());
        }
        let me = actor.id().map(|id| id.0.to_string()).unwrap_or_default();
        let my_label = actor.user.as_ref().map(person_label).unwrap_or_default();
        let from = chosen.map(|c| c.id.0.to_string()).unwrap_or_default();
        let t = |m| page.t(m).to_string();
        let mut plan = Planning {
            kr_blank: KrForm {
                kind: "metric".into(),
                // Typed with suggestions from the page's one list of people.
                owner: my_label,
                direction: "at_least".into(),
                ..Default::default()
            },
            states: [CycleState::Planning, CycleState::Active, CycleState::Closed]
                .map(|s| Choice::new(s.as_str(), t(cycle_state(s))))
                .into(),
            cycles: cycles.iter().map(|c| Choice::new(c.id.0, c.name.clone())).collect(),
            levels: [ObjectiveLevel::Company, ObjectiveLevel::Unit, ObjectiveLevel::Individual]
                .into_iter()
                .filter(|l| *l != ObjectiveLevel::Company || actor.is_admin())
                .map(|l| Choice::new(l.as_str(), t(view::level(l))))
                .collect(),
            units: app.list_units(actor).await?.into_iter().map(|u| Choice::new(u.id.0, u.name)).collect(),
            people: app
                .list_users(actor, Page::ALL)
                .await?
                .into_iter()
                .map(|u| Choice::new(u.id.0, person_label(&u)))
                .collect(),
            alignments: tree.map(|t| alignments(page, t, &Default::default())).unwrap_or_default(),
            kinds: [KrKind::Metric, KrKind::Threshold, KrKind::Milestone, KrKind::Work, KrKind::Children]
                .map(|k| Choice::new(k.as_str(), t(view::kind(k))))
                .into(),
            directions: vec![
                Choice::new(ThresholdDirection::AtLeast.as_str(), t(Msg::AtLeast)),
                Choice::new(ThresholdDirection::AtMost.as_str(), t(Msg::AtMost)),
            ],
            ..Default::default()
        };
        if actor.is_admin() {
            plan.new_cycle =
                Some(Shown::blank(CycleForm { state: "planning".into(), from: from.clone(), ..Default::default() }));
        }
        if chosen.is_some() {
            plan.new_objective = Some(Shown::blank(ObjectiveForm {
                cycle: from,
                level: "individual".into(),
                owner: me,
                ..Default::default()
            }));
        }
        match failed {
            Failed::Nothing => {}
            Failed::Cycle(f, e) => plan.new_cycle = Some(Shown { f, error: Some(e) }),
            Failed::Objective(f, e) => plan.new_objective = Some(Shown { f, error: Some(e) }),
            Failed::KeyResult(id, f, e) => plan.kr_failed = Some((id, Shown { f, error: Some(e) })),
        }
        Ok(plan)
    }
}

/// How a person is named where one is picked: "李娜 (lina)"; the login
/// tells apart two people of the same name.
pub fn person_label(u: &keel_domain::org::User) -> String {
    match &u.login {
        Some(login) => format!("{} ({login})", u.display_name),
        None => format!("{} (#{})", u.display_name, u.id.0),
    }
}

/// The person a typed owner names: an id, a label as `person_label` writes
/// it, a login, or a display name that only one person has.
pub fn find_person(people: &[keel_domain::org::User], typed: &str) -> Option<keel_domain::UserId> {
    let typed = typed.trim();
    if let Ok(id) = typed.parse::<i64>() {
        return Some(keel_domain::UserId(id));
    }
    let exact = people.iter().find(|u| person_label(u) == typed || u.login.as_deref() == Some(typed));
    if let Some(u) = exact {
        return Some(u.id);
    }
    let mut named = people.iter().filter(|u| u.display_name == typed);
    match (named.next(), named.next()) {
        (Some(u), None) => Some(u.id),
        _ => None,
    }
}

fn cycle_state(s: CycleState) -> Msg {
    match s {
        CycleState::Planning => Msg::CyclePlanning,
        CycleState::Active => Msg::CycleActive,
        CycleState::Closed => Msg::CycleClosed,
    }
}

/// Parents an objective may align to: each company or unit objective and
/// its key results (nothing aligns under an individual objective), less
/// the `excluded` ones (an objective and those below it, when editing).
pub fn alignments(page: &PageActor, tree: &OkrTree, excluded: &HashSet<ObjectiveId>) -> Vec<ChoiceGroup> {
    tree.objectives
        .iter()
        .filter(|o| o.objective.level != ObjectiveLevel::Individual && !excluded.contains(&o.objective.id))
        .map(|o| {
            let title = &o.objective.title;
            let mut choices =
                vec![Choice::new(format!("o:{}", o.objective.id.0), format!("{} · {title}", page.t(Msg::Objective)))];
            choices.extend(
                o.key_results
                    .iter()
                    .map(|k| Choice::new(format!("k:{}", k.key_result.id.0), format!("KR · {}", k.key_result.title))),
            );
            ChoiceGroup { label: format!("{} · {title}", page.t(view::level(o.objective.level))), choices }
        })
        .collect()
}
