//! Month calendars: a project's (`GET /projects/{id}/calendar?month=YYYY-MM`)
//! with the due tasks of the project and its sub-projects and their dated
//! milestones, and a person's own (`GET /calendar`) with the tasks assigned
//! to them in every project they may see.
//!
//! Rules the pages follow:
//! - Weeks start on Monday; the grid runs from the Monday on or before the
//!   1st to the Sunday on or after the last day (`keel_domain::calendar`).
//! - A task sits on its due date, a milestone on its date; undated ones, and
//!   cancelled or archived tasks, are left out. Items of a day: milestones
//!   first, then tasks by key.
//! - "Today" and "overdue" are decided in the viewer's time zone: a task is
//!   overdue once its due day has ended there and it is not done; a
//!   milestone once its day has ended and it is not marked done.
//! - A day holding more than [`PER_DAY`] items shows the first ones and
//!   "+k more", linking to the project's list filtered to that day (on the
//!   personal calendar, to that day in the agenda).
//! - Under the grid, an agenda lists every item of the month by date (what a
//!   phone shows in place of the grid's items).
//! - Only what the viewer may see: the store filters private projects and
//!   tasks out before anything is counted.

use super::auth::PageActor;
use super::project_tabs::{ProjectTab, ProjectTabs};
use super::projects::subtree;
use super::view::{self, Chrome};
use super::{OrPage, PageResult, render};
use crate::AppState;
use crate::i18n::Msg;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate, Utc};
use keel_app::store::{Page, TaskFilter};
use keel_domain::ProjectId;
use keel_domain::calendar::{self, Entry, Month};
use keel_domain::org::Lang;
use keel_domain::work::{StatusCategory, Task};
use serde::Deserialize;

/// Items a day of the grid shows before "+k more".
pub const PER_DAY: usize = 3;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarQuery {
    month: String,
}

/// What goes on the calendar.
#[derive(Clone)]
pub struct Item {
    /// "task" or "milestone".
    kind: &'static str,
    id: i64,
    key: String,
    title: String,
    done: bool,
    overdue: bool,
    /// The project key of a milestone.
    context: String,
}

pub struct DayCell {
    date: String,
    number: u32,
    in_month: bool,
    today: bool,
    items: Vec<Item>,
    more: usize,
    more_href: String,
    /// Items in all (for the count phones show).
    count: usize,
    label: String,
}

pub struct AgendaDay {
    date: String,
    heading: String,
    today: bool,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    /// The project's tab bar; none on the personal calendar.
    project_tabs: Option<ProjectTabs>,
    heading: String,
    crumb: Option<(i64, String)>,
    intro: Option<&'static str>,
    month_title: String,
    month: String,
    prev_href: String,
    next_href: String,
    today_href: String,
    weekdays: Vec<(&'static str, &'static str)>,
    weeks: Vec<Vec<DayCell>>,
    agenda: Vec<AgendaDay>,
}

fn month_title(lang: Lang, m: Month) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月", m.year, m.month),
        Lang::En => m.first().format("%B %Y").to_string(),
    }
}

fn weekday(lang: Lang, d: NaiveDate) -> &'static str {
    let msg = [Msg::CalMon, Msg::CalTue, Msg::CalWed, Msg::CalThu, Msg::CalFri, Msg::CalSat, Msg::CalSun]
        [d.weekday().num_days_from_monday() as usize];
    crate::i18n::t(lang, msg)
}

fn task_item(t: &Task, today: NaiveDate) -> Option<Entry<Item>> {
    let due = t.due_date.filter(|_| !t.cancelled && !t.archived)?;
    let done = t.category == StatusCategory::Done;
    Some(Entry {
        date: due,
        done,
        item: Item {
            kind: "task",
            id: t.id.0,
            key: t.key.clone(),
            title: t.title.clone(),
            done,
            overdue: calendar::is_overdue(due, done, today),
            context: String::new(),
        },
    })
}

/// The whole page from its items: the grid, the agenda and the links.
fn calendar_page(
    page: &PageActor,
    base: &str,
    month: Month,
    today: NaiveDate,
    mut entries: Vec<Entry<Item>>,
    more_href: &dyn Fn(NaiveDate) -> String,
) -> (String, Vec<Vec<DayCell>>, Vec<AgendaDay>, [String; 3]) {
    let lang = page.lang;
    entries.sort_by(|a, b| {
        (a.date, a.item.kind != "milestone", &a.item.key, a.item.id).cmp(&(
            b.date,
            b.item.kind != "milestone",
            &b.item.key,
            b.item.id,
        ))
    });
    let mut agenda: Vec<AgendaDay> = Vec::new();
    for e in entries.iter().filter(|e| month.contains(e.date)) {
        let date = view::date(e.date);
        if agenda.last().is_none_or(|d| d.date != date) {
            agenda.push(AgendaDay {
                heading: format!("{date} {}", weekday(lang, e.date)),
                date,
                today: e.date == today,
                items: Vec::new(),
            });
        }
        if let Some(d) = agenda.last_mut() {
            d.items.push(e.item.clone());
        }
    }
    let grid = calendar::month_grid(month, today, entries, PER_DAY);
    let weeks = grid
        .into_iter()
        .map(|week| {
            week.into_iter()
                .map(|d| {
                    let count = d.shown.len() + d.more;
                    let date = view::date(d.date);
                    DayCell {
                        label: format!("{date} {}", weekday(lang, d.date)),
                        number: d.date.day(),
                        in_month: d.in_month,
                        today: d.today,
                        items: d.shown.into_iter().map(|p| Item { overdue: p.overdue, ..p.item }).collect(),
                        more: d.more,
                        more_href: if d.more > 0 { more_href(d.date) } else { String::new() },
                        count,
                        date,
                    }
                })
                .collect()
        })
        .collect();
    let at = |m: Month| format!("{base}?month={m}");
    (month_title(lang, month), weeks, agenda, [at(month.prev()), at(month.next()), base.to_string()])
}

