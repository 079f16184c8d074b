//! People, sessions, API tokens, units and settings.

use crate::conn::placeholders;
use crate::conn::{fetch_map, insert_id};
use crate::{Conn, Row, Value, args};
use chrono::Utc;
use keel_app::StoreError;
use keel_app::store::{ApiToken, Page, R, Session};
use keel_domain::org::{Lang, Role, Unit, User};
use keel_domain::{TokenId, UnitId, UserId};
use std::collections::HashMap;

pub async fn get_setting(c: &mut dyn Conn, key: &str) -> R<Option<String>> {
    let rows = c.fetch("SELECT value FROM settings WHERE key = $1", args![key]).await?;
    rows.first().map(|r| r.cursor().text()).transpose()
}

pub async fn put_setting(c: &mut dyn Conn, key: &str, value: &str) -> R<()> {
    c.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        args![key, value],
    )
    .await?;
    Ok(())
}

pub async fn delete_setting(c: &mut dyn Conn, key: &str) -> R<()> {
    c.execute("DELETE FROM settings WHERE key = $1", args![key]).await?;
    Ok(())
}

pub(crate) const USER_COLS: &str = "id, login, display_name, email, role, lang, time_zone, can_login, version";

pub(crate) fn user_from(row: &Row) -> R<User> {
    let mut c = row.cursor();
    let id = UserId(c.int()?);
    let login = c.opt_text()?;
    let display_name = c.text()?;
    let email = c.opt_text()?;
    let role = Role::parse(&c.text()?).ok_or_else(|| StoreError::Other("unknown role".into()))?;
    let lang = c.opt_text()?.and_then(|l| Lang::parse(&l));
    Ok(User {
        id,
        login,
        display_name,
        email,
        role,
        lang,
        time_zone: c.text()?,
        can_login: c.bool()?,
        units: Vec::new(),
        version: c.int()?,
    })
}

/// Fills each user's unit memberships with one query.
pub(crate) async fn with_units(c: &mut dyn Conn, mut users: Vec<User>) -> R<Vec<User>> {
    if users.is_empty() {
        return Ok(users);
    }
    let ids: Vec<Value> = users.iter().map(|u| Value::from(u.id.0)).collect();
    let sql = format!(
        "SELECT user_id, unit_id FROM user_units WHERE user_id IN ({}) ORDER BY unit_id",
        placeholders(1, ids.len())
    );
    let mut by_user: HashMap<i64, Vec<UnitId>> = HashMap::new();
    for row in c.fetch(&sql, ids).await? {
        let mut cur = row.cursor();
        let user = cur.int()?;
        by_user.entry(user).or_default().push(UnitId(cur.int()?));
    }
    for user in &mut users {
        user.units = by_user.remove(&user.id.0).unwrap_or_default();
    }
    Ok(users)
}

async fn one_user(c: &mut dyn Conn, rows: Vec<Row>) -> R<Option<User>> {
    match rows.first() {
        None => Ok(None),
        Some(row) => Ok(with_units(c, vec![user_from(row)?]).await?.pop()),
    }
}

async fn save_units(c: &mut dyn Conn, user: UserId, units: &[UnitId]) -> R<()> {
    c.execute("DELETE FROM user_units WHERE user_id = $1", args![user.0]).await?;
    for unit in units {
        c.execute("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)", args![user.0, unit.0]).await?;
    }
    Ok(())
}

pub async fn insert_user(c: &mut dyn Conn, u: &User, source: Option<(&str, &str)>) -> R<UserId> {
    let id = UserId(
        insert_id(
            c,
            "INSERT INTO users (login, display_name, email, role, lang, time_zone, can_login, \
             source, external_id, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10) RETURNING id",
            args![
                u.login.as_deref(),
                u.display_name.as_str(),
                u.email.as_deref(),
                u.role.as_str(),
                u.lang.map(|l| l.as_str()),
                u.time_zone.as_str(),
                u.can_login,
                source.map(|s| s.0),
                source.map(|s| s.1),
                Utc::now()
            ],
        )
        .await?,
    );
    save_units(c, id, &u.units).await?;
    Ok(id)
}

pub(crate) fn first_int(rows: &[Row]) -> R<i64> {
    rows.first().ok_or(StoreError::NotFound)?.cursor().int()
}

pub async fn get_user(c: &mut dyn Conn, id: UserId) -> R<Option<User>> {
    let rows = c.fetch(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"), args![id.0]).await?;
    one_user(c, rows).await
}

pub async fn find_user_by_login(c: &mut dyn Conn, login: &str) -> R<Option<(User, Option<String>)>> {
    let rows = c.fetch(&format!("SELECT {USER_COLS}, password_hash FROM users WHERE login = $1"), args![login]).await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let hash = row.0.get(9).and_then(|v| match v {
        Value::Text(t) => t.clone(),
        _ => None,
    });
    let user = with_units(c, vec![user_from(row)?]).await?.pop();
    Ok(user.map(|u| (u, hash)))
}

pub async fn find_user_by_source(c: &mut dyn Conn, source: &str, external_id: &str) -> R<Option<User>> {
    let rows = c
        .fetch(
            &format!("SELECT {USER_COLS} FROM users WHERE source = $1 AND external_id = $2"),
            args![source, external_id],
        )
        .await?;
    one_user(c, rows).await
}

pub async fn list_users(c: &mut dyn Conn, page: Page) -> R<Vec<User>> {
    let rows = c
        .fetch(&format!("SELECT {USER_COLS} FROM users ORDER BY id LIMIT $1 OFFSET $2"), args![page.limit, page.offset])
        .await?;
    let users = rows.iter().map(user_from).collect::<R<Vec<_>>>()?;
    with_units(c, users).await
}

pub async fn count_users(c: &mut dyn Conn) -> R<i64> {
    first_int(&c.fetch("SELECT COUNT(*) FROM users", vec![]).await?)
}

pub async fn update_user(c: &mut dyn Conn, u: &User) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE users SET login = $1, display_name = $2, email = $3, role = $4, lang = $5, time_zone = $6, \
             can_login = $7, version = version + 1 WHERE id = $8 AND version = $9",
            args![
                u.login.as_deref(),
                u.display_name.as_str(),
                u.email.as_deref(),
                u.role.as_str(),
                u.lang.map(|l| l.as_str()),
                u.time_zone.as_str(),
                u.can_login,
                u.id.0,
                u.version
            ],
        )
        .await?;
    crate::tx::check_versioned(c, changed, "users", u.id.0).await?;
    save_units(c, u.id, &u.units).await?;
    Ok(u.version + 1)
}

