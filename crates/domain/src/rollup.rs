//! The work roll-up over many key results at once.
//!
//! [`crate::progress::work`] answers one link set. Building the lookups it
//! needs (sub-projects, tasks by project, sub-tasks, which tasks count) costs
//! time in proportion to every task, so [`WorkIndex`] builds them once and
//! then answers each link set in time proportional to what that set reaches.
//! `work` is this index built and asked once, so the rules live only here.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::progress::{WorkProgress, WorkProject, WorkTask, unit_interval};

/// Lookups over one set of projects and tasks, built once and queried for
/// any number of link sets.
///
/// The rules are those of [`crate::progress::work`]:
/// - a linked project brings in all its sub-projects, and the tasks of all
///   of them; a reached task brings in its sub-tasks;
/// - each task counts at most once however many links reach it;
/// - a task with sub-tasks counts only through them;
/// - a cancelled task counts for nothing, and neither does anything under it;
/// - when a task id repeats, the first row wins and the others are ignored;
/// - a project or task that names itself as parent has no parent link (a
///   task that does is still a leaf); cycles are harmless.
#[derive(Debug, Clone)]
pub struct WorkIndex {
    /// Project id → node, for every id that is a project, a project's
    /// parent, or a task's project, whether or not it has a row.
    project_node: HashMap<i64, usize>,
    project_ids: Vec<i64>,
    sub_projects: Adjacency,
    project_tasks: Adjacency,
    /// Task id → node. Nodes below `tasks.len()` are tasks (first row per
    /// id); those above are parent ids with no task row, which a link may
    /// still name to reach the tasks under them.
    task_node: HashMap<i64, usize>,
    tasks: Vec<Counted>,
    sub_tasks: Adjacency,
}

/// What one task adds to a roll-up that reaches it.
#[derive(Debug, Clone, Copy)]
struct Counted {
    id: i64,
    /// A leaf that is neither cancelled nor under a cancelled task.
    counts: bool,
    weight: f64,
    /// weight × fraction done.
    done: f64,
}

/// Children of nodes 0..n, packed: node i's are `items[start[i]..start[i + 1]]`.
#[derive(Debug, Clone)]
struct Adjacency {
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Adjacency {
    /// Built from (parent, child) pairs in O(nodes + edges).
    fn new(nodes: usize, edges: &[(usize, usize)]) -> Adjacency {
        let mut start = vec![0; nodes + 1];
        for &(parent, _) in edges {
            start[parent + 1] += 1;
        }
        for i in 0..nodes {
            start[i + 1] += start[i];
        }
        let mut next = start.clone();
        let mut items = vec![0; edges.len()];
        for &(parent, child) in edges {
            items[next[parent]] = child;
            next[parent] += 1;
        }
        Adjacency { start, items }
    }

    fn of(&self, node: usize) -> &[usize] {
        &self.items[self.start[node]..self.start[node + 1]]
    }
}

/// The node for `id`, made if new.
fn node(nodes: &mut HashMap<i64, usize>, ids: &mut Vec<i64>, id: i64) -> usize {
    *nodes.entry(id).or_insert_with(|| {
        ids.push(id);
        ids.len() - 1
    })
}

/// Hashes the dense node numbers of one query's visited sets: they are our
/// own small integers, so a multiply spreads them well and nothing can be
/// forced to collide.
#[derive(Default)]
struct NodeHasher(u64);

impl Hasher for NodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type NodeSet = HashSet<usize, BuildHasherDefault<NodeHasher>>;

/// Everything reachable from `roots` through `children`, roots included,
/// each once; `visit` sees each node as it is first reached. The visited set
/// makes cycles in bad input harmless.
fn walk(roots: Vec<usize>, children: &Adjacency, mut visit: impl FnMut(usize)) {
    let mut seen = NodeSet::default();
    let mut stack = roots;
    while let Some(node) = stack.pop() {
        if seen.insert(node) {
            visit(node);
            stack.extend_from_slice(children.of(node));
        }
    }
}

/// For each task, whether it or any task up its parent chain is cancelled.
/// `parent` links each task to its parent's task, if there is one; a chain
/// may end in a cycle (its own parent included), whose members share one
/// answer. Each task is walked once.
fn cancelled_or_under_cancelled(cancelled: &[bool], parent: &[Option<usize>]) -> Vec<bool> {
    #[derive(Clone, Copy)]
    enum State {
        New,
        /// On the path being walked, at this position.
        OnPath(usize),
        Done,
    }
    let mut state = vec![State::New; cancelled.len()];
    let mut dead = vec![false; cancelled.len()];
    let mut path = Vec::new();
    for first in 0..cancelled.len() {
        // Walk up until a task already answered, the top, or back onto the
        // path; `above` is then the answer for whatever is above the path.
        let mut above = false;
        let mut current = Some(first);
        while let Some(task) = current {
            match state[task] {
                State::Done => {
                    above = dead[task];
                    break;
                }
                State::OnPath(at) => {
                    // A cycle: each of its tasks has all of it above itself.
                    let cycle = &path[at..];
                    above = cycle.iter().any(|&c| cancelled[c]);
                    for &c in cycle {
                        dead[c] = above;
                        state[c] = State::Done;
                    }
                    path.truncate(at);
                    break;
                }
                State::New => {
                    state[task] = State::OnPath(path.len());
                    path.push(task);
                    current = parent[task];
                }
            }
        }
        // Answer the path from its top down.
        while let Some(task) = path.pop() {
            above |= cancelled[task];
            dead[task] = above;
            state[task] = State::Done;
        }
    }
    dead
}

impl WorkIndex {
    /// Builds every lookup once, in time proportional to the rows.
    pub fn new(projects: &[WorkProject], tasks: &[WorkTask]) -> WorkIndex {
        // The first row wins if an id repeats, so a duplicate cannot count twice.
        let mut task_node: HashMap<i64, usize> = HashMap::with_capacity(tasks.len());
        let mut unique: Vec<&WorkTask> = Vec::with_capacity(tasks.len());
        for t in tasks {
            if let Entry::Vacant(slot) = task_node.entry(t.id) {
                slot.insert(unique.len());
                unique.push(t);
            }
        }
        let n = unique.len();

        let mut task_ids: Vec<i64> = unique.iter().map(|t| t.id).collect();
        let mut sub_task_edges = Vec::with_capacity(n);
        for (child, t) in unique.iter().enumerate() {
            if let Some(parent) = t.parent_id.filter(|&parent| parent != t.id) {
                sub_task_edges.push((node(&mut task_node, &mut task_ids, parent), child));
            }
        }
        let sub_tasks = Adjacency::new(task_ids.len(), &sub_task_edges);

        let cancelled: Vec<bool> = unique.iter().map(|t| t.cancelled).collect();
        // Unlike sub-task links, the walk up to a cancelled task follows a
        // task's link to itself; it changes nothing, as the task's own flag
        // is read anyway.
        let parent: Vec<Option<usize>> =
            unique.iter().map(|t| t.parent_id.and_then(|p| task_node.get(&p)).copied().filter(|&p| p < n)).collect();
        let dead = cancelled_or_under_cancelled(&cancelled, &parent);
        let counted = unique
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let weight = t.weight();
                Counted {
                    id: t.id,
                    counts: sub_tasks.of(i).is_empty() && !dead[i],
                    weight,
                    done: weight * t.fraction_done(),
                }
            })
            .collect();

