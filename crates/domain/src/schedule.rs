//! The schedule behind a project's Gantt chart: each dated task's earliest
//! and latest start and finish, its slack, and the critical path, over
//! finish-to-start dependencies.
//!
//! Days are whole calendar days and both ends count: a task from Monday to
//! Wednesday takes 3 days, and "finish-to-start" means a successor starts at
//! the earliest on the day after its predecessor's last day.
//!
//! - A task's own days are start..=due. Without a start it is a one-day task
//!   on its due date (likewise a task with only a start date); a due date
//!   before the start counts as a one-day task on the due date. A task with
//!   neither date is left out of the schedule and listed in `undated`.
//! - Earliest start = the later of the task's own start and the day after
//!   each of its (dated) predecessors' earliest finish; earliest finish =
//!   earliest start + duration − 1. Tasks are taken in topological order, so
//!   every predecessor is done first. The project runs from the earliest
//!   start of any task to the latest earliest finish.
//! - Latest finish = the earlier of the project's finish and the day before
//!   each successor's latest start; latest start = latest finish + 1 −
//!   duration. Slack = latest start − earliest start (≥ 0); a task with no
//!   slack is critical: moving it later moves the project's finish.
//! - The critical path is one chain of critical tasks, each starting the day
//!   after the one before it finishes, that ends on the project's finish
//!   day. Its first task starts on its own start date (no predecessor pushes
//!   it). When several chains qualify, the one starting earliest is taken,
//!   ties going to smaller task ids, so one input always names one path.
//! - Dependencies on tasks that are not in the input or have no dates are
//!   ignored; a cycle among the dependencies is an error naming it (the same
//!   cycle `deps::find_dependency_cycle` names).

use crate::deps::find_dependency_cycle;
use chrono::{Duration, NaiveDate};
use std::collections::{BTreeSet, HashMap};

/// A task as the schedule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub start: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    /// Tasks that must finish before this one starts.
    pub depends_on: Vec<i64>,
}

/// A task's own first and last day, by the rules in the module's notes.
pub fn own_days(start: Option<NaiveDate>, due: Option<NaiveDate>) -> Option<(NaiveDate, NaiveDate)> {
    match (start, due) {
        (Some(s), Some(d)) if s <= d => Some((s, d)),
        (_, Some(d)) => Some((d, d)),
        (Some(s), None) => Some((s, s)),
        (None, None) => None,
    }
}

/// One dated task in the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: i64,
    /// The task's own first and last day.
    pub start: NaiveDate,
    pub finish: NaiveDate,
    /// Days, both ends counted (≥ 1).
    pub duration: i64,
    pub earliest_start: NaiveDate,
    pub earliest_finish: NaiveDate,
    pub latest_start: NaiveDate,
    pub latest_finish: NaiveDate,
    /// Days the task may slip without moving the project's finish.
    pub slack: i64,
}

impl Slot {
    pub fn critical(&self) -> bool {
        self.slack == 0
    }

    /// Days a predecessor pushes the task past its own start (0 when the
    /// dates respect every dependency).
    pub fn pushed_days(&self) -> i64 {
        (self.earliest_start - self.start).num_days()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The dated tasks, each after every task it depends on.
    pub slots: Vec<Slot>,
    /// Tasks without any date, in input order.
    pub undated: Vec<i64>,
    /// The project's first and last day (none when no task has a date).
    pub start: Option<NaiveDate>,
    pub finish: Option<NaiveDate>,
    /// The critical path, first task first.
    pub critical_path: Vec<i64>,
    /// Dependencies among dated tasks as (task, depends_on).
    pub edges: Vec<(i64, i64)>,
    index: HashMap<i64, usize>,
}

impl Schedule {
    pub fn slot(&self, id: i64) -> Option<&Slot> {
        self.index.get(&id).map(|&i| &self.slots[i])
    }

    /// Days from the project's first to its last day, both counted.
    pub fn span_days(&self) -> i64 {
        match (self.start, self.finish) {
            (Some(s), Some(f)) => (f - s).num_days() + 1,
            _ => 0,
        }
    }

    pub fn is_critical(&self, id: i64) -> bool {
        self.slot(id).is_some_and(Slot::critical)
    }

