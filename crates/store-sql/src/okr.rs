//! Cycles, objectives, key results, milestone items and check-ins.

use crate::conn::placeholders;
use crate::conn::{fetch_map, insert_id};
use crate::{Conn, Row, Value, args};
use keel_app::StoreError;
use keel_app::store::{KrScope, Page, R, Viewer};
use keel_domain::okr::*;
use keel_domain::status::KrStatus;
use keel_domain::*;

fn unknown(what: &str, value: &str) -> StoreError {
    StoreError::Other(format!("unknown {what} {value:?} in the database"))
}

const CYCLE_COLS: &str = "id, name, start_date, end_date, state, parent_id, version";

fn cycle_from(row: &Row) -> R<Cycle> {
    let mut c = row.cursor();
    Ok(Cycle {
        id: CycleId(c.int()?),
        name: c.text()?,
        start_date: c.date()?,
        end_date: c.date()?,
        state: {
            let s = c.text()?;
            CycleState::parse(&s).ok_or_else(|| unknown("cycle state", &s))?
        },
        parent_id: c.opt_int()?.map(CycleId),
        version: c.int()?,
    })
}

pub async fn insert_cycle(c: &mut dyn Conn, y: &Cycle) -> R<CycleId> {
    Ok(CycleId(
        insert_id(
            c,
            "INSERT INTO cycles (name, start_date, end_date, state, parent_id, version) VALUES ($1, \
             $2, $3, $4, $5, 1) RETURNING id",
            args![y.name.as_str(), y.start_date, y.end_date, y.state.as_str(), y.parent_id.map(|p| p.0)],
        )
        .await?,
    ))
}

pub async fn get_cycle(c: &mut dyn Conn, id: CycleId) -> R<Option<Cycle>> {
    let rows = c.fetch(&format!("SELECT {CYCLE_COLS} FROM cycles WHERE id = $1"), args![id.0]).await?;
    rows.first().map(cycle_from).transpose()
}

pub async fn list_cycles(c: &mut dyn Conn) -> R<Vec<Cycle>> {
    fetch_map(c, &format!("SELECT {CYCLE_COLS} FROM cycles ORDER BY start_date DESC, id"), vec![], cycle_from).await
}

pub async fn update_cycle(c: &mut dyn Conn, y: &Cycle) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE cycles SET name = $1, start_date = $2, end_date = $3, state = $4, parent_id = \
             $5, version = version + 1 \
             WHERE id = $6 AND version = $7",
            args![
                y.name.as_str(),
                y.start_date,
                y.end_date,
                y.state.as_str(),
                y.parent_id.map(|p| p.0),
                y.id.0,
                y.version
            ],
        )
        .await?;
    crate::tx::check_versioned(c, changed, "cycles", y.id.0).await?;
    Ok(y.version + 1)
}

const OBJECTIVE_COLS: &str = "o.id, o.cycle_id, o.title, o.description, o.level, o.unit_id, o.owner_id, \
    o.parent_objective_id, o.parent_key_result_id, o.private, o.version, o.created_at";

fn objective_from(row: &Row) -> R<Objective> {
    let mut c = row.cursor();
    Ok(Objective {
        id: ObjectiveId(c.int()?),
        cycle_id: CycleId(c.int()?),
        title: c.text()?,
        description: c.text()?,
        level: {
            let s = c.text()?;
            ObjectiveLevel::parse(&s).ok_or_else(|| unknown("objective level", &s))?
        },
        unit_id: c.opt_int()?.map(UnitId),
        owner_id: UserId(c.int()?),
        parent_objective_id: c.opt_int()?.map(ObjectiveId),
        parent_key_result_id: c.opt_int()?.map(KeyResultId),
        private: c.bool()?,
        version: c.int()?,
        created_at: c.time()?,
    })
}

/// SQL condition "the viewer may see this row", for a table aliased `alias`
/// with `private`, `owner_id` and `unit_id` columns. Uses parameters
/// `$admin` and `$user`.
pub(crate) fn visible(alias: &str, admin: usize, user: usize) -> String {
    format!(
        "(${admin} OR {alias}.private = FALSE OR {alias}.owner_id = ${user} \
         OR {alias}.unit_id IN (SELECT unit_id FROM user_units WHERE user_id = ${user}))"
    )
}

pub(crate) fn viewer_args(viewer: Option<Viewer>) -> (Value, Value) {
    match viewer {
        None => (Value::from(true), Value::from(0i64)),
        Some(v) => (Value::from(v.admin), Value::from(v.user_id.0)),
    }
}

/// The columns an objective's insert and update both write, as $1…$9.
fn objective_args(o: &Objective) -> Vec<Value> {
    args![
        o.cycle_id.0,
        o.title.as_str(),
        o.description.as_str(),
        o.level.as_str(),
        o.unit_id.map(|u| u.0),
        o.owner_id.0,
        o.parent_objective_id.map(|p| p.0),
        o.parent_key_result_id.map(|p| p.0),
        o.private
    ]
}

