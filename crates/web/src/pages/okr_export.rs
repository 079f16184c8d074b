//! The OKR tree of a cycle as a spreadsheet (`/okrs/export.csv` and
//! `.xlsx`, with the page's `cycle` and `unit`): one row per key result,
//! its objective's columns beside it, exactly the objectives and key
//! results the viewer may see on the page.

use super::auth::PageActor;
use super::lookup::Names;
use super::okrs::{UnitScope, unit_outline};
use super::{OrPage, PageError, PageResult, sheet, view};
use crate::AppState;
use crate::cells::{Shown, Typed};
use crate::i18n::{Msg, t};
use axum::extract::{Query, State};
use keel_app::AppError;
use keel_app::compute::{KeyResultView, ObjectiveView};
use keel_domain::okr::KrKind;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    cycle: Option<i64>,
    unit: Option<i64>,
}

const HEADER: [Msg; 17] = [
    Msg::Objective,
    Msg::Level,
    Msg::ExportUnit,
    Msg::ExportObjectiveOwner,
    Msg::ExportObjectiveProgress,
    Msg::ExportKeyResult,
    Msg::Kind,
    Msg::Owner,
    Msg::Weight,
    Msg::Start,
    Msg::Target,
    Msg::Current,
    Msg::ExportUnitLabel,
    Msg::Progress,
    Msg::Status,
    Msg::ExportConfidence,
    Msg::DueDate,
];

fn text(s: impl Into<String>) -> Shown {
    let s = s.into();
    Shown { typed: if s.is_empty() { Typed::Empty } else { Typed::Text(s.clone()) }, text: s }
}

fn number(n: Option<f64>) -> Shown {
    match n {
        Some(n) => Shown { text: view::num(n), typed: Typed::Number(n) },
        None => text(""),
    }
}

fn percent(p: f64) -> Shown {
    Shown { text: view::pct(p), typed: Typed::Percent(p) }
}

/// The header and the rows the spreadsheet holds, and a name for its file.
async fn rows(
    state: &AppState,
    page: &PageActor,
    q: &ExportQuery,
) -> Result<(String, Vec<String>, Vec<Vec<Shown>>), PageError> {
    let (lang, app) = (page.lang, &state.app);
    let cycle = match q.cycle {
        Some(id) => app
            .list_cycles(&page.actor)
            .await
            .or_page(lang)?
            .into_iter()
            .find(|c| c.id.0 == id)
            .ok_or_else(|| PageError::app(lang, AppError::NotFound("cycle")))?,
        None => app
            .current_cycle(&page.actor)
            .await
            .or_page(lang)?
            .ok_or_else(|| PageError::app(lang, AppError::NotFound("cycle")))?,
    };
    let tree = app.okr_tree_shared(&page.actor, cycle.id).await.or_page(lang)?;
    let names = Names::load(app, &page.actor).await.or_page(lang)?;
    let units = app.list_units(&page.actor).await.or_page(lang)?;
    let scope = UnitScope::load(app, page, &unit_outline(&units), q.unit).await?;
    let unit_names: HashMap<_, _> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let header = HEADER.iter().map(|m| t(lang, *m).to_string()).collect();
    let objective_cells = |o: &ObjectiveView| {
        vec![
            text(o.objective.title.clone()),
            text(t(lang, view::level(o.objective.level))),
            text(o.objective.unit_id.and_then(|u| unit_names.get(&u).cloned()).unwrap_or_default()),
            text(names.of(Some(o.objective.owner_id))),
            percent(o.progress),
        ]
    };
    let kr_cells = |k: &KeyResultView| {
        let kr = &k.key_result;
        let values = matches!(kr.kind, KrKind::Metric | KrKind::Threshold);
        vec![
            text(kr.title.clone()),
            text(t(lang, view::kind(kr.kind))),
            text(names.of(Some(kr.owner_id))),
            number(Some(kr.weight)),
            number(kr.start_value.filter(|_| kr.kind == KrKind::Metric)),
            number(kr.target_value.filter(|_| values)),
            number(kr.current_value.filter(|_| values)),
            text(kr.unit_label.clone().unwrap_or_default()),
            percent(k.progress),
            text(t(lang, view::kr_status(k.status))),
            number(k.confidence.map(f64::from)),
            match kr.due_date {
                Some(d) => Shown { text: view::date(d), typed: Typed::Date(d) },
                None => text(""),
            },
        ]
    };
    let mut out = Vec::new();
    for o in tree.objectives.iter().filter(|o| scope.holds(o)) {
        if o.key_results.is_empty() {
            let mut row = objective_cells(o);
            row.extend((0..HEADER.len() - row.len()).map(|_| text("")));
            out.push(row);
        }
        for k in &o.key_results {
            let mut row = objective_cells(o);
            row.extend(kr_cells(k));
            out.push(row);
        }
    }
    let name = cycle.name.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    Ok((name, header, out))
}

pub async fn csv(State(state): State<AppState>, page: PageActor, Query(q): Query<ExportQuery>) -> PageResult {
    let (name, header, rows) = rows(&state, &page, &q).await?;
    let bytes = sheet::csv(&header, &rows).map_err(|e| PageError::app(page.lang, AppError::Internal(e)))?;
    Ok(sheet::attachment("text/csv; charset=utf-8", format!("okrs-{name}.csv"), bytes))
}

pub async fn xlsx(State(state): State<AppState>, page: PageActor, Query(q): Query<ExportQuery>) -> PageResult {
    let (name, header, rows) = rows(&state, &page, &q).await?;
    let bytes = sheet::xlsx("OKR", &header, &rows).map_err(|e| PageError::app(page.lang, AppError::Internal(e)))?;
    Ok(sheet::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("okrs-{name}.xlsx"),
        bytes,
    ))
}
