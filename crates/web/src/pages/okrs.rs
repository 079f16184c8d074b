//! The OKR pages: a cycle's alignment tree with progress, status and
//! forecast; one key result in detail with its rule, milestones, linked
//! projects and check-ins; and the forms that check in and tick milestones.

use super::auth::PageActor;
use super::coach::{self, CoachLine};
use super::forms::{self, FieldError};
use super::kr_chart::{self, Chart};
use super::kr_edit::{KrEdit, KrProblem};
use super::lookup::Names;
use super::planning::{Failed, Planning};
use super::view::{self, Bar, Chrome};
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use keel_app::compute::KeyResultView;
use keel_app::okr::CheckInInput;
use keel_app::{AppError, access};
use keel_domain::okr::{Cycle, KrKind, ThresholdDirection};
use keel_domain::org::Lang;
use keel_domain::{KeyResultId, KrItemId, ObjectiveId};
use serde::Deserialize;
use std::collections::HashMap;

pub struct CycleLink {
    id: i64,
    name: String,
    selected: bool,
}

pub struct ObjectiveRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) level: &'static str,
    pub(super) unit: Option<String>,
    pub(super) owner: String,
    pub(super) private: bool,
    pub(super) depth: usize,
    pub(super) status_class: &'static str,
    pub(super) status: &'static str,
    pub(super) pct: String,
    pub(super) bar: Bar,
    pub(super) krs: Vec<KrRow>,
    pub(super) may_add_kr: bool,
    /// The OKR coach's warnings on this objective.
    pub(super) warnings: Vec<CoachLine>,
}

pub struct KrRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) kind: &'static str,
    pub(super) owner: String,
    pub(super) numbers: Option<String>,
    pub(super) status_class: &'static str,
    pub(super) status: &'static str,
    pub(super) pct: String,
    pub(super) bar: Bar,
    pub(super) confidence: Option<String>,
    pub(super) forecast: Option<String>,
    /// The OKR coach's warnings on this key result.
    pub(super) warnings: Vec<CoachLine>,
}

#[derive(Template)]
#[template(path = "okrs.html")]
struct OkrsPage {
    c: Chrome,
    cycles: Vec<CycleLink>,
    cycle: Option<String>,
    cycle_name: String,
    expected: Option<String>,
    objectives: Vec<ObjectiveRow>,
    plan: Planning,
    units: Vec<UnitChoice>,
    pager: Option<TreePager>,
    /// The query of the spreadsheet downloads: this cycle, this unit.
    export: Option<String>,
}

#[derive(Deserialize)]
pub struct CycleQuery {
    cycle: Option<i64>,
    /// Only this unit's objectives and those of the units under it (and of their people).
    unit: Option<i64>,
    page: Option<usize>,
}

/// What the OKR page is asked to show besides the cycle.
#[derive(Default, Clone, Copy)]
pub struct TreeScope {
    pub unit: Option<i64>,
    pub page: usize,
}

/// At most this many objectives per page of the tree; a subtree is never cut.
const OBJECTIVES_PER_PAGE: usize = 100;

pub struct UnitChoice {
    id: i64,
    name: String,
    depth: usize,
    selected: bool,
}

pub struct TreePager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

/// The units in display order (each followed by those under it) with their depth.
pub(super) fn unit_outline(units: &[keel_domain::org::Unit]) -> Vec<(&keel_domain::org::Unit, usize)> {
    fn walk<'a>(
        units: &'a [keel_domain::org::Unit],
        parent: Option<keel_domain::UnitId>,
        depth: usize,
        out: &mut Vec<(&'a keel_domain::org::Unit, usize)>,
    ) {
        for u in units.iter().filter(|u| u.parent_id == parent) {
            // A unit appears once even if the data held a loop.
            if out.iter().any(|(seen, _)| seen.id == u.id) {
                continue;
            }
            out.push((u, depth));
            walk(units, Some(u.id), depth + 1, out);
        }
    }
    let mut out: Vec<(&keel_domain::org::Unit, usize)> = Vec::new();
    let known: std::collections::HashSet<_> = units.iter().map(|u| u.id).collect();
    // Roots: no parent, or a parent the viewer does not get.
    for root in units.iter().filter(|u| u.parent_id.is_none_or(|p| !known.contains(&p))) {
        if !out.iter().any(|(seen, _)| seen.id == root.id) {
            out.push((root, 0));
            walk(units, Some(root.id), 1, &mut out);
        }
    }
    out
}

