//! People, settings and key-result comments: a person's own settings
//! (language, time zone, notification preferences), the people search,
//! unit membership, comments on key results and the work behind a key
//! result's number.

use crate::access::{require_admin, require_writer};
use crate::auth::Actor;
use crate::okr::{check_version, conflict, save, visible_key_result};
use crate::record::record;
use crate::store::{KrWorkCounts, Page};
use crate::{App, AppError, AppResult, StoreError};
use chrono::Utc;
use keel_domain::notify::NotificationPrefs;
use keel_domain::okr::KrComment;
use keel_domain::org::{Lang, Role, User};
use keel_domain::text::{self, BODY_MAX};
use keel_domain::work::Task;
use keel_domain::{KeyResultId, KrCommentId, UnitId, UserId};
use serde::{Deserialize, Serialize};

/// What `/settings` and `GET /api/v1/me/settings` show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySettings {
    /// zh-CN or en; none: follow the browser.
    pub lang: Option<Lang>,
    /// IANA zone, e.g. Asia/Shanghai.
    pub time_zone: String,
    pub notifications: NotificationPrefs,
    /// The person's version: send it back with a change.
    pub version: i64,
    /// The preferences' version (0 before they are first saved).
    pub notifications_version: i64,
}

/// A change of one's own settings; both versions as last read.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    pub lang: Option<Lang>,
    pub time_zone: String,
    pub notifications: NotificationPrefs,
    pub version: i64,
    pub notifications_version: i64,
}

/// The work behind a key result for one viewer: counts and a page of open tasks.
#[derive(Debug, Clone)]
pub struct KrWork {
    pub counts: KrWorkCounts,
    pub open: Vec<Task>,
}

impl App {
    pub async fn my_settings(&self, actor: &Actor) -> AppResult<MySettings> {
        let me = actor.id().ok_or(AppError::Unauthorized)?;
        let mut tx = self.store.read().await?;
        let user = tx.get_user(me).await?.ok_or(AppError::NotFound("user"))?;
        let (notifications, notifications_version) = tx.get_notification_prefs(me).await?.unwrap_or_default();
        Ok(MySettings {
            lang: user.lang,
            time_zone: user.time_zone,
            notifications,
            version: user.version,
            notifications_version,
        })
    }

    /// A person's notification preferences as the automation should read
    /// them: the stored ones, else the defaults.
    pub async fn notification_prefs(&self, _actor: &Actor, user: UserId) -> AppResult<NotificationPrefs> {
        let mut tx = self.store.read().await?;
        Ok(tx.get_notification_prefs(user).await?.map(|p| p.0).unwrap_or_default())
    }

