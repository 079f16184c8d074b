//! Organisation use cases: units in a tree and the people in them.

use crate::access::{require, require_admin};
use crate::auth::{Actor, check_password_rules, hash_password};
use crate::okr::{check_version, save};
use crate::patch::{self, nullable};
use crate::record::record;
use crate::store::Page;
use crate::{App, AppError, AppResult};
use keel_domain::deps::creates_parent_cycle;
use keel_domain::org::{Lang, Role, Unit, User};
use keel_domain::text::{self, NAME_MAX};
use keel_domain::{UnitId, UserId};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<UnitId>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub lead_id: Option<UserId>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub parent_id: Option<Option<UnitId>>,
    #[serde(default, deserialize_with = "nullable")]
    pub region: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub lead_id: Option<Option<UserId>>,
    pub version: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    /// Leave out for a person who does not log in (e.g. named in imports).
    #[serde(default)]
    pub login: Option<String>,
    pub display_name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub lang: Option<Lang>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub units: Vec<UnitId>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "nullable")]
    pub lang: Option<Option<Lang>>,
    pub time_zone: Option<String>,
    pub units: Option<Vec<UnitId>>,
    pub can_login: Option<bool>,
    pub password: Option<String>,
    pub version: i64,
}

fn check_zone(zone: &str) -> AppResult<()> {
    if crate::clock::is_valid_zone(zone) {
        Ok(())
    } else {
        Err(AppError::invalid("time_zone", format!("{zone:?} is not an IANA time zone such as Asia/Shanghai")))
    }
}