/// "当前 41.6% · 起始 38% → 目标值 45%" for the kinds that have numbers.
fn numbers(page: &PageActor, kr: &KeyResultView) -> Option<String> {
    let k = &kr.key_result;
    let unit = k.unit_label.as_deref();
    let current = k.current_value.map(|v| view::with_unit(v, unit)).unwrap_or_else(|| page.t(Msg::NoValueYet).into());
    match k.kind {
        KrKind::Metric => Some(format!(
            "{} {current} · {} {} → {} {}",
            page.t(Msg::Current),
            page.t(Msg::Start),
            view::with_unit(k.start_value?, unit),
            page.t(Msg::Target),
            view::with_unit(k.target_value?, unit),
        )),
        KrKind::Threshold => {
            let sign = if k.direction == Some(ThresholdDirection::AtMost) { "≤" } else { "≥" };
            Some(format!(
                "{} {current} · {} {sign} {}",
                page.t(Msg::Current),
                page.t(Msg::Target),
                view::with_unit(k.target_value?, unit)
            ))
        }
        _ => None,
    }
}

/// "78%（可达 70%）": the forecast at cycle end and whether it reaches 0.7;
/// for a threshold, the value the trend gives and whether it keeps the line
/// (a threshold holds or not: "0 %" would say nothing).
fn forecast(page: &PageActor, kr: &KeyResultView) -> Option<String> {
    kr.forecast.map(|f| match (kr.key_result.kind, f.value_at_end) {
        (KrKind::Threshold, Some(value)) => {
            let verdict = page.t(if f.reaches_target { Msg::ForecastHolds } else { Msg::ForecastBreaks });
            format!("{}{verdict}", view::with_unit(value, kr.key_result.unit_label.as_deref()))
        }
        _ => {
            let verdict = page.t(if f.reaches_target { Msg::ForecastReaches } else { Msg::ForecastMisses });
            format!("{}{verdict}", view::pct(f.progress_at_end))
        }
    })
}

fn kr_row(page: &PageActor, names: &Names, kr: &KeyResultView) -> KrRow {
    let status_class = kr.status.as_str();
    KrRow {
        id: kr.key_result.id.0,
        title: kr.key_result.title.clone(),
        kind: page.t(view::kind(kr.key_result.kind)),
        owner: names.of(Some(kr.key_result.owner_id)),
        numbers: numbers(page, kr),
        status_class,
        status: page.t(view::kr_status(kr.status)),
        pct: view::pct(kr.progress),
        bar: Bar::new(kr.progress, status_class),
        confidence: kr.confidence.map(|c| tf(page.lang, Msg::Confidence, &[&c])),
        forecast: forecast(page, kr).map(|f| tf(page.lang, Msg::Forecast, &[&f])),
        warnings: coach::lines(page.lang, &kr.warnings),
    }
}

pub async fn overview(State(state): State<AppState>, page: PageActor, Query(q): Query<CycleQuery>) -> PageResult {
    let scope = TreeScope { unit: q.unit, page: q.page.unwrap_or(1).max(1) };
    overview_scoped(&state, &page, q.cycle, scope, Failed::Nothing).await
}

/// The tree follows its objectives and key results (check-ins, edits); a
/// very large tree follows its cycle only, to keep the address short.
fn okr_topics(cycle: Option<&Cycle>, tree: Option<&keel_app::compute::OkrTree>) -> String {
    const MOST: usize = 400;
    let Some(cycle) = cycle else { return String::new() };
    let mut topics = vec![format!("cycle:{}", cycle.id.0)];
    if let Some(tree) = tree {
        for o in &tree.objectives {
            topics.push(format!("objective:{}", o.objective.id.0));
            topics.extend(o.key_results.iter().map(|k| format!("key_result:{}", k.key_result.id.0)));
        }
    }
    if topics.len() > MOST {
        topics.truncate(1);
    }
    topics.join(",")
}