pub async fn set_password(c: &mut dyn Conn, id: UserId, hash: &str) -> R<()> {
    c.execute("UPDATE users SET password_hash = $1 WHERE id = $2", args![hash, id.0]).await?;
    Ok(())
}

pub async fn insert_session(c: &mut dyn Conn, s: &Session) -> R<()> {
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        args![s.token_hash.as_str(), s.user_id.0, s.csrf_token.as_str(), s.expires_at],
    )
    .await?;
    Ok(())
}

pub async fn get_session(c: &mut dyn Conn, token_hash: &str) -> R<Option<Session>> {
    let rows = c
        .fetch(
            "SELECT token_hash, user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1",
            args![token_hash],
        )
        .await?;
    rows.first()
        .map(|r| {
            let mut c = r.cursor();
            Ok(Session {
                token_hash: c.text()?,
                user_id: UserId(c.int()?),
                csrf_token: c.text()?,
                expires_at: c.time()?,
            })
        })
        .transpose()
}

pub async fn delete_session(c: &mut dyn Conn, token_hash: &str) -> R<()> {
    c.execute("DELETE FROM sessions WHERE token_hash = $1", args![token_hash]).await?;
    Ok(())
}

pub async fn delete_sessions_of(c: &mut dyn Conn, user: UserId) -> R<()> {
    c.execute("DELETE FROM sessions WHERE user_id = $1", args![user.0]).await?;
    Ok(())
}

pub async fn insert_token(c: &mut dyn Conn, user: UserId, name: &str, hash: &str) -> R<TokenId> {
    Ok(TokenId(
        insert_id(
            c,
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            args![user.0, name, hash, Utc::now()],
        )
        .await?,
    ))
}

fn token_from(row: &Row) -> R<ApiToken> {
    let mut c = row.cursor();
    Ok(ApiToken { id: TokenId(c.int()?), user_id: UserId(c.int()?), name: c.text()?, created_at: c.time()? })
}

pub async fn find_token(c: &mut dyn Conn, hash: &str) -> R<Option<ApiToken>> {
    let rows =
        c.fetch("SELECT id, user_id, name, created_at FROM api_tokens WHERE token_hash = $1", args![hash]).await?;
    rows.first().map(token_from).transpose()
}

pub async fn list_tokens(c: &mut dyn Conn, user: UserId) -> R<Vec<ApiToken>> {
    fetch_map(
        c,
        "SELECT id, user_id, name, created_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
        args![user.0],
        token_from,
    )
    .await
}

const UNIT_COLS: &str = "id, parent_id, name, region, lead_id, version";

fn unit_from(row: &Row) -> R<Unit> {
    let mut c = row.cursor();
    Ok(Unit {
        id: UnitId(c.int()?),
        parent_id: c.opt_int()?.map(UnitId),
        name: c.text()?,
        region: c.opt_text()?,
        lead_id: c.opt_int()?.map(UserId),
        version: c.int()?,
    })
}

pub async fn insert_unit(c: &mut dyn Conn, u: &Unit) -> R<UnitId> {
    Ok(UnitId(
        insert_id(
            c,
            "INSERT INTO units (parent_id, name, region, lead_id, version) VALUES ($1, $2, $3, $4, 1) RETURNING id",
            args![u.parent_id.map(|p| p.0), u.name.as_str(), u.region.as_deref(), u.lead_id.map(|l| l.0)],
        )
        .await?,
    ))
}

pub async fn get_unit(c: &mut dyn Conn, id: UnitId) -> R<Option<Unit>> {
    let rows = c.fetch(&format!("SELECT {UNIT_COLS} FROM units WHERE id = $1"), args![id.0]).await?;
    rows.first().map(unit_from).transpose()
}

pub async fn list_units(c: &mut dyn Conn) -> R<Vec<Unit>> {
    fetch_map(c, &format!("SELECT {UNIT_COLS} FROM units ORDER BY id"), vec![], unit_from).await
}

pub async fn update_unit(c: &mut dyn Conn, u: &Unit) -> R<i64> {
    let changed = c
        .execute(
            "UPDATE units SET parent_id = $1, name = $2, region = $3, lead_id = $4, version = version + 1 \
             WHERE id = $5 AND version = $6",
            args![
                u.parent_id.map(|p| p.0),
                u.name.as_str(),
                u.region.as_deref(),
                u.lead_id.map(|l| l.0),
                u.id.0,
                u.version
            ],
        )
        .await?;
    crate::tx::check_versioned(c, changed, "units", u.id.0).await?;
    Ok(u.version + 1)
}
