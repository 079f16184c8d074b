//! The numbers of an OKR cycle, computed the way PRODUCT.md §2 defines
//! them: each KR's progress by kind, objective roll-ups, status from the
//! schedule (or the owner's override), and the least-squares forecast.
//!
//! Everything is computed from what the viewer may see, so a private
//! project's tasks never move a number shown to someone outside it.

use crate::auth::Actor;
use crate::recent::TreeKey;
use crate::store::{KrScope, Page, Tx};
use crate::{AppError, AppResult, Settings};
use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::coach::{self, Warning};
use keel_domain::forecast::{Forecast, fit_at, forecast, reaches};
use keel_domain::okr::*;
use keel_domain::progress::{self, WorkProgress};
use keel_domain::rollup::WorkIndex;
use keel_domain::status::{KrStatus, expected_share, kr_status};
use keel_domain::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkSummary {
    pub done_weight: f64,
    pub total_weight: f64,
    pub counted_tasks: usize,
    pub project_ids: Vec<ProjectId>,
    pub task_ids: Vec<TaskId>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyResultView {
    #[serde(flatten)]
    pub key_result: KeyResult,
    /// Fraction, unclamped (0.5 = 50 %).
    pub progress: f64,
    pub status: KrStatus,
    /// True when the owner overrode the computed status.
    pub status_overridden: bool,
    /// Elapsed share of the cycle today, the status's yardstick.
    pub expected: f64,
    pub forecast: Option<Forecast>,
    /// Which rule produced `progress`: the kind's formula.
    pub rule: KrKind,
    pub items: Vec<KrItem>,
    pub work: Option<WorkSummary>,
    /// Objectives aligned under this KR (the children kind averages them).
    pub child_objective_ids: Vec<ObjectiveId>,
    pub last_check_in: Option<CheckIn>,
    /// The OKR coach's flags on this KR.
    pub warnings: Vec<Warning>,
    /// The latest confidence given (a check-in may leave it out).
    pub confidence: Option<u8>,
    pub check_in_count: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveView {
    #[serde(flatten)]
    pub objective: Objective,
    pub progress: f64,
    pub status: KrStatus,
    pub key_results: Vec<KeyResultView>,
    /// Objectives aligned directly under this one or under one of its KRs.
    pub child_ids: Vec<ObjectiveId>,
    /// True when its parent is missing or not visible: a root of the tree.
    pub is_root: bool,
    /// The OKR coach's flags on this objective.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OkrTree {
    pub cycle: Cycle,
    /// The viewer's civil date the statuses were computed for.
    pub today: NaiveDate,
    pub expected: f64,
    /// Every visible objective of the cycle, roots first, each followed by its subtree.
    pub objectives: Vec<ObjectiveView>,
}

impl OkrTree {
    pub fn key_result(&self, id: KeyResultId) -> Option<&KeyResultView> {
        self.objectives.iter().flat_map(|o| &o.key_results).find(|k| k.id_is(id))
    }
    pub fn objective(&self, id: ObjectiveId) -> Option<&ObjectiveView> {
        self.objectives.iter().find(|o| o.objective.id == id)
    }
}

impl KeyResultView {
    fn id_is(&self, id: KeyResultId) -> bool {
        self.key_result.id == id
    }
}

/// Least squares over the check-ins (PRODUCT.md §2). For KRs that take
/// values the line is fitted to the values and its end read as progress, so
/// a threshold forecasts whether the line will hold, not a slope of 0s and 1s.
fn forecast_of(kr: &KeyResult, history: &[CheckIn], end: DateTime<Utc>) -> Option<Forecast> {
    if !kr.kind.takes_values() {
        let points: Vec<(DateTime<Utc>, f64)> = history.iter().map(|c| (c.at, c.progress)).collect();
        return forecast(&points, end);
    }
    let points: Vec<(DateTime<Utc>, f64)> = history.iter().filter_map(|c| c.value.map(|v| (c.at, v))).collect();
    let (value, value_slope) = fit_at(&points, end)?;
    let progress_at_end = value_progress(kr, value).ok()?;
    let slope_per_day = match (kr.kind, kr.start_value, kr.target_value) {
        (KrKind::Metric, Some(s), Some(t)) => value_slope / (t - s),
        _ => 0.0,
    };
    Some(Forecast {
        value_at_end: Some(value),
        progress_at_end,
        slope_per_day,
        reaches_target: reaches(progress_at_end),
    })
}

/// Progress of a value typed into a metric or threshold KR.
pub fn value_progress(kr: &KeyResult, value: f64) -> AppResult<f64> {
    match kr.kind {
        KrKind::Metric => Ok(progress::metric(
            kr.start_value.ok_or_else(|| AppError::invalid("start_value", "missing"))?,
            kr.target_value.ok_or_else(|| AppError::invalid("target_value", "missing"))?,
            value,
        )?),
        KrKind::Threshold => Ok(progress::threshold(
            kr.direction.ok_or_else(|| AppError::invalid("direction", "missing"))?,
            kr.target_value.ok_or_else(|| AppError::invalid("target_value", "missing"))?,
            value,
        )),
        _ => Err(AppError::invalid("value", "this key result's progress is computed")),
    }
}

struct Inputs {
    objectives: HashMap<ObjectiveId, Objective>,
    krs_of: HashMap<ObjectiveId, Vec<KeyResult>>,
    items_of: HashMap<KeyResultId, Vec<KrItem>>,
    check_ins_of: HashMap<KeyResultId, Vec<CheckIn>>,
    projects_of: HashMap<KeyResultId, Vec<ProjectId>>,
    tasks_of: HashMap<KeyResultId, Vec<TaskId>>,
    children_of_kr: HashMap<KeyResultId, Vec<ObjectiveId>>,
    index: WorkIndex,
}

/// Memoised progress with a guard against alignment loops.
struct Rollup<'a> {
    inputs: &'a Inputs,
    objective_progress: HashMap<ObjectiveId, f64>,
    kr_progress: HashMap<KeyResultId, (f64, Option<WorkProgress>)>,
    visiting: HashSet<ObjectiveId>,
}

impl Rollup<'_> {
    fn objective(&mut self, id: ObjectiveId) -> f64 {
        if let Some(p) = self.objective_progress.get(&id) {
            return *p;
        }
        if !self.visiting.insert(id) {
            return 0.0;
        }
        let krs = self.inputs.krs_of.get(&id).cloned().unwrap_or_default();
        let parts: Vec<(f64, f64)> = krs.iter().map(|kr| (kr.weight, self.key_result(kr).0)).collect();
        let p = progress::weighted_mean(&parts);
        self.visiting.remove(&id);
        self.objective_progress.insert(id, p);
        p
    }

    fn key_result(&mut self, kr: &KeyResult) -> (f64, Option<WorkProgress>) {
        if let Some(done) = self.kr_progress.get(&kr.id) {
            return *done;
        }
        let result = match kr.kind {
            KrKind::Metric | KrKind::Threshold => {
                let p = kr.current_value.and_then(|v| value_progress(kr, v).ok()).unwrap_or(0.0);
                (p, None)
            }
            KrKind::Milestone => {
                let items: Vec<(f64, bool)> = self
                    .inputs
                    .items_of
                    .get(&kr.id)
                    .map(|v| v.iter().map(|i| (i.weight, i.done)).collect())
                    .unwrap_or_default();
                (progress::milestones(&items), None)
            }
            KrKind::Work => {
                let projects: Vec<i64> =
                    self.inputs.projects_of.get(&kr.id).map(|v| v.iter().map(|p| p.0).collect()).unwrap_or_default();
                let tasks: Vec<i64> =
                    self.inputs.tasks_of.get(&kr.id).map(|v| v.iter().map(|t| t.0).collect()).unwrap_or_default();
                let work = self.inputs.index.progress(&projects, &tasks);
                (work.progress, Some(work))
            }
            KrKind::Children => {
                let children = self.inputs.children_of_kr.get(&kr.id).cloned().unwrap_or_default();
                let parts: Vec<(f64, f64)> = children.iter().map(|c| (1.0, self.objective(*c))).collect();
                (progress::weighted_mean(&parts), None)
            }
        };
        self.kr_progress.insert(kr.id, result);
        result
    }
}

