//! Property tests for the Gantt schedule (earliest and latest dates, slack,
//! the critical path), each checked against a computation written here
//! independently of `keel_domain::schedule`.

use chrono::{Duration, NaiveDate};
use keel_domain::schedule::{Job, ScheduleError, own_days, schedule};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + Duration::days(n)
}

/// A task of a generated project before it gets dates: its duration, which
/// earlier tasks it depends on, and how it is dated.
#[derive(Debug, Clone)]
struct Spec {
    offset: i64,
    duration: i64,
    deps: Vec<usize>,
    /// 0: start and due; 1: due only; 2: no dates.
    dating: u8,
}

/// Up to 12 tasks; task i may depend on any task before it (so there is no
/// cycle); given to the schedule in a shuffled order.
fn project() -> impl Strategy<Value = (Vec<Spec>, Vec<usize>)> {
    (1usize..12)
        .prop_flat_map(|n| {
            let specs = (0..n)
                .map(|i| {
                    (
                        0i64..30,
                        1i64..7,
                        prop::collection::vec(any::<bool>(), i),
                        prop::sample::select(vec![0u8, 0, 0, 0, 1, 2]),
                    )
                        .prop_map(|(offset, duration, picks, dating)| Spec {
                            offset,
                            duration,
                            deps: picks.iter().enumerate().filter(|(_, p)| **p).map(|(k, _)| k).collect(),
                            dating,
                        })
                        .boxed()
                })
                .collect::<Vec<_>>();
            (specs, Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        })
        .prop_filter("some task has dates", |(specs, _)| specs.iter().any(|s| s.dating != 2))
}

fn id(i: usize) -> i64 {
    (i as i64 + 1) * 10
}

/// Jobs with each task's own dates from `offset` and `duration`.
fn jobs_at(specs: &[Spec], order: &[usize]) -> Vec<Job> {
    order
        .iter()
        .map(|&i| {
            let s = &specs[i];
            let (start, due) = match s.dating {
                0 => (Some(day(s.offset)), Some(day(s.offset + s.duration - 1))),
                1 => (None, Some(day(s.offset))),
                _ => (None, None),
            };
            Job { id: id(i), start, due, depends_on: s.deps.iter().map(|&k| id(k)).collect() }
        })
        .collect()
}

/// The same project "packed": every task dated start to due, the first ones
/// on day 0 and each other one starting the day after its last predecessor
/// is due.
fn packed(specs: &[Spec], order: &[usize]) -> Vec<Job> {
    let mut finish: Vec<i64> = Vec::new();
    let mut dated = Vec::new();
    for s in specs {
        let start = s.deps.iter().map(|&k| finish[k] + 1).max().unwrap_or(0);
        finish.push(start + s.duration - 1);
        dated.push(Spec { offset: start, dating: 0, ..s.clone() });
    }
    jobs_at(&dated, order)
}

/// Earliest and latest starts by plain relaxation: repeat until nothing
/// moves (at most n rounds in a graph without cycles).
fn by_relaxation(jobs: &[Job]) -> HashMap<i64, (NaiveDate, NaiveDate, i64)> {
    let days: HashMap<i64, (NaiveDate, NaiveDate)> =
        jobs.iter().filter_map(|j| own_days(j.start, j.due).map(|d| (j.id, d))).collect();
    let len = |id: i64| (days[&id].1 - days[&id].0).num_days();
    let mut es: HashMap<i64, NaiveDate> = days.iter().map(|(id, d)| (*id, d.0)).collect();
    for _ in 0..=jobs.len() {
        for j in jobs.iter().filter(|j| days.contains_key(&j.id)) {
            for p in j.depends_on.iter().filter(|p| days.contains_key(p)) {
                let after = es[p] + Duration::days(len(*p) + 1);
                if after > es[&j.id] {
                    es.insert(j.id, after);
                }
            }
        }
    }
    let finish = days.keys().map(|id| es[id] + Duration::days(len(*id))).max().unwrap();
    let mut lf: HashMap<i64, NaiveDate> = days.keys().map(|id| (*id, finish)).collect();
    for _ in 0..=jobs.len() {
        for j in jobs.iter().filter(|j| days.contains_key(&j.id)) {
            for p in j.depends_on.iter().filter(|p| days.contains_key(p)) {
                let latest_start = lf[&j.id] - Duration::days(len(j.id));
                let before = latest_start - Duration::days(1);
                if before < lf[p] {
                    lf.insert(*p, before);
                }
            }
        }
    }
    days.keys()
        .map(|id| {
            let ls = lf[id] - Duration::days(len(*id));
            (*id, (es[id], ls, (ls - es[id]).num_days()))
        })
        .collect()
}

fn depends(jobs: &[Job], task: i64, on: i64) -> bool {
    jobs.iter().any(|j| j.id == task && j.depends_on.contains(&on))
}

proptest! {
    #[test]
    fn earliest_latest_and_slack_match_plain_relaxation((specs, order) in project()) {
        let jobs = jobs_at(&specs, &order);
        let s = schedule(&jobs).unwrap();
        let expected = by_relaxation(&jobs);
        prop_assert_eq!(s.slots.len(), expected.len());
        for slot in &s.slots {
            let (es, ls, slack) = expected[&slot.id];
            prop_assert_eq!((slot.earliest_start, slot.latest_start, slot.slack), (es, ls, slack), "task {}", slot.id);
            prop_assert!(slot.slack >= 0);
        }
        // Every task comes after the tasks it depends on.
        let position: HashMap<i64, usize> = s.slots.iter().enumerate().map(|(k, x)| (x.id, k)).collect();
        for (task, dep) in &s.edges {
            prop_assert!(position[dep] < position[task]);
        }
        let undated: HashSet<i64> = specs.iter().enumerate().filter(|(_, x)| x.dating == 2).map(|(i, _)| id(i)).collect();
        prop_assert_eq!(s.undated.iter().copied().collect::<HashSet<_>>(), undated);
    }

    #[test]
    fn the_critical_path_is_a_tight_dependency_chain_to_the_finish((specs, order) in project()) {
        let jobs = jobs_at(&specs, &order);
        let s = schedule(&jobs).unwrap();
        let path = &s.critical_path;
        prop_assert!(!path.is_empty());
        for pair in path.windows(2) {
            prop_assert!(depends(&jobs, pair[1], pair[0]), "{} does not depend on {}", pair[1], pair[0]);
            let (a, b) = (s.slot(pair[0]).unwrap(), s.slot(pair[1]).unwrap());
            prop_assert_eq!(b.earliest_start, a.earliest_finish + Duration::days(1));
        }
        for id in path {
            prop_assert_eq!(s.slot(*id).unwrap().slack, 0);
        }
        let first = s.slot(path[0]).unwrap();
        let last = s.slot(*path.last().unwrap()).unwrap();
        prop_assert_eq!(Some(last.earliest_finish), s.finish);
        // Nothing before it pushes the first task: it starts on its own date.
        prop_assert_eq!(first.earliest_start, first.start);
        // Without gaps, the chain's days add up to the time from its start to the finish.
        let days: i64 = path.iter().map(|id| s.slot(*id).unwrap().duration).sum();
        prop_assert_eq!(days, (s.finish.unwrap() - first.earliest_start).num_days() + 1);
        // Critical tasks are exactly those with no slack.
        for slot in &s.slots {
            prop_assert_eq!(s.is_critical(slot.id), slot.slack == 0);
        }
    }

    #[test]
    fn a_packed_projects_critical_path_spans_the_project((specs, order) in project()) {
        let jobs = packed(&specs, &order);
        let s = schedule(&jobs).unwrap();
        // The span, from the dates themselves.
        let first = jobs.iter().filter_map(|j| j.start).min().unwrap();
        let last = jobs.iter().filter_map(|j| j.due).max().unwrap();
        let span = (last - first).num_days() + 1;
        prop_assert_eq!(s.span_days(), span);
        let days: i64 = s.critical_path.iter().map(|id| s.slot(*id).unwrap().duration).sum();
        prop_assert_eq!(days, span);
        prop_assert_eq!(s.slot(s.critical_path[0]).unwrap().start, first);
        for pair in s.critical_path.windows(2) {
            prop_assert!(depends(&jobs, pair[1], pair[0]));
        }
    }

    #[test]
    fn more_slack_for_a_non_critical_task_changes_nothing(
        (specs, order) in project(),
        pick in any::<prop::sample::Index>(),
        how in 0u8..3,
        amount in any::<prop::sample::Index>(),
    ) {
        let jobs = jobs_at(&specs, &order);
        let s = schedule(&jobs).unwrap();
        let loose: Vec<_> = s.slots.iter().filter(|x| x.slack > 0).collect();
        prop_assume!(!loose.is_empty());
        let t = loose[pick.index(loose.len())];
        let mut changed = jobs.clone();
        let job = changed.iter_mut().find(|j| j.id == t.id).unwrap();
        match how {
            // Later by fewer days than its slack.
            0 => {
                prop_assume!(t.slack > 1);
                let by = Duration::days(1 + amount.index(t.slack as usize - 1) as i64);
                job.start = job.start.map(|d| d + by);
                job.due = job.due.map(|d| d + by);
            }
            // Shorter.
            1 => {
                prop_assume!(t.duration > 1);
                let by = Duration::days(1 + amount.index(t.duration as usize - 1) as i64);
                job.start = Some(t.start);
                job.due = Some(t.finish - by);
            }
            // Earlier.
            _ => {
                let by = Duration::days(1 + amount.index(10) as i64);
                job.start = job.start.map(|d| d - by);
                job.due = job.due.map(|d| d - by);
            }
        }
        let after = schedule(&changed).unwrap();
        prop_assert_eq!(&after.critical_path, &s.critical_path);
        prop_assert_eq!(after.finish, s.finish);
        let critical = |x: &keel_domain::schedule::Schedule| {
            x.slots.iter().filter(|y| y.critical()).map(|y| y.id).collect::<HashSet<_>>()
        };
        prop_assert_eq!(critical(&after), critical(&s));
    }

    #[test]
    fn cycles_are_refused_and_named(
        edges in prop::collection::vec((0i64..7, 0i64..7), 0..14),
    ) {
        let jobs: Vec<Job> = (0..7)
            .map(|i| Job {
                id: i,
                start: Some(day(i)),
                due: Some(day(i + 2)),
                depends_on: edges.iter().filter(|(a, _)| *a == i).map(|(_, b)| *b).collect(),
            })
            .collect();
        // Brute force: some task reaches itself through "depends on".
        let reaches_itself = (0..7).any(|start| {
            let mut seen: HashSet<i64> = HashSet::new();
            let mut frontier = vec![start];
            while let Some(x) = frontier.pop() {
                for &(a, b) in &edges {
                    if a == x {
                        if b == start {
                            return true;
                        }
                        if seen.insert(b) {
                            frontier.push(b);
                        }
                    }
                }
            }
            false
        });
        match schedule(&jobs) {
            Ok(_) => prop_assert!(!reaches_itself),
            Err(ScheduleError::Cycle(cycle)) => {
                prop_assert!(reaches_itself);
                prop_assert!(cycle.len() >= 2);
                prop_assert_eq!(cycle.first(), cycle.last());
                for pair in cycle.windows(2) {
                    prop_assert!(edges.contains(&(pair[0], pair[1])), "{:?} is not an edge", pair);
                }
            }
        }
    }
}
