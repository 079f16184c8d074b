//! OKR use cases: cycles, objectives, key results, milestone items and
//! check-ins, each checked for access, validated, versioned and recorded.

use crate::access::{self, require, require_admin, require_writer};
use crate::auth::Actor;
use crate::patch::{self, nullable};
use crate::record::record;
use crate::store::{KrScope, Page, Tx};
use crate::{App, AppError, AppResult};
use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::okr::*;
use keel_domain::progress::check_metric;
use keel_domain::status::KrStatus;
use keel_domain::text::{self, BODY_MAX, NAME_MAX, TITLE_MAX};
use keel_domain::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CycleInput {
    pub name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(default)]
    pub state: Option<CycleState>,
    #[serde(default)]
    pub parent_id: Option<CycleId>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CyclePatch {
    pub name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub state: Option<CycleState>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_id: Option<Option<CycleId>>,
    /// The version the change is based on; a stale one gets 409.
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ObjectiveInput {
    pub cycle_id: CycleId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub level: ObjectiveLevel,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Defaults to the person creating it.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub parent_objective_id: Option<ObjectiveId>,
    #[serde(default)]
    pub parent_key_result_id: Option<KeyResultId>,
    #[serde(default)]
    pub private: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ObjectivePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub level: Option<ObjectiveLevel>,
    #[serde(default, deserialize_with = "nullable")]
    pub unit_id: Option<Option<UnitId>>,
    pub owner_id: Option<UserId>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_objective_id: Option<Option<ObjectiveId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_key_result_id: Option<Option<KeyResultId>>,
    pub private: Option<bool>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KrItemInput {
    pub title: String,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub done: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyResultInput {
    pub objective_id: ObjectiveId,
    pub title: String,
    pub kind: KrKind,
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default)]
    pub start_value: Option<f64>,
    #[serde(default)]
    pub target_value: Option<f64>,
    #[serde(default)]
    pub unit_label: Option<String>,
    #[serde(default)]
    pub direction: Option<ThresholdDirection>,
    #[serde(default)]
    pub due_date: Option<NaiveDate>,
    /// Checklist of a milestone KR.
    #[serde(default)]
    pub items: Vec<KrItemInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyResultPatch {
    pub title: Option<String>,
    pub owner_id: Option<UserId>,
    pub weight: Option<f64>,
    #[serde(default, deserialize_with = "nullable")]
    pub start_value: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub target_value: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    pub unit_label: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub direction: Option<Option<ThresholdDirection>>,
    #[serde(default, deserialize_with = "nullable")]
    pub due_date: Option<Option<NaiveDate>>,
    /// The owner's override of the computed status; null returns to the schedule.
    #[serde(default, deserialize_with = "nullable")]
    pub status_override: Option<Option<KrStatus>>,
    #[serde(default, deserialize_with = "nullable")]
    pub override_reason: Option<Option<String>>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// The new value (metric, threshold); left out for derived kinds.
    #[serde(default)]
    pub value: Option<f64>,
    /// 0–10.
    #[serde(default)]
    pub confidence: Option<u8>,
    #[serde(default)]
    pub note: String,
    /// When the value was true; defaults to now, never in the future.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// 409 carrying the item as it is now.
pub(crate) fn conflict<T: Serialize>(current: &T) -> AppError {
    AppError::Conflict {
        message: "someone else changed this item first; here is its current state".into(),
        current: serde_json::to_value(current).unwrap_or(serde_json::Value::Null),
    }
}

pub(crate) fn check_version(stored: i64, sent: i64, current: &impl Serialize) -> AppResult<()> {
    if stored == sent { Ok(()) } else { Err(conflict(current)) }
}

fn check_dates(start: NaiveDate, end: NaiveDate) -> AppResult<()> {
    if end < start {
        return Err(AppError::invalid("end_date", "must not be before start_date"));
    }
    Ok(())
}

fn check_weight(weight: f64) -> AppResult<f64> {
    if !weight.is_finite() || weight < 0.0 {
        return Err(AppError::invalid("weight", "must be a number of at least 0"));
    }
    Ok(weight)
}

/// What each kind needs to compute progress (PRODUCT.md §2).
fn check_kind_fields(kr: &KeyResult) -> AppResult<()> {
    for (field, value) in [("start_value", kr.start_value), ("target_value", kr.target_value)] {
        if value.is_some_and(|v| !v.is_finite()) {
            return Err(AppError::invalid(field, "must be a finite number"));
        }
    }
    match kr.kind {
        KrKind::Metric => {
            let start =
                kr.start_value.ok_or_else(|| AppError::invalid("start_value", "a metric needs a start value"))?;
            let target =
                kr.target_value.ok_or_else(|| AppError::invalid("target_value", "a metric needs a target value"))?;
            check_metric(start, target)?;
        }
        KrKind::Threshold => {
            kr.target_value.ok_or_else(|| AppError::invalid("target_value", "a threshold needs the line to hold"))?;
            kr.direction.ok_or_else(|| AppError::invalid("direction", "a threshold needs at_least or at_most"))?;
        }
        KrKind::Milestone | KrKind::Work | KrKind::Children => {}
    }
    if let Some(label) = &kr.unit_label {
        text::limit("unit_label", label, 20)?;
    }
    Ok(())
}

/// Loads an objective the actor may see; a private one they may not see is "not found".
pub(crate) async fn visible_objective(tx: &mut dyn Tx, actor: &Actor, id: ObjectiveId) -> AppResult<Objective> {
    let objective = tx.get_objective(id).await?.ok_or(AppError::NotFound("objective"))?;
    if !access::can_see_objective(actor, &objective) {
        return Err(AppError::NotFound("objective"));
    }
    Ok(objective)
}

pub(crate) async fn visible_key_result(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: KeyResultId,
) -> AppResult<(Objective, KeyResult)> {
    let kr = tx.get_key_result(id).await?.ok_or(AppError::NotFound("key result"))?;
    let objective =
        visible_objective(tx, actor, kr.objective_id).await.map_err(|_| AppError::NotFound("key result"))?;
    Ok((objective, kr))
}

async fn check_user(tx: &mut dyn Tx, id: UserId, field: &str) -> AppResult<()> {
    tx.get_user(id).await?.map(|_| ()).ok_or_else(|| AppError::invalid(field, format!("no person with id {id}")))
}

async fn check_unit(tx: &mut dyn Tx, id: Option<UnitId>) -> AppResult<()> {
    match id {
        Some(id) => tx
            .get_unit(id)
            .await?
            .map(|_| ())
            .ok_or_else(|| AppError::invalid("unit_id", format!("no unit with id {id}"))),
        None => Ok(()),
    }
}

/// Alignment: one parent at most, visible, one level up, never a loop.
async fn check_alignment(tx: &mut dyn Tx, actor: &Actor, o: &Objective) -> AppResult<()> {
    if o.parent_objective_id.is_some() && o.parent_key_result_id.is_some() {
        return Err(AppError::invalid(
            "parent_key_result_id",
            "align to a parent objective or a parent key result, not both",
        ));
    }
    let parent = match (o.parent_objective_id, o.parent_key_result_id) {
        (Some(id), _) => Some(
            visible_objective(tx, actor, id)
                .await
                .map_err(|_| AppError::invalid("parent_objective_id", "no such objective"))?,
        ),
        (_, Some(kr)) => Some(
            visible_key_result(tx, actor, kr)
                .await
                .map_err(|_| AppError::invalid("parent_key_result_id", "no such key result"))?
                .0,
        ),
        _ => None,
    };
    let Some(parent) = parent else { return Ok(()) };
    let field = if o.parent_objective_id.is_some() { "parent_objective_id" } else { "parent_key_result_id" };
    if !o.level.may_align_to(parent.level) {
        return Err(AppError::invalid(
            field,
            format!("a {} objective cannot align to a {} objective", o.level.as_str(), parent.level.as_str()),
        ));
    }
    // Walk up from the parent; reaching this objective would close a loop.
    let mut current = Some(parent);
    let mut steps = 0;
    while let Some(p) = current {
        if p.id == o.id || steps > 1000 {
            return Err(AppError::invalid(field, "this alignment would make a loop"));
        }
        steps += 1;
        let up = match (p.parent_objective_id, p.parent_key_result_id) {
            (Some(id), _) => Some(id),
            (_, Some(kr)) => tx.get_key_result(kr).await?.map(|k| k.objective_id),
            _ => None,
        };
        current = match up {
            Some(id) => tx.get_objective(id).await?,
            None => None,
        };
    }
    Ok(())
}

/// Who may create an objective at a level.
fn may_create_objective(actor: &Actor, o: &Objective) -> bool {
    actor.is_admin()
        || match o.level {
            ObjectiveLevel::Company => false,
            ObjectiveLevel::Unit => actor.in_unit(o.unit_id),
            ObjectiveLevel::Individual => actor.is(Some(o.owner_id)),
        }
}

impl App {
    pub async fn list_cycles(&self, _actor: &Actor) -> AppResult<Vec<Cycle>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_cycles().await?)
    }

    pub async fn get_cycle(&self, _actor: &Actor, id: CycleId) -> AppResult<Cycle> {
        let mut tx = self.store.read().await?;
        tx.get_cycle(id).await?.ok_or(AppError::NotFound("cycle"))
    }

    /// The cycle a person most likely means: the shortest active one containing
    /// today, else the latest that started.
    pub async fn current_cycle(&self, actor: &Actor) -> AppResult<Option<Cycle>> {
        let today = crate::clock::today_in(actor.time_zone(), Utc::now());
        let cycles = self.list_cycles(actor).await?;
        let containing = cycles
            .iter()
            .filter(|c| c.start_date <= today && today <= c.end_date)
            .min_by_key(|c| (c.end_date - c.start_date).num_days())
            .cloned();
        Ok(containing.or_else(|| cycles.into_iter().find(|c| c.start_date <= today)))
    }

    pub async fn create_cycle(&self, actor: &Actor, input: CycleInput) -> AppResult<Cycle> {
        require_admin(actor)?;
        let name = text::required("name", &input.name, NAME_MAX)?;
        check_dates(input.start_date, input.end_date)?;
        let mut tx = self.store.write().await?;
        if let Some(parent) = input.parent_id {
            tx.get_cycle(parent).await?.ok_or_else(|| AppError::invalid("parent_id", "no such cycle"))?;
        }
        let mut cycle = Cycle {
            id: CycleId(0),
            name,
            start_date: input.start_date,
            end_date: input.end_date,
            state: input.state.unwrap_or(CycleState::Planning),
            parent_id: input.parent_id,
            version: 1,
        };
        cycle.id = tx.insert_cycle(&cycle).await?;
        record(&mut *tx, actor, "cycle", cycle.id.0, "create", None, Some(&cycle)).await?;
        tx.commit().await?;
        Ok(cycle)
    }

    pub async fn update_cycle(&self, actor: &Actor, id: CycleId, patch: CyclePatch) -> AppResult<Cycle> {
        require_admin(actor)?;
        let mut tx = self.store.write().await?;
        let before = tx.get_cycle(id).await?.ok_or(AppError::NotFound("cycle"))?;
        check_version(before.version, patch.version, &before)?;
        let mut cycle = before.clone();
        if let Some(name) = patch.name {
            cycle.name = text::required("name", &name, NAME_MAX)?;
        }
        patch::set(&mut cycle.start_date, patch.start_date);
        patch::set(&mut cycle.end_date, patch.end_date);
        patch::set(&mut cycle.state, patch.state);
        patch::apply(&mut cycle.parent_id, patch.parent_id);
        check_dates(cycle.start_date, cycle.end_date)?;
        if cycle.parent_id == Some(cycle.id) {
            return Err(AppError::invalid("parent_id", "a cycle cannot contain itself"));
        }
        cycle.version = save!(tx, update_cycle, get_cycle, cycle);
        record(&mut *tx, actor, "cycle", id.0, "update", Some(&before), Some(&cycle)).await?;
        tx.commit().await?;
        Ok(cycle)
    }

    pub async fn list_objectives(
        &self,
        actor: &Actor,
        cycle: Option<CycleId>,
        page: Page,
    ) -> AppResult<Vec<Objective>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_objectives(cycle, actor.viewer(), page).await?)
    }

    pub async fn get_objective(&self, actor: &Actor, id: ObjectiveId) -> AppResult<Objective> {
        let mut tx = self.store.read().await?;
        visible_objective(&mut *tx, actor, id).await
    }

    pub async fn create_objective(&self, actor: &Actor, input: ObjectiveInput) -> AppResult<Objective> {
        require_writer(actor)?;
        let mut tx = self.store.write().await?;
        tx.get_cycle(input.cycle_id).await?.ok_or_else(|| AppError::invalid("cycle_id", "no such cycle"))?;
        let owner_id = match (input.owner_id, actor.id()) {
            (Some(owner), _) | (None, Some(owner)) => owner,
            (None, None) => return Err(AppError::invalid("owner_id", "an objective needs an owner")),
        };
        check_user(&mut *tx, owner_id, "owner_id").await?;
        check_unit(&mut *tx, input.unit_id).await?;
        if input.level == ObjectiveLevel::Unit && input.unit_id.is_none() {
            return Err(AppError::invalid("unit_id", "a unit objective needs its unit"));
        }
        text::limit("description", &input.description, BODY_MAX)?;
        let mut objective = Objective {
            id: ObjectiveId(0),
            cycle_id: input.cycle_id,
            title: text::required("title", &input.title, TITLE_MAX)?,
            description: input.description,
            level: input.level,
            unit_id: input.unit_id,
            owner_id,
            parent_objective_id: input.parent_objective_id,
            parent_key_result_id: input.parent_key_result_id,
            private: input.private,
            version: 1,
            created_at: Utc::now(),
        };
        require(may_create_objective(actor, &objective), "you may not create an objective at this level here")?;
        check_alignment(&mut *tx, actor, &objective).await?;
        objective.id = tx.insert_objective(&objective).await?;
        record(&mut *tx, actor, "objective", objective.id.0, "create", None, Some(&objective)).await?;
        tx.commit().await?;
        Ok(objective)
    }

    pub async fn update_objective(
        &self,
        actor: &Actor,
        id: ObjectiveId,
        patch: ObjectivePatch,
    ) -> AppResult<Objective> {
        let mut tx = self.store.write().await?;
        let before = visible_objective(&mut *tx, actor, id).await?;
        require(access::can_edit_objective(actor, &before), "you may not change this objective")?;
        check_version(before.version, patch.version, &before)?;
        let mut o = before.clone();
        if let Some(title) = patch.title {
            o.title = text::required("title", &title, TITLE_MAX)?;
        }
        if let Some(description) = patch.description {
            text::limit("description", &description, BODY_MAX)?;
            o.description = description;
        }
        patch::set(&mut o.level, patch.level);
        patch::apply(&mut o.unit_id, patch.unit_id);
        patch::set(&mut o.owner_id, patch.owner_id);
        patch::apply(&mut o.parent_objective_id, patch.parent_objective_id);
        patch::apply(&mut o.parent_key_result_id, patch.parent_key_result_id);
        patch::set(&mut o.private, patch.private);
        check_user(&mut *tx, o.owner_id, "owner_id").await?;
        check_unit(&mut *tx, o.unit_id).await?;
        if o.level == ObjectiveLevel::Unit && o.unit_id.is_none() {
            return Err(AppError::invalid("unit_id", "a unit objective needs its unit"));
        }
        if o.level != before.level || o.unit_id != before.unit_id {
            require(may_create_objective(actor, &o), "you may not move this objective there")?;
        }
        check_alignment(&mut *tx, actor, &o).await?;
        o.version = save!(tx, update_objective, get_objective, o);
        record(&mut *tx, actor, "objective", id.0, "update", Some(&before), Some(&o)).await?;
        tx.commit().await?;
        Ok(o)
    }

    pub async fn create_key_result(&self, actor: &Actor, input: KeyResultInput) -> AppResult<KeyResult> {
        require_writer(actor)?;
        let mut tx = self.store.write().await?;
        let objective = visible_objective(&mut *tx, actor, input.objective_id)
            .await
            .map_err(|_| AppError::invalid("objective_id", "no such objective"))?;
        require(access::can_edit_objective(actor, &objective), "you may not add key results to this objective")?;
        let owner_id = input.owner_id.or(actor.id()).unwrap_or(objective.owner_id);
        check_user(&mut *tx, owner_id, "owner_id").await?;
        let position = tx.list_key_results(KrScope::Objectives(&[objective.id])).await?.len() as i64;
        let mut kr = KeyResult {
            id: KeyResultId(0),
            objective_id: objective.id,
            title: text::required("title", &input.title, TITLE_MAX)?,
            owner_id,
            kind: input.kind,
            weight: check_weight(input.weight.unwrap_or(1.0))?,
            start_value: input.start_value,
            target_value: input.target_value,
            current_value: None,
            unit_label: input.unit_label.filter(|l| !l.trim().is_empty()),
            direction: input.direction,
            due_date: input.due_date,
            status_override: None,
            override_reason: None,
            position,
            version: 1,
        };
        check_kind_fields(&kr)?;
        if !input.items.is_empty() && kr.kind != KrKind::Milestone {
            return Err(AppError::invalid("items", "only a milestone key result has a checklist"));
        }
        kr.id = tx.insert_key_result(&kr).await?;
        for (position, item) in input.items.into_iter().enumerate() {
            insert_item(&mut *tx, kr.id, item, position as i64).await?;
        }
        record(&mut *tx, actor, "key_result", kr.id.0, "create", None, Some(&kr)).await?;
        tx.commit().await?;
        Ok(kr)
    }

    pub async fn update_key_result(
        &self,
        actor: &Actor,
        id: KeyResultId,
        patch: KeyResultPatch,
    ) -> AppResult<KeyResult> {
        let mut tx = self.store.write().await?;
        let (objective, before) = visible_key_result(&mut *tx, actor, id).await?;
        require(access::can_edit_key_result(actor, &objective, &before), "you may not change this key result")?;
        check_version(before.version, patch.version, &before)?;
        let mut kr = before.clone();
        if let Some(title) = patch.title {
            kr.title = text::required("title", &title, TITLE_MAX)?;
        }
        patch::set(&mut kr.owner_id, patch.owner_id);
        if let Some(weight) = patch.weight {
            kr.weight = check_weight(weight)?;
        }
        patch::apply(&mut kr.start_value, patch.start_value);
        patch::apply(&mut kr.target_value, patch.target_value);
        patch::apply(&mut kr.unit_label, patch.unit_label);
        patch::apply(&mut kr.direction, patch.direction);
        patch::apply(&mut kr.due_date, patch.due_date);
        patch::apply(&mut kr.status_override, patch.status_override);
        patch::apply(&mut kr.override_reason, patch.override_reason);
        if kr.status_override.is_some() && kr.override_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(AppError::invalid("override_reason", "say why the status is overridden"));
        }
        if kr.status_override.is_none() {
            kr.override_reason = None;
        }
        check_user(&mut *tx, kr.owner_id, "owner_id").await?;
        check_kind_fields(&kr)?;
        kr.version = save!(tx, update_key_result, get_key_result, kr);
        record(&mut *tx, actor, "key_result", id.0, "update", Some(&before), Some(&kr)).await?;
        tx.commit().await?;
        Ok(kr)
    }

    pub async fn add_kr_item(&self, actor: &Actor, kr_id: KeyResultId, input: KrItemInput) -> AppResult<KrItem> {
        let mut tx = self.store.write().await?;
        let (objective, kr) = visible_key_result(&mut *tx, actor, kr_id).await?;
        require(access::can_edit_key_result(actor, &objective, &kr), "you may not change this key result")?;
        if kr.kind != KrKind::Milestone {
            return Err(AppError::invalid("kind", "only a milestone key result has a checklist"));
        }
        let position = tx.list_kr_items(KrScope::KeyResults(&[kr_id])).await?.len() as i64;
        let item = insert_item(&mut *tx, kr_id, input, position).await?;
        record(&mut *tx, actor, "kr_item", item.id.0, "create", None, Some(&item)).await?;
        tx.commit().await?;
        Ok(item)
    }

    pub async fn set_kr_item_done(
        &self,
        actor: &Actor,
        kr_id: KeyResultId,
        item_id: KrItemId,
        done: bool,
    ) -> AppResult<KrItem> {
        let mut tx = self.store.write().await?;
        let (objective, kr) = visible_key_result(&mut *tx, actor, kr_id).await?;
        require(access::can_edit_key_result(actor, &objective, &kr), "you may not change this key result")?;
        let before = tx
            .list_kr_items(KrScope::KeyResults(&[kr_id]))
            .await?
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or(AppError::NotFound("milestone"))?;
        let item = KrItem { done, ..before.clone() };
        tx.update_kr_item(&item).await?;
        record(&mut *tx, actor, "kr_item", item.id.0, "update", Some(&before), Some(&item)).await?;
        tx.commit().await?;
        Ok(item)
    }

    pub async fn list_check_ins(&self, actor: &Actor, kr_id: KeyResultId) -> AppResult<Vec<CheckIn>> {
        let mut tx = self.store.read().await?;
        visible_key_result(&mut *tx, actor, kr_id).await?;
        Ok(tx.list_check_ins(KrScope::KeyResults(&[kr_id])).await?)
    }

    /// Records a check-in: the value (for kinds that take one), confidence and
    /// a note. Every check-in is kept; the latest by time is the current value.
    pub async fn check_in(&self, actor: &Actor, kr_id: KeyResultId, input: CheckInInput) -> AppResult<CheckIn> {
        require_writer(actor)?;
        let now = Utc::now();
        let at = input.at.unwrap_or(now);
        if at > now + chrono::Duration::minutes(5) {
            return Err(AppError::invalid("at", "a check-in cannot be in the future"));
        }
        if input.confidence.is_some_and(|c| c > 10) {
            return Err(AppError::invalid("confidence", "must be between 0 and 10"));
        }
        text::limit("note", &input.note, BODY_MAX)?;
        let mut tx = self.store.write().await?;
        let (objective, before) = visible_key_result(&mut *tx, actor, kr_id).await?;
        require(
            access::can_edit_key_result(actor, &objective, &before),
            "only the key result's owner or the objective's editors check in",
        )?;
        let author_id = actor.id().unwrap_or(before.owner_id);
        let value = match (before.kind.takes_values(), input.value) {
            (true, Some(v)) if v.is_finite() => Some(v),
            (true, Some(_)) => return Err(AppError::invalid("value", "must be a finite number")),
            (true, None) => return Err(AppError::invalid("value", "this key result needs a value")),
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "value",
                    "this key result's progress is computed; check in without a value",
                ));
            }
            (false, None) => None,
        };
        let progress = match value {
            Some(v) => crate::compute::value_progress(&before, v)?,
            None => {
                // Derived kinds: the check-in freezes the progress computed now.
                let tree =
                    crate::compute::compute_cycle(&mut *tx, actor, objective.cycle_id, &self.settings, now).await?;
                tree.key_result(kr_id).map(|k| k.progress).unwrap_or(0.0)
            }
        };
        let mut check_in = CheckIn {
            id: CheckInId(0),
            key_result_id: kr_id,
            author_id,
            at,
            value,
            progress,
            confidence: input.confidence,
            note: input.note,
        };
        check_in.id = tx.insert_check_in(&check_in).await?;
        if value.is_some() {
            let latest = tx
                .list_check_ins(KrScope::KeyResults(&[kr_id]))
                .await?
                .into_iter()
                .filter(|c| c.value.is_some())
                .max_by_key(|c| (c.at, c.id));
            let kr = KeyResult { current_value: latest.and_then(|c| c.value), ..before.clone() };
            save!(tx, update_key_result, get_key_result, kr);
        }
        record(&mut *tx, actor, "check_in", check_in.id.0, "create", None, Some(&check_in)).await?;
        tx.commit().await?;
        Ok(check_in)
    }
}

async fn insert_item(tx: &mut dyn Tx, kr: KeyResultId, input: KrItemInput, position: i64) -> AppResult<KrItem> {
    let mut item = KrItem {
        id: KrItemId(0),
        key_result_id: kr,
        title: text::required("title", &input.title, TITLE_MAX)?,
        weight: check_weight(input.weight.unwrap_or(1.0))?,
        done: input.done,
        position,
    };
    item.id = tx.insert_kr_item(&item).await?;
    Ok(item)
}

/// Saves a versioned item; when another writer got there first (a race the
/// version check before the UPDATE cannot see), answers 409 with the row as
/// it is now.
macro_rules! save {
    ($tx:expr, $update:ident, $get:ident, $item:expr) => {
        match $tx.$update(&$item).await {
            Ok(version) => version,
            Err($crate::StoreError::Stale) => {
                let current = $tx.$get($item.id).await?;
                return Err($crate::okr::conflict(&current));
            }
            Err(e) => return Err(e.into()),
        }
    };
}
pub(crate) use save;