fn group<K: std::hash::Hash + Eq, V>(pairs: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}

/// Computes the whole visible tree of a cycle for `actor` at `now`.
pub async fn compute_cycle(
    tx: &mut dyn Tx,
    actor: &Actor,
    cycle_id: CycleId,
    settings: &Settings,
    now: DateTime<Utc>,
) -> AppResult<OkrTree> {
    let cycle = tx.get_cycle(cycle_id).await?.ok_or(AppError::NotFound("cycle"))?;
    let viewer = actor.viewer();
    let objectives = tx.list_objectives(Some(cycle_id), viewer, Page::ALL).await?;
    let ids: Vec<ObjectiveId> = objectives.iter().map(|o| o.id).collect();
    // Read by cycle (one join each), then keep what belongs to visible objectives.
    let visible: HashSet<ObjectiveId> = ids.iter().copied().collect();
    let krs: Vec<KeyResult> = tx
        .list_key_results(KrScope::Cycle(cycle_id))
        .await?
        .into_iter()
        .filter(|k| visible.contains(&k.objective_id))
        .collect();
    let kr_ids: Vec<KeyResultId> = krs.iter().map(|k| k.id).collect();
    let kr_set: HashSet<KeyResultId> = kr_ids.iter().copied().collect();
    let items: Vec<KrItem> = tx
        .list_kr_items(KrScope::Cycle(cycle_id))
        .await?
        .into_iter()
        .filter(|i| kr_set.contains(&i.key_result_id))
        .collect();
    let check_ins: Vec<CheckIn> = tx
        .list_check_ins(KrScope::Cycle(cycle_id))
        .await?
        .into_iter()
        .filter(|c| kr_set.contains(&c.key_result_id))
        .collect();
    let needs_work = krs.iter().any(|k| k.kind == KrKind::Work);
    // Links are needed by the coach too (projects per KR); the whole work
    // graph only when some KR is measured by its work.
    let links = tx.kr_links(viewer).await?;
    let index = if needs_work {
        let (projects, tasks) = tx.work_graph(viewer).await?;
        WorkIndex::new(&projects, &tasks)
    } else {
        WorkIndex::new(&[], &[])
    };
    let inputs = Inputs {
        children_of_kr: group(objectives.iter().filter_map(|o| o.parent_key_result_id.map(|k| (k, o.id)))),
        objectives: objectives.iter().map(|o| (o.id, o.clone())).collect(),
        krs_of: group(krs.iter().map(|k| (k.objective_id, k.clone()))),
        items_of: group(items.into_iter().map(|i| (i.key_result_id, i))),
        check_ins_of: group(check_ins.into_iter().map(|c| (c.key_result_id, c))),
        projects_of: group(links.project_links.into_iter().filter(|(_, k)| kr_set.contains(k)).map(|(p, k)| (k, p))),
        tasks_of: group(links.task_links.into_iter().filter(|(_, k)| kr_set.contains(k)).map(|(t, k)| (k, t))),
        index,
    };
    let today = crate::clock::today_in(actor.time_zone(), now);
    let expected = expected_share(cycle.start_date, cycle.end_date, today);
    let cycle_end = crate::clock::end_of_day(cycle.end_date, actor.time_zone());
    let mut rollup = Rollup {
        inputs: &inputs,
        objective_progress: HashMap::new(),
        kr_progress: HashMap::new(),
        visiting: HashSet::new(),
    };

    let mut views: HashMap<ObjectiveId, ObjectiveView> = HashMap::new();
    for objective in &objectives {
        let mut kr_views = Vec::new();
        let mut any_recorded = false;
        let mut last_check_in: Option<DateTime<Utc>> = None;
        for kr in inputs.krs_of.get(&objective.id).into_iter().flatten() {
            let (p, work) = rollup.key_result(kr);
            let history = inputs.check_ins_of.get(&kr.id).map(Vec::as_slice).unwrap_or(&[]);
            let items = inputs.items_of.get(&kr.id).cloned().unwrap_or_default();
            let recorded = !history.is_empty()
                || match kr.kind {
                    KrKind::Metric | KrKind::Threshold => kr.current_value.is_some(),
                    KrKind::Milestone => items.iter().any(|i| i.done),
                    KrKind::Work => work.is_some_and(|w| w.done_weight > 0.0),
                    KrKind::Children => p > 0.0,
                };
            any_recorded |= recorded;
            let computed = kr_status(p, recorded, expected, settings.thresholds);
            let forecast = forecast_of(kr, history, cycle_end);
            let warnings = coach::key_result_warnings(&coach::KeyResultFacts {
                title: &kr.title,
                // Work and children KRs are measured by what Keel counts; a
                // checklist of milestones is not a number.
                has_target: matches!(kr.kind, KrKind::Work | KrKind::Children)
                    || (kr.kind.takes_values() && kr.target_value.is_some()),
                due_date: kr.due_date,
                projects: inputs.projects_of.get(&kr.id).map_or(0, Vec::len),
            });
            if let Some(last) = history.last() {
                last_check_in = last_check_in.max(Some(last.at));
            }
            kr_views.push(KeyResultView {
                progress: p,
                status: kr.status_override.unwrap_or(computed),
                status_overridden: kr.status_override.is_some(),
                expected,
                forecast,
                rule: kr.kind,
                items,
                work: work.map(|w| WorkSummary {
                    done_weight: w.done_weight,
                    total_weight: w.total_weight,
                    counted_tasks: w.counted_tasks,
                    project_ids: inputs.projects_of.get(&kr.id).cloned().unwrap_or_default(),
                    task_ids: inputs.tasks_of.get(&kr.id).cloned().unwrap_or_default(),
                }),
                child_objective_ids: inputs.children_of_kr.get(&kr.id).cloned().unwrap_or_default(),
                last_check_in: history.last().cloned(),
                warnings,
                confidence: history.iter().rev().find_map(|c| c.confidence),
                check_in_count: history.len(),
                key_result: kr.clone(),
            });
        }
        let p = rollup.objective(objective.id);
        let kr_count = kr_views.len();
        let kr_ids: HashSet<KeyResultId> = kr_views.iter().map(|k| k.key_result.id).collect();
        let child_ids = objectives
            .iter()
            .filter(|c| {
                c.parent_objective_id == Some(objective.id)
                    || c.parent_key_result_id.is_some_and(|k| kr_ids.contains(&k))
            })
            .map(|c| c.id)
            .collect();
        let parent_visible = objective.parent_objective_id.is_some_and(|p| inputs.objectives.contains_key(&p))
            || objective.parent_key_result_id.is_some_and(|k| kr_set.contains(&k));
        views.insert(
            objective.id,
            ObjectiveView {
                objective: objective.clone(),
                progress: p,
                status: kr_status(p, any_recorded, expected, settings.thresholds),
                key_results: kr_views,
                child_ids,
                is_root: !parent_visible,
                warnings: coach::objective_warnings(
                    &coach::ObjectiveFacts {
                        key_results: kr_count,
                        last_check_in: last_check_in.map(|at| crate::clock::today_in(actor.time_zone(), at)),
                        created: crate::clock::today_in(actor.time_zone(), objective.created_at),
                    },
                    today,
                ),
            },
        );
    }

    // Depth-first order: each root followed by its subtree.
    let mut ordered = Vec::with_capacity(views.len());
    let mut placed = HashSet::new();
    let mut stack: Vec<ObjectiveId> = objectives.iter().rev().filter(|o| views[&o.id].is_root).map(|o| o.id).collect();
    while let Some(id) = stack.pop() {
        if !placed.insert(id) {
            continue;
        }
        let view = &views[&id];
        stack.extend(view.child_ids.iter().rev());
        ordered.push(id);
    }
    // Objectives caught in a loop have no root; list them at the end.
    ordered.extend(objectives.iter().map(|o| o.id).filter(|id| !placed.contains(id)));
    let objectives = ordered.into_iter().filter_map(|id| views.remove(&id)).collect();
    Ok(OkrTree { cycle, today, expected, objectives })
}

