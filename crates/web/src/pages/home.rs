//! The home page (GET /): what a person should look at today — their key
//! results and how they stand, those waiting for their check-in, their tasks
//! overdue and due this week (in their time zone), and the key results of
//! their units that are at risk. The numbers come from `App::home`.

use super::auth::PageActor;
use super::lookup::Names;
use super::view::{self, Bar, Chrome};
use super::{OrPage, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use keel_app::compute::KeyResultView;
use keel_app::home::CHECK_IN_EVERY_DAYS;
use keel_app::store::Page;
use keel_domain::ObjectiveId;
use keel_domain::work::Task;
use std::collections::HashMap;

pub struct KrCard {
    id: i64,
    title: String,
    kind: &'static str,
    objective: String,
    /// Shown for others' key results only.
    owner: Option<String>,
    status_class: &'static str,
    status: &'static str,
    pct: String,
    bar: Bar,
    confidence: Option<String>,
    last_check_in: String,
}

pub struct TaskRow {
    id: i64,
    key: String,
    title: String,
    status: String,
    status_class: &'static str,
    blocked: bool,
    due: String,
    /// "逾期 3 天" or "今天到期".
    when: Option<String>,
    late: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    hello: String,
    today: String,
    has_cycle: bool,
    waiting_hint: String,
    mine: Vec<KrCard>,
    waiting: Vec<KrCard>,
    overdue: Vec<TaskRow>,
    this_week: Vec<TaskRow>,
    at_risk: Vec<KrCard>,
}

fn kr_card(
    page: &PageActor,
    names: Option<&Names>,
    objectives: &HashMap<ObjectiveId, String>,
    kr: &KeyResultView,
) -> KrCard {
    let k = &kr.key_result;
    let status_class = kr.status.as_str();
    KrCard {
        id: k.id.0,
        title: k.title.clone(),
        kind: page.t(view::kind(k.kind)),
        objective: objectives.get(&k.objective_id).cloned().unwrap_or_default(),
        owner: names.map(|n| n.of(Some(k.owner_id))),
        status_class,
        status: page.t(view::kr_status(kr.status)),
        pct: view::pct(kr.progress),
        bar: Bar::new(kr.progress, status_class),
        confidence: kr.confidence.map(|c| tf(page.lang, Msg::Confidence, &[&c])),
        last_check_in: match &kr.last_check_in {
            Some(c) => tf(page.lang, Msg::HomeLastCheckIn, &[&view::datetime(c.at, page.zone())]),
            None => page.t(Msg::HomeNeverCheckedIn).to_string(),
        },
    }
}

fn task_row(page: &PageActor, today: chrono::NaiveDate, t: &Task) -> TaskRow {
    let late = t.due_date.is_some_and(|d| d < today);
    let when = match t.due_date {
        Some(d) if d < today => Some(tf(page.lang, Msg::OverdueDays, &[&(today - d).num_days()])),
        Some(d) if d == today => Some(page.t(Msg::HomeDueToday).to_string()),
        _ => None,
    };
    TaskRow {
        id: t.id.0,
        key: t.key.clone(),
        title: t.title.clone(),
        status: view::workflow_status(page.lang, &t.status),
        status_class: view::category_class(t.category),
        blocked: t.blocked,
        due: view::opt_date(t.due_date),
        when,
        late,
    }
}

pub async fn home(State(state): State<AppState>, page: PageActor) -> PageResult {
    let (lang, app) = (page.lang, &state.app);
    let home = app.home(&page.actor).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    // Objective titles for the key results shown: one query for the cycle.
    let objectives: HashMap<ObjectiveId, String> = match home.cycle_id {
        Some(cycle) => app
            .list_objectives(&page.actor, Some(cycle), Page::ALL)
            .await
            .or_page(lang)?
            .into_iter()
            .map(|o| (o.id, o.title))
            .collect(),
        None => HashMap::new(),
    };
    let cards = |krs: &[KeyResultView], names: Option<&Names>| {
        krs.iter().map(|k| kr_card(&page, names, &objectives, k)).collect()
    };
    let rows = |tasks: &[Task]| tasks.iter().map(|t| task_row(&page, home.today, t)).collect();
    let name = page.actor.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default();
    let out = HomePage {
        c: page.chrome(page.t(Msg::HomeTitle)),
        hello: tf(lang, Msg::HomeHello, &[&name]),
        today: tf(lang, Msg::HomeToday, &[&view::date(home.today), &view::date(home.week_end)]),
        has_cycle: home.cycle_id.is_some(),
        waiting_hint: tf(lang, Msg::HomeWaitingHint, &[&CHECK_IN_EVERY_DAYS]),
        mine: cards(&home.my_key_results, None),
        waiting: cards(&home.waiting_for_check_in, None),
        overdue: rows(&home.overdue_tasks),
        this_week: rows(&home.due_this_week),
        at_risk: cards(&home.at_risk_in_my_units, Some(&names)),
    };
    Ok(render(StatusCode::OK, &out))
}