impl App {
    pub async fn list_units(&self, _actor: &Actor) -> AppResult<Vec<Unit>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_units().await?)
    }

    pub async fn get_unit(&self, _actor: &Actor, id: UnitId) -> AppResult<Unit> {
        let mut tx = self.store.read().await?;
        tx.get_unit(id).await?.ok_or(AppError::NotFound("unit"))
    }

    pub async fn create_unit(&self, actor: &Actor, input: UnitInput) -> AppResult<Unit> {
        require_admin(actor)?;
        let mut tx = self.store.write().await?;
        if let Some(parent) = input.parent_id {
            tx.get_unit(parent).await?.ok_or_else(|| AppError::invalid("parent_id", "no such unit"))?;
        }
        if let Some(lead) = input.lead_id {
            tx.get_user(lead).await?.ok_or_else(|| AppError::invalid("lead_id", "no such person"))?;
        }
        let mut unit = Unit {
            id: UnitId(0),
            parent_id: input.parent_id,
            name: text::required("name", &input.name, NAME_MAX)?,
            region: input.region.filter(|r| !r.trim().is_empty()),
            lead_id: input.lead_id,
            version: 1,
        };
        unit.id = tx.insert_unit(&unit).await?;
        record(&mut *tx, actor, "unit", unit.id.0, "create", None, Some(&unit)).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn update_unit(&self, actor: &Actor, id: UnitId, patch: UnitPatch) -> AppResult<Unit> {
        require_admin(actor)?;
        let mut tx = self.store.write().await?;
        let before = tx.get_unit(id).await?.ok_or(AppError::NotFound("unit"))?;
        check_version(before.version, patch.version, &before)?;
        let mut unit = before.clone();
        if let Some(name) = patch.name {
            unit.name = text::required("name", &name, NAME_MAX)?;
        }
        patch::apply(&mut unit.parent_id, patch.parent_id);
        patch::apply(&mut unit.region, patch.region);
        patch::apply(&mut unit.lead_id, patch.lead_id);
        if let Some(parent) = unit.parent_id {
            let units = tx.list_units().await?;
            let parent_of = |u: i64| units.iter().find(|x| x.id.0 == u).and_then(|x| x.parent_id.map(|p| p.0));
            if creates_parent_cycle(id.0, parent.0, parent_of) {
                let name = |u: UnitId| units.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
                let message = if parent == id {
                    format!("“{}” cannot sit inside itself", unit.name)
                } else {
                    format!("“{}” cannot move under “{}”, which sits inside it", unit.name, name(parent))
                };
                return Err(AppError::invalid("parent_id", message));
            }
        }
        unit.version = save!(tx, update_unit, get_unit, unit);
        record(&mut *tx, actor, "unit", id.0, "update", Some(&before), Some(&unit)).await?;
        tx.commit().await?;
        Ok(unit)
    }

    pub async fn list_users(&self, _actor: &Actor, page: Page) -> AppResult<Vec<User>> {
        let mut tx = self.store.read().await?;
        Ok(tx.list_users(page).await?)
    }

    pub async fn get_user(&self, _actor: &Actor, id: UserId) -> AppResult<User> {
        let mut tx = self.store.read().await?;
        tx.get_user(id).await?.ok_or(AppError::NotFound("user"))
    }

    pub async fn create_user(&self, actor: &Actor, input: UserInput) -> AppResult<User> {
        require_admin(actor)?;
        let time_zone = input.time_zone.unwrap_or_else(|| self.settings.default_time_zone.clone());
        check_zone(&time_zone)?;
        let login = input.login.map(|l| crate::auth::check_login(&l)).transpose()?;
        let password_hash = match (&login, &input.password) {
            (Some(_), Some(password)) => {
                check_password_rules(password)?;
                Some(hash_password(password)?)
            }
            (Some(_), None) => return Err(AppError::invalid("password", "a person who logs in needs a password")),
            (None, Some(_)) => return Err(AppError::invalid("login", "a password needs a login")),
            (None, None) => None,
        };
        let mut tx = self.store.write().await?;
        for unit in &input.units {
            tx.get_unit(*unit).await?.ok_or_else(|| AppError::invalid("units", format!("no unit with id {unit}")))?;
        }
        let mut user = User {
            id: UserId(0),
            can_login: login.is_some(),
            login,
            display_name: text::required("display_name", &input.display_name, NAME_MAX)?,
            email: input.email.filter(|e| !e.trim().is_empty()),
            role: input.role.unwrap_or(Role::Member),
            lang: input.lang,
            time_zone,
            units: input.units,
            version: 1,
        };
        user.id = tx.insert_user(&user, None).await.map_err(|e| crate::auth::login_taken(e, &user.login))?;
        if let Some(hash) = password_hash {
            tx.set_password(user.id, &hash).await?;
        }
        record(&mut *tx, actor, "user", user.id.0, "create", None, Some(&user)).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// People change their own name, language, zone and password; admins
    /// change anything, including roles and units.
    pub async fn update_user(&self, actor: &Actor, id: UserId, patch: UserPatch) -> AppResult<User> {
        let own = actor.is(Some(id));
        require(own || actor.is_admin(), "you may only change your own settings")?;
        if !actor.is_admin() && (patch.role.is_some() || patch.units.is_some() || patch.can_login.is_some()) {
            return Err(AppError::forbidden("only an admin changes roles, units and login rights"));
        }
        let mut tx = self.store.write().await?;
        let before = tx.get_user(id).await?.ok_or(AppError::NotFound("user"))?;
        check_version(before.version, patch.version, &before)?;
        let mut user = before.clone();
        if let Some(name) = patch.display_name {
            user.display_name = text::required("display_name", &name, NAME_MAX)?;
        }
        patch::apply(&mut user.email, patch.email);
        patch::set(&mut user.role, patch.role);
        patch::apply(&mut user.lang, patch.lang);
        if let Some(zone) = patch.time_zone {
            check_zone(&zone)?;
            user.time_zone = zone;
        }
        if let Some(units) = patch.units {
            for unit in &units {
                tx.get_unit(*unit)
                    .await?
                    .ok_or_else(|| AppError::invalid("units", format!("no unit with id {unit}")))?;
            }
            user.units = units;
        }
        if let Some(can_login) = patch.can_login {
            if can_login && user.login.is_none() {
                return Err(AppError::invalid("can_login", "this person has no login"));
            }
            user.can_login = can_login;
        }
        if let Some(password) = patch.password {
            check_password_rules(&password)?;
            tx.set_password(id, &hash_password(&password)?).await?;
            // A new password ends every session opened with the old one.
            tx.delete_sessions_of(id).await?;
        }
        crate::people::keep_an_admin(&mut *tx, &before, &user).await?;
        if !user.can_login {
            tx.delete_sessions_of(id).await?;
        }
        user.version = save!(tx, update_user, get_user, user);
        record(&mut *tx, actor, "user", id.0, "update", Some(&before), Some(&user)).await?;
        tx.commit().await?;
        Ok(user)
    }
}
