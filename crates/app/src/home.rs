//! A person's home: their key results and how they stand, their tasks due
//! this week or overdue, the at-risk key results of their units, and the key
//! results waiting for their check-in — all in their time zone.

use crate::auth::Actor;
use crate::compute::KeyResultView;
use crate::store::{Page, TaskFilter};
use crate::{App, AppResult};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use keel_domain::status::KrStatus;
use keel_domain::work::{StatusCategory, Task};
use keel_domain::{ObjectiveId, UnitId};
use serde::Serialize;
use std::collections::HashMap;

/// Days after which a key result that takes values asks its owner for a check-in.
pub const CHECK_IN_EVERY_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Home {
    pub today: NaiveDate,
    /// Monday–Sunday of the current week.
    pub week_end: NaiveDate,
    pub cycle_id: Option<keel_domain::CycleId>,
    pub my_key_results: Vec<KeyResultView>,
    pub overdue_tasks: Vec<Task>,
    pub due_this_week: Vec<Task>,
    /// At risk or off track, in objectives of the person's units.
    pub at_risk_in_my_units: Vec<KeyResultView>,
    /// The person's KRs that take values and were not checked in for a week.
    pub waiting_for_check_in: Vec<KeyResultView>,
}

impl App {
    pub async fn home(&self, actor: &Actor) -> AppResult<Home> {
        let now = Utc::now();
        let today = crate::clock::today_in(actor.time_zone(), now);
        let week_end = today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()));
        let cycle = self.current_cycle(actor).await?;
        let mut tx = self.store.read().await?;
        let (mut mine, mut at_risk, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
        if let Some(cycle) = &cycle {
            let tree = self.cached_tree(&mut *tx, actor, cycle.id).await?;
            let unit_of: HashMap<ObjectiveId, Option<UnitId>> =
                tree.objectives.iter().map(|o| (o.objective.id, o.objective.unit_id)).collect();
            for kr in tree.objectives.iter().flat_map(|o| &o.key_results) {
                let my_unit =
                    unit_of.get(&kr.key_result.objective_id).copied().flatten().is_some_and(|u| actor.in_unit(Some(u)));
                if actor.is(Some(kr.key_result.owner_id)) {
                    mine.push(kr.clone());
                    let stale =
                        kr.last_check_in.as_ref().is_none_or(|c| (now - c.at).num_days() >= CHECK_IN_EVERY_DAYS);
                    if kr.key_result.kind.takes_values() && stale && kr.status != KrStatus::Done {
                        waiting.push(kr.clone());
                    }
                }
                if my_unit && matches!(kr.status, KrStatus::AtRisk | KrStatus::OffTrack) {
                    at_risk.push(kr.clone());
                }
            }
        }
        let (mut overdue, mut this_week) = (Vec::new(), Vec::new());
        if let Some(me) = actor.id() {
            let filter = TaskFilter { assignee_id: Some(me), ..Default::default() };
            for task in tx.list_tasks(&filter, actor.viewer(), Page::ALL).await? {
                if task.category == StatusCategory::Done || task.cancelled {
                    continue;
                }
                match task.due_date {
                    Some(due) if due < today => overdue.push(task),
                    Some(due) if due <= week_end => this_week.push(task),
                    _ => {}
                }
            }
        }
        overdue.sort_by_key(|t| t.due_date);
        this_week.sort_by_key(|t| t.due_date);
        Ok(Home {
            today,
            week_end,
            cycle_id: cycle.map(|c| c.id),
            my_key_results: mine,
            overdue_tasks: overdue,
            due_this_week: this_week,
            at_risk_in_my_units: at_risk,
            waiting_for_check_in: waiting,
        })
    }
}
