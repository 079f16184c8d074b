//! Project health: schedule gap, overdue and blocked work → green/yellow/red,
//! with the reasons that decided it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Health {
    Green,
    Yellow,
    Red,
}