    /// A dependency on the critical path's course: both tasks critical and
    /// the successor starting the day after the predecessor finishes.
    pub fn is_critical_edge(&self, task: i64, depends_on: i64) -> bool {
        match (self.slot(task), self.slot(depends_on)) {
            (Some(t), Some(p)) => t.critical() && p.critical() && t.earliest_start == next_day(p.earliest_finish),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Task ids `[a, b, …, a]`: a depends on b, …, which depends on a.
    #[error("the dependencies form a cycle: {0:?}")]
    Cycle(Vec<i64>),
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d + Duration::days(1)
}

fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    d + Duration::days(n)
}

/// Schedules the jobs; see the module's notes for the rules. A job listed
/// twice counts once (the first).
pub fn schedule(jobs: &[Job]) -> Result<Schedule, ScheduleError> {
    // Every job once, by position.
    let mut at: HashMap<i64, usize> = HashMap::new();
    let mut list: Vec<&Job> = Vec::new();
    for job in jobs {
        if let std::collections::hash_map::Entry::Vacant(slot) = at.entry(job.id) {
            slot.insert(list.len());
            list.push(job);
        }
    }
    let n = list.len();
    // preds[i]: positions job i depends on; succs the other way.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut all_edges: Vec<(i64, i64)> = Vec::new();
    for (i, job) in list.iter().enumerate() {
        for dep in &job.depends_on {
            let Some(&j) = at.get(dep) else { continue };
            if preds[i].contains(&j) {
                continue;
            }
            if i == j {
                return Err(ScheduleError::Cycle(vec![job.id, job.id]));
            }
            preds[i].push(j);
            succs[j].push(i);
            all_edges.push((job.id, *dep));
        }
    }

    // Kahn's algorithm, the ready job with the smallest position first.
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &s in &succs[i] {
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.insert(s);
            }
        }
    }
    if order.len() < n {
        return Err(ScheduleError::Cycle(name_cycle(&list, &preds, &waiting, &all_edges)));
    }

    // The dated jobs, in that order.
    let days: Vec<Option<(NaiveDate, NaiveDate)>> = list.iter().map(|j| own_days(j.start, j.due)).collect();
    let undated: Vec<i64> = list.iter().zip(&days).filter(|(_, d)| d.is_none()).map(|(j, _)| j.id).collect();
    let mut slot_of: Vec<Option<usize>> = vec![None; n];
    let mut slots: Vec<Slot> = Vec::new();
    for &i in &order {
        let Some((start, finish)) = days[i] else { continue };
        let duration = (finish - start).num_days() + 1;
        let mut earliest_start = start;
        for &p in &preds[i] {
            if let Some(ps) = slot_of[p] {
                earliest_start = earliest_start.max(next_day(slots[ps].earliest_finish));
            }
        }
        let earliest_finish = plus_days(earliest_start, duration - 1);
        slot_of[i] = Some(slots.len());
        slots.push(Slot {
            id: list[i].id,
            start,
            finish,
            duration,
            earliest_start,
            earliest_finish,
            latest_start: earliest_start,
            latest_finish: earliest_finish,
            slack: 0,
        });
    }
    let start = slots.iter().map(|s| s.earliest_start).min();
    let finish = slots.iter().map(|s| s.earliest_finish).max();

    // Backward pass, successors first.
    if let Some(project_finish) = finish {
        for &i in order.iter().rev() {
            let Some(si) = slot_of[i] else { continue };
            let mut latest_finish = project_finish;
            for &s in &succs[i] {
                if let Some(ss) = slot_of[s] {
                    latest_finish = latest_finish.min(slots[ss].latest_start - Duration::days(1));
                }
            }
            let slot = &mut slots[si];
            slot.latest_finish = latest_finish;
            slot.latest_start = plus_days(latest_finish, -(slot.duration - 1));
            slot.slack = (slot.latest_start - slot.earliest_start).num_days();
        }
    }

    let index: HashMap<i64, usize> = slots.iter().enumerate().map(|(k, s)| (s.id, k)).collect();
    let dated_edges: Vec<(i64, i64)> =
        all_edges.into_iter().filter(|(a, b)| index.contains_key(a) && index.contains_key(b)).collect();

    // The critical path: from each critical job finishing on the project's
    // last day, back through driving critical predecessors.
    let mut critical_path: Vec<i64> = Vec::new();
    if let Some(project_finish) = finish {
        let mut ends: Vec<&Slot> =
            slots.iter().filter(|s| s.critical() && s.earliest_finish == project_finish).collect();
        ends.sort_by_key(|s| s.id);
        let mut best: Option<(NaiveDate, Vec<i64>)> = None;
        for end in ends {
            let mut chain = vec![end.id];
            let mut current = end;
            loop {
                let pos = at[&current.id];
                let driving = preds[pos]
                    .iter()
                    .filter_map(|&p| slot_of[p].map(|k| &slots[k]))
                    .filter(|p| p.critical() && next_day(p.earliest_finish) == current.earliest_start)
                    .min_by_key(|p| p.id);
                match driving {
                    Some(p) => {
                        chain.push(p.id);
                        current = p;
                    }
                    None => break,
                }
            }
            chain.reverse();
            let first_start = current.earliest_start;
            if best.as_ref().is_none_or(|(s, _)| first_start < *s) {
                best = Some((first_start, chain));
            }
        }
        critical_path = best.map(|(_, c)| c).unwrap_or_default();
    }

