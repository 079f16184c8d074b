//! Who may see and change what (PRODUCT.md §1). Admins: everything.
//! Members: what they own or are assigned, and what their unit owns.
//! Viewers: read. A private item is seen only by its owner, its unit's
//! members and admins — the same rule the storage queries apply to lists.

use crate::auth::Actor;
use crate::{AppError, AppResult};
use keel_domain::okr::{KeyResult, Objective};
use keel_domain::work::{Project, Task};

pub fn can_see_objective(actor: &Actor, o: &Objective) -> bool {
    actor.is_admin() || !o.private || actor.is(Some(o.owner_id)) || actor.in_unit(o.unit_id)
}

pub fn can_see_project(actor: &Actor, p: &Project) -> bool {
    actor.is_admin() || !p.private || actor.is(p.owner_id) || actor.in_unit(p.unit_id)
}

pub fn can_edit_objective(actor: &Actor, o: &Objective) -> bool {
    actor.may_write() && (actor.is_admin() || actor.is(Some(o.owner_id)) || actor.in_unit(o.unit_id))
}

pub fn can_edit_key_result(actor: &Actor, o: &Objective, kr: &KeyResult) -> bool {
    can_edit_objective(actor, o) || (actor.may_write() && actor.is(Some(kr.owner_id)))
}

pub fn can_edit_project(actor: &Actor, p: &Project) -> bool {
    actor.may_write() && (actor.is_admin() || actor.is(p.owner_id) || actor.in_unit(p.unit_id))
}

pub fn can_edit_task(actor: &Actor, p: &Project, t: &Task) -> bool {
    can_edit_project(actor, p) || (actor.may_write() && (actor.is(t.assignee_id) || actor.is(t.reporter_id)))
}

/// Turns a failed check into 403, or into 404 when the item must not even
/// be known to exist.
pub fn require(allowed: bool, what: &str) -> AppResult<()> {
    if allowed { Ok(()) } else { Err(AppError::forbidden(what.to_string())) }
}

pub fn require_admin(actor: &Actor) -> AppResult<()> {
    require(actor.is_admin(), "only an admin may do this")
}

pub fn require_writer(actor: &Actor) -> AppResult<()> {
    require(actor.may_write(), "viewers can read but not change anything")
}