impl crate::App {
    /// A cycle's tree as the actor sees it now, from the cache when nothing
    /// was recorded since it was computed (see `recent`).
    pub async fn okr_tree_shared(&self, actor: &Actor, cycle_id: CycleId) -> AppResult<Arc<OkrTree>> {
        let mut tx = self.store.read().await?;
        self.cached_tree(&mut *tx, actor, cycle_id).await
    }

    pub async fn okr_tree(&self, actor: &Actor, cycle_id: CycleId) -> AppResult<OkrTree> {
        Ok(self.okr_tree_shared(actor, cycle_id).await?.as_ref().clone())
    }

    pub(crate) async fn cached_tree(
        &self,
        tx: &mut dyn Tx,
        actor: &Actor,
        cycle_id: CycleId,
    ) -> AppResult<Arc<OkrTree>> {
        let now = Utc::now();
        let zone = actor.time_zone().to_string();
        let key = TreeKey {
            cycle: cycle_id,
            viewer: actor.viewer(),
            today: crate::clock::today_in(&zone, now),
            zone,
            latest_change: tx.latest_change_id().await?,
        };
        if let Some(tree) = self.trees.get(&key) {
            return Ok(tree);
        }
        let tree = Arc::new(compute_cycle(tx, actor, cycle_id, &self.settings, now).await?);
        self.trees.put(key, tree.clone());
        Ok(tree)
    }

    pub async fn key_result_view(&self, actor: &Actor, id: KeyResultId) -> AppResult<(ObjectiveView, KeyResultView)> {
        let mut tx = self.store.read().await?;
        let (objective, _) = crate::okr::visible_key_result(&mut *tx, actor, id).await?;
        let tree = self.cached_tree(&mut *tx, actor, objective.cycle_id).await?;
        let kr = tree.key_result(id).cloned().ok_or(AppError::NotFound("key result"))?;
        let objective = tree.objective(objective.id).cloned().ok_or(AppError::NotFound("objective"))?;
        Ok((objective, kr))
    }

    pub async fn objective_view(&self, actor: &Actor, id: ObjectiveId) -> AppResult<ObjectiveView> {
        let mut tx = self.store.read().await?;
        let objective = crate::okr::visible_objective(&mut *tx, actor, id).await?;
        let tree = self.cached_tree(&mut *tx, actor, objective.cycle_id).await?;
        tree.objective(id).cloned().ok_or(AppError::NotFound("objective"))
    }
}
