//! Property tests for the OKR math (STYLE.md "Tests"): invariants that must
//! hold for any input, each checked against a computation written
//! independently of the code under test.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use keel_domain::deps::find_dependency_cycle;
use keel_domain::forecast::forecast;
use keel_domain::progress::{WorkProject, WorkTask, metric, milestones, percent, weighted_mean, work};
use keel_domain::status::{expected_share, score, score_color};
use keel_domain::work::StatusCategory;
use proptest::prelude::*;

/// Finite values of a size people type into a key result.
fn value() -> impl Strategy<Value = f64> {
    -1e6..1e6f64
}

#[test]
fn decreasing_key_results_by_hand() {
    // 200 → 0, now 100: half of the 200 to lose is gone.
    assert!((metric(200.0, 0.0, 100.0).unwrap() - 0.5).abs() < 1e-12);
    // 60 000 → 50 000, now 59 000: 1 000 of 10 000.
    assert!((metric(60_000.0, 50_000.0, 59_000.0).unwrap() - 0.1).abs() < 1e-12);
}

#[test]
fn five_point_nine_of_ten_shows_59_percent() {
    let p = metric(0.0, 10.0, 5.9).unwrap();
    assert!((p - 0.59).abs() < 1e-12);
    assert_eq!(percent(p), 59);
    assert_eq!(percent(0.59), 59);
    // 0.285 × 100 is 28.499999999999996 in f64; half rounds up all the same.
    assert_eq!(percent(0.285), 29);
}

proptest! {
    #[test]
    fn target_zero_never_divides_by_zero(
        start in value().prop_filter("start ≠ 0", |s| s.abs() > 1e-6),
        current in value(),
    ) {
        let p = metric(start, 0.0, current).unwrap();
        prop_assert!(p.is_finite());
        // By hand: (c − s)/(0 − s) = 1 − c/s.
        prop_assert!((p - (1.0 - current / start)).abs() <= 1e-9 * (1.0 + p.abs()));
    }

    #[test]
    fn metric_is_never_an_infinite_ok(s in any::<f64>(), t in any::<f64>(), c in any::<f64>()) {
        if let Ok(p) = metric(s, t, c) {
            prop_assert!(p.is_finite());
        }
    }

    #[test]
    fn shifting_everything_changes_nothing(
        s in value(), t in value(), c in value(), shift in value(),
    ) {
        prop_assume!((t - s).abs() >= 1.0);
        let p = metric(s, t, c).unwrap();
        let shifted = metric(s + shift, t + shift, c + shift).unwrap();
        // Each addition rounds by at most 2e6 · 2⁻⁵³ ≈ 2.2e-10; over |t − s| ≥ 1.
        prop_assert!((p - shifted).abs() <= 1e-8 * (1.0 + p.abs()), "{p} vs {shifted}");
    }

    #[test]
    fn decreasing_mirrors_increasing(
        s in value(), t in value(), c in value(), mirror in value(),
    ) {
        prop_assume!((t - s).abs() >= 1.0);
        let p = metric(s, t, c).unwrap();
        // Negating turns an increasing KR into a decreasing one: exactly equal.
        prop_assert_eq!(metric(-s, -t, -c).unwrap(), p);
        // Reflecting about any point m (x → 2m − x) does the same, up to rounding.
        let m2 = 2.0 * mirror;
        let reflected = metric(m2 - s, m2 - t, m2 - c).unwrap();
        prop_assert!((p - reflected).abs() <= 1e-8 * (1.0 + p.abs()));
        // Going the other way (t → s) is the complement.
        let back = metric(t, s, c).unwrap();
        prop_assert!((back - (1.0 - p)).abs() <= 1e-9 * (1.0 + p.abs()));
    }

    #[test]
    fn whole_percents_are_never_truncated(k in -100_000i64..100_000) {
        prop_assert_eq!(percent(k as f64 / 100.0), k);
        // k + 0.5 percent rounds up, k + 0.4 down.
        prop_assert_eq!(percent((k as f64 + 0.5) / 100.0), k + 1);
        prop_assert_eq!(percent((k as f64 + 0.4) / 100.0), k);
    }

    #[test]
    fn an_open_milestone_keeps_its_parent_below_100(
        mut items in prop::collection::vec((any::<f64>(), any::<bool>()), 0..20),
        open_weight in prop_oneof![1e-300..1e-3f64, 1e-3..1e3f64, 1e3..f64::MAX],
        at in any::<prop::sample::Index>(),
    ) {
        let at = at.index(items.len() + 1);
        items.insert(at, (open_weight, false));
        let p = milestones(&items);
        prop_assert!((0.0..1.0).contains(&p), "{p}");
    }

    #[test]
    fn scores_stay_between_0_and_1(p in any::<f64>()) {
        let s = score(p);
        prop_assert!((0.0..=1.0).contains(&s));
        // A whole number of tenths.
        prop_assert!(((s * 10.0).round() - s * 10.0).abs() < 1e-9);
        let _ = score_color(p);
    }

    #[test]
    fn weighted_mean_stays_between_0_and_1(
        parts in prop::collection::vec((any::<f64>(), any::<f64>()), 0..20),
    ) {
        let m = weighted_mean(&parts);
        prop_assert!((0.0..=1.0).contains(&m), "{m}");
    }

    #[test]
    fn weighted_mean_of_sane_parts_by_hand(
        parts in prop::collection::vec((0.0..10.0f64, -2.0..2.0f64), 1..20),
    ) {
        let total: f64 = parts.iter().map(|p| p.0).sum();
        prop_assume!(total > 1e-6);
        let sum: f64 = parts.iter().map(|&(w, p)| w * p.clamp(0.0, 1.0)).sum();
        prop_assert!((weighted_mean(&parts) - sum / total).abs() < 1e-9);
    }

    #[test]
    fn expected_share_grows_with_time(
        start in 0i64..2000, len in 0i64..400, a in -50i64..500, b in -50i64..500,
    ) {
        let day = |n: i64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(n);
        let (early, late) = (a.min(b), a.max(b));
        let e1 = expected_share(day(start), day(start + len), day(start + early));
        let e2 = expected_share(day(start), day(start + len), day(start + late));
        prop_assert!((0.0..=1.0).contains(&e1) && e1 <= e2);
    }

    #[test]
    fn forecast_recovers_an_exact_line(
        intercept in -1.0..1.0f64,
        slope in -0.05..0.05f64,
        days in prop::collection::btree_set(0i64..200, 2..12),
        end in 0i64..400,
    ) {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let points: Vec<_> = days
            .iter()
            .rev()
            .map(|&d| (t0 + Duration::days(d), intercept + slope * d as f64))
            .collect();
        let f = forecast(&points, t0 + Duration::days(end)).unwrap();
        prop_assert!((f.slope_per_day - slope).abs() < 1e-9);
        prop_assert!((f.progress_at_end - (intercept + slope * end as f64)).abs() < 1e-9);
    }
}

