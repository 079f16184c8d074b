//! Keel's use cases. Every operation takes the acting person, checks what
//! they may see and change, runs in one storage transaction and records the
//! change. The storage traits live here; backends implement them.

pub mod access;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod compute;
pub mod demo;
pub mod error;
pub mod feed;
pub mod home;
pub mod import;
pub mod okr;
pub mod org;
pub mod patch;
pub mod people;
pub mod recent;
pub mod record;
pub mod search;
pub mod store;
pub mod table;
pub mod work;

pub use auth::Actor;
pub use error::{AppError, AppResult, StoreError};

use keel_domain::status::StatusThresholds;
use std::sync::Arc;

/// Instance-wide settings the use cases need.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Gap limits of KR status (PRODUCT.md §2).
    pub thresholds: StatusThresholds,
    /// Zone of people who have not chosen one.
    pub default_time_zone: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { thresholds: StatusThresholds::default(), default_time_zone: "Asia/Shanghai".into() }
    }
}

/// The application: a store and settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn store::Store>,
    pub settings: Settings,
    /// Computed OKR trees and big task lists, shared by the clones of this App.
    trees: Arc<recent::TreeCache>,
    tasks: Arc<recent::TasksCache>,
}

impl App {
    pub fn new(store: Arc<dyn store::Store>, settings: Settings) -> App {
        App { store, settings, trees: Arc::new(recent::Recent::new(32)), tasks: Arc::new(recent::Recent::new(4)) }
    }
}
