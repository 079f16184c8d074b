//! Who is acting: password login, sessions, API tokens, the first-start
//! setup link. Secrets are random, shown once, and stored only as hashes.

use crate::store::{Session, Viewer};
use crate::{App, AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{Duration, Utc};
use keel_domain::UserId;
use keel_domain::org::{Lang, Role, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The person behind a request, or the system itself (CLI commands, demo).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: Option<User>,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { user: None }
    }
    pub fn user(user: User) -> Actor {
        Actor { user: Some(user) }
    }
    pub fn id(&self) -> Option<UserId> {
        self.user.as_ref().map(|u| u.id)
    }
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_none_or(|u| u.role == Role::Admin)
    }
    /// Viewers read; members and admins may change things.
    pub fn may_write(&self) -> bool {
        self.user.as_ref().is_none_or(|u| u.role != Role::Viewer)
    }
    /// The list filter for this actor; the system sees everything.
    pub fn viewer(&self) -> Option<Viewer> {
        self.user.as_ref().map(|u| Viewer { user_id: u.id, admin: u.role == Role::Admin })
    }
    pub fn in_unit(&self, unit: Option<keel_domain::UnitId>) -> bool {
        match (&self.user, unit) {
            (Some(u), Some(unit)) => u.units.contains(&unit),
            _ => false,
        }
    }
    pub fn is(&self, id: Option<UserId>) -> bool {
        id.is_some() && self.id() == id
    }
    pub fn lang(&self) -> Option<Lang> {
        self.user.as_ref().and_then(|u| u.lang)
    }
    pub fn time_zone(&self) -> &str {
        self.user.as_ref().map(|u| u.time_zone.as_str()).unwrap_or("UTC")
    }
}

/// A new random secret: 32 bytes as hex, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Tokens are long random strings, so a fast hash is enough to store them.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| AppError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing password: {e}")))
}

/// A hash of nothing in particular, checked against when the login is
/// unknown so that the answer takes as long as for a known one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_secret("")).unwrap_or_default())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

pub const MIN_PASSWORD_CHARS: usize = 8;