// ---- Work roll-up: no task counted twice ----------------------------------

#[derive(Debug, Clone)]
struct Forest {
    projects: Vec<WorkProject>,
    tasks: Vec<WorkTask>,
    linked_projects: Vec<i64>,
    linked_tasks: Vec<i64>,
}

/// Random project and task trees (a parent always has a smaller index, so
/// they are trees) and random, often overlapping, links into them.
fn forest() -> impl Strategy<Value = Forest> {
    (1usize..8, 0usize..30).prop_flat_map(|(np, nt)| {
        let projects =
            (0..np).map(|i| prop::option::weighted(0.7, 0..i.max(1)).prop_map(move |p| (i, p))).collect::<Vec<_>>();
        let tasks = (0..nt)
            .map(|i| {
                (
                    0..np,
                    prop::option::weighted(0.5, 0..i.max(1)),
                    prop_oneof![Just(None), Just(Some(0.0)), Just(Some(-3.0)), (0.5..40.0f64).prop_map(Some)],
                    prop::option::of(-0.2..1.5f64),
                    prop_oneof![Just(StatusCategory::Todo), Just(StatusCategory::Doing), Just(StatusCategory::Done)],
                    prop::bool::weighted(0.15),
                )
            })
            .collect::<Vec<_>>();
        (projects, tasks, prop::collection::vec(0..np, 0..4), prop::collection::vec(0..nt.max(1), 0..6)).prop_map(
            move |(projects, tasks, lp, lt)| Forest {
                projects: projects
                    .into_iter()
                    .map(|(i, p)| WorkProject {
                        id: 100 + i as i64,
                        parent_id: p.filter(|&p| p < i).map(|p| 100 + p as i64),
                    })
                    .collect(),
                tasks: tasks
                    .into_iter()
                    .enumerate()
                    .map(|(i, (project, parent, estimate, progress, category, cancelled))| WorkTask {
                        id: 1000 + i as i64,
                        project_id: 100 + project as i64,
                        parent_id: parent.filter(|&p| p < i).map(|p| 1000 + p as i64),
                        estimate,
                        progress,
                        category,
                        cancelled,
                    })
                    .collect(),
                linked_projects: lp.into_iter().map(|p| 100 + p as i64).collect(),
                linked_tasks: lt.into_iter().filter(|&t| t < nt).map(|t| 1000 + t as i64).collect(),
            },
        )
    })
}

