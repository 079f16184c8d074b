//! The key result's own edit form: its owner (or whoever may change its
//! objective) corrects the title, start, target and due date, and may
//! override the computed status with a reason. The form carries the version
//! it was filled from, so a change made meanwhile by someone else is a 409,
//! never silently overwritten.

use super::auth::PageActor;
use super::forms::{self, Choice, FieldError};
use super::okrs::kr_page;
use super::view;
use super::{PageError, PageResult};
use crate::AppState;
use crate::i18n::Msg;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use keel_app::AppError;
use keel_app::okr::KeyResultPatch;
use keel_domain::KeyResultId;
use keel_domain::okr::{KeyResult, KrKind};
use keel_domain::org::Lang;
use keel_domain::status::KrStatus;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KrEditForm {
    csrf: String,
    pub version: i64,
    pub title: String,
    pub start: String,
    pub target: String,
    pub due: String,
    /// Empty for the computed status, else the status chosen.
    pub status: String,
    pub reason: String,
}

impl KrEditForm {
    fn of(kr: &KeyResult) -> KrEditForm {
        // Every digit, so saving an unchanged form never rounds a stored value.
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        KrEditForm {
            csrf: String::new(),
            version: kr.version,
            title: kr.title.clone(),
            start: num(kr.start_value),
            target: num(kr.target_value),
            due: kr.due_date.map(view::date).unwrap_or_default(),
            status: kr.status_override.map(|s| s.as_str().to_string()).unwrap_or_default(),
            reason: kr.override_reason.clone().unwrap_or_default(),
        }
    }
}

/// Why the key result page is shown again instead of redirecting.
pub enum KrProblem {
    Nothing,
    /// The check-in form's value or confidence (422); what was typed comes back.
    CheckIn(super::okrs::CheckInForm, FieldError),
    /// The edit form was refused; what was typed comes back (422).
    Edit(KrEditForm, FieldError),
    /// Someone else changed the key result first (409): the form shows it as it is now.
    Conflict,
}

/// The edit form as shown on the key result page.
pub struct KrEdit {
    pub f: KrEditForm,
    pub error: Option<FieldError>,
    pub conflict: bool,
    pub has_start: bool,
    pub has_target: bool,
    pub target_label: &'static str,
    pub statuses: Vec<Choice>,
}

impl KrEdit {
    pub fn new(page: &PageActor, kr: &KeyResult, problem: KrProblem) -> KrEdit {
        let statuses = [KrStatus::NotStarted, KrStatus::OnTrack, KrStatus::AtRisk, KrStatus::OffTrack, KrStatus::Done]
            .into_iter()
            .map(|s| Choice::new(s.as_str(), page.t(view::kr_status(s))))
            .collect();
        let (f, error, conflict) = match problem {
            KrProblem::Edit(f, e) => (f, Some(e), false),
            KrProblem::Conflict => (KrEditForm::of(kr), None, true),
            _ => (KrEditForm::of(kr), None, false),
        };
        KrEdit {
            f,
            error,
            conflict,
            has_start: kr.kind == KrKind::Metric,
            has_target: kr.kind.takes_values(),
            target_label: page.t(if kr.kind == KrKind::Threshold { Msg::Line } else { Msg::TargetValue }),
            statuses,
        }
    }

    pub fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|e| e.field == field)
    }
}

/// The patch the form asks for; numbers only for the kinds that have them.
fn patch(lang: Lang, kind: KrKind, f: &KrEditForm) -> Result<KeyResultPatch, FieldError> {
    let target_label = if kind == KrKind::Threshold { Msg::Line } else { Msg::TargetValue };
    let status = match f.status.as_str() {
        "" => None,
        s => Some(KrStatus::parse(s).ok_or_else(|| forms::choose(lang, "status", Msg::StatusOverride))?),
    };
    Ok(KeyResultPatch {
        title: Some(f.title.clone()),
        start_value: if kind == KrKind::Metric {
            Some(forms::number(lang, "start", Msg::StartValue, &f.start)?)
        } else {
            None
        },
        target_value: if kind.takes_values() {
            Some(forms::number(lang, "target", target_label, &f.target)?)
        } else {
            None
        },
        due_date: Some(forms::date(lang, "due", Msg::DueDate, &f.due)?),
        status_override: Some(status),
        override_reason: Some(Some(f.reason.trim().to_string()).filter(|r| !r.is_empty())),
        version: f.version,
        ..Default::default()
    })
}

pub async fn edit(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<KrEditForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    let (lang, id) = (page.lang, KeyResultId(id));
    let (_, kr) = state.app.key_result_view(&page.actor, id).await.map_err(|e| PageError::app(lang, e))?;
    let kind = kr.key_result.kind;
    let patch = match patch(lang, kind, &form) {
        Ok(patch) => patch,
        Err(e) => return kr_page(&state, &page, id, KrProblem::Edit(form, e)).await,
    };
    match state.app.update_key_result(&page.actor, id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/key-results/{}", id.0)).into_response()),
        Err(AppError::Conflict { .. }) => kr_page(&state, &page, id, KrProblem::Conflict).await,
        Err(AppError::Invalid { field, message }) => {
            let (input, label) = match field.as_str() {
                "title" => ("title", Msg::Title),
                "start_value" => ("start", Msg::StartValue),
                "target_value" if kind == KrKind::Threshold => ("target", Msg::Line),
                "target_value" => ("target", Msg::TargetValue),
                "due_date" => ("due", Msg::DueDate),
                "override_reason" => ("reason", Msg::OverrideReason),
                _ => ("", Msg::EditKeyResult),
            };
            let label = Some(label).filter(|_| !input.is_empty());
            let e = FieldError::from_app(lang, input, label, &message);
            kr_page(&state, &page, id, KrProblem::Edit(form, e)).await
        }
        Err(e) => Err(PageError::app(lang, e)),
    }
}
