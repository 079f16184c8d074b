//! Computed OKR trees kept between requests. Computing a cycle reads every
//! visible objective, key result and check-in and, for work KRs, the whole
//! task graph: hundreds of milliseconds for a 100,000-task organisation. A
//! tree only changes when something is recorded in the change log (every
//! use case and import writes there in the same transaction), when the
//! viewer's day turns (the expected share moves) or for another viewer.
//! So a tree is kept under the latest change id read in the same snapshot,
//! the viewer, their zone and their civil date, and a few recent trees are
//! held. On PostgreSQL a transaction can commit after one with a higher id
//! has been seen; a short lifetime bounds how long such a miss can last.

use crate::compute::OkrTree;
use crate::store::Viewer;
use chrono::NaiveDate;
use keel_domain::CycleId;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many trees are held (one per cycle × viewer × zone in use).
const HELD: usize = 32;
/// The longest a tree is served without recomputing, whatever the log says.
const LIFETIME: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeKey {
    pub cycle: CycleId,
    pub viewer: Option<Viewer>,
    pub zone: String,
    pub today: NaiveDate,
    pub latest_change: i64,
}

#[derive(Default)]
pub struct TreeCache {
    held: Mutex<Vec<(TreeKey, Instant, Arc<OkrTree>)>>,
}

impl TreeCache {
    pub fn get(&self, key: &TreeKey) -> Option<Arc<OkrTree>> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.retain(|(_, made, _)| made.elapsed() < LIFETIME);
        let at = held.iter().position(|(k, _, _)| k == key)?;
        // Most recently used last.
        let entry = held.remove(at);
        let tree = entry.2.clone();
        held.push(entry);
        Some(tree)
    }

    pub fn put(&self, key: TreeKey, tree: Arc<OkrTree>) {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        // Older states of the same view are of no more use.
        held.retain(|(k, _, _)| {
            !(k.cycle == key.cycle && k.viewer == key.viewer && k.zone == key.zone && k.today == key.today)
        });
        if held.len() >= HELD {
            held.remove(0);
        }
        held.push((key, Instant::now(), tree));
    }
}