pub async fn insert_objective(c: &mut dyn Conn, o: &Objective) -> R<ObjectiveId> {
    let mut values = objective_args(o);
    values.push(o.created_at.into());
    let sql = "INSERT INTO objectives (cycle_id, title, description, level, unit_id, owner_id, parent_objective_id, \
               parent_key_result_id, private, version, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10) RETURNING id";
    Ok(ObjectiveId(insert_id(c, sql, values).await?))
}

pub async fn get_objective(c: &mut dyn Conn, id: ObjectiveId) -> R<Option<Objective>> {
    let rows = c.fetch(&format!("SELECT {OBJECTIVE_COLS} FROM objectives o WHERE o.id = $1"), args![id.0]).await?;
    rows.first().map(objective_from).transpose()
}

pub async fn list_objectives(
    c: &mut dyn Conn,
    cycle: Option<CycleId>,
    viewer: Option<Viewer>,
    page: Page,
) -> R<Vec<Objective>> {
    let (admin, user) = viewer_args(viewer);
    let sql = format!(
        "SELECT {OBJECTIVE_COLS} FROM objectives o WHERE ($1 IS NULL OR o.cycle_id = $1) AND {} \
         ORDER BY o.id LIMIT $4 OFFSET $5",
        visible("o", 2, 3)
    );
    fetch_map(
        c,
        &sql,
        vec![Value::from(cycle.map(|y| y.0)), admin, user, page.limit.into(), page.offset.into()],
        objective_from,
    )
    .await
}

pub async fn update_objective(c: &mut dyn Conn, o: &Objective) -> R<i64> {
    let mut values = objective_args(o);
    values.extend(args![o.id.0, o.version]);
    let sql = "UPDATE objectives SET cycle_id = $1, title = $2, description = $3, level = $4, unit_id = $5, \
               owner_id = $6, parent_objective_id = $7, parent_key_result_id = $8, private = $9, \
               version = version + 1 WHERE id = $10 AND version = $11";
    let changed = c.execute(sql, values).await?;
    crate::tx::check_versioned(c, changed, "objectives", o.id.0).await?;
    Ok(o.version + 1)
}

const KR_COLS: &str = "id, objective_id, title, owner_id, kind, weight, start_value, target_value, current_value, \
    unit_label, direction, due_date, status_override, override_reason, position, version";

fn kr_from(row: &Row) -> R<KeyResult> {
    let mut c = row.cursor();
    Ok(KeyResult {
        id: KeyResultId(c.int()?),
        objective_id: ObjectiveId(c.int()?),
        title: c.text()?,
        owner_id: UserId(c.int()?),
        kind: {
            let s = c.text()?;
            KrKind::parse(&s).ok_or_else(|| unknown("key result kind", &s))?
        },
        weight: c.float()?,
        start_value: c.opt_float()?,
        target_value: c.opt_float()?,
        current_value: c.opt_float()?,
        unit_label: c.opt_text()?,
        direction: c.opt_text()?.and_then(|d| ThresholdDirection::parse(&d)),
        due_date: c.opt_date()?,
        status_override: c.opt_text()?.and_then(|s| KrStatus::parse(&s)),
        override_reason: c.opt_text()?,
        position: c.int()?,
        version: c.int()?,
    })
}

fn kr_args(k: &KeyResult) -> Vec<Value> {
    args![
        k.objective_id.0,
        k.title.as_str(),
        k.owner_id.0,
        k.kind.as_str(),
        k.weight,
        k.start_value,
        k.target_value,
        k.current_value,
        k.unit_label.as_deref(),
        k.direction.map(|d| d.as_str()),
        k.due_date,
        k.status_override.map(|s| s.as_str()),
        k.override_reason.as_deref(),
        k.position
    ]
}

pub async fn insert_key_result(c: &mut dyn Conn, k: &KeyResult) -> R<KeyResultId> {
    Ok(KeyResultId(
        insert_id(
            c,
            "INSERT INTO key_results (objective_id, title, owner_id, kind, weight, start_value, \
             target_value, current_value, \
             unit_label, direction, due_date, status_override, override_reason, position, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1) RETURNING id",
            kr_args(k),
        )
        .await?,
    ))
}

pub async fn get_key_result(c: &mut dyn Conn, id: KeyResultId) -> R<Option<KeyResult>> {
    let rows = c.fetch(&format!("SELECT {KR_COLS} FROM key_results WHERE id = $1"), args![id.0]).await?;
    rows.first().map(kr_from).transpose()
}

