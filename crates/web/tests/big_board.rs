//! A board with a long history: 2,000 archived tasks and 300 open ones.
//! The board shows exactly the 300 open cards, each in the column of its
//! status; archived ones only when asked for, a page of 100 at a time, and
//! never in the column counts. What each column should hold is counted here
//! from the tasks written, never read off a page.

mod views_common;

use chrono::Utc;
use keel_domain::org::{Lang, Role};
use keel_domain::work::{Priority, StatusCategory, Task};
use keel_domain::{ProjectId, TaskId};
use keel_testkit::Backend;
use serde_json::json;
use std::collections::BTreeSet;
use views_common::{Site, attrs, element};

const ARCHIVED: usize = 2000;
const OPEN: usize = 300;
const PER_PAGE: usize = 100;
/// The default workflow, in column order.
const STATUSES: [(&str, StatusCategory); 4] = [
    ("To do", StatusCategory::Todo),
    ("In progress", StatusCategory::Doing),
    ("In review", StatusCategory::Doing),
    ("Done", StatusCategory::Done),
];

fn task(project: ProjectId, number: i64, status: usize, archived: bool) -> Task {
    let now = Utc::now();
    Task {
        id: TaskId(0),
        project_id: project,
        number,
        key: String::new(),
        title: format!("Task {number}"),
        description: String::new(),
        status: STATUSES[status].0.into(),
        category: STATUSES[status].1,
        blocked: false,
        blocked_reason: None,
        priority: Priority::Medium,
        assignee_id: None,
        reporter_id: None,
        start_date: None,
        due_date: None,
        estimate: None,
        progress: None,
        parent_id: None,
        labels: vec![],
        key_result_ids: vec![],
        depends_on: vec![],
        cancelled: false,
        archived,
        source: None,
        external_id: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The task ids of the cards on a board page, and of the archived ones.
fn cards(body: &str) -> (Vec<i64>, Vec<i64>) {
    let board = element(body, "board");
    let mut all = Vec::new();
    let mut archived = Vec::new();
    for (i, _) in board.match_indices(r#"<li class="board-card"#) {
        let tag = &board[i..i + board[i..].find('>').unwrap()];
        let id: i64 = attrs(tag, "data-task-id")[0].parse().unwrap();
        all.push(id);
        if attrs(tag, "class")[0].split(' ').any(|c| c == "archived") {
            archived.push(id);
        }
    }
    (all, archived)
}

#[tokio::test]
async fn a_board_with_two_thousand_archived_tasks_shows_its_three_hundred_open_cards() {
    let site = Site::new(Backend::Postgres).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let p = site.project(json!({"key": "BIG", "name": "Big board"})).await;
    // Interleaved: every 23rd-ish task stays open, the rest are archived.
    let mut open: Vec<(i64, usize)> = Vec::new();
    let mut archived: Vec<i64> = Vec::new();
    let mut tx = site.db.store.write().await.unwrap();
    for i in 0..ARCHIVED + OPEN {
        let number = tx.next_task_number(p.id).await.unwrap();
        let is_open = i % 23 == 0 && open.len() < OPEN || ARCHIVED + OPEN - i <= OPEN - open.len();
        let status = i % 4;
        let id = tx.insert_task(&task(p.id, number, status, !is_open)).await.unwrap();
        if is_open {
            open.push((id.0, status));
        } else {
            archived.push(id.0);
        }
    }
    tx.commit().await.unwrap();
    assert_eq!((open.len(), archived.len()), (OPEN, ARCHIVED));

    let body = site.page(&format!("/projects/{}/board", p.id.0), &ada).await;
    let (seen, seen_archived) = cards(&body);
    assert_eq!(seen.len(), OPEN, "one card per open task");
    let expected: BTreeSet<i64> = open.iter().map(|(id, _)| *id).collect();
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert!(seen_archived.is_empty());
    for (col, (name, _)) in STATUSES.iter().enumerate() {
        let want = open.iter().filter(|(_, s)| *s == col).count();
        let head = element(&body, &format!("col-{col}"));
        assert!(head.contains(&format!(">{want}</span>")), "{name}: {head}");
        let cell_marker = format!(r#"data-col="{col}" data-status="{name}""#);
        let at = body.find(&format!(r#"<ul class="board-cell" {cell_marker}"#)).expect("the column's cell");
        let cell = &body[at..at + body[at..].find("</ul>").unwrap()];
        assert_eq!(cell.matches(r#"<li class="board-card"#).count(), want, "{name}");
    }

    // Archived cards on demand, a page at a time, by number; the open ones stay.
    let pages = ARCHIVED.div_ceil(PER_PAGE);
    let mut all_archived = Vec::new();
    for page in 1..=pages {
        let uri = format!("/projects/{}/board?archived=1&apage={page}", p.id.0);
        let body = site.page(&uri, &ada).await;
        let (seen, mut seen_archived) = cards(&body);
        // Cards stand in their columns; the page holds the next 100 by number.
        seen_archived.sort();
        assert_eq!(seen.len(), OPEN + PER_PAGE, "{uri}");
        assert_eq!(seen_archived, archived[(page - 1) * PER_PAGE..page * PER_PAGE], "{uri}");
        let pager = element(&body, "board-archived-pager");
        assert!(pager.contains(&format!("Archived tasks, page {page} of {pages}")), "{pager}");
        assert_eq!(pager.contains(r#"rel="next""#), page < pages);
        assert_eq!(pager.contains(r#"rel="prev""#), page > 1);
        // Archived cards never count in a column.
        let head = element(&body, "col-0");
        let want = open.iter().filter(|(_, s)| *s == 0).count();
        assert!(head.contains(&format!(">{want}</span>")), "{head}");
        all_archived.extend(seen_archived);
    }
    assert_eq!(all_archived, archived);
    // Past the last page: the last page.
    let body = site.page(&format!("/projects/{}/board?archived=1&apage=999", p.id.0), &ada).await;
    let mut last = cards(&body).1;
    last.sort();
    assert_eq!(last, archived[ARCHIVED - PER_PAGE..]);
}

#[tokio::test]
async fn a_column_shows_its_first_hundred_cards_and_links_to_the_rest() {
    let site = Site::new(Backend::Sqlite).await;
    let ada = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let p = site.project(json!({"key": "CAP", "name": "Capped board"})).await;
    // 130 to do; 105 done, each changed a minute after the one before.
    let (mut todo, mut done) = (Vec::new(), Vec::new());
    let mut tx = site.db.store.write().await.unwrap();
    let start = Utc::now() - chrono::Duration::days(1);
    for i in 0..235 {
        let number = tx.next_task_number(p.id).await.unwrap();
        let status = if i < 130 { 0 } else { 3 };
        let mut t = task(p.id, number, status, false);
        t.updated_at = start + chrono::Duration::minutes(i as i64);
        let id = tx.insert_task(&t).await.unwrap().0;
        if status == 0 { todo.push(id) } else { done.push(id) }
    }
    tx.commit().await.unwrap();

    let body = site.page(&format!("/projects/{}/board", p.id.0), &ada).await;
    let cell = |body: &str, col: usize| -> Vec<i64> {
        let name = STATUSES[col].0;
        let at = body.find(&format!(r#"<ul class="board-cell" data-col="{col}" data-status="{name}""#)).unwrap();
        let cell = &body[at..at + body[at..].find("</ul>").unwrap()];
        cards(&format!(r#"<div id="board">{cell}</div>"#)).0
    };
    // To do: the first 100 by number; Done: the 100 changed last, newest first.
    assert_eq!(cell(&body, 0), todo[..100]);
    let newest: Vec<i64> = done.iter().rev().take(100).copied().collect();
    assert_eq!(cell(&body, 3), newest);
    assert!(body.contains("30 more cards not shown: show all") && body.contains("5 more cards not shown: show all"));
    assert!(body.contains(&format!(r#"href="/projects/{}/board?all=1#lane-all""#, p.id.0)));
    // The counts still count every task, and tell the script what is not shown.
    let head = element(&body, "col-0");
    assert!(head.contains(">130</span>") && head.contains(r#"data-hidden="30""#), "{head}");
    assert!(element(&body, "col-3").contains(r#"data-hidden="5""#));
    // Asked for everything, every card is there.
    let all = site.page(&format!("/projects/{}/board?all=1", p.id.0), &ada).await;
    assert_eq!(cell(&all, 0), todo);
    assert_eq!(cell(&all, 3).len(), 105);
    assert!(!all.contains("more cards not shown"));
}