fn weekdays(lang: Lang) -> Vec<(&'static str, &'static str)> {
    // (short, full) pairs: the short name shows, the full one is for screen readers.
    let monday = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a Monday");
    (0..7)
        .map(|i| {
            let d = monday + chrono::Duration::days(i);
            let full = match lang {
                Lang::Zh => weekday(lang, d),
                Lang::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i as usize],
            };
            (weekday(lang, d), full)
        })
        .collect()
}

pub async fn project_calendar(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(q): Query<CalendarQuery>,
) -> PageResult {
    let (lang, app, actor) = (page.lang, &state.app, &page.actor);
    let project = app.get_project(actor, ProjectId(id)).await.or_page(lang)?;
    let all = app.list_projects(actor, Page::ALL).await.or_page(lang)?;
    let ids = subtree(&all, project.id);
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let month = Month::parse(&q.month).unwrap_or(Month::of(today));
    let filter = TaskFilter { project_ids: Some(ids.clone()), without_descriptions: true, ..Default::default() };
    let (tasks, _) = app.list_tasks(actor, filter, Page::ALL).await.or_page(lang)?;
    let mut entries: Vec<Entry<Item>> = tasks.iter().filter_map(|t| task_item(t, today)).collect();
    for pid in &ids {
        let key = all.iter().find(|p| p.id == *pid).map(|p| p.key.clone()).unwrap_or_else(|| project.key.clone());
        for m in app.list_milestones(actor, *pid).await.or_page(lang)? {
            let Some(date) = m.due_date else { continue };
            entries.push(Entry {
                date,
                done: m.done,
                item: Item {
                    kind: "milestone",
                    id: m.id.0,
                    key: String::new(),
                    title: m.title,
                    done: m.done,
                    overdue: calendar::is_overdue(date, m.done, today),
                    context: key.clone(),
                },
            });
        }
    }
    let pid = project.id.0;
    let base = format!("/projects/{pid}/calendar");
    let more = |d: NaiveDate| format!("/projects/{pid}/list?include=sub&due={}", view::date(d));
    let (month_title, weeks, agenda, [prev_href, next_href, today_href]) =
        calendar_page(&page, &base, month, today, entries, &more);
    let mut c = page.chrome(format!("{} · {}", project.key, page.t(Msg::CalTitle)));
    c.here = format!("{base}?month={month}");
    let out = CalendarPage {
        c,
        project_tabs: Some(ProjectTabs::new(lang, pid, ProjectTab::Calendar)),
        heading: format!("{} · {}", project.name, page.t(Msg::CalTitle)),
        crumb: Some((pid, format!("{} · {}", project.key, project.name))),
        intro: None,
        month_title,
        month: month.to_string(),
        prev_href,
        next_href,
        today_href,
        weekdays: weekdays(lang),
        weeks,
        agenda,
    };
    Ok(render(StatusCode::OK, &out))
}

pub async fn my_calendar(State(state): State<AppState>, page: PageActor, Query(q): Query<CalendarQuery>) -> PageResult {
    let (lang, app, actor) = (page.lang, &state.app, &page.actor);
    let today = keel_app::clock::today_in(page.zone(), Utc::now());
    let month = Month::parse(&q.month).unwrap_or(Month::of(today));
    let entries = match actor.id() {
        Some(me) => {
            let filter = TaskFilter { assignee_id: Some(me), without_descriptions: true, ..Default::default() };
            let (tasks, _) = app.list_tasks(actor, filter, Page::ALL).await.or_page(lang)?;
            tasks.iter().filter_map(|t| task_item(t, today)).collect()
        }
        None => Vec::new(),
    };
    let base = "/calendar";
    let more = |d: NaiveDate| format!("{base}?month={}#agenda-{}", Month::of(d), view::date(d));
    let (month_title, weeks, agenda, [prev_href, next_href, today_href]) =
        calendar_page(&page, base, month, today, entries, &more);
    let mut c = page.chrome(page.t(Msg::CalMine));
    c.here = format!("{base}?month={month}");
    let out = CalendarPage {
        c,
        project_tabs: None,
        heading: page.t(Msg::CalMine).to_string(),
        crumb: None,
        intro: Some(page.t(Msg::CalMineHint)),
        month_title,
        month: month.to_string(),
        prev_href,
        next_href,
        today_href,
        weekdays: weekdays(lang),
        weeks,
        agenda,
    };
    Ok(render(StatusCode::OK, &out))
}