/// WHERE condition selecting rows by key result, for a table whose key
/// result column is `column`. A whole cycle is one sub-query, so no long
/// parameter lists (which SQLite binds in quadratic time).
fn kr_condition(scope: KrScope<'_>, column: &str) -> Option<(String, Vec<Value>)> {
    let ids = |ids: Vec<i64>| ids.into_iter().map(Value::from).collect::<Vec<_>>();
    match scope {
        KrScope::Cycle(cycle) => Some((
            format!(
                "{column} IN (SELECT k.id FROM key_results k JOIN objectives o ON o.id = \
                 k.objective_id WHERE o.cycle_id = $1)"
            ),
            vec![cycle.0.into()],
        )),
        KrScope::Objectives([]) | KrScope::KeyResults([]) => None,
        KrScope::Objectives(objectives) => Some((
            format!(
                "{column} IN (SELECT id FROM key_results WHERE objective_id IN ({}))",
                placeholders(1, objectives.len())
            ),
            ids(objectives.iter().map(|o| o.0).collect()),
        )),
        KrScope::KeyResults(krs) => {
            Some((format!("{column} IN ({})", placeholders(1, krs.len())), ids(krs.iter().map(|k| k.0).collect())))
        }
    }
}

pub async fn list_key_results(c: &mut dyn Conn, scope: KrScope<'_>) -> R<Vec<KeyResult>> {
    let Some((condition, values)) = kr_condition(scope, "id") else { return Ok(Vec::new()) };
    let sql = format!("SELECT {KR_COLS} FROM key_results WHERE {condition} ORDER BY objective_id, position, id");
    fetch_map(c, &sql, values, kr_from).await
}

pub async fn update_key_result(c: &mut dyn Conn, k: &KeyResult) -> R<i64> {
    let mut values = kr_args(k);
    values.push(k.id.0.into());
    values.push(k.version.into());
    let changed = c
        .execute(
            "UPDATE key_results SET objective_id = $1, title = $2, owner_id = $3, kind = $4, weight \
             = $5, start_value = $6, \
             target_value = $7, current_value = $8, unit_label = $9, direction = $10, due_date = \
             $11, status_override = $12, \
             override_reason = $13, position = $14, version = version + 1 WHERE id = $15 AND version = $16",
            values,
        )
        .await?;
    crate::tx::check_versioned(c, changed, "key_results", k.id.0).await?;
    Ok(k.version + 1)
}

fn item_from(row: &Row) -> R<KrItem> {
    let mut c = row.cursor();
    Ok(KrItem {
        id: KrItemId(c.int()?),
        key_result_id: KeyResultId(c.int()?),
        title: c.text()?,
        weight: c.float()?,
        done: c.bool()?,
        position: c.int()?,
    })
}

pub async fn insert_kr_item(c: &mut dyn Conn, i: &KrItem) -> R<KrItemId> {
    Ok(KrItemId(
        insert_id(
            c,
            "INSERT INTO kr_items (key_result_id, title, weight, done, position) VALUES ($1, $2, \
             $3, $4, $5) RETURNING id",
            args![i.key_result_id.0, i.title.as_str(), i.weight, i.done, i.position],
        )
        .await?,
    ))
}

pub async fn list_kr_items(c: &mut dyn Conn, scope: KrScope<'_>) -> R<Vec<KrItem>> {
    let Some((condition, values)) = kr_condition(scope, "key_result_id") else { return Ok(Vec::new()) };
    let sql = format!(
        "SELECT id, key_result_id, title, weight, done, position FROM kr_items WHERE {condition} \
         ORDER BY key_result_id, position, id"
    );
    fetch_map(c, &sql, values, item_from).await
}

pub async fn update_kr_item(c: &mut dyn Conn, i: &KrItem) -> R<()> {
    let changed = c
        .execute(
            "UPDATE kr_items SET title = $1, weight = $2, done = $3, position = $4 WHERE id = $5",
            args![i.title.as_str(), i.weight, i.done, i.position, i.id.0],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn insert_check_in(c: &mut dyn Conn, k: &CheckIn) -> R<CheckInId> {
    Ok(CheckInId(
        insert_id(
            c,
            "INSERT INTO check_ins (key_result_id, author_id, at, value, progress, confidence, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![
                k.key_result_id.0,
                k.author_id.0,
                k.at,
                k.value,
                k.progress,
                k.confidence.map(i64::from),
                k.note.as_str()
            ],
        )
        .await?,
    ))
}

pub async fn list_check_ins(c: &mut dyn Conn, scope: KrScope<'_>) -> R<Vec<CheckIn>> {
    let Some((condition, values)) = kr_condition(scope, "key_result_id") else { return Ok(Vec::new()) };
    let sql = format!(
        "SELECT id, key_result_id, author_id, at, value, progress, confidence, note FROM check_ins \
         WHERE {condition} ORDER BY at, id"
    );
    fetch_map(c, &sql, values, |row| {
        let mut c = row.cursor();
        Ok(CheckIn {
            id: CheckInId(c.int()?),
            key_result_id: KeyResultId(c.int()?),
            author_id: UserId(c.int()?),
            at: c.time()?,
            value: c.opt_float()?,
            progress: c.float()?,
            confidence: c.opt_int()?.map(|n| n.clamp(0, 10) as u8),
            note: c.text()?,
        })
    })
    .await
}
