//! How the table shows each cell, in one place for the page, the API and the
//! exports, so an export holds exactly what the page shows: the text of a
//! cell (page, CSV), its typed value (numbers and dates in the XLSX), and its
//! JSON (API). Empty cells are empty text everywhere.

use crate::i18n::{self, Msg};
use crate::pages::view;
use chrono::{NaiveDate, NaiveDateTime};
use keel_app::table::{CellLabels, TableData, TableGroup, TableRow, progress_percent};
use keel_domain::org::Lang;
use keel_domain::table::{Builtin, Cell, Column, FieldKind, FieldValue};
use keel_domain::work::Priority;
use serde_json::{Value as Json, json};

/// A cell's value as a spreadsheet should hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Empty,
    Text(String),
    Number(f64),
    /// A fraction shown as a percentage (0.45 is 45%).
    Percent(f64),
    Date(NaiveDate),
    /// Wall-clock time where the viewer lives.
    DateTime(NaiveDateTime),
    Bool(bool),
}

/// What one cell shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub text: String,
    pub typed: Typed,
}

impl Shown {
    fn empty() -> Shown {
        Shown { text: String::new(), typed: Typed::Empty }
    }
    fn text(s: impl Into<String>) -> Shown {
        let s = s.into();
        if s.is_empty() { Shown::empty() } else { Shown { typed: Typed::Text(s.clone()), text: s } }
    }
    fn number(n: f64) -> Shown {
        Shown { text: view::num(n), typed: Typed::Number(n) }
    }
    fn date(d: NaiveDate) -> Shown {
        Shown { text: view::date(d), typed: Typed::Date(d) }
    }
}

pub fn builtin_label(b: Builtin) -> Msg {
    match b {
        Builtin::Key => Msg::ColKey,
        Builtin::Title => Msg::ColTitle,
        Builtin::Status => Msg::ColStatus,
        Builtin::Assignee => Msg::ColAssignee,
        Builtin::Priority => Msg::ColPriority,
        Builtin::Start => Msg::ColStart,
        Builtin::Due => Msg::ColDue,
        Builtin::Estimate => Msg::ColEstimate,
        Builtin::Progress => Msg::ColProgress,
        Builtin::Labels => Msg::ColLabels,
        Builtin::Krs => Msg::ColKrs,
        Builtin::Parent => Msg::ColParent,
        Builtin::Created => Msg::ColCreated,
        Builtin::Updated => Msg::ColUpdated,
    }
}

pub fn kind_label(k: FieldKind) -> Msg {
    match k {
        FieldKind::Text => Msg::FieldKindText,
        FieldKind::Number => Msg::FieldKindNumber,
        FieldKind::SingleSelect => Msg::FieldKindSingle,
        FieldKind::MultiSelect => Msg::FieldKindMulti,
        FieldKind::Date => Msg::FieldKindDate,
        FieldKind::Person => Msg::FieldKindPerson,
        FieldKind::Checkbox => Msg::FieldKindCheckbox,
        FieldKind::Url => Msg::FieldKindUrl,
    }
}

/// A column's header.
pub fn column_label(lang: Lang, data: &TableData, column: &Column) -> String {
    match column {
        Column::Builtin(b) => i18n::t(lang, builtin_label(*b)).to_string(),
        Column::Field(id) => data.field(*id).map(|f| f.name.clone()).unwrap_or_else(|| column.key()),
    }
}

/// The words filters may match for built-in values, in the reader's language.
pub fn cell_labels(lang: Lang, data_statuses: &[String]) -> CellLabels {
    let mut labels = CellLabels::default();
    for name in data_statuses {
        labels.statuses.insert(name.to_lowercase(), view::workflow_status(lang, name));
    }
    for p in [Priority::Lowest, Priority::Low, Priority::Medium, Priority::High, Priority::Highest] {
        labels.priorities.insert(p.as_str().to_string(), i18n::t(lang, view::priority(p)).to_string());
    }
    labels
}

fn person(data: &TableData, id: keel_domain::UserId) -> String {
    data.people.get(&id).cloned().unwrap_or_else(|| format!("#{}", id.0))
}

