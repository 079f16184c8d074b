//! Property tests for the work roll-up index: `WorkIndex` built once must
//! answer every link set exactly as a brute-force computation written here,
//! independently of the code under test, by fixpoint iteration over the rows.

use std::collections::BTreeSet;

use keel_domain::progress::{WorkProgress, WorkProject, WorkTask, work};
use keel_domain::rollup::WorkIndex;
use keel_domain::work::StatusCategory;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Forest {
    projects: Vec<WorkProject>,
    tasks: Vec<WorkTask>,
    /// Several link sets, each (linked projects, linked tasks).
    links: Vec<(Vec<i64>, Vec<i64>)>,
}

fn project_id(i: usize) -> i64 {
    100 + i as i64
}

fn task_id(i: usize) -> i64 {
    1000 + i as i64
}

fn estimate() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(0.0)),
        Just(Some(-3.0)),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        (0.5..40.0f64).prop_map(Some),
    ]
}

fn category() -> impl Strategy<Value = StatusCategory> {
    prop_oneof![Just(StatusCategory::Todo), Just(StatusCategory::Doing), Just(StatusCategory::Done)]
}

/// Link sets into `np` projects and `nt` tasks; a few ids point past the
/// rows (projects without a row, tasks that do not exist or only appear as
/// someone's parent).
fn link_sets(np: usize, nt: usize) -> impl Strategy<Value = Vec<(Vec<i64>, Vec<i64>)>> {
    prop::collection::vec((prop::collection::vec(0..np + 2, 0..4), prop::collection::vec(0..nt + 2, 0..6)), 1..6)
        .prop_map(|sets| {
            sets.into_iter()
                .map(|(lp, lt)| (lp.into_iter().map(project_id).collect(), lt.into_iter().map(task_id).collect()))
                .collect()
        })
}

/// Clean trees, as in tests/properties.rs: a parent always has a smaller
/// index, every project and parent exists, ids are unique.
fn tree_forest() -> impl Strategy<Value = Forest> {
    (1usize..8, 0usize..30).prop_flat_map(|(np, nt)| {
        let projects =
            (0..np).map(|i| prop::option::weighted(0.7, 0..i.max(1)).prop_map(move |p| (i, p))).collect::<Vec<_>>();
        let tasks = (0..nt)
            .map(|i| {
                (
                    0..np,
                    prop::option::weighted(0.5, 0..i.max(1)),
                    estimate(),
                    prop::option::of(-0.2..1.5f64),
                    category(),
                    prop::bool::weighted(0.15),
                )
            })
            .collect::<Vec<_>>();
        (projects, tasks, link_sets(np, nt)).prop_map(move |(projects, tasks, links)| Forest {
            projects: projects
                .into_iter()
                .map(|(i, p)| WorkProject { id: project_id(i), parent_id: p.filter(|&p| p < i).map(project_id) })
                .collect(),
            tasks: tasks
                .into_iter()
                .enumerate()
                .map(|(i, (project, parent, estimate, progress, category, cancelled))| WorkTask {
                    id: task_id(i),
                    project_id: project_id(project),
                    parent_id: parent.filter(|&p| p < i).map(task_id),
                    estimate,
                    progress,
                    category,
                    cancelled,
                })
                .collect(),
            links,
        })
    })
}