    /// Saves one's own language, zone and notification preferences in one
    /// transaction; a stale version of either is a 409 and nothing is saved.
    pub async fn update_my_settings(&self, actor: &Actor, input: SettingsInput) -> AppResult<MySettings> {
        let me = actor.id().ok_or(AppError::Unauthorized)?;
        if !crate::clock::is_valid_zone(&input.time_zone) {
            return Err(AppError::invalid(
                "time_zone",
                format!("{:?} is not an IANA time zone such as Asia/Shanghai", input.time_zone),
            ));
        }
        input.notifications.validate()?;
        let mut tx = self.store.write().await?;
        let before = tx.get_user(me).await?.ok_or(AppError::NotFound("user"))?;
        check_version(before.version, input.version, &before)?;
        let mut user = before.clone();
        user.lang = input.lang;
        user.time_zone = input.time_zone;
        if user != before {
            user.version = save!(tx, update_user, get_user, user);
            record(&mut *tx, actor, "user", me.0, "update", Some(&before), Some(&user)).await?;
        }
        let old = tx.get_notification_prefs(me).await?;
        let stored_version = old.as_ref().map(|o| o.1).unwrap_or(0);
        if stored_version != input.notifications_version {
            return Err(conflict(&old.map(|o| o.0).unwrap_or_default()));
        }
        let mut notifications_version = stored_version;
        if old.as_ref().map(|o| &o.0) != Some(&input.notifications) {
            notifications_version =
                match tx.put_notification_prefs(me, &input.notifications, input.notifications_version).await {
                    Ok(v) => v,
                    Err(StoreError::Stale) => return Err(conflict(&input.notifications)),
                    Err(e) => return Err(e.into()),
                };
            let before_prefs = old.map(|o| o.0);
            record(
                &mut *tx,
                actor,
                "notification_prefs",
                me.0,
                "update",
                before_prefs.as_ref(),
                Some(&input.notifications),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(MySettings {
            lang: user.lang,
            time_zone: user.time_zone,
            notifications: input.notifications,
            version: user.version,
            notifications_version,
        })
    }

    /// People whose name, login or email contains `text`, a page of them and the total.
    pub async fn search_people(&self, _actor: &Actor, text: &str, page: Page) -> AppResult<(Vec<User>, i64)> {
        let mut tx = self.store.read().await?;
        let people = tx.search_users(text, page).await?;
        let total = tx.count_search_users(text).await?;
        Ok((people, total))
    }

    /// Adds a person to a unit or takes them out (admins only). The unit's
    /// version is checked and moves on, so two stale membership forms of the
    /// same unit cannot both win; the person's change is recorded.
    pub async fn set_unit_member(
        &self,
        actor: &Actor,
        unit_id: UnitId,
        user_id: UserId,
        member: bool,
        unit_version: i64,
    ) -> AppResult<User> {
        require_admin(actor)?;
        let mut tx = self.store.write().await?;
        let unit = tx.get_unit(unit_id).await?.ok_or(AppError::NotFound("unit"))?;
        check_version(unit.version, unit_version, &unit)?;
        let before = tx.get_user(user_id).await?.ok_or_else(|| AppError::invalid("user_id", "no such person"))?;
        let mut user = before.clone();
        user.units.retain(|u| *u != unit_id);
        if member {
            user.units.push(unit_id);
        }
        save!(tx, update_unit, get_unit, unit);
        if user.units != before.units {
            user.version = save!(tx, update_user, get_user, user);
            record(&mut *tx, actor, "user", user_id.0, "update", Some(&before), Some(&user)).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    pub async fn add_kr_comment(&self, actor: &Actor, kr_id: KeyResultId, body: &str) -> AppResult<KrComment> {
        require_writer(actor)?;
        let body = text::required("body", body, BODY_MAX)?;
        let mut tx = self.store.write().await?;
        visible_key_result(&mut *tx, actor, kr_id).await?;
        let mut comment =
            KrComment { id: KrCommentId(0), key_result_id: kr_id, author_id: actor.id(), body, created_at: Utc::now() };
        comment.id = tx.insert_kr_comment(&comment, None).await?;
        record(&mut *tx, actor, "kr_comment", comment.id.0, "create", None, Some(&comment)).await?;
        tx.commit().await?;
        Ok(comment)
    }

    /// A page of a key result's comments, oldest first, and their total.
    pub async fn list_kr_comments(
        &self,
        actor: &Actor,
        kr_id: KeyResultId,
        page: Page,
    ) -> AppResult<(Vec<KrComment>, i64)> {
        let mut tx = self.store.read().await?;
        visible_key_result(&mut *tx, actor, kr_id).await?;
        let comments = tx.list_kr_comments(kr_id, page).await?;
        let total = tx.count_kr_comments(kr_id).await?;
        Ok((comments, total))
    }

    /// The tasks behind a key result the actor may see: done / open / overdue
    /// (overdue in the actor's time zone) and a page of the open ones.
    pub async fn kr_work(&self, actor: &Actor, kr_id: KeyResultId, page: Page) -> AppResult<KrWork> {
        let mut tx = self.store.read().await?;
        visible_key_result(&mut *tx, actor, kr_id).await?;
        let today = crate::clock::today_in(actor.time_zone(), Utc::now());
        let counts = tx.kr_work_counts(kr_id, actor.viewer(), today).await?;
        let open = tx.kr_work_tasks(kr_id, actor.viewer(), true, page).await?;
        Ok(KrWork { counts, open })
    }
}

/// Refuses taking the admin role (or login) from the last admin who can log in.
pub(crate) async fn keep_an_admin(tx: &mut dyn crate::store::Tx, before: &User, after: &User) -> AppResult<()> {
    let was = before.role == Role::Admin && before.can_login;
    let is = after.role == Role::Admin && after.can_login;
    if !was || is {
        return Ok(());
    }
    let admins = tx
        .list_users(Page::ALL)
        .await?
        .iter()
        .filter(|u| u.id != before.id && u.role == Role::Admin && u.can_login)
        .count();
    if admins == 0 {
        return Err(AppError::invalid("role", "the last admin cannot be demoted: make someone else an admin first"));
    }
    Ok(())
}
