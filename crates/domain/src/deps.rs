//! Guards for the graphs users build: finish-to-start dependencies and parent
//! trees (units, projects, tasks, objectives) must never form a cycle.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Would adding `new_edge` = (a, b), "task a depends on task b", close a cycle
/// among `edges` (each (task, depends_on))? If so, returns the cycle for the
/// message: `[a, b, …, a]`, starting with a, then b, then the tasks b depends
/// on in turn, back to a. A self edge gives `[a, a]`.
///
/// The path from b back to a is a shortest one; ties go to the smaller task
/// id, so the same graph always names the same cycle.
pub fn find_dependency_cycle(edges: &[(i64, i64)], new_edge: (i64, i64)) -> Option<Vec<i64>> {
    let (a, b) = new_edge;
    if a == b {
        return Some(vec![a, a]);
    }
    // Sorted adjacency makes the breadth-first search deterministic.
    let mut depends_on: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for &(task, dep) in edges {
        depends_on.entry(task).or_default().insert(dep);
    }
    let mut came_from: HashMap<i64, i64> = HashMap::new();
    let mut queue = VecDeque::from([b]);
    while let Some(task) = queue.pop_front() {
        if task == a {
            let mut path = vec![a];
            let mut step = a;
            while step != b {
                step = came_from[&step];
                path.push(step);
            }
            path.push(a);
            // Built from a back to b with a appended; reversed it reads a, b, …, a.
            path.reverse();
            return Some(path);
        }
        for &next in depends_on.get(&task).into_iter().flatten() {
            if next != b && !came_from.contains_key(&next) {
                came_from.insert(next, task);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Walks past this many ancestors before assuming the tree is already broken.
const MAX_DEPTH: usize = 10_000;

/// Would making `new_parent` the parent of `child` put `child` above itself?
/// True when they are the same or `child` is an ancestor of `new_parent`.
/// A chain longer than any real tree (or an existing loop) also answers true,
/// refusing the move rather than risking a loop.
pub fn creates_parent_cycle(child: i64, new_parent: i64, parent_of: impl Fn(i64) -> Option<i64>) -> bool {
    let mut current = new_parent;
    for _ in 0..MAX_DEPTH {
        if current == child {
            return true;
        }
        match parent_of(current) {
            Some(parent) => current = parent,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_a_loop_names_it() {
        // 1 depends on 2, 2 on 3; 3 depending on 1 closes 3 → 1 → 2 → 3.
        let edges = [(1, 2), (2, 3)];
        assert_eq!(find_dependency_cycle(&edges, (3, 1)), Some(vec![3, 1, 2, 3]));
        assert_eq!(find_dependency_cycle(&edges, (1, 3)), None);
        assert_eq!(find_dependency_cycle(&edges, (4, 1)), None);
        assert_eq!(find_dependency_cycle(&edges, (2, 2)), Some(vec![2, 2]));
        assert_eq!(find_dependency_cycle(&[(1, 2)], (2, 1)), Some(vec![2, 1, 2]));
    }

    #[test]
    fn shortest_cycle_smallest_ids_first() {
        // From 1, three routes lead to 9: 1→2→9, 1→5→9 and 1→3→4→9.
        let edges = [(1, 5), (5, 9), (1, 3), (3, 4), (4, 9), (1, 2), (2, 9), (7, 8)];
        assert_eq!(find_dependency_cycle(&edges, (9, 1)), Some(vec![9, 1, 2, 9]));
    }

    #[test]
    fn existing_cycles_elsewhere_do_not_hang() {
        let edges = [(1, 2), (2, 1), (2, 3)];
        assert_eq!(find_dependency_cycle(&edges, (4, 1)), None);
        assert_eq!(find_dependency_cycle(&edges, (3, 2)), Some(vec![3, 2, 3]));
    }

    #[test]
    fn parent_cycles() {
        // 1 ← 2 ← 3 (3's parent is 2, 2's parent is 1).
        let parent_of = |id| match id {
            3 => Some(2),
            2 => Some(1),
            _ => None,
        };
        assert!(creates_parent_cycle(1, 3, parent_of));
        assert!(creates_parent_cycle(2, 2, parent_of));
        assert!(!creates_parent_cycle(3, 1, parent_of));
        assert!(!creates_parent_cycle(4, 3, parent_of));
        // An existing loop 5 ↔ 6 is refused rather than walked forever.
        let looped = |id| match id {
            5 => Some(6),
            6 => Some(5),
            _ => None,
        };
        assert!(creates_parent_cycle(7, 5, looped));
    }
}
