//! People and units: the organisation tree with a searchable list of people,
//! one unit (lead, sub-units, members, its objectives), one person (units,
//! role, their key results and open tasks), and the admins' forms that
//! create, rename and move units, set leads and members, and change roles.

use super::auth::PageActor;
use super::forms::Choice;
use super::lookup::Names;
use super::view::{self, Bar, Chrome};
use super::{OrPage, PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use keel_app::AppError;
use keel_app::compute::OkrTree;
use keel_app::org::{UnitInput, UnitPatch, UserPatch};
use keel_app::store::{Page, TaskFilter};
use keel_domain::org::{Lang, Role, Unit, User};
use keel_domain::work::StatusCategory;
use keel_domain::{UnitId, UserId};
use serde::Deserialize;
use std::collections::HashMap;

/// People shown per page of the list.
const PEOPLE_PAGE: i64 = 50;

/// Why a form was refused, shown above the forms (409 or 422).
pub struct Notice {
    status: StatusCode,
    text: String,
}

impl Notice {
    /// The refusal told above the form; other errors become the error page.
    fn from_app(
        lang: Lang,
        e: AppError,
        units: &[Unit],
        unit: Option<UnitId>,
        parent: Option<UnitId>,
    ) -> Result<Notice, PageError> {
        let name = |id: Option<UnitId>| {
            id.and_then(|id| units.iter().find(|u| u.id == id)).map(|u| u.name.clone()).unwrap_or_default()
        };
        Ok(match e {
            AppError::Conflict { .. } => {
                Notice { status: StatusCode::CONFLICT, text: crate::i18n::t(lang, Msg::ErrConflict).into() }
            }
            AppError::Invalid { field, message } => {
                let text = match field.as_str() {
                    "parent_id" if unit == parent => crate::i18n::t(lang, Msg::UnitSelf).into(),
                    "parent_id" => tf(lang, Msg::UnitCycle, &[&name(unit), &name(parent)]),
                    "role" => crate::i18n::t(lang, Msg::LastAdmin).into(),
                    _ => format!("{}{}", crate::i18n::t(lang, Msg::ErrInvalid), detail(lang, &field, &message)),
                };
                Notice { status: StatusCode::UNPROCESSABLE_ENTITY, text }
            }
            AppError::Forbidden(_) => {
                Notice { status: StatusCode::FORBIDDEN, text: crate::i18n::t(lang, Msg::ErrForbidden).into() }
            }
            // Nothing the form can say: the error page (which also logs internal errors).
            other => return Err(PageError::app(lang, other)),
        })
    }
}

/// The application's words (English) after the page's own, for the fields it names.
fn detail(lang: Lang, field: &str, message: &str) -> String {
    if lang == Lang::En { format!(" ({field}: {message})") } else { format!("（{field}）") }
}

pub fn role_msg(role: Role) -> Msg {
    match role {
        Role::Admin => Msg::RoleAdmin,
        Role::Member => Msg::RoleMember,
        Role::Viewer => Msg::RoleViewer,
    }
}

/// One unit in the tree, indented by depth.
pub struct UnitRow {
    id: i64,
    name: String,
    depth: usize,
    region: Option<String>,
    lead: Option<String>,
    members: String,
}

pub struct PersonRow {
    id: i64,
    name: String,
    role: &'static str,
    units: Vec<(i64, String)>,
    time_zone: String,
}

/// Units depth-first from the roots, each with its depth (a unit whose
/// parent is missing counts as a root).
fn tree(units: &[Unit]) -> Vec<(&Unit, usize)> {
    let mut children: HashMap<Option<UnitId>, Vec<&Unit>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| units.iter().any(|x| x.id == *p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(&Unit, usize)> = children.get(&None).into_iter().flatten().rev().map(|u| (*u, 0)).collect();
    while let Some((u, depth)) = stack.pop() {
        out.push((u, depth));
        if let Some(kids) = children.get(&Some(u.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

fn unit_choices(units: &[Unit]) -> Vec<Choice> {
    tree(units)
        .into_iter()
        .map(|(u, depth)| Choice::new(u.id.0, format!("{}{}", "\u{3000}".repeat(depth.min(6)), u.name)))
        .collect()
}

fn person_choices(users: &[User]) -> Vec<Choice> {
    let mut out: Vec<Choice> = users.iter().map(|u| Choice::new(u.id.0, u.display_name.clone())).collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

fn member_counts(users: &[User]) -> HashMap<UnitId, usize> {
    let mut counts = HashMap::new();
    for u in users {
        for unit in &u.units {
            *counts.entry(*unit).or_insert(0) += 1;
        }
    }
    counts
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    c: Chrome,
    units: Vec<UnitRow>,
    q: String,
    found: String,
    people: Vec<PersonRow>,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
    admin: bool,
    unit_choices: Vec<Choice>,
    person_choices: Vec<Choice>,
    notice: Option<Notice>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeopleQuery {
    q: String,
    page: Option<i64>,
}

/// `/people?q=wang&page=2`, keeping the search.
fn people_href(q: &str, page: i64) -> String {
    let mut href = format!("/people?page={page}");
    if !q.is_empty() {
        href.push_str("&q=");
        href.push_str(&super::auth::encode(q));
    }
    href
}

pub async fn people(State(state): State<AppState>, page: PageActor, Query(q): Query<PeopleQuery>) -> PageResult {
    people_page(&state, &page, q, None).await
}

async fn people_page(state: &AppState, page: &PageActor, q: PeopleQuery, notice: Option<Notice>) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let units = app.list_units(&page.actor).await.or_page(lang)?;
    let users = app.list_users(&page.actor, Page::ALL).await.or_page(lang)?;
    let names: HashMap<UserId, String> = users.iter().map(|u| (u.id, u.display_name.clone())).collect();
    let counts = member_counts(&users);
    let unit_names: HashMap<UnitId, String> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let text: String = q.q.trim().chars().take(200).collect();
    let page_no = q.page.unwrap_or(1).max(1);
    let window = Page { limit: PEOPLE_PAGE, offset: (page_no - 1).saturating_mul(PEOPLE_PAGE) };
    let (found, total) = app.search_people(&page.actor, &text, window).await.or_page(lang)?;
    let pages = ((total + PEOPLE_PAGE - 1) / PEOPLE_PAGE).max(1);
    let status = notice.as_ref().map(|n| n.status).unwrap_or(StatusCode::OK);
    let out = PeoplePage {
        c: page.chrome(page.t(Msg::PeopleTitle)),
        units: tree(&units)
            .into_iter()
            .map(|(u, depth)| UnitRow {
                id: u.id.0,
                name: u.name.clone(),
                depth: depth.min(6),
                region: u.region.clone(),
                lead: u.lead_id.and_then(|l| names.get(&l).cloned()),
                members: tf(lang, Msg::UnitMembers, &[&counts.get(&u.id).copied().unwrap_or(0)]),
            })
            .collect(),
        found: tf(lang, Msg::PeopleFound, &[&total]),
        people: found
            .iter()
            .map(|u| PersonRow {
                id: u.id.0,
                name: u.display_name.clone(),
                role: page.t(role_msg(u.role)),
                units: u.units.iter().filter_map(|id| unit_names.get(id).map(|n| (id.0, n.clone()))).collect(),
                time_zone: u.time_zone.clone(),
            })
            .collect(),
        page_label: tf(lang, Msg::PageOf, &[&page_no, &pages]),
        prev: (page_no > 1).then(|| people_href(&text, page_no - 1)),
        next: (page_no < pages).then(|| people_href(&text, page_no + 1)),
        q: text,
        admin: page.actor.is_admin(),
        unit_choices: unit_choices(&units),
        person_choices: person_choices(&users),
        notice,
    };
    Ok(render(status, &out))
}

pub struct ObjectiveLine {
    id: i64,
    cycle_id: i64,
    title: String,
    pct: String,
    bar: Bar,
    status: &'static str,
    status_class: &'static str,
}

pub struct MemberRow {
    id: i64,
    name: String,
    role: &'static str,
    remove_label: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    c: Chrome,
    id: i64,
    name: String,
    version: i64,
    parent: Option<(i64, String)>,
    region: Option<String>,
    lead: Option<(i64, String)>,
    subunits: Vec<UnitRow>,
    members: Vec<MemberRow>,
    objectives_title: String,
    objectives: Vec<ObjectiveLine>,
    admin: bool,
    /// Where the unit may move: every unit except itself.
    parent_choices: Vec<Choice>,
    parent_id: i64,
    lead_id: i64,
    person_choices: Vec<Choice>,
    /// People not yet members, for "add a member".
    outsiders: Vec<Choice>,
    notice: Option<Notice>,
}

/// The current cycle's tree as the viewer sees it (private objectives are
/// already gone), or none before any cycle exists.
async fn current_tree(state: &AppState, page: &PageActor) -> Result<Option<OkrTree>, PageError> {
    let app = &state.app;
    let cycle = match app.current_cycle(&page.actor).await.or_page(page.lang)? {
        Some(c) => Some(c),
        None => app.list_cycles(&page.actor).await.or_page(page.lang)?.into_iter().next(),
    };
    match cycle {
        Some(c) => Ok(Some(app.okr_tree(&page.actor, c.id).await.or_page(page.lang)?)),
        None => Ok(None),
    }
}

pub async fn unit(State(state): State<AppState>, page: PageActor, Path(id): Path<i64>) -> PageResult {
    unit_page(&state, &page, UnitId(id), None).await
}

async fn unit_page(state: &AppState, page: &PageActor, id: UnitId, notice: Option<Notice>) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let units = app.list_units(&page.actor).await.or_page(lang)?;
    let unit = units.iter().find(|u| u.id == id).cloned().ok_or(PageError::app(lang, AppError::NotFound("unit")))?;
    let users = app.list_users(&page.actor, Page::ALL).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let counts = member_counts(&users);
    let tree = current_tree(state, page).await?;
    let objectives: Vec<ObjectiveLine> = tree
        .iter()
        .flat_map(|t| t.objectives.iter())
        .filter(|o| o.objective.unit_id == Some(id))
        .map(|o| ObjectiveLine {
            id: o.objective.id.0,
            cycle_id: o.objective.cycle_id.0,
            title: o.objective.title.clone(),
            pct: view::pct(o.progress),
            bar: Bar::new(o.progress, o.status.as_str()),
            status: page.t(view::kr_status(o.status)),
            status_class: o.status.as_str(),
        })
        .collect();
    let mut members: Vec<&User> = users.iter().filter(|u| u.units.contains(&id)).collect();
    members.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    let outsiders: Vec<User> = users.iter().filter(|u| !u.units.contains(&id)).cloned().collect();
    let status = notice.as_ref().map(|n| n.status).unwrap_or(StatusCode::OK);
    let mut c = page.chrome(unit.name.clone());
    c.here = format!("/units/{}", id.0);
    let out = UnitPage {
        c,
        id: id.0,
        name: unit.name.clone(),
        version: unit.version,
        parent: unit.parent_id.and_then(|p| units.iter().find(|u| u.id == p)).map(|p| (p.id.0, p.name.clone())),
        region: unit.region.clone(),
        lead: unit.lead_id.map(|l| (l.0, names.of(Some(l)))),
        subunits: {
            let mut subs: Vec<&Unit> = units.iter().filter(|u| u.parent_id == Some(id)).collect();
            subs.sort_by(|a, b| a.name.cmp(&b.name));
            subs.into_iter()
                .map(|u| UnitRow {
                    id: u.id.0,
                    name: u.name.clone(),
                    depth: 0,
                    region: u.region.clone(),
                    lead: u.lead_id.map(|l| names.of(Some(l))),
                    members: tf(lang, Msg::UnitMembers, &[&counts.get(&u.id).copied().unwrap_or(0)]),
                })
                .collect()
        },
        members: members
            .iter()
            .map(|u| MemberRow {
                id: u.id.0,
                name: u.display_name.clone(),
                role: page.t(role_msg(u.role)),
                remove_label: tf(lang, Msg::RemoveMemberOf, &[&u.display_name]),
            })
            .collect(),
        objectives_title: tf(
            lang,
            Msg::UnitObjectives,
            &[&tree.as_ref().map(|t| t.cycle.name.clone()).unwrap_or_default()],
        ),
        objectives,
        admin: page.actor.is_admin(),
        parent_choices: unit_choices(&units).into_iter().filter(|c| c.value != id.0.to_string()).collect(),
        parent_id: unit.parent_id.map(|p| p.0).unwrap_or(0),
        lead_id: unit.lead_id.map(|p| p.0).unwrap_or(0),
        person_choices: person_choices(&users),
        outsiders: person_choices(&outsiders),
        notice,
    };
    Ok(render(status, &out))
}

pub struct KrLine {
    id: i64,
    title: String,
    objective: String,
    pct: String,
    bar: Bar,
    status: &'static str,
    status_class: &'static str,
}

pub struct TaskLine {
    id: i64,
    key: String,
    title: String,
    status: String,
    status_class: &'static str,
    due: String,
    overdue: Option<String>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    c: Chrome,
    id: i64,
    name: String,
    role: &'static str,
    role_value: &'static str,
    version: i64,
    time_zone: String,
    units: Vec<(i64, String)>,
    krs_title: String,
    krs: Vec<KrLine>,
    tasks: Vec<TaskLine>,
    admin: bool,
    roles: Vec<Choice>,
    notice: Option<Notice>,
}

pub async fn person(State(state): State<AppState>, page: PageActor, Path(id): Path<i64>) -> PageResult {
    person_page(&state, &page, UserId(id), None).await
}

async fn person_page(state: &AppState, page: &PageActor, id: UserId, notice: Option<Notice>) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let user = app.get_user(&page.actor, id).await.or_page(lang)?;
    let units = app.list_units(&page.actor).await.or_page(lang)?;
    let tree = current_tree(state, page).await?;
    let krs: Vec<KrLine> = tree
        .iter()
        .flat_map(|t| t.objectives.iter())
        .flat_map(|o| o.key_results.iter().map(move |k| (o, k)))
        .filter(|(_, k)| k.key_result.owner_id == id)
        .map(|(o, k)| KrLine {
            id: k.key_result.id.0,
            title: k.key_result.title.clone(),
            objective: o.objective.title.clone(),
            pct: view::pct(k.progress),
            bar: Bar::new(k.progress, k.status.as_str()),
            status: page.t(view::kr_status(k.status)),
            status_class: k.status.as_str(),
        })
        .collect();
    // Their open tasks the viewer may see; "overdue" once the due day has ended where the VIEWER is.
    let filter = TaskFilter { assignee_id: Some(id), ..Default::default() };
    let (mut tasks, _) = app.list_tasks(&page.actor, filter, Page::ALL).await.or_page(lang)?;
    tasks.retain(|t| t.category != StatusCategory::Done && !t.cancelled);
    tasks.sort_by(|a, b| (a.due_date.is_none(), a.due_date, &a.key).cmp(&(b.due_date.is_none(), b.due_date, &b.key)));
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let status = notice.as_ref().map(|n| n.status).unwrap_or(StatusCode::OK);
    let mut c = page.chrome(user.display_name.clone());
    c.here = format!("/people/{}", id.0);
    let out = PersonPage {
        c,
        id: id.0,
        name: user.display_name.clone(),
        role: page.t(role_msg(user.role)),
        role_value: user.role.as_str(),
        version: user.version,
        time_zone: user.time_zone.clone(),
        units: user
            .units
            .iter()
            .filter_map(|u| units.iter().find(|x| x.id == *u).map(|x| (x.id.0, x.name.clone())))
            .collect(),
        krs_title: tf(lang, Msg::PersonKrs, &[&krs.len()]),
        krs,
        tasks: tasks
            .iter()
            .map(|t| TaskLine {
                id: t.id.0,
                key: t.key.clone(),
                title: t.title.clone(),
                status: view::workflow_status(lang, &t.status),
                status_class: view::category_class(t.category),
                due: t.due_date.map(view::date).unwrap_or_else(|| page.t(Msg::NoDueDate).into()),
                overdue: t
                    .due_date
                    .filter(|due| today > *due)
                    .map(|due| tf(lang, Msg::OverdueDays, &[&(today - due).num_days()])),
            })
            .collect(),
        admin: page.actor.is_admin(),
        roles: [Role::Admin, Role::Member, Role::Viewer]
            .into_iter()
            .map(|r| Choice::new(r.as_str(), page.t(role_msg(r))))
            .collect(),
        notice,
    };
    Ok(render(status, &out))
}

/// An id from a select: empty or 0 means none.
fn opt_id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|v| *v > 0)
}

fn opt_text(raw: &str) -> Option<String> {
    Some(raw.trim().to_string()).filter(|s| !s.is_empty())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UnitForm {
    csrf: String,
    name: String,
    parent: String,
    region: String,
    lead: String,
    version: String,
}

pub async fn create_unit(State(state): State<AppState>, page: PageActor, Form(f): Form<UnitForm>) -> PageResult {
    page.check_csrf(&f.csrf)?;
    let input = UnitInput {
        name: f.name.clone(),
        parent_id: opt_id(&f.parent).map(UnitId),
        region: opt_text(&f.region),
        lead_id: opt_id(&f.lead).map(UserId),
    };
    match state.app.create_unit(&page.actor, input).await {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}", u.id.0)).into_response()),
        Err(e) => {
            let units = state.app.list_units(&page.actor).await.or_page(page.lang)?;
            let notice = Notice::from_app(page.lang, e, &units, None, None)?;
            people_page(&state, &page, PeopleQuery::default(), Some(notice)).await
        }
    }
}

pub async fn edit_unit(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> PageResult {
    page.check_csrf(&f.csrf)?;
    let (id, parent) = (UnitId(id), opt_id(&f.parent).map(UnitId));
    let patch = UnitPatch {
        name: Some(f.name.clone()),
        parent_id: Some(parent),
        region: Some(opt_text(&f.region)),
        lead_id: Some(opt_id(&f.lead).map(UserId)),
        version: f.version.trim().parse().unwrap_or(-1),
    };
    match state.app.update_unit(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{}", id.0)).into_response()),
        Err(e) => {
            let units = state.app.list_units(&page.actor).await.or_page(page.lang)?;
            let notice = Notice::from_app(page.lang, e, &units, Some(id), parent)?;
            unit_page(&state, &page, id, Some(notice)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    csrf: String,
    person: String,
    /// "add" or "remove".
    action: String,
    version: String,
}

pub async fn members(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> PageResult {
    page.check_csrf(&f.csrf)?;
    let id = UnitId(id);
    let Some(person) = opt_id(&f.person) else {
        let notice = Notice {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            text: super::forms::choose(page.lang, "person", Msg::Members).text,
        };
        return unit_page(&state, &page, id, Some(notice)).await;
    };
    let member = f.action != "remove";
    let version = f.version.trim().parse().unwrap_or(-1);
    match state.app.set_unit_member(&page.actor, id, UserId(person), member, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/units/{}#members", id.0)).into_response()),
        Err(e) => {
            let units = state.app.list_units(&page.actor).await.or_page(page.lang)?;
            let notice = Notice::from_app(page.lang, e, &units, Some(id), None)?;
            unit_page(&state, &page, id, Some(notice)).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    csrf: String,
    role: String,
    version: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> PageResult {
    page.check_csrf(&f.csrf)?;
    let id = UserId(id);
    let Some(role) = Role::parse(f.role.trim()) else {
        let notice = Notice {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            text: super::forms::choose(page.lang, "role", Msg::PersonRole).text,
        };
        return person_page(&state, &page, id, Some(notice)).await;
    };
    let patch = UserPatch { role: Some(role), version: f.version.trim().parse().unwrap_or(-1), ..Default::default() };
    match state.app.update_user(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{}", id.0)).into_response()),
        Err(e) => {
            let notice = Notice::from_app(page.lang, e, &[], None, None)?;
            person_page(&state, &page, id, Some(notice)).await
        }
    }
}