        let mut project_node: HashMap<i64, usize> = HashMap::with_capacity(projects.len());
        let mut project_ids = Vec::with_capacity(projects.len());
        let mut sub_project_edges = Vec::with_capacity(projects.len());
        for p in projects {
            let child = node(&mut project_node, &mut project_ids, p.id);
            if let Some(parent) = p.parent_id.filter(|&parent| parent != p.id) {
                sub_project_edges.push((node(&mut project_node, &mut project_ids, parent), child));
            }
        }
        let project_task_edges: Vec<(usize, usize)> = unique
            .iter()
            .enumerate()
            .map(|(i, t)| (node(&mut project_node, &mut project_ids, t.project_id), i))
            .collect();
        let nodes = project_ids.len();

        WorkIndex {
            sub_projects: Adjacency::new(nodes, &sub_project_edges),
            project_tasks: Adjacency::new(nodes, &project_task_edges),
            project_node,
            project_ids,
            task_node,
            tasks: counted,
            sub_tasks,
        }
    }

    /// The work roll-up for a key result linked to `linked_projects` (with
    /// all their sub-projects) and `linked_tasks` (with all their
    /// sub-tasks); the same answer as [`crate::progress::work`] over the
    /// rows this index was built from. Costs time in proportion to the
    /// projects and tasks the links reach, not to all of them.
    pub fn progress(&self, linked_projects: &[i64], linked_tasks: &[i64]) -> WorkProgress {
        let mut roots: Vec<usize> = linked_tasks.iter().filter_map(|id| self.task_node.get(id).copied()).collect();
        let projects = linked_projects.iter().filter_map(|id| self.project_node.get(id).copied()).collect();
        walk(projects, &self.sub_projects, |p| roots.extend_from_slice(self.project_tasks.of(p)));

        let mut counted: Vec<&Counted> = Vec::new();
        walk(roots, &self.sub_tasks, |t| {
            if let Some(task) = self.tasks.get(t).filter(|task| task.counts) {
                counted.push(task);
            }
        });
        // Sorted so the float sums come out bit-identical on every run.
        counted.sort_unstable_by_key(|task| task.id);

        let mut out = WorkProgress::default();
        for task in counted {
            out.done_weight += task.done;
            out.total_weight += task.weight;
            out.counted_tasks += 1;
        }
        if out.total_weight > 0.0 {
            out.progress = unit_interval(out.done_weight / out.total_weight);
        }
        out
    }

    /// The work roll-up of a project and all its sub-projects.
    pub fn project_progress(&self, project: i64) -> WorkProgress {
        self.progress(&[project], &[])
    }

    /// The project and the ids of all projects under it, ascending. The
    /// project itself is included even if it has no row, as a link to it
    /// would be.
    pub fn project_subtree(&self, project: i64) -> Vec<i64> {
        let Some(&root) = self.project_node.get(&project) else { return vec![project] };
        let mut ids = Vec::new();
        walk(vec![root], &self.sub_projects, |p| ids.push(self.project_ids[p]));
        ids.sort_unstable();
        ids
    }
}
