//! Custom fields of projects, their values per task (JSON text), and saved
//! table views. Who may see which view is decided here, in the query: the
//! shared ones and the asker's own, never another person's.

use crate::conn::{fetch_map, insert_id, placeholders};
use crate::tx::check_versioned;
use crate::{Conn, Row, Value, args};
use chrono::{DateTime, Utc};
use keel_app::StoreError;
use keel_app::store::R;
use keel_domain::table::{CustomField, FieldKind, SavedView};
use keel_domain::*;

const FIELD_COLS: &str = "id, project_id, name, kind, options, position, source, external_id, version";

fn field_from(row: &Row) -> R<CustomField> {
    let mut c = row.cursor();
    Ok(CustomField {
        id: FieldId(c.int()?),
        project_id: ProjectId(c.int()?),
        name: c.text()?,
        kind: {
            let s = c.text()?;
            FieldKind::parse(&s)
                .ok_or_else(|| StoreError::Other(format!("unknown field kind {s:?} in the database")))?
        },
        options: c.json()?,
        position: c.int()?,
        source: c.opt_text()?,
        external_id: c.opt_text()?,
        version: c.int()?,
    })
}

fn options_json(f: &CustomField) -> String {
    serde_json::to_string(&f.options).unwrap_or_else(|_| "[]".into())
}

pub async fn insert_custom_field(c: &mut dyn Conn, f: &CustomField) -> R<FieldId> {
    Ok(FieldId(
        insert_id(
            c,
            "INSERT INTO custom_fields (project_id, name, kind, options, position, source, external_id, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
            args![
                f.project_id.0,
                f.name.as_str(),
                f.kind.as_str(),
                options_json(f),
                f.position,
                f.source.as_deref(),
                f.external_id.as_deref()
            ],
        )
        .await?,
    ))
}

pub async fn get_custom_field(c: &mut dyn Conn, id: FieldId) -> R<Option<CustomField>> {
    let rows = c.fetch(&format!("SELECT {FIELD_COLS} FROM custom_fields WHERE id = $1"), args![id.0]).await?;
    rows.first().map(field_from).transpose()
}

pub async fn find_custom_field_by_source(c: &mut dyn Conn, source: &str, external_id: &str) -> R<Option<CustomField>> {
    let rows = c
        .fetch(
            &format!("SELECT {FIELD_COLS} FROM custom_fields WHERE source = $1 AND external_id = $2"),
            args![source, external_id],
        )
        .await?;
    rows.first().map(field_from).transpose()
}

pub async fn list_custom_fields(c: &mut dyn Conn, projects: &[ProjectId]) -> R<Vec<CustomField>> {
    if projects.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {FIELD_COLS} FROM custom_fields WHERE project_id IN ({}) ORDER BY project_id, position, id",
        placeholders(1, projects.len())
    );
    fetch_map(c, &sql, projects.iter().map(|p| Value::from(p.0)).collect(), field_from).await
}

pub async fn update_custom_field(c: &mut dyn Conn, f: &CustomField) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE custom_fields SET name = $1, options = $2, position = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
            args![f.name.as_str(), options_json(f), f.position, f.id.0, f.version],
        )
        .await?;
    check_versioned(c, changed, "custom_fields", f.id.0).await?;
    Ok(f.version + 1)
}

pub async fn delete_custom_field(c: &mut dyn Conn, id: FieldId, version: i64) -> R<()> {
    let rows = c.fetch("SELECT version FROM custom_fields WHERE id = $1", args![id.0]).await?;
    let Some(row) = rows.first() else { return Err(StoreError::NotFound) };
    if row.cursor().int()? != version {
        return Err(StoreError::Stale);
    }
    c.execute("DELETE FROM task_field_values WHERE field_id = $1", args![id.0]).await?;
    c.execute("DELETE FROM custom_fields WHERE id = $1", args![id.0]).await?;
    Ok(())
}

