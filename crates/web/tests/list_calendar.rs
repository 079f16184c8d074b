//! The list view and the calendars, driven in-process through the real
//! router over fresh real databases. What each page should show is worked
//! out here by hand from the tasks created in the test (tree shape, counts,
//! sort orders, the days of a month, "today" in a zone from its UTC offset),
//! never copied from a rendered page.

mod views_common;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use keel_app::Actor;
use keel_app::work::TaskPatch;
use keel_domain::calendar::{Entry, Month, month_grid};
use keel_domain::org::{Lang, Role};
use keel_domain::work::{ProjectMilestone, Task};
use keel_domain::{MilestoneId, ProjectId, TaskId};
use keel_testkit::Backend;
use serde_json::json;
use views_common::{Person, Site, attrs, element, escaped};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ids(tasks: &[&Task]) -> Vec<String> {
    tasks.iter().map(|t| t.id.0.to_string()).collect()
}

/// The top-level rows of a list page, in order.
fn tops(body: &str) -> Vec<String> {
    if body.contains(r#"id="list-empty""#) {
        return Vec::new();
    }
    attrs(element(body, "task-tree"), "data-top").into_iter().map(String::from).collect()
}

async fn milestone(site: &Site, project: ProjectId, title: &str, date: NaiveDate, done: bool) {
    let mut tx = site.db.store.write().await.unwrap();
    tx.insert_milestone(&ProjectMilestone {
        id: MilestoneId(0),
        project_id: project,
        title: title.into(),
        due_date: Some(date),
        done,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn patch(site: &Site, id: TaskId, f: impl FnOnce(&mut TaskPatch)) {
    let t = site.app.get_task(&Actor::system(), id).await.unwrap();
    let mut p = TaskPatch { version: t.version, ..Default::default() };
    f(&mut p);
    site.app.update_task(&Actor::system(), id, p).await.unwrap();
}

#[tokio::test]
async fn the_list_folds_sub_tasks_under_their_top_level_task_with_counts() {
    let site = Site::new(Backend::Sqlite).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let p = site.project(json!({"key": "TREE", "name": "Tree"})).await;
    let a = site.task(p.id, json!({"title": "Alpha", "due_date": "2030-01-20", "priority": "low"})).await;
    let a1 = site.task(p.id, json!({"title": "Alpha one", "parent_id": a.id.0, "status": "Done"})).await;
    let a2 = site.task(p.id, json!({"title": "Alpha two", "parent_id": a.id.0})).await;
    let a2x = site.task(p.id, json!({"title": "Alpha two x", "parent_id": a2.id.0, "status": "Done"})).await;
    let b = site.task(p.id, json!({"title": "Bravo", "due_date": "2030-01-05", "priority": "highest"})).await;
    let c = site.task(p.id, json!({"title": "Charlie", "priority": "medium"})).await;
    let c1 = site.task(p.id, json!({"title": "Charlie one", "parent_id": c.id.0, "status": "Done"})).await;
    let dd = site
        .task(p.id, json!({"title": "Delta", "status": "Done", "due_date": "2030-01-10", "priority": "lowest"}))
        .await;
    let gone = site.task(p.id, json!({"title": "Echo archived"})).await;
    patch(&site, gone.id, |x| x.archived = Some(true)).await;
    let sub = site.project(json!({"key": "TREES", "name": "Sub tree", "parent_id": p.id.0})).await;
    let s1 = site.task(sub.id, json!({"title": "Sub one"})).await;

    let base = format!("/projects/{}/list", p.id.0);
    let body = site.page(&base, &ada).await;
    // By number: the four top-level tasks; sub-tasks only inside their fold.
    assert_eq!(tops(&body), ids(&[&a, &b, &c, &dd]));
    let fold_a = element(&body, &format!("subs-{}", a.id.0));
    assert_eq!(attrs(fold_a, "data-task-id"), ids(&[&a1, &a2, &a2x]), "depth first under Alpha");
    // Three below Alpha (a child of a child counts), two of them done.
    assert!(fold_a.contains("<summary>Sub-tasks: 3, done: 2</summary>"), "{fold_a}");
    assert!(element(fold_a, &format!("list-task-{}", a2x.id.0)).contains("depth-2"));
    let fold_c = element(&body, &format!("subs-{}", c.id.0));
    assert_eq!(attrs(fold_c, "data-task-id"), ids(&[&c1]));
    assert!(fold_c.contains("<summary>Sub-tasks: 1, done: 1</summary>"));
    assert!(!body.contains(&format!(r#"id="subs-{}""#, b.id.0)), "Bravo has nothing to fold");
    // Folded by default (no script needed to unfold): no open attribute.
    assert!(!fold_a.split('>').next().unwrap_or_default().contains(" open"));
    assert!(!body.contains("Echo archived") && !body.contains("Sub one"));
    // The tab bar marks the list.
    let tabs = element(&body, "project-tabs");
    assert!(element(tabs, "tab-list").contains(r#"aria-current="page""#));
    assert_eq!(tabs.matches("aria-current").count(), 1);
    for path in ["", "/list", "/board", "/gantt", "/table", "/calendar"] {
        assert!(tabs.contains(&format!(r#"href="/projects/{}{path}""#, p.id.0)), "{path}");
    }

    // Sorts: due date (undated last), priority (highest first), then number.
    assert_eq!(tops(&site.page(&format!("{base}?sort=due"), &ada).await), ids(&[&b, &dd, &a, &c]));
    assert_eq!(tops(&site.page(&format!("{base}?sort=priority"), &ada).await), ids(&[&b, &c, &a, &dd]));
    // Filters keep a top-level task when it or a task below it matches.
    assert_eq!(tops(&site.page(&format!("{base}?show=done"), &ada).await), ids(&[&a, &c, &dd]));
    assert_eq!(tops(&site.page(&format!("{base}?show=open"), &ada).await), ids(&[&a, &b, &c]));
    assert_eq!(tops(&site.page(&format!("{base}?due=2030-01-05"), &ada).await), ids(&[&b]));
    // Archived only when asked; sub-projects' tasks only when asked, after the project's own.
    assert_eq!(tops(&site.page(&format!("{base}?archived=1"), &ada).await), ids(&[&a, &b, &c, &dd, &gone]));
    assert_eq!(tops(&site.page(&format!("{base}?include=sub"), &ada).await), ids(&[&a, &b, &c, &dd, &s1]));

    // The other views carry the same tab bar, each marking itself.
    for (path, tab) in
        [("", "tab-overview"), ("/board", "tab-board"), ("/gantt", "tab-gantt"), ("/calendar", "tab-calendar")]
    {
        let body = site.page(&format!("/projects/{}{path}", p.id.0), &ada).await;
        assert!(element(element(&body, "project-tabs"), tab).contains(r#"aria-current="page""#), "{path}");
    }
}

#[tokio::test]
async fn the_list_is_paged_by_top_level_tasks() {
    let site = Site::new(Backend::Sqlite).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "UTC").await;
    let p = site.project(json!({"key": "MANY", "name": "Many"})).await;
    let mut all = Vec::new();
    for i in 0..230 {
        all.push(site.task(p.id, json!({"title": format!("Task {i}")})).await);
    }
    // Sub-tasks ride with their parent and do not count as rows.
    for i in 0..5 {
        site.task(p.id, json!({"title": format!("Part {i}"), "parent_id": all[0].id.0})).await;
    }
    let base = format!("/projects/{}/list", p.id.0);
    let mut seen = Vec::new();
    for (page, expected) in [(1, 100), (2, 100), (3, 30)] {
        let body = site.page(&format!("{base}?page={page}"), &ada).await;
        let rows = tops(&body);
        assert_eq!(rows.len(), expected, "page {page}");
        assert!(element(&body, "list-pager").contains(&format!("Page {page} of 3 (230 top-level tasks)")));
        seen.extend(rows);
    }
    let every: Vec<&Task> = all.iter().collect();
    assert_eq!(seen, ids(&every));
    // A page past the end shows the last one.
    assert_eq!(tops(&site.page(&format!("{base}?page=99"), &ada).await).len(), 30);
}

/// A month grid of February 2026 (it starts on a Sunday): Monday 26 January
/// to Sunday 1 March, five weeks.
#[tokio::test]
async fn items_land_on_their_day_and_a_full_day_collapses() {
    let site = Site::new(Backend::Sqlite).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let zhu = site.person("zhu", Role::Member, Lang::Zh, "Asia/Shanghai").await;
    let p = site.project(json!({"key": "CAL", "name": "Calendar"})).await;
    let sub = site.project(json!({"key": "CALS", "name": "Calendar sub", "parent_id": p.id.0})).await;
    let mut busy = Vec::new();
    for i in 1..=5 {
        busy.push(site.task(p.id, json!({"title": format!("Busy {i}"), "due_date": "2026-02-10"})).await);
    }
    let early = site.task(p.id, json!({"title": "Late January", "due_date": "2026-01-30"})).await;
    let march = site.task(p.id, json!({"title": "Second of March", "due_date": "2026-03-02"})).await;
    let _undated = site.task(p.id, json!({"title": "No date"})).await;
    let dropped = site.task(p.id, json!({"title": "Dropped", "due_date": "2026-02-12"})).await;
    patch(&site, dropped.id, |x| x.cancelled = Some(true)).await;
    let below =
        site.task(sub.id, json!({"title": "Sub work", "due_date": "2026-02-20", "assignee_id": zhu.id.0})).await;
    milestone(&site, p.id, "Beta ships", d(2026, 2, 14), false).await;
    milestone(&site, sub.id, "Sub beta", d(2026, 2, 14), true).await;

    let body = site.page(&format!("/projects/{}/calendar?month=2026-02", p.id.0), &ada).await;
    assert!(body.contains(r#"data-month="2026-02""#) && body.contains("February 2026"));
    let grid = element(&body, "cal-grid");
    let days = attrs(grid, "data-date");
    let first = d(2026, 1, 26);
    let expected: Vec<String> = (0..35).map(|i| (first + Duration::days(i)).to_string()).collect();
    assert_eq!(days, expected);
    assert_eq!(first.weekday(), Weekday::Mon);
    let heads = attrs(grid, "title");
    assert_eq!(heads[..7], ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]);

    let tenth = element(grid, "day-2026-02-10");
    assert!(tenth.contains(r#"data-count="5""#));
    assert_eq!(tenth.matches("class=\"cal-item ").count(), 3);
    for t in &busy[..3] {
        assert!(tenth.contains(&format!("/tasks/{}\"", t.id.0)));
    }
    let more = format!("/projects/{}/list?include=sub&due=2026-02-10", p.id.0);
    assert!(tenth.contains(&format!(r#"href="{}">+2 more</a>"#, escaped(&more))), "{tenth}");
    // The list the link leads to holds exactly the five.
    let busy_refs: Vec<&Task> = busy.iter().collect();
    assert_eq!(tops(&site.page(&more, &ada).await), ids(&busy_refs));

    assert!(element(grid, "day-2026-01-30").contains(&early.key));
    assert!(element(grid, "day-2026-02-20").contains(&below.key), "sub-projects' tasks are on the calendar");
    let ms = element(grid, "day-2026-02-14");
    assert!(ms.contains("Beta ships") && ms.contains("Sub beta") && ms.contains("◆"));
    assert!(!body.contains(&march.key), "2 March is past the grid's last day");
    assert!(!body.contains("No date") && !body.contains("Dropped"));
    assert!(element(&body, "cal-prev").contains("?month=2026-01"));
    assert!(element(&body, "cal-next").contains("?month=2026-03"));

    // The agenda: days of the month only, in order.
    let agenda = element(&body, "agenda");
    let agenda_days: Vec<&str> = attrs(agenda, "id").into_iter().filter(|i| i.starts_with("agenda-2")).collect();
    assert_eq!(agenda_days, ["agenda-2026-02-10", "agenda-2026-02-14", "agenda-2026-02-20"]);
    let tenth_agenda = element(agenda, "agenda-2026-02-10");
    for t in &busy {
        assert!(tenth_agenda.contains(&t.key), "every item of a day is in the agenda");
    }

    // Weekday names in Chinese, Monday first.
    let zh = site.page(&format!("/projects/{}/calendar?month=2026-02", p.id.0), &zhu).await;
    assert!(zh.contains("2026年2月"));
    let zh_heads: Vec<&str> = element(&zh, "cal-grid")
        .split("<abbr")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap_or("").trim_end_matches("</abbr"))
        .collect();
    assert_eq!(zh_heads, ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]);

    // The personal calendar: only the viewer's own tasks.
    let mine = site.page("/calendar?month=2026-02", &zhu).await;
    assert!(element(&mine, "day-2026-02-20").contains(&below.key));
    assert_eq!(element(&mine, "cal-grid").matches("class=\"cal-item ").count(), 1);
    assert!(!mine.contains("Busy 1") && !mine.contains("Beta ships"));
    assert!(mine.contains(r#"href="/calendar?month=2026-01""#));
}

/// The UTC offset of Los Angeles at an instant, by the US rule: daylight
/// time (UTC−7) from 02:00 local on the second Sunday of March to 02:00
/// local on the first Sunday of November, else UTC−8.
fn la_offset(now: DateTime<Utc>) -> i64 {
    let y = now.year();
    let nth_sunday = |month: u32, n: u32| {
        let first = d(y, month, 1);
        let to_sunday = (7 - first.weekday().num_days_from_sunday()) % 7;
        first + Duration::days((to_sunday + 7 * (n - 1)) as i64)
    };
    let start = Utc.from_utc_datetime(&nth_sunday(3, 2).and_hms_opt(10, 0, 0).unwrap()); // 02:00 PST
    let end = Utc.from_utc_datetime(&nth_sunday(11, 1).and_hms_opt(9, 0, 0).unwrap()); // 02:00 PDT
    if now >= start && now < end { -7 } else { -8 }
}

fn local_day(now: DateTime<Utc>, offset_hours: i64) -> NaiveDate {
    (now + Duration::hours(offset_hours)).date_naive()
}

async fn seen_today(site: &Site, who: &Person, uri: &str) -> Option<String> {
    let body = site.page(uri, who).await;
    let grid = element(&body, "cal-grid");
    let at = grid.find(r#"aria-current="date""#)?;
    let cell = &grid[grid[..at].rfind("<td").unwrap()..at];
    attrs(cell, "data-date").first().map(|s| s.to_string())
}

#[tokio::test]
async fn today_and_overdue_follow_the_viewers_time_zone() {
    let site = Site::new(Backend::Sqlite).await;
    let sh = site.person("shanghai", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let la = site.person("losangeles", Role::Admin, Lang::En, "America/Los_Angeles").await;
    let p = site.project(json!({"key": "TZ", "name": "Zones"})).await;
    for _ in 0..3 {
        let before = Utc::now();
        let (sh_today, la_today) = (local_day(before, 8), local_day(before, la_offset(before)));
        let due = sh_today - Duration::days(1);
        let t = site.task(p.id, json!({"title": format!("Due {due}"), "due_date": due.to_string()})).await;
        let cal = format!("/projects/{}/calendar", p.id.0);
        let sh_seen = seen_today(&site, &sh, &cal).await;
        let la_seen = seen_today(&site, &la, &cal).await;
        let month = format!("{cal}?month={}", Month::of(due));
        let sh_body = site.page(&month, &sh).await;
        let la_body = site.page(&month, &la).await;
        let list = format!("/projects/{}/list", p.id.0);
        let sh_list = site.page(&list, &sh).await;
        let la_list = site.page(&list, &la).await;
        let after = Utc::now();
        if (local_day(after, 8), local_day(after, la_offset(after))) != (sh_today, la_today) {
            continue; // a day ended somewhere while we looked: look again
        }
        assert_eq!(sh_seen, Some(sh_today.to_string()));
        assert_eq!(la_seen, Some(la_today.to_string()));
        let item = |body: &str| {
            let cell = element(element(body, "cal-grid"), &format!("day-{due}")).to_string();
            let at = cell.find(&format!("/tasks/{}\"", t.id.0)).expect("the task on its day");
            cell[cell[..at].rfind("<li").unwrap()..at].to_string()
        };
        // Due yesterday in Shanghai: overdue there; in Los Angeles only if its day has ended there too.
        assert!(item(&sh_body).contains("overdue"));
        assert_eq!(item(&la_body).contains("overdue"), la_today > due, "LA today {la_today}, due {due}");
        let row = |body: &str| element(body, &format!("list-task-{}", t.id.0)).contains("1 d overdue");
        assert!(row(&sh_list));
        assert_eq!(row(&la_list), la_today > due);
        return;
    }
    panic!("the date kept changing");
}

/// "Today" at fixed instants, worked out from the zones' offsets by hand,
/// and the grid built around it.
#[test]
fn the_grid_marks_today_and_overdue_at_instants_where_utc_and_local_dates_differ() {
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let today_in = keel_app::clock::today_in;
    let grid_of = |month: Month, today: NaiveDate, dues: &[NaiveDate]| {
        let entries = dues.iter().map(|&date| Entry { date, done: false, item: date }).collect();
        month_grid(month, today, entries, 3)
    };
    let find = |grid: &Vec<Vec<keel_domain::calendar::Day<NaiveDate>>>, date: NaiveDate| {
        grid.iter().flatten().find(|x| x.date == date).cloned().expect("day in grid")
    };

    // 23:30 UTC on 3 December is 07:30 on 4 December in Shanghai (UTC+8).
    let now = at("2026-12-03T23:30:00Z");
    assert_eq!(today_in("Asia/Shanghai", now), d(2026, 12, 4));
    assert_eq!(today_in("UTC", now), d(2026, 12, 3));
    let dec = Month { year: 2026, month: 12 };
    let dues = [d(2026, 12, 3), d(2026, 12, 4)];
    let sh = grid_of(dec, today_in("Asia/Shanghai", now), &dues);
    assert!(find(&sh, d(2026, 12, 4)).today && !find(&sh, d(2026, 12, 3)).today);
    assert!(find(&sh, d(2026, 12, 3)).shown[0].overdue, "the 3rd has ended in Shanghai");
    assert!(!find(&sh, d(2026, 12, 4)).shown[0].overdue);
    let utc = grid_of(dec, today_in("UTC", now), &dues);
    assert!(find(&utc, d(2026, 12, 3)).today);
    assert!(!find(&utc, d(2026, 12, 3)).shown[0].overdue, "the 3rd has not ended in UTC");
    // Items sit on their own dates whatever the zone.
    assert_eq!(find(&sh, d(2026, 12, 3)).shown[0].item, d(2026, 12, 3));

    // Los Angeles leaves daylight time at 09:00 UTC on 1 November 2026 (02:00 PDT → 01:00 PST).
    let la = "America/Los_Angeles";
    assert_eq!(today_in(la, at("2026-11-01T06:30:00Z")), d(2026, 10, 31)); // 23:30 PDT (UTC−7)
    assert_eq!(today_in(la, at("2026-11-01T07:30:00Z")), d(2026, 11, 1)); // 00:30 PDT
    assert_eq!(today_in(la, at("2026-11-02T07:30:00Z")), d(2026, 11, 1)); // 23:30 PST (UTC−8)
    assert_eq!(today_in(la, at("2026-11-02T08:30:00Z")), d(2026, 11, 2)); // 00:30 PST
    let nov = Month { year: 2026, month: 11 };
    let due = [d(2026, 11, 1)];
    let before = grid_of(nov, today_in(la, at("2026-11-02T07:30:00Z")), &due);
    assert!(find(&before, d(2026, 11, 1)).today && !find(&before, d(2026, 11, 1)).shown[0].overdue);
    let after = grid_of(nov, today_in(la, at("2026-11-02T08:30:00Z")), &due);
    assert!(find(&after, d(2026, 11, 2)).today && find(&after, d(2026, 11, 1)).shown[0].overdue);
    // October's grid runs to Sunday 1 November, November's from Monday 26 October.
    assert_eq!(Month { year: 2026, month: 10 }.weeks().last().unwrap()[6], d(2026, 11, 1));
    assert_eq!(nov.weeks()[0][0], d(2026, 10, 26));
}

#[tokio::test]
async fn private_work_never_shows_on_lists_or_calendars() {
    let site = Site::new(Backend::Postgres).await;
    let mia = site.person("mia", Role::Member, Lang::En, "Asia/Shanghai").await;
    let open = site.project(json!({"key": "OPEN", "name": "Open"})).await;
    let hidden = site.project(json!({"key": "HID", "name": "Hidden", "private": true})).await;
    let hidden_sub =
        site.project(json!({"key": "HIDS", "name": "Hidden sub", "parent_id": open.id.0, "private": true})).await;
    let mine = site
        .task(open.id, json!({"title": "Mine in the open", "due_date": "2026-02-10", "assignee_id": mia.id.0}))
        .await;
    site.task(hidden.id, json!({"title": "Secret one", "due_date": "2026-02-10", "assignee_id": mia.id.0})).await;
    site.task(hidden_sub.id, json!({"title": "Secret two", "due_date": "2026-02-11", "assignee_id": mia.id.0})).await;
    milestone(&site, hidden.id, "Secret milestone", d(2026, 2, 12), false).await;
    milestone(&site, hidden_sub.id, "Secret sub milestone", d(2026, 2, 12), false).await;

    for uri in [format!("/projects/{}/list", hidden.id.0), format!("/projects/{}/calendar", hidden.id.0)] {
        assert_eq!(site.get(&uri, &mia.cookie).await.status, axum::http::StatusCode::NOT_FOUND, "{uri}");
    }
    let pages = [
        "/calendar?month=2026-02".to_string(),
        format!("/projects/{}/calendar?month=2026-02", open.id.0),
        format!("/projects/{}/list?include=sub", open.id.0),
        format!("/projects/{}/list?include=sub&due=2026-02-11", open.id.0),
    ];
    for uri in &pages {
        let body = site.page(uri, &mia).await;
        assert!(!body.contains("Secret") && !body.contains("HID-") && !body.contains("HIDS"), "{uri}");
    }
    let mine_page = site.page("/calendar?month=2026-02", &mia).await;
    let tenth = element(&mine_page, "day-2026-02-10");
    assert!(tenth.contains(&mine.key) && tenth.contains(r#"data-count="1""#), "{tenth}");
    assert!(element(&mine_page, "day-2026-02-11").contains(r#"data-count="0""#));
    // The list with sub-projects offers no link to them: the only visible tree is the project.
    let list = site.page(&format!("/projects/{}/list", open.id.0), &mia).await;
    assert!(!list.contains(r#"id="list-sub""#));
}