/// Bad input: any parent (itself, a later row, so cycles, or one that does
/// not exist), repeated project and task ids, tasks in projects without a
/// row, NaN progress.
fn tangled_forest() -> impl Strategy<Value = Forest> {
    (1usize..8, 0usize..30).prop_flat_map(|(np, nt)| {
        let projects = prop::collection::vec((0..np, prop::option::weighted(0.7, 0..np + 2)), np..np + 3);
        let tasks = (0..nt)
            .map(move |i| {
                (
                    // Mostly its own id, sometimes one already used.
                    prop_oneof![4 => Just(i), 1 => 0..i.max(1)],
                    0..np + 1,
                    prop::option::weighted(0.6, 0..nt + 2),
                    estimate(),
                    prop_oneof![Just(None), Just(Some(f64::NAN)), (-0.2..1.5f64).prop_map(Some),],
                    category(),
                    prop::bool::weighted(0.15),
                )
            })
            .collect::<Vec<_>>();
        (projects, tasks, link_sets(np, nt)).prop_map(|(projects, tasks, links)| Forest {
            projects: projects
                .into_iter()
                .map(|(i, p)| WorkProject { id: project_id(i), parent_id: p.map(project_id) })
                .collect(),
            tasks: tasks
                .into_iter()
                .map(|(id, project, parent, estimate, progress, category, cancelled)| WorkTask {
                    id: task_id(id),
                    project_id: project_id(project),
                    parent_id: parent.map(task_id),
                    estimate,
                    progress,
                    category,
                    cancelled,
                })
                .collect(),
            links,
        })
    })
}

fn any_forest() -> impl Strategy<Value = Forest> {
    prop_oneof![tree_forest(), tangled_forest()]
}