pub fn check_password_rules(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// A logged-in session: the cookie value (shown once) and the CSRF token
/// forms must carry.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

const SETUP_KEY: &str = "setup_token_hash";
pub const SESSION_DAYS: i64 = 14;

impl App {
    pub async fn login(&self, login: &str, password: &str) -> AppResult<NewSession> {
        // The slow hash is checked outside the write transaction, so a login
        // never holds up other writers (SQLite has one).
        let found = self.store.read().await?.find_user_by_login(login.trim()).await?;
        // Same answer, and the same work, for an unknown login and a wrong password.
        let user = match found {
            Some((user, Some(hash))) if user.can_login && verify_password(password, &hash) => user,
            Some(_) => return Err(AppError::Unauthorized),
            None => {
                verify_password(password, dummy_hash());
                return Err(AppError::Unauthorized);
            }
        };
        let mut tx = self.store.write().await?;
        let token = new_secret("ks_");
        let csrf_token = new_secret("");
        tx.insert_session(&Session {
            token_hash: hash_secret(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            expires_at: Utc::now() + Duration::days(SESSION_DAYS),
        })
        .await?;
        tx.commit().await?;
        Ok(NewSession { token, csrf_token, user })
    }

    /// The user and CSRF token of a live session cookie.
    pub async fn session(&self, token: &str) -> AppResult<(Actor, String)> {
        let mut tx = self.store.read().await?;
        let session = tx.get_session(&hash_secret(token)).await?.ok_or(AppError::Unauthorized)?;
        if session.expires_at < Utc::now() {
            return Err(AppError::Unauthorized);
        }
        let user = tx.get_user(session.user_id).await?.ok_or(AppError::Unauthorized)?;
        if !user.can_login {
            return Err(AppError::Unauthorized);
        }
        Ok((Actor::user(user), session.csrf_token))
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.delete_session(&hash_secret(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for a user; the token is returned once.
    pub async fn create_token(&self, login: &str, name: &str) -> AppResult<String> {
        let mut tx = self.store.write().await?;
        let (user, _) = tx.find_user_by_login(login).await?.ok_or(AppError::NotFound("user"))?;
        let token = new_secret("kt_");
        let id = tx.insert_token(user.id, name, &hash_secret(&token)).await?;
        // The record names the token, never its secret.
        let entry = serde_json::json!({ "user_id": user.id, "name": name });
        crate::record::record(&mut *tx, &Actor::system(), "api_token", id.0, "create", None, Some(&entry)).await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn token_actor(&self, token: &str) -> AppResult<Actor> {
        let mut tx = self.store.read().await?;
        let found = tx.find_token(&hash_secret(token)).await?.ok_or(AppError::Unauthorized)?;
        let user = tx.get_user(found.user_id).await?.ok_or(AppError::Unauthorized)?;
        if !user.can_login {
            return Err(AppError::Unauthorized);
        }
        Ok(Actor::user(user))
    }

    /// Adds a person who can log in (CLI `keel user add`, the setup page).
    pub async fn add_login_user(&self, login: &str, display_name: &str, password: &str, role: Role) -> AppResult<User> {
        let user = self.new_login_user(login, display_name, password, role)?;
        let mut tx = self.store.write().await?;
        let user = insert_login_user(&mut *tx, user, password).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Checks the fields of a new login user before anything is written.
    fn new_login_user(&self, login: &str, display_name: &str, password: &str, role: Role) -> AppResult<User> {
        check_password_rules(password)?;
        Ok(User {
            id: UserId(0),
            login: Some(check_login(login)?),
            display_name: keel_domain::text::required("display_name", display_name, keel_domain::text::NAME_MAX)?,
            email: None,
            role,
            lang: None,
            time_zone: self.settings.default_time_zone.clone(),
            can_login: true,
            units: vec![],
            version: 1,
        })
    }

    /// On an instance where nobody can log in: a one-time setup
    /// secret for creating the first admin. None once someone exists.
    pub async fn setup_token_if_needed(&self) -> AppResult<Option<String>> {
        let mut tx = self.store.write().await?;
        // Imported people exist but cannot log in; they do not count.
        if tx.list_users(crate::store::Page::ALL).await?.iter().any(|u| u.can_login) {
            return Ok(None);
        }
        let token = new_secret("");
        tx.put_setting(SETUP_KEY, &hash_secret(&token)).await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// Uses the setup secret once to create the first admin. The input is
    /// checked first and the secret is spent in the same transaction that
    /// creates the admin, so a mistake never burns the link.
    pub async fn complete_setup(
        &self,
        token: &str,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> AppResult<User> {
        let user = self.new_login_user(login, display_name, password, Role::Admin)?;
        let mut tx = self.store.write().await?;
        let stored = tx.get_setting(SETUP_KEY).await?;
        if stored.as_deref() != Some(hash_secret(token).as_str()) {
            return Err(AppError::forbidden("this setup link is not valid (it may have been used already)"));
        }
        tx.delete_setting(SETUP_KEY).await?;
        let user = insert_login_user(&mut *tx, user, password).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn setup_pending(&self) -> AppResult<bool> {
        let mut tx = self.store.read().await?;
        Ok(tx.get_setting(SETUP_KEY).await?.is_some())
    }
}

/// Login names: letters (any script), digits and . _ - @, no spaces.
pub fn check_login(login: &str) -> AppResult<String> {
    let login = keel_domain::text::required("login", login, 100)?;
    if !login.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c)) {
        return Err(AppError::invalid("login", "use letters, digits and . _ - @ only (no spaces)"));
    }
    Ok(login)
}

/// A login that exists already is the person's mistake, not a server fault.
pub(crate) fn login_taken(e: crate::StoreError, login: &Option<String>) -> AppError {
    match e {
        crate::StoreError::Unique(_) => {
            AppError::invalid("login", format!("{} is taken", login.as_deref().unwrap_or_default()))
        }
        other => other.into(),
    }
}

async fn insert_login_user(tx: &mut dyn crate::store::Tx, user: User, password: &str) -> AppResult<User> {
    let hash = hash_password(password)?;
    let id = tx.insert_user(&user, None).await.map_err(|e| login_taken(e, &user.login))?;
    tx.set_password(id, &hash).await?;
    let user = User { id, ..user };
    crate::record::record(tx, &Actor::system(), "user", id.0, "create", None, Some(&user)).await?;
    Ok(user)
}