pub async fn set_field_value(c: &mut dyn Conn, task: TaskId, field: FieldId, value: Option<&str>) -> R<()> {
    match value {
        Some(json) => {
            c.execute(
                "INSERT INTO task_field_values (task_id, field_id, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (task_id, field_id) DO UPDATE SET value = excluded.value",
                args![task.0, field.0, json],
            )
            .await?;
        }
        None => {
            c.execute("DELETE FROM task_field_values WHERE task_id = $1 AND field_id = $2", args![task.0, field.0])
                .await?;
        }
    }
    Ok(())
}

pub async fn list_field_values(c: &mut dyn Conn, fields: &[FieldId]) -> R<Vec<(TaskId, FieldId, String)>> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT task_id, field_id, value FROM task_field_values WHERE field_id IN ({}) ORDER BY task_id, field_id",
        placeholders(1, fields.len())
    );
    fetch_map(c, &sql, fields.iter().map(|f| Value::from(f.0)).collect(), |r| {
        let mut c = r.cursor();
        Ok((TaskId(c.int()?), FieldId(c.int()?), c.text()?))
    })
    .await
}

pub async fn touch_task(c: &mut dyn Conn, id: TaskId, version: i64, at: DateTime<Utc>) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE tasks SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
            args![at, id.0, version],
        )
        .await?;
    check_versioned(c, changed, "tasks", id.0).await?;
    Ok(version + 1)
}

const VIEW_COLS: &str = "id, project_id, owner_id, name, spec, version, created_by, created_at";

fn view_from(row: &Row) -> R<SavedView> {
    let mut c = row.cursor();
    Ok(SavedView {
        id: ViewId(c.int()?),
        project_id: ProjectId(c.int()?),
        owner_id: c.opt_int()?.map(UserId),
        name: c.text()?,
        spec: c.json()?,
        version: c.int()?,
        created_by: c.opt_int()?.map(UserId),
        created_at: c.time()?,
    })
}

fn spec_json(v: &SavedView) -> String {
    serde_json::to_string(&v.spec).unwrap_or_else(|_| "{}".into())
}

pub async fn insert_saved_view(c: &mut dyn Conn, v: &SavedView) -> R<ViewId> {
    Ok(ViewId(
        insert_id(
            c,
            "INSERT INTO saved_views (project_id, owner_id, name, spec, version, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
            args![
                v.project_id.0,
                v.owner_id.map(|u| u.0),
                v.name.as_str(),
                spec_json(v),
                v.created_by.map(|u| u.0),
                v.created_at
            ],
        )
        .await?,
    ))
}

pub async fn get_saved_view(c: &mut dyn Conn, id: ViewId) -> R<Option<SavedView>> {
    let rows = c.fetch(&format!("SELECT {VIEW_COLS} FROM saved_views WHERE id = $1"), args![id.0]).await?;
    rows.first().map(view_from).transpose()
}

pub async fn list_saved_views(c: &mut dyn Conn, project: ProjectId, owner: Option<UserId>) -> R<Vec<SavedView>> {
    // An owner of 0 matches no one: the system sees only shared views.
    let sql = format!(
        "SELECT {VIEW_COLS} FROM saved_views WHERE project_id = $1 AND (owner_id IS NULL OR owner_id = $2) \
         ORDER BY CASE WHEN owner_id IS NULL THEN 0 ELSE 1 END, id"
    );
    fetch_map(c, &sql, args![project.0, owner.map(|u| u.0).unwrap_or(0)], view_from).await
}

pub async fn update_saved_view(c: &mut dyn Conn, v: &SavedView) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE saved_views SET name = $1, spec = $2, version = version + 1 WHERE id = $3 AND version = $4",
            args![v.name.as_str(), spec_json(v), v.id.0, v.version],
        )
        .await?;
    check_versioned(c, changed, "saved_views", v.id.0).await?;
    Ok(v.version + 1)
}

pub async fn delete_saved_view(c: &mut dyn Conn, id: ViewId, version: i64) -> R<()> {
    let changed = c.execute("DELETE FROM saved_views WHERE id = $1 AND version = $2", args![id.0, version]).await?;
    check_versioned(c, changed, "saved_views", id.0).await
}