/// Grows `set` until no row adds anything: `row` names (child, parent).
fn fixpoint(mut set: BTreeSet<i64>, rows: &[(i64, i64)]) -> BTreeSet<i64> {
    loop {
        let before = set.len();
        for &(child, parent) in rows {
            if child != parent && set.contains(&parent) {
                set.insert(child);
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

impl Forest {
    /// The first row of each task id; later rows with the same id are ignored.
    fn unique_tasks(&self) -> Vec<&WorkTask> {
        let mut seen = BTreeSet::new();
        self.tasks.iter().filter(|t| seen.insert(t.id)).collect()
    }

    fn project_subtree(&self, linked: &[i64]) -> BTreeSet<i64> {
        let rows: Vec<(i64, i64)> =
            self.projects.iter().filter_map(|p| p.parent_id.map(|parent| (p.id, parent))).collect();
        fixpoint(linked.iter().copied().collect(), &rows)
    }

    fn brute(&self, linked_projects: &[i64], linked_tasks: &[i64]) -> WorkProgress {
        let tasks = self.unique_tasks();
        let projects = self.project_subtree(linked_projects);
        let parent_rows: Vec<(i64, i64)> =
            tasks.iter().filter_map(|t| t.parent_id.map(|parent| (t.id, parent))).collect();

        let seeds =
            linked_tasks.iter().copied().chain(tasks.iter().filter(|t| projects.contains(&t.project_id)).map(|t| t.id));
        let reached = fixpoint(seeds.collect(), &parent_rows);
        // Cancelled, or anywhere below a cancelled task along parent links.
        let dead = fixpoint(tasks.iter().filter(|t| t.cancelled).map(|t| t.id).collect(), &parent_rows);

        let mut counted: Vec<&&WorkTask> = tasks
            .iter()
            .filter(|t| reached.contains(&t.id) && !dead.contains(&t.id))
            .filter(|t| !tasks.iter().any(|other| other.id != t.id && other.parent_id == Some(t.id)))
            .collect();
        counted.sort_by_key(|t| t.id);

        let mut out = WorkProgress::default();
        for t in counted {
            let weight = match t.estimate {
                None => 1.0,
                Some(e) if e.is_finite() && e > 0.0 => e,
                Some(_) => 0.0,
            };
            let done = if t.category == StatusCategory::Done {
                1.0
            } else {
                match t.progress {
                    Some(p) if !p.is_nan() => p.clamp(0.0, 1.0),
                    _ => 0.0,
                }
            };
            out.done_weight += weight * done;
            out.total_weight += weight;
            out.counted_tasks += 1;
        }
        if out.total_weight > 0.0 {
            out.progress = (out.done_weight / out.total_weight).clamp(0.0, 1.0);
        }
        out
    }
}

/// Equal to the bit, NaN never expected.
fn same(a: WorkProgress, b: WorkProgress) -> bool {
    a.counted_tasks == b.counted_tasks
        && a.progress.to_bits() == b.progress.to_bits()
        && a.done_weight.to_bits() == b.done_weight.to_bits()
        && a.total_weight.to_bits() == b.total_weight.to_bits()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn index_matches_brute_force(f in any_forest()) {
        let index = WorkIndex::new(&f.projects, &f.tasks);
        for (lp, lt) in &f.links {
            let expected = f.brute(lp, lt);
            let got = index.progress(lp, lt);
            prop_assert!(same(got, expected), "links {:?} {:?}: {:?} vs {:?}", lp, lt, got, expected);
            prop_assert!((0.0..=1.0).contains(&got.progress));
        }
    }

    #[test]
    fn one_index_answers_like_fresh_ones(f in any_forest()) {
        let index = WorkIndex::new(&f.projects, &f.tasks);
        // Every link set, asked twice, interleaved with project queries.
        for (lp, lt) in f.links.iter().chain(&f.links) {
            let fresh = WorkIndex::new(&f.projects, &f.tasks).progress(lp, lt);
            prop_assert!(same(index.progress(lp, lt), fresh));
            prop_assert!(same(work(&f.projects, &f.tasks, lp, lt), fresh));
            for &p in lp {
                prop_assert!(same(index.project_progress(p), f.brute(&[p], &[])));
            }
        }
        for i in 0..f.projects.len() + 2 {
            let p = project_id(i);
            let subtree = index.project_subtree(p);
            prop_assert!(subtree.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats: {:?}", subtree);
            prop_assert_eq!(subtree.into_iter().collect::<BTreeSet<_>>(), f.project_subtree(&[p]));
            prop_assert!(same(index.project_progress(p), index.progress(&[p], &[])));
        }
    }
}

#[test]
fn cycles_duplicates_and_missing_parents_by_hand() {
    let task = |id: i64, parent_id: Option<i64>, cancelled: bool| WorkTask {
        id,
        project_id: 1,
        parent_id,
        estimate: None,
        progress: None,
        category: StatusCategory::Done,
        cancelled,
    };
    let projects = [
        WorkProject { id: 1, parent_id: Some(2) },
        WorkProject { id: 2, parent_id: Some(1) },
        WorkProject { id: 3, parent_id: Some(3) },
    ];
    let tasks = [
        // 10 ↔ 11 with 12 hanging below: 12 is the only leaf of the three.
        task(10, Some(11), false),
        task(11, Some(10), false),
        task(12, Some(10), false),
        // A repeated id: the first row wins, the second is not a parent link.
        task(13, None, false),
        task(13, Some(12), true),
        // Parent 99 has no row; linking 99 still reaches 14.
        WorkTask { project_id: 5, ..task(14, Some(99), false) },
        // A cancelled cycle cancels what hangs below it.
        task(20, Some(21), true),
        task(21, Some(20), false),
        task(22, Some(21), false),
        // Its own parent: a leaf, counted.
        task(30, Some(30), false),
    ];
    let index = WorkIndex::new(&projects, &tasks);
    let got = index.progress(&[2], &[]);
    assert_eq!(got.counted_tasks, 3, "12, 13, 30");
    assert_eq!(got.progress, 1.0);
    assert_eq!(index.progress(&[], &[99]).counted_tasks, 1);
    assert_eq!(index.progress(&[], &[20, 21, 22]).counted_tasks, 0);
    assert_eq!(index.project_subtree(1), vec![1, 2]);
    assert_eq!(index.project_subtree(3), vec![3]);
    assert_eq!(index.project_subtree(42), vec![42]);
    for (lp, lt) in [(&[2][..], &[][..]), (&[], &[99]), (&[5], &[10, 20]), (&[1, 3], &[13, 30, 13])] {
        assert_eq!(index.progress(lp, lt), work(&projects, &tasks, lp, lt));
    }
}