/// What the cell of `row` in `column` shows.
pub fn shown(lang: Lang, zone: &str, data: &TableData, row: &TableRow, column: &Column) -> Shown {
    let t = &row.task;
    match column {
        Column::Builtin(b) => match b {
            Builtin::Key => Shown::text(t.key.clone()),
            Builtin::Title => Shown::text(t.title.clone()),
            Builtin::Status => Shown::text(view::workflow_status(lang, &t.status)),
            Builtin::Assignee => t.assignee_id.map(|a| Shown::text(person(data, a))).unwrap_or_else(Shown::empty),
            Builtin::Priority => Shown::text(i18n::t(lang, view::priority(t.priority))),
            Builtin::Start => t.start_date.map(Shown::date).unwrap_or_else(Shown::empty),
            Builtin::Due => t.due_date.map(Shown::date).unwrap_or_else(Shown::empty),
            Builtin::Estimate => t.estimate.map(Shown::number).unwrap_or_else(Shown::empty),
            Builtin::Progress => progress_percent(t)
                .map(|p| Shown { text: view::pct(p / 100.0), typed: Typed::Percent(p / 100.0) })
                .unwrap_or_else(Shown::empty),
            Builtin::Labels => Shown::text(t.labels.join(", ")),
            Builtin::Krs => Shown::text(
                t.key_result_ids.iter().filter_map(|k| data.key_results.get(k).cloned()).collect::<Vec<_>>().join(", "),
            ),
            Builtin::Parent => t
                .parent_id
                .and_then(|p| data.parents.get(&p))
                .map(|k| Shown::text(k.clone()))
                .unwrap_or_else(Shown::empty),
            Builtin::Created | Builtin::Updated => {
                let at = if *b == Builtin::Created { t.created_at } else { t.updated_at };
                let local = at.with_timezone(&keel_app::clock::zone(zone)).naive_local();
                Shown { text: view::datetime(at, zone), typed: Typed::DateTime(local) }
            }
        },
        Column::Field(id) => match row.values.get(id) {
            None => Shown::empty(),
            Some(FieldValue::Text(s)) | Some(FieldValue::Url(s)) | Some(FieldValue::Choice(s)) => {
                Shown::text(s.clone())
            }
            Some(FieldValue::Number(n)) => Shown::number(*n),
            Some(FieldValue::Choices(list)) => Shown::text(list.join(", ")),
            Some(FieldValue::Date(d)) => Shown::date(*d),
            Some(FieldValue::Person(u)) => Shown::text(person(data, *u)),
            Some(FieldValue::Checkbox(true)) => Shown { text: "✓".into(), typed: Typed::Bool(true) },
            Some(FieldValue::Checkbox(false)) => Shown::empty(),
        },
    }
}

/// The cell as the API sends it: raw values (ids, fractions, ISO dates).
pub fn cell_json(data: &TableData, row: &TableRow, column: &Column) -> Json {
    let t = &row.task;
    let date = |d: Option<NaiveDate>| d.map(|d| json!(view::date(d))).unwrap_or(Json::Null);
    match column {
        Column::Builtin(b) => match b {
            Builtin::Key => json!(t.key),
            Builtin::Title => json!(t.title),
            Builtin::Status => json!(t.status),
            Builtin::Assignee => {
                t.assignee_id.map(|a| json!({"id": a.0, "name": person(data, a)})).unwrap_or(Json::Null)
            }
            Builtin::Priority => json!(t.priority.as_str()),
            Builtin::Start => date(t.start_date),
            Builtin::Due => date(t.due_date),
            Builtin::Estimate => json!(t.estimate),
            Builtin::Progress => json!(progress_percent(t).map(|p| p / 100.0)),
            Builtin::Labels => json!(t.labels),
            Builtin::Krs => Json::Array(
                t.key_result_ids
                    .iter()
                    .filter_map(|k| data.key_results.get(k).map(|title| json!({"id": k.0, "title": title})))
                    .collect(),
            ),
            Builtin::Parent => json!(t.parent_id.and_then(|p| data.parents.get(&p))),
            Builtin::Created => json!(t.created_at),
            Builtin::Updated => json!(t.updated_at),
        },
        Column::Field(id) => row.values.get(id).map(FieldValue::to_json).unwrap_or(Json::Null),
    }
}

/// What a group's heading names: its value as the column shows it.
pub fn group_value(lang: Lang, data: &TableData, group: &TableGroup) -> String {
    let unchecked = matches!(data.spec.group, Some(Column::Field(id)) if data.field(id).is_some_and(|f| f.kind == FieldKind::Checkbox));
    match &group.key {
        Cell::Empty if unchecked => i18n::t(lang, Msg::TableUnchecked).to_string(),
        Cell::Empty => i18n::t(lang, Msg::TableNoValue).to_string(),
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => view::num(*n),
        Cell::Date(d) | Cell::Stamp { day: d, .. } => view::date(*d),
        Cell::Check(true) => i18n::t(lang, Msg::TableChecked).to_string(),
        Cell::Check(false) => i18n::t(lang, Msg::TableUnchecked).to_string(),
        Cell::Choice { pick, .. } => pick.label.clone(),
        Cell::Many(picks) => picks.iter().map(|p| p.label.as_str()).collect::<Vec<_>>().join(", "),
    }
}

/// The group's value for the API (null for the empty group).
pub fn group_json(group: &TableGroup) -> Json {
    match &group.key {
        Cell::Empty => Json::Null,
        Cell::Text(s) => json!(s),
        Cell::Number(n) => json!(n),
        Cell::Date(d) | Cell::Stamp { day: d, .. } => json!(view::date(*d)),
        Cell::Check(b) => json!(b),
        Cell::Choice { pick, .. } => json!(pick.value),
        Cell::Many(picks) => Json::Array(picks.iter().map(|p| json!(p.value)).collect()),
    }
}
