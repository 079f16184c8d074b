//! People, settings and key-result comments: comments on key results, each
//! person's notification preferences, the people search, and the tasks
//! behind a key result's number.

use crate::conn::{fetch_map, insert_id};
use crate::misc::contains_pattern;
use crate::okr::{viewer_args, visible};
use crate::users::{USER_COLS, first_int, user_from, with_units};
use crate::work::{TASK_COLS, task_from, with_task_links};
use crate::{Conn, Row, Value, args};
use chrono::NaiveDate;
use keel_app::StoreError;
use keel_app::store::{KrWorkCounts, Page, R, Viewer};
use keel_domain::notify::NotificationPrefs;
use keel_domain::okr::KrComment;
use keel_domain::org::User;
use keel_domain::work::Task;
use keel_domain::{KeyResultId, KrCommentId, UserId};

pub async fn insert_kr_comment(c: &mut dyn Conn, m: &KrComment, source: Option<(&str, &str)>) -> R<KrCommentId> {
    Ok(KrCommentId(
        insert_id(
            c,
            "INSERT INTO kr_comments (key_result_id, author_id, body, created_at, source, external_id) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![
                m.key_result_id.0,
                m.author_id.map(|a| a.0),
                m.body.as_str(),
                m.created_at,
                source.map(|s| s.0),
                source.map(|s| s.1)
            ],
        )
        .await?,
    ))
}

fn kr_comment_from(row: &Row) -> R<KrComment> {
    let mut c = row.cursor();
    Ok(KrComment {
        id: KrCommentId(c.int()?),
        key_result_id: KeyResultId(c.int()?),
        author_id: c.opt_int()?.map(UserId),
        body: c.text()?,
        created_at: c.time()?,
    })
}

pub async fn list_kr_comments(c: &mut dyn Conn, kr: KeyResultId, page: Page) -> R<Vec<KrComment>> {
    fetch_map(
        c,
        "SELECT id, key_result_id, author_id, body, created_at FROM kr_comments WHERE key_result_id = $1 \
         ORDER BY created_at, id LIMIT $2 OFFSET $3",
        args![kr.0, page.limit, page.offset],
        kr_comment_from,
    )
    .await
}

pub async fn count_kr_comments(c: &mut dyn Conn, kr: KeyResultId) -> R<i64> {
    first_int(&c.fetch("SELECT COUNT(*) FROM kr_comments WHERE key_result_id = $1", args![kr.0]).await?)
}

pub async fn get_notification_prefs(c: &mut dyn Conn, user: UserId) -> R<Option<(NotificationPrefs, i64)>> {
    let rows = c.fetch("SELECT prefs, version FROM notification_prefs WHERE user_id = $1", args![user.0]).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let mut c = row.cursor();
    let prefs: NotificationPrefs = c.json()?;
    Ok(Some((prefs, c.int()?)))
}

pub async fn put_notification_prefs(c: &mut dyn Conn, user: UserId, prefs: &NotificationPrefs, version: i64) -> R<i64> {
    let json = serde_json::to_string(prefs).map_err(|e| StoreError::Other(e.to_string()))?;
    if version == 0 {
        // Someone else stored theirs first: the same as a stale version.
        let existing = c.fetch("SELECT version FROM notification_prefs WHERE user_id = $1", args![user.0]).await?;
        if !existing.is_empty() {
            return Err(StoreError::Stale);
        }
        c.execute(
            "INSERT INTO notification_prefs (user_id, prefs, version) VALUES ($1, $2, 1)",
            args![user.0, json.as_str()],
        )
        .await
        .map_err(|e| if matches!(e, StoreError::Unique(_)) { StoreError::Stale } else { e })?;
        return Ok(1);
    }
    let changed = c
        .execute(
            "UPDATE notification_prefs SET prefs = $1, version = version + 1 WHERE user_id = $2 AND version = $3",
            args![json.as_str(), user.0, version],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    Ok(version + 1)
}

const USER_MATCH: &str = "(LOWER(display_name) LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(login, '')) LIKE $1 ESCAPE '\\' \
     OR LOWER(COALESCE(email, '')) LIKE $1 ESCAPE '\\')";

pub async fn search_users(c: &mut dyn Conn, text: &str, page: Page) -> R<Vec<User>> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE {USER_MATCH} ORDER BY display_name, id LIMIT $2 OFFSET $3");
    let rows = c.fetch(&sql, args![contains_pattern(text.trim()), page.limit, page.offset]).await?;
    let users = rows.iter().map(user_from).collect::<R<Vec<_>>>()?;
    with_units(c, users).await
}

pub async fn count_search_users(c: &mut dyn Conn, text: &str) -> R<i64> {
    let sql = format!("SELECT COUNT(*) FROM users WHERE {USER_MATCH}");
    first_int(&c.fetch(&sql, args![contains_pattern(text.trim())]).await?)
}

/// The tasks behind a key result: `$1` admin, `$2` user, `$3` the key
/// result. A linked project brings its sub-projects' tasks too, as its
/// progress does; each task's own project decides whether it is visible.
fn kr_work_where() -> String {
    format!(
        "t.archived = FALSE AND {} AND (t.id IN (SELECT task_id FROM task_key_results WHERE key_result_id = $3) \
         OR t.project_id IN (WITH RECURSIVE linked (id) AS ( \
             SELECT project_id FROM project_key_results WHERE key_result_id = $3 \
             UNION SELECT sub.id FROM projects sub JOIN linked ON sub.parent_id = linked.id) \
           SELECT id FROM linked))",
        visible("p", 1, 2)
    )
}

pub async fn kr_work_tasks(
    c: &mut dyn Conn,
    kr: KeyResultId,
    viewer: Option<Viewer>,
    open_only: bool,
    page: Page,
) -> R<Vec<Task>> {
    let (admin, user) = viewer_args(viewer);
    let open = if open_only { " AND t.category <> 'done' AND t.cancelled = FALSE" } else { "" };
    let sql = format!(
        "SELECT {TASK_COLS} FROM tasks t JOIN projects p ON p.id = t.project_id WHERE {}{open} \
         ORDER BY CASE WHEN t.due_date IS NULL THEN 1 ELSE 0 END, t.due_date, p.key, t.number LIMIT $4 OFFSET $5",
        kr_work_where()
    );
    let rows = c.fetch(&sql, vec![admin, user, Value::from(kr.0), page.limit.into(), page.offset.into()]).await?;
    let tasks = rows.iter().map(task_from).collect::<R<Vec<_>>>()?;
    with_task_links(c, tasks).await
}

pub async fn kr_work_counts(
    c: &mut dyn Conn,
    kr: KeyResultId,
    viewer: Option<Viewer>,
    today: NaiveDate,
) -> R<KrWorkCounts> {
    let (admin, user) = viewer_args(viewer);
    let sql = format!(
        "SELECT \
           COALESCE(SUM(CASE WHEN t.category = 'done' AND t.cancelled = FALSE THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN t.category <> 'done' AND t.cancelled = FALSE THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN t.category <> 'done' AND t.cancelled = FALSE AND t.due_date < $4 \
             THEN 1 ELSE 0 END), 0) \
         FROM tasks t JOIN projects p ON p.id = t.project_id WHERE {}",
        kr_work_where()
    );
    let rows = c.fetch(&sql, vec![admin, user, Value::from(kr.0), Value::from(today)]).await?;
    let row = rows.first().ok_or(StoreError::NotFound)?;
    let mut r = row.cursor();
    Ok(KrWorkCounts { done: r.int()?, open: r.int()?, overdue: r.int()? })
}