impl Forest {
    fn task(&self, id: i64) -> &WorkTask {
        self.tasks.iter().find(|t| t.id == id).unwrap()
    }

    /// The task and its ancestors, walking up (the code under test walks down).
    fn task_chain(&self, id: i64) -> Vec<&WorkTask> {
        let mut chain = vec![self.task(id)];
        while let Some(parent) = chain.last().unwrap().parent_id {
            chain.push(self.task(parent));
        }
        chain
    }

    fn project_under_link(&self, mut project: i64) -> bool {
        loop {
            if self.linked_projects.contains(&project) {
                return true;
            }
            match self.projects.iter().find(|p| p.id == project).and_then(|p| p.parent_id) {
                Some(parent) => project = parent,
                None => return false,
            }
        }
    }

    fn reached(&self, id: i64) -> bool {
        self.task_chain(id).iter().any(|t| self.linked_tasks.contains(&t.id) || self.project_under_link(t.project_id))
    }

    /// Distinct leaf tasks that count, each with (weight, progress).
    fn counted_leaves(&self) -> Vec<(f64, f64)> {
        self.tasks
            .iter()
            .filter(|t| self.reached(t.id))
            .filter(|t| !self.tasks.iter().any(|other| other.parent_id == Some(t.id)))
            .filter(|t| self.task_chain(t.id).iter().all(|a| !a.cancelled))
            .map(|t| {
                let weight = match t.estimate {
                    None => 1.0,
                    Some(e) if e > 0.0 => e,
                    Some(_) => 0.0,
                };
                let progress = if t.category == StatusCategory::Done {
                    1.0
                } else {
                    t.progress.map_or(0.0, |p| p.clamp(0.0, 1.0))
                };
                (weight, progress)
            })
            .collect()
    }
}

proptest! {
    #[test]
    fn no_task_is_counted_twice(f in forest()) {
        let got = work(&f.projects, &f.tasks, &f.linked_projects, &f.linked_tasks);
        let leaves = f.counted_leaves();
        let total: f64 = leaves.iter().map(|l| l.0).sum();
        let done: f64 = leaves.iter().map(|l| l.0 * l.1).sum();
        prop_assert_eq!(got.counted_tasks, leaves.len());
        prop_assert!((got.total_weight - total).abs() < 1e-9);
        prop_assert!((got.done_weight - done).abs() < 1e-9);
        let expected = if total > 0.0 { done / total } else { 0.0 };
        prop_assert!((got.progress - expected).abs() < 1e-9);
        prop_assert!((0.0..=1.0).contains(&got.progress));
    }

    #[test]
    fn redundant_links_change_nothing(f in forest()) {
        let got = work(&f.projects, &f.tasks, &f.linked_projects, &f.linked_tasks);
        // Also link every sub-project already covered and every task already
        // reached, some twice: the same tasks, so the same numbers.
        let mut lp: Vec<i64> = f.projects.iter().map(|p| p.id).filter(|&p| f.project_under_link(p)).collect();
        lp.extend(&f.linked_projects);
        let mut lt: Vec<i64> = f.tasks.iter().map(|t| t.id).filter(|&t| f.reached(t)).collect();
        lt.extend(lt.clone());
        let again = work(&f.projects, &f.tasks, &lp, &lt);
        prop_assert_eq!(got, again);
    }
}

// ---- Dependency cycles ---------------------------------------------------

proptest! {
    #[test]
    fn dependency_cycle_is_real_and_found_iff_reachable(
        edges in prop::collection::vec((0i64..8, 0i64..8), 0..20),
        new_edge in (0i64..8, 0i64..8),
    ) {
        let (a, b) = new_edge;
        // Brute force: everything b depends on, transitively.
        let mut from_b: HashSet<i64> = HashSet::from([b]);
        loop {
            let before = from_b.len();
            for &(task, dep) in &edges {
                if from_b.contains(&task) {
                    from_b.insert(dep);
                }
            }
            if from_b.len() == before {
                break;
            }
        }
        let found = find_dependency_cycle(&edges, new_edge);
        prop_assert_eq!(found.is_some(), from_b.contains(&a));
        if let Some(cycle) = found {
            prop_assert_eq!(cycle.first(), Some(&a));
            prop_assert_eq!(cycle.last(), Some(&a));
            prop_assert_eq!(cycle[1], b);
            let with_new: Vec<_> = edges.iter().copied().chain([new_edge]).collect();
            for step in cycle.windows(2) {
                prop_assert!(with_new.contains(&(step[0], step[1])), "{:?} not an edge", step);
            }
        }
    }
}