    Ok(Schedule { slots, undated, start, finish, critical_path, edges: dated_edges, index })
}

/// Names a cycle among the jobs Kahn's algorithm could not order. Each of
/// them still waits on another of them, so walking "depends on" from any of
/// them must come round; the cycle found is then named by
/// [`find_dependency_cycle`] (shortest, smallest ids first).
fn name_cycle(list: &[&Job], preds: &[Vec<usize>], waiting: &[usize], edges: &[(i64, i64)]) -> Vec<i64> {
    let stuck = |i: usize| waiting[i] > 0;
    let Some(mut current) = (0..list.len()).find(|&i| stuck(i)) else { return Vec::new() };
    let mut seen = vec![false; list.len()];
    while !seen[current] {
        seen[current] = true;
        match preds[current].iter().copied().filter(|&p| stuck(p)).min_by_key(|&p| list[p].id) {
            Some(p) => current = p,
            None => break,
        }
    }
    // `current` is on a cycle; close it through one of its stuck predecessors.
    let Some(next) = preds[current].iter().copied().filter(|&p| stuck(p)).min_by_key(|&p| list[p].id) else {
        return Vec::new();
    };
    let edge = (list[current].id, list[next].id);
    let others: Vec<(i64, i64)> = edges.iter().copied().filter(|e| *e != edge).collect();
    find_dependency_cycle(&others, edge).unwrap_or_else(|| vec![edge.0, edge.1, edge.0])
}

