//! Computed results kept between requests: OKR trees and the task lists of
//! big projects. Computing a cycle's tree reads every visible objective, key
//! result and check-in and, for work KRs, the whole task graph; a board,
//! Gantt chart or table of a 12,000-task project reads 12,000 rows. Neither
//! changes unless something is recorded in the change log (every use case
//! and import writes there in the same transaction), so a result is kept
//! under the latest change id read in the same snapshot plus whatever else
//! it depends on (viewer, zone, civil date, filter), and a few recent
//! results are held. On PostgreSQL a transaction can commit after one with
//! a higher id has been seen; a short lifetime bounds how long such a miss
//! can last.

use crate::compute::OkrTree;
use crate::store::Viewer;
use chrono::NaiveDate;
use keel_domain::work::Task;
use keel_domain::{CycleId, ProjectId};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest a result is served without recomputing, whatever the log says.
const LIFETIME: Duration = Duration::from_secs(10);

/// What a cached result depends on besides the change log.
pub trait Keyed: PartialEq {
    /// The same view at another moment: its older results are of no more use.
    fn same_view(&self, other: &Self) -> bool;
}

/// The `capacity` most recently used results, each under its key.
pub struct Recent<K, V> {
    capacity: usize,
    held: Mutex<Vec<(K, Instant, Arc<V>)>>,
}

impl<K: Keyed, V> Recent<K, V> {
    pub fn new(capacity: usize) -> Self {
        Recent { capacity, held: Mutex::new(Vec::new()) }
    }

    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|(_, made, _)| made.elapsed() < LIFETIME);
        let at = held.iter().position(|(k, _, _)| k == key)?;
        // Most recently used last.
        let entry = held.remove(at);
        let value = entry.2.clone();
        held.push(entry);
        Some(value)
    }

    /// The result held for the same view at an earlier change, if any, and
    /// when it was first read in full.
    pub fn earlier_of_view(&self, key: &K) -> Option<(K, Instant, Arc<V>)>
    where
        K: Clone,
    {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.iter()
            .rev()
            .find(|(k, made, _)| k.same_view(key) && made.elapsed() < LIFETIME)
            .map(|(k, made, v)| (k.clone(), *made, v.clone()))
    }

    pub fn put(&self, key: K, value: Arc<V>) {
        self.put_made(key, value, Instant::now());
    }

    /// Holds a result brought up to date from an earlier one: it keeps the
    /// earlier one's age, so the lifetime still bounds how long a change
    /// committed out of order can go unseen.
    pub fn put_made(&self, key: K, value: Arc<V>, made: Instant) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|(k, _, _)| !k.same_view(&key));
        if held.len() >= self.capacity {
            held.remove(0);
        }
        held.push((key, made, value));
    }
}

/// An OKR tree: one cycle as one viewer sees it on their civil date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeKey {
    pub cycle: CycleId,
    pub viewer: Option<Viewer>,
    pub zone: String,
    pub today: NaiveDate,
    pub latest_change: i64,
}

impl Keyed for TreeKey {
    fn same_view(&self, o: &Self) -> bool {
        self.cycle == o.cycle && self.viewer == o.viewer && self.zone == o.zone && self.today == o.today
    }
}

/// Trees held: one per cycle × viewer × zone in use.
pub type TreeCache = Recent<TreeKey, OkrTree>;

/// The tasks (without descriptions) of a set of projects as one viewer sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TasksKey {
    pub projects: Vec<ProjectId>,
    pub include_archived: bool,
    pub viewer: Option<Viewer>,
    pub latest_change: i64,
}

impl Keyed for TasksKey {
    fn same_view(&self, o: &Self) -> bool {
        self.projects == o.projects && self.include_archived == o.include_archived && self.viewer == o.viewer
    }
}

/// Task lists held: few, as each big one weighs megabytes.
pub type TasksCache = Recent<TasksKey, Vec<Task>>;