/// The OKR page for a cycle (else the current one), with the planning forms;
/// after a refused form, that form filled in again and status 422.
pub async fn overview_page(state: &AppState, page: &PageActor, cycle: Option<i64>, failed: Failed) -> PageResult {
    overview_scoped(state, page, cycle, TreeScope { unit: None, page: 1 }, failed).await
}

async fn overview_scoped(
    state: &AppState,
    page: &PageActor,
    cycle: Option<i64>,
    scope: TreeScope,
    failed: Failed,
) -> PageResult {
    let lang = page.lang;
    let app = &state.app;
    let status = if matches!(failed, Failed::Nothing) { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let cycles = app.list_cycles(&page.actor).await.or_page(lang)?;
    let chosen: Option<Cycle> = match cycle {
        Some(id) => Some(
            cycles
                .iter()
                .find(|c| c.id.0 == id)
                .cloned()
                .ok_or_else(|| PageError::app(lang, AppError::NotFound("cycle")))?,
        ),
        None => app.current_cycle(&page.actor).await.or_page(lang)?.or_else(|| cycles.first().cloned()),
    };
    let tree = match &chosen {
        Some(cycle) => Some(app.okr_tree_shared(&page.actor, cycle.id).await.or_page(lang)?),
        None => None,
    };
    let plan = Planning::load(app, page, &cycles, chosen.as_ref(), tree.as_deref(), failed).await.or_page(lang)?;
    let mut c = page.chrome(page.t(Msg::OkrsTitle));
    // Shown again after a refused POST: "back" is this page, not the form's target.
    c.here = chosen.as_ref().map(|x| format!("/okrs?cycle={}", x.id.0)).unwrap_or_else(|| "/okrs".into());
    c.watch = okr_topics(chosen.as_ref(), tree.as_deref());
    let mut out = OkrsPage {
        c,
        cycles: cycles
            .iter()
            .map(|c| CycleLink {
                id: c.id.0,
                name: c.name.clone(),
                selected: chosen.as_ref().is_some_and(|x| x.id == c.id),
            })
            .collect(),
        cycle: None,
        cycle_name: chosen.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        expected: None,
        objectives: vec![],
        plan,
        units: vec![],
        pager: None,
        export: None,
    };
    let (Some(cycle), Some(tree)) = (chosen, tree) else { return Ok(render(status, &out)) };
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let all_units = app.list_units(&page.actor).await.or_page(lang)?;
    let outline = unit_outline(&all_units);
    out.units = outline
        .iter()
        .map(|(u, depth)| UnitChoice {
            id: u.id.0,
            name: u.name.clone(),
            depth: *depth,
            selected: scope.unit == Some(u.id.0),
        })
        .collect();
    let unit_scope = UnitScope::load(app, page, &outline, scope.unit).await?;
    let units: HashMap<_, _> = all_units.into_iter().map(|u| (u.id, u.name)).collect();
    out.export = Some(match scope.unit {
        Some(u) => format!("cycle={}&unit={u}", cycle.id.0),
        None => format!("cycle={}", cycle.id.0),
    });
    out.cycle = Some(format!(
        "{} · {}",
        cycle.name,
        tf(lang, Msg::CycleDates, &[&view::date(cycle.start_date), &view::date(cycle.end_date)])
    ));
    out.expected = Some(tf(lang, Msg::ExpectedToday, &[&view::date(tree.today), &view::pct(tree.expected)]));
    let wanted = |o: &keel_app::compute::ObjectiveView| unit_scope.holds(o);
    // The tree arrives depth-first, so a parent's depth is known before its
    // children's; one whose parent is not shown starts a subtree of its own.
    let mut depth: HashMap<ObjectiveId, usize> = HashMap::new();
    let mut shown: Vec<(&keel_app::compute::ObjectiveView, usize)> = Vec::new();
    for o in tree.objectives.iter().filter(|o| wanted(o)) {
        let d = if o.is_root { 0 } else { depth.get(&o.objective.id).copied().unwrap_or(0) };
        for child in &o.child_ids {
            depth.insert(*child, d + 1);
        }
        shown.push((o, d));
    }
    // Pages of whole subtrees, up to OBJECTIVES_PER_PAGE objectives each.
    let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    while start < shown.len() {
        let mut end = start + subtree_len(&shown, start);
        while end < shown.len() && end - start + subtree_len(&shown, end) <= OBJECTIVES_PER_PAGE {
            end += subtree_len(&shown, end);
        }
        pages.push(start..end);
        start = end;
    }
    let number = scope.page.min(pages.len().max(1));
    if let Some(range) = pages.get(number - 1) {
        for (o, d) in &shown[range.clone()] {
            out.objectives.push(objective_row(page, &names, &units, o, (*d).min(4)));
        }
    }
    if pages.len() > 1 {
        let link = |n: usize| {
            let mut href = format!("/okrs?cycle={}", cycle.id.0);
            if let Some(u) = scope.unit {
                href.push_str(&format!("&unit={u}"));
            }
            format!("{href}&page={n}")
        };
        out.pager = Some(TreePager {
            text: tf(lang, Msg::OkrPageOf, &[&number, &pages.len()]),
            prev: (number > 1).then(|| link(number - 1)),
            next: (number < pages.len()).then(|| link(number + 1)),
        });
    }
    Ok(render(status, &out))
}

/// How many objectives the subtree starting at `i` holds.
fn subtree_len(shown: &[(&keel_app::compute::ObjectiveView, usize)], i: usize) -> usize {
    1 + shown[i + 1..].iter().take_while(|(_, d)| *d > 0).count()
}

/// One objective of the tree as shown, with its key results.
pub(super) fn objective_row(
    page: &PageActor,
    names: &Names,
    units: &HashMap<keel_domain::UnitId, String>,
    o: &keel_app::compute::ObjectiveView,
    depth: usize,
) -> ObjectiveRow {
    let status_class = o.status.as_str();
    ObjectiveRow {
        id: o.objective.id.0,
        title: o.objective.title.clone(),
        description: o.objective.description.clone(),
        level: page.t(view::level(o.objective.level)),
        unit: o.objective.unit_id.and_then(|u| units.get(&u).cloned()),
        owner: names.of(Some(o.objective.owner_id)),
        private: o.objective.private,
        depth,
        status_class,
        status: page.t(view::kr_status(o.status)),
        pct: view::pct(o.progress),
        bar: Bar::new(o.progress, status_class),
        krs: o.key_results.iter().map(|kr| kr_row(page, names, kr)).collect(),
        may_add_kr: access::can_edit_objective(&page.actor, &o.objective),
        warnings: coach::lines(page.lang, &o.warnings),
    }
}

pub struct ItemRow {
    id: i64,
    title: String,
    weight: String,
    done: bool,
}

pub struct ProjectLink {
    id: i64,
    key: String,
    name: String,
    pct: String,
    bar: Bar,
    health_class: &'static str,
    health: &'static str,
    owner: String,
    /// Why the health is what it is ("3 overdue tasks").
    why: Option<String>,
}

/// A task linked to the key result directly.
pub struct WorkTask {
    id: i64,
    key: String,
    title: String,
    status: String,
    status_class: &'static str,
    progress: String,
}

/// The work behind a work key result's number: the share of weight done
/// and the tasks linked to it directly (its projects' tasks count too).
pub struct WorkBehind {
    pct: String,
    bar: Bar,
    tasks: Vec<WorkTask>,
}

pub struct CheckInRow {
    at: String,
    author: String,
    value: String,
    pct: String,
    confidence: String,
    note: String,
}

#[derive(Template)]
#[template(path = "key_result.html")]
struct KeyResultPage {
    c: Chrome,
    kr: KrRow,
    objective_id: i64,
    objective: String,
    cycle_id: i64,
    weight: String,
    due: String,
    override_note: Option<String>,
    expected: String,
    rule: String,
    rule_detail: Option<String>,
    items: Vec<ItemRow>,
    may_write: bool,
    projects: Vec<ProjectLink>,
    work: Option<WorkBehind>,
    check_ins: Vec<CheckInRow>,
    confidence: Option<String>,
    forecast: Option<String>,
    takes_value: bool,
    value_label: String,
    /// The check-in form as typed when it was refused, else empty.
    typed: CheckInForm,
    /// Why the check-in was refused.
    error: Option<FieldError>,
    /// The edit form, for those who may change this key result.
    edit: Option<KrEdit>,
    /// The history chart: actual values, the expected line, the forecast.
    chart: Chart,
    /// The work behind the number and the comments.
    more: super::kr_more::KrMore,
}

impl KeyResultPage {
    /// Whether the refused check-in was refused for this input.
    fn ci_invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

#[derive(Deserialize)]
pub struct KrQuery {
    /// The page of open tasks under "the work behind the number", from 1.
    work: Option<i64>,
}

pub async fn key_result(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(q): Query<KrQuery>,
) -> PageResult {
    kr_page_at(&state, &page, KeyResultId(id), KrProblem::Nothing, q.work.unwrap_or(1)).await
}

/// The key result page; after a refused form, that form's problem (422, or
/// 409 when someone else changed the key result first).
pub async fn kr_page(state: &AppState, page: &PageActor, id: KeyResultId, problem: KrProblem) -> PageResult {
    kr_page_at(state, page, id, problem, 1).await
}

async fn kr_page_at(
    state: &AppState,
    page: &PageActor,
    id: KeyResultId,
    problem: KrProblem,
    work_page: i64,
) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let status = match problem {
        KrProblem::Nothing => StatusCode::OK,
        KrProblem::Conflict => StatusCode::CONFLICT,
        KrProblem::CheckIn(..) | KrProblem::Edit(..) => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let (typed, error, problem) = match problem {
        KrProblem::CheckIn(f, e) => (f, Some(e), KrProblem::Nothing),
        other => (CheckInForm::default(), None, other),
    };
    let (objective, kr) = app.key_result_view(&page.actor, id).await.or_page(lang)?;
    let cycle = app.get_cycle(&page.actor, objective.objective.cycle_id).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let projects = app.project_views(&page.actor).await.or_page(lang)?;
    let mut history = app.list_check_ins(&page.actor, id).await.or_page(lang)?;
    history.sort_by_key(|c| std::cmp::Reverse((c.at, c.id)));
    let k = &kr.key_result;
    let unit = k.unit_label.as_deref();
    let rule = match (k.kind, k.direction) {
        (KrKind::Metric, _) => page.t(Msg::RuleMetric).to_string(),
        (KrKind::Threshold, Some(ThresholdDirection::AtMost)) => {
            tf(lang, Msg::RuleThresholdAtMost, &[&view::with_unit(k.target_value.unwrap_or_default(), unit)])
        }
        (KrKind::Threshold, _) => {
            tf(lang, Msg::RuleThresholdAtLeast, &[&view::with_unit(k.target_value.unwrap_or_default(), unit)])
        }
        (KrKind::Milestone, _) => page.t(Msg::RuleMilestone).to_string(),
        (KrKind::Work, _) => page.t(Msg::RuleWork).to_string(),
        (KrKind::Children, _) => page.t(Msg::RuleChildren).to_string(),
    };
    let rule_detail = match (&kr.work, k.kind) {
        (Some(w), _) => Some(tf(
            lang,
            Msg::RuleWorkNumbers,
            &[&view::num(w.done_weight), &view::num(w.total_weight), &w.counted_tasks],
        )),
        (None, KrKind::Children) => Some(tf(lang, Msg::AlignedCount, &[&kr.child_objective_ids.len()])),
        _ => None,
    };
    let work = match &kr.work {
        Some(w) => {
            let mut tasks = Vec::new();
            for t in &w.task_ids {
                // A task the viewer may not see is not listed (nor counted: the app computed for them).
                if let Ok(t) = app.get_task(&page.actor, *t).await {
                    tasks.push(WorkTask {
                        id: t.id.0,
                        key: t.key.clone(),
                        title: t.title.clone(),
                        status: view::workflow_status(lang, &t.status),
                        status_class: view::category_class(t.category),
                        progress: super::projects::task_progress(&t),
                    });
                }
            }
            let share = if w.total_weight > 0.0 { w.done_weight / w.total_weight } else { 0.0 };
            Some(WorkBehind { pct: view::pct(share), bar: Bar::new(share, kr.status.as_str()), tasks })
        }
        None => None,
    };
    let chart = kr_chart::chart(lang, page.zone(), &cycle, &kr, &history, chrono::Utc::now());
    let more = super::kr_more::KrMore::load(app, page, &names, id, work_page).await.or_page(lang)?;
    let mut c = page.chrome(k.title.clone());
    // Re-rendered after a failed check-in POST: "back" is the page, not the form's target.
    c.here = format!("/key-results/{}", id.0);
    let out = KeyResultPage {
        c,
        objective_id: objective.objective.id.0,
        objective: objective.objective.title.clone(),
        cycle_id: objective.objective.cycle_id.0,
        weight: view::num(k.weight),
        due: view::opt_date(k.due_date),
        override_note: k
            .override_reason
            .as_ref()
            .filter(|_| kr.status_overridden)
            .map(|r| tf(lang, Msg::StatusOverridden, &[r])),
        expected: tf(lang, Msg::ExpectedShare, &[&view::pct(kr.expected)]),
        rule,
        rule_detail,
        items: kr
            .items
            .iter()
            .map(|i| ItemRow { id: i.id.0, title: i.title.clone(), weight: view::num(i.weight), done: i.done })
            .collect(),
        may_write: page.actor.may_write(),
        projects: projects
            .iter()
            .filter(|v| v.project.key_result_ids.contains(&id))
            .map(|v| {
                let (health, health_class) = view::health(v.health.health);
                ProjectLink {
                    id: v.project.id.0,
                    key: v.project.key.clone(),
                    name: v.project.name.clone(),
                    pct: view::pct(v.progress),
                    bar: Bar::new(v.progress, health_class),
                    health_class,
                    health: page.t(health),
                    owner: names.of(v.project.owner_id),
                    why: Some(super::projects::health_reasons(lang, &v.health).join(lang_sep(lang)))
                        .filter(|w| !w.is_empty())
                        .map(|w| tf(lang, Msg::HealthWhy, &[&w])),
                }
            })
            .collect(),
        work,
        check_ins: history
            .iter()
            .map(|c| CheckInRow {
                at: view::datetime(c.at, page.zone()),
                author: names.of(Some(c.author_id)),
                value: c.value.map(|v| view::with_unit(v, unit)).unwrap_or_else(|| "—".into()),
                pct: view::pct(c.progress),
                confidence: c.confidence.map(|c| format!("{c}/10")).unwrap_or_else(|| "—".into()),
                note: c.note.clone(),
            })
            .collect(),
        confidence: kr.confidence.map(|c| format!("{c}/10")),
        forecast: forecast(page, &kr),
        takes_value: k.kind.takes_values(),
        value_label: tf(lang, Msg::ValueLabel, &[&unit.unwrap_or("—")]),
        typed,
        error,
        edit: access::can_edit_key_result(&page.actor, &objective.objective, k).then(|| KrEdit::new(page, k, problem)),
        chart,
        more,
        kr: kr_row(page, &names, &kr),
    };
    Ok(render(status, &out))
}

/// The check-in form; shown again as typed when refused.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CheckInForm {
    csrf: String,
    value: String,
    confidence: String,
    note: String,
}

impl CheckInForm {
    /// The typed values with the reason they were refused.
    fn refused(self, lang: Lang, field: &'static str, label: Option<Msg>, reason: &str) -> KrProblem {
        KrProblem::CheckIn(self, FieldError::new(lang, field, label, reason))
    }
}

pub async fn check_in(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<CheckInForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (lang, id) = (page.lang, KeyResultId(id));
    let value = match forms::parse_number(&form.value) {
        Ok(v) => v,
        Err(e) => {
            return kr_page(&state, &page, id, form.refused(lang, "value", Some(Msg::Value), e.reason(lang))).await;
        }
    };
    // The same parser as the value, so "８" from a Chinese keyboard counts too.
    let confidence = match forms::parse_number(&form.confidence) {
        Ok(None) => None,
        Ok(Some(c)) if c.fract() == 0.0 && (0.0..=10.0).contains(&c) => Some(c as u8),
        _ => {
            let reason = page.t(Msg::ConfidenceRange);
            return kr_page(&state, &page, id, form.refused(lang, "confidence", None, reason)).await;
        }
    };
    let input = CheckInInput { value, confidence, note: form.note.clone(), at: None };
    match state.app.check_in(&page.actor, id, input).await {
        Ok(_) => Ok(Redirect::to(&format!("/key-results/{}", id.0)).into_response()),
        Err(AppError::Invalid { field, .. }) if field == "value" => {
            let msg = if value.is_some() { Msg::DerivedNoValue } else { Msg::NotANumber };
            kr_page(&state, &page, id, form.refused(lang, "value", None, page.t(msg))).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    done: String,
}

pub async fn toggle_item(
    State(state): State<AppState>,
    page: PageActor,
    Path((id, item)): Path<(i64, i64)>,
    Form(form): Form<ItemForm>,
) -> Result<Response, PageError> {
    page.check_csrf(&form.csrf)?;
    let done = form.done == "true";
    state.app.set_kr_item_done(&page.actor, KeyResultId(id), KrItemId(item), done).await.or_page(page.lang)?;
    Ok(Redirect::to(&format!("/key-results/{id}#milestones")).into_response())
}

/// Between reasons in a sentence: "；" in Chinese, "; " in English.
fn lang_sep(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "；" } else { "; " }
}

/// The objectives a unit filter keeps: the unit's and its sub-units', and
/// the individual objectives of people in them. No unit keeps everything.
pub(super) struct UnitScope {
    units: Option<std::collections::HashSet<keel_domain::UnitId>>,
    members: std::collections::HashSet<keel_domain::UserId>,
}

impl UnitScope {
    /// `outline` is the unit tree depth-first with depths ([`unit_outline`]).
    pub(super) async fn load(
        app: &keel_app::App,
        page: &PageActor,
        outline: &[(&keel_domain::org::Unit, usize)],
        unit: Option<i64>,
    ) -> Result<UnitScope, PageError> {
        let lang = page.lang;
        let Some(id) = unit else { return Ok(UnitScope { units: None, members: Default::default() }) };
        let Some(pos) = outline.iter().position(|(u, _)| u.id.0 == id) else {
            return Err(PageError::app(lang, AppError::NotFound("unit")));
        };
        let depth = outline[pos].1;
        let below = outline[pos + 1..].iter().take_while(|(_, d)| *d > depth).map(|(u, _)| u.id);
        let units: std::collections::HashSet<_> = std::iter::once(outline[pos].0.id).chain(below).collect();
        let members = app
            .list_users(&page.actor, keel_app::store::Page::ALL)
            .await
            .or_page(lang)?
            .into_iter()
            .filter(|u| u.units.iter().any(|x| units.contains(x)))
            .map(|u| u.id)
            .collect();
        Ok(UnitScope { units: Some(units), members })
    }

    pub(super) fn holds(&self, o: &keel_app::compute::ObjectiveView) -> bool {
        match &self.units {
            None => true,
            Some(units) => match o.objective.unit_id {
                Some(u) => units.contains(&u),
                None => {
                    o.objective.level == keel_domain::okr::ObjectiveLevel::Individual
                        && self.members.contains(&o.objective.owner_id)
                }
            },
        }
    }
}