/// The predecessor that keeps a task from starting on `start`: among
/// `(id, last day)` of its predecessors, those finishing on or after
/// `start`; the latest-finishing one (then the smallest id), if any.
pub fn blocking_predecessor(
    start: NaiveDate,
    predecessors: impl IntoIterator<Item = (i64, NaiveDate)>,
) -> Option<(i64, NaiveDate)> {
    predecessors.into_iter().filter(|(_, last)| *last >= start).max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// The successor that keeps a task from finishing on `finish`: among
/// `(id, first day)` of the tasks depending on it, those starting on or
/// before `finish`; the earliest-starting one (then the smallest id), if any.
pub fn blocking_successor(
    finish: NaiveDate,
    successors: impl IntoIterator<Item = (i64, NaiveDate)>,
) -> Option<(i64, NaiveDate)> {
    successors.into_iter().filter(|(_, first)| *first <= finish).min_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, day).unwrap()
    }

    fn job(id: i64, start: Option<u32>, due: Option<u32>, deps: &[i64]) -> Job {
        Job { id, start: start.map(d), due: due.map(d), depends_on: deps.to_vec() }
    }

    #[test]
    fn own_days_follow_the_rules() {
        assert_eq!(own_days(Some(d(4)), Some(d(6))), Some((d(4), d(6))));
        assert_eq!(own_days(None, Some(d(6))), Some((d(6), d(6))));
        assert_eq!(own_days(Some(d(4)), None), Some((d(4), d(4))));
        assert_eq!(own_days(Some(d(8)), Some(d(6))), Some((d(6), d(6))));
        assert_eq!(own_days(None, None), None);
    }

    /// A small project worked out by hand:
    ///
    /// ```text
    ///   1: May 1–3  (3 d)          ─┬─► 3: May 4–8 (5 d) ─► 5: May 9–10 (2 d)
    ///   2: May 1–2  (2 d)          ─┘
    ///   4: May 4–5  (2 d), after 2      (no successor)
    ///   6: no dates
    /// ```
    /// Project: May 1–10 (10 days). Forward: 3 starts May 4 (after 1, the
    /// later of 1 and 2), 5 on May 9. Backward from May 10: 5 LS May 9;
    /// 3 LF May 8, LS May 4; 1 LF May 3, LS May 1 (slack 0); 2 LF
    /// min(May 3, LS(4) − 1); 4 LF May 10 → LS May 9, so 2 LF May 3, LS
    /// May 2, slack 1; 4 slack 5.
    #[test]
    fn a_small_project_by_hand() {
        let jobs = [
            job(1, Some(1), Some(3), &[]),
            job(2, Some(1), Some(2), &[]),
            job(3, Some(4), Some(8), &[1, 2]),
            job(4, Some(4), Some(5), &[2]),
            job(5, Some(9), Some(10), &[3]),
            job(6, None, None, &[5]),
        ];
        let s = schedule(&jobs).unwrap();
        assert_eq!(s.start, Some(d(1)));
        assert_eq!(s.finish, Some(d(10)));
        assert_eq!(s.span_days(), 10);
        assert_eq!(s.undated, vec![6]);
        let slack: Vec<(i64, i64)> = [1, 2, 3, 4, 5].iter().map(|&id| (id, s.slot(id).unwrap().slack)).collect();
        assert_eq!(slack, vec![(1, 0), (2, 1), (3, 0), (4, 5), (5, 0)]);
        assert_eq!(s.critical_path, vec![1, 3, 5]);
        assert!(s.is_critical_edge(3, 1));
        assert!(s.is_critical_edge(5, 3));
        assert!(!s.is_critical_edge(3, 2));
        assert!(!s.is_critical_edge(4, 2));
        let four = s.slot(4).unwrap();
        assert_eq!((four.latest_start, four.latest_finish), (d(9), d(10)));
        assert_eq!(s.edges.len(), 4, "the undated task's dependency is left out: {:?}", s.edges);
    }

    #[test]
    fn a_task_that_starts_too_early_is_pushed_and_the_finish_moves() {
        // 2 depends on 1 (May 1–5) but says it starts May 3 (3 days): it
        // cannot start before May 6, so it runs May 6–8 and the project ends May 8.
        let jobs = [job(1, Some(1), Some(5), &[]), job(2, Some(3), Some(5), &[1])];
        let s = schedule(&jobs).unwrap();
        let two = s.slot(2).unwrap();
        assert_eq!((two.earliest_start, two.earliest_finish), (d(6), d(8)));
        assert_eq!(two.pushed_days(), 3);
        assert_eq!(s.finish, Some(d(8)));
        assert_eq!(s.critical_path, vec![1, 2]);
    }

    #[test]
    fn a_gap_before_a_task_starts_its_critical_path() {
        // 1: May 1–2; 2 after 1 but only from May 6 to 9; 3: May 1–4 alone.
        // 2 finishes last and its own date, not 1, decides when it starts.
        let jobs = [job(1, Some(1), Some(2), &[]), job(2, Some(6), Some(9), &[1]), job(3, Some(1), Some(4), &[])];
        let s = schedule(&jobs).unwrap();
        assert_eq!(s.critical_path, vec![2]);
        assert_eq!(s.slot(1).unwrap().slack, 3);
        assert_eq!(s.slot(3).unwrap().slack, 5);
    }

    #[test]
    fn missing_start_is_a_one_day_task_and_ties_pick_the_earliest_chain() {
        // 1 (due May 2 only) → 2 May 3–5; 3 May 4–5 alone. Both 2 and 3
        // end May 5 with no slack; the chain 1 → 2 starts earlier.
        let jobs = [job(1, None, Some(2), &[]), job(2, Some(3), Some(5), &[1]), job(3, Some(4), Some(5), &[])];
        let s = schedule(&jobs).unwrap();
        assert_eq!(s.slot(1).unwrap().duration, 1);
        assert!(s.is_critical(3));
        assert_eq!(s.critical_path, vec![1, 2]);
    }

    #[test]
    fn cycles_are_named() {
        let jobs = [job(1, Some(1), Some(2), &[3]), job(2, Some(3), Some(4), &[1]), job(3, None, None, &[2])];
        assert_eq!(schedule(&jobs), Err(ScheduleError::Cycle(vec![1, 3, 2, 1])));
        let own = [job(7, Some(1), Some(1), &[7])];
        assert_eq!(schedule(&own), Err(ScheduleError::Cycle(vec![7, 7])));
        // Outside the cycle, a task hanging off it changes nothing.
        let tail = [job(1, None, None, &[2]), job(2, None, None, &[1]), job(9, None, None, &[1])];
        assert_eq!(schedule(&tail), Err(ScheduleError::Cycle(vec![1, 2, 1])));
    }

    #[test]
    fn unknown_dependencies_and_duplicates_are_ignored() {
        let jobs =
            [job(1, Some(1), Some(2), &[42, 42]), job(1, Some(5), Some(9), &[]), job(2, Some(3), Some(3), &[1, 1])];
        let s = schedule(&jobs).unwrap();
        assert_eq!(s.slots.len(), 2);
        assert_eq!(s.slot(1).unwrap().finish, d(2));
        assert_eq!(s.edges, vec![(2, 1)]);
        assert_eq!(s.critical_path, vec![1, 2]);
        assert!(schedule(&[]).unwrap().critical_path.is_empty());
    }

    #[test]
    fn blockers_name_the_one_that_matters() {
        let preds = [(3, d(4)), (5, d(9)), (4, d(9)), (6, d(1))];
        assert_eq!(blocking_predecessor(d(5), preds), Some((4, d(9))));
        assert_eq!(blocking_predecessor(d(9), preds), Some((4, d(9))));
        assert_eq!(blocking_predecessor(d(10), preds), None);
        let succs = [(8, d(6)), (7, d(6)), (9, d(12))];
        assert_eq!(blocking_successor(d(6), succs), Some((7, d(6))));
        assert_eq!(blocking_successor(d(5), succs), None);
    }
}
