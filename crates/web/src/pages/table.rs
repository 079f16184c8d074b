//! The table of a project (`GET /projects/{id}/table`), the Feishu Bitable
//! way: every field a column (built-in and custom), a view chosen in one GET
//! form (columns, filters joined by and/or, up to three sort keys, one
//! grouping) that writes the view into the address, group headings with
//! counts, 100 rows a page, saved views, custom fields, inline edits, and
//! exports of exactly what the view shows (`table.csv`, `table.xlsx`).
//!
//! Rules the page follows:
//! - The view comes from the address (`ViewSpec::from_query`), else from a
//!   saved view (`?view=ID`), else the default one; links and exports carry
//!   it whole, so what is exported is what was on the screen, all pages.
//! - A cell can be edited (title, status, assignee, priority, dates,
//!   estimate and every custom field) by those who may change the task.
//!   Without script its Edit link opens a small form in the cell
//!   (`?edit=TASK:COLUMN`); `assets/table.js` edits in place over the same
//!   request. Every edit carries the task's version: if someone changed the
//!   task since, nothing is saved and the page says so.
//! - Exports: a CSV in UTF-8 with a byte-order mark (Excel then reads
//!   Chinese right), a cell starting with = + - @ tab or CR prefixed with an
//!   apostrophe so no spreadsheet runs it as a formula; an XLSX with numbers
//!   as numbers and dates as dates. A grouped view gets a first column
//!   naming each row's group.

use super::auth::PageActor;
use super::forms::{self, Choice, FieldError};
use super::view::{self, Chrome};
use super::{OrPage, PageError, PageResult, render, sheet};
use crate::AppState;
use crate::cells::{self, Shown, Typed};
use crate::i18n::{self, Msg, tf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use keel_app::AppError;
use keel_app::table::{CellLabels, FieldInput, FieldPatch, RawValue, Rows, TableData, TableRow, ViewInput};
use keel_app::work::TaskPatch;
use keel_domain::org::Lang;
use keel_domain::table::*;
use keel_domain::work::Priority;
use keel_domain::{FieldId, ProjectId, TaskId, UserId, ViewId};
use std::collections::HashSet;

type Pairs = Vec<(String, String)>;

/// Filter rows the form offers: the view's, and at least this many blank ones.
const BLANK_FILTERS: usize = 1;

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn query_string(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() { path.to_string() } else { format!("{path}?{}", query_string(pairs)) }
}

fn get<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn all<'a>(pairs: &'a Pairs, key: &str) -> Vec<&'a str> {
    pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
}

/// The view the address asks for, and the saved view it came from.
async fn resolve_spec(
    state: &AppState,
    page: &PageActor,
    project: ProjectId,
    query: &Pairs,
) -> Result<(ViewSpec, Option<SavedView>), PageError> {
    let named = get(query, "view").and_then(|v| v.parse::<i64>().ok());
    if ViewSpec::in_query(query) {
        let spec = ViewSpec::from_query(query);
        // A saved view's page 2 still names it; once changed it is just a view.
        let saved = match named {
            Some(id) => state.app.get_view(&page.actor, ViewId(id)).await.ok(),
            None => None,
        };
        let same = saved.filter(|v| v.project_id == project && v.spec.to_query() == spec.to_query());
        return Ok((spec, same));
    }
    if let Some(id) = named {
        let view = state.app.get_view(&page.actor, ViewId(id)).await.or_page(page.lang)?;
        if view.project_id != project {
            return Err(PageError::app(page.lang, AppError::NotFound("view")));
        }
        return Ok((view.spec.clone(), Some(view)));
    }
    Ok((ViewSpec::default(), None))
}

/// The cell whose form is open: task, column, what was typed (if refused) and why.
type OpenCell = (i64, String, Option<Vec<String>>, Option<String>);

/// The words for built-in values in the reader's language.
async fn labels_for(state: &AppState, page: &PageActor, project: ProjectId) -> CellLabels {
    let statuses: Vec<String> = match state.app.get_project(&page.actor, project).await {
        Ok(p) => p.workflow.into_iter().map(|s| s.name).collect(),
        Err(_) => Vec::new(),
    };
    cells::cell_labels(page.lang, &statuses)
}

fn op_label(op: Op) -> Msg {
    match op {
        Op::Is => Msg::OpIs,
        Op::IsNot => Msg::OpIsNot,
        Op::Contains => Msg::OpContains,
        Op::Empty => Msg::OpEmpty,
        Op::NotEmpty => Msg::OpNotEmpty,
        Op::Gt => Msg::OpGt,
        Op::Lt => Msg::OpLt,
        Op::Between => Msg::OpBetween,
        Op::Before => Msg::OpBefore,
        Op::After => Msg::OpAfter,
        Op::AnyOf => Msg::OpAnyOf,
    }
}

/// A column as the view form offers it.
pub struct ColumnChoice {
    key: String,
    label: String,
    shown: bool,
    /// Operators it allows, space-separated (the script narrows the operator list).
    ops: String,
    /// The datalist of its values, if it has one.
    list: String,
}

pub struct OpChoice {
    value: &'static str,
    label: &'static str,
}

pub struct FilterRow {
    index: usize,
    column: String,
    op: &'static str,
    value: String,
    value2: String,
    list: String,
    column_label: String,
    op_label: String,
    value_label: String,
    value2_label: String,
}

pub struct SortRow {
    index: usize,
    column: String,
    desc: bool,
    label: String,
}

pub struct DataList {
    id: String,
    values: Vec<String>,
}

pub struct Head {
    key: String,
    label: String,
    sort_href: String,
    /// "", "ascending" or "descending" (aria-sort).
    sort: &'static str,
    sort_label: String,
    left: Option<String>,
    right: Option<String>,
    left_label: String,
    right_label: String,
    numeric: bool,
}

pub struct GroupHead {
    text: String,
    continued: bool,
}

pub struct CellView {
    col: String,
    text: String,
    /// A link the text leads to (the task, or a URL value).
    href: Option<String>,
    external: bool,
    numeric: bool,
    /// The editor's template id when the cell can be edited.
    editor: Option<String>,
    /// The value an editor starts from (multi-select: one per line).
    value: String,
    edit_href: String,
    edit_label: String,
    /// The open form of `?edit=`, with what was typed and why it was refused.
    form: Option<Editor>,
}

pub struct RowView {
    id: i64,
    key: String,
    version: i64,
    head: Option<GroupHead>,
    cells: Vec<CellView>,
}

/// One choice of an editor's select or checkboxes.
#[derive(Clone)]
pub struct EditorOption {
    value: String,
    label: String,
    selected: bool,
}

/// An input for one column's values (cloned by the script, or shown in a cell's form).
#[derive(Clone)]
pub struct Editor {
    id: String,
    /// text, number, date, url, select, multi, check
    kind: &'static str,
    options: Vec<EditorOption>,
    /// A select that must keep a value (status, priority) has no blank choice.
    required: bool,
    max: usize,
    value: String,
    error: Option<String>,
    label: String,
    /// The choice that clears a select.
    blank: String,
}

pub struct NewField {
    name: String,
    kind: String,
    options: String,
}

pub struct ViewLink {
    id: i64,
    name: String,
    href: String,
    shared: bool,
    on: bool,
    version: i64,
    deletable: bool,
    delete_label: String,
}

pub struct FieldRow {
    id: i64,
    name: String,
    kind: &'static str,
    options: String,
    has_options: bool,
    version: i64,
    first: bool,
    last: bool,
    /// The project above it holds it (read-only here).
    from: Option<String>,
    up_label: String,
    down_label: String,
    delete_label: String,
    error: Option<String>,
}

pub struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

/// Something refused, told above the table (and, for one cell, in its form).
pub struct Problem {
    status: StatusCode,
    text: String,
    /// The cell whose form stays open: (task, column, typed values).
    cell: Option<(i64, String, Vec<String>)>,
    field: Option<i64>,
    /// The new-field form's typed values.
    new_field: Option<NewField>,
}

#[derive(Template)]
#[template(path = "table.html")]
struct TablePage {
    c: Chrome,
    project_tabs: super::project_tabs::ProjectTabs,
    id: i64,
    key: String,
    name: String,
    script: String,
    caption: String,
    self_query: String,
    spec_json: String,
    csv_href: String,
    xlsx_href: String,
    row_count: String,
    ignored: Option<String>,
    problem: Option<String>,
    editable_any: bool,
    columns: Vec<ColumnChoice>,
    ops: Vec<OpChoice>,
    filters: Vec<FilterRow>,
    join_or: bool,
    sorts: Vec<SortRow>,
    group: String,
    lists: Vec<DataList>,
    heads: Vec<Head>,
    rows: Vec<RowView>,
    editors: Vec<Editor>,
    pager: Option<Pager>,
    views: Vec<ViewLink>,
    default_on: bool,
    can_share: bool,
    fields: Vec<FieldRow>,
    can_edit_fields: bool,
    kinds: Vec<Choice>,
    new_field: NewField,
    new_field_error: Option<String>,
    fields_open: bool,
}

pub async fn table(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(query): Query<Pairs>,
) -> PageResult {
    table_page(&state, &page, ProjectId(id), &query, None).await
}

/// Which columns a person may change in place, and how.
fn editable(column: &Column, data: &TableData) -> bool {
    match column {
        Column::Builtin(b) => matches!(
            b,
            Builtin::Title
                | Builtin::Status
                | Builtin::Assignee
                | Builtin::Priority
                | Builtin::Start
                | Builtin::Due
                | Builtin::Estimate
        ),
        Column::Field(id) => data.field(*id).is_some(),
    }
}

fn is_url_column(data: &TableData, column: &Column) -> bool {
    matches!(column, Column::Field(f) if data.field(*f).is_some_and(|f| f.kind == FieldKind::Url))
}

/// Where a cell's text leads: a task's key and title to the task, a URL
/// value to itself — only ever an http(s) address, checked again here.
fn cell_href(data: &TableData, row: &TableRow, column: &Column, text: &str) -> Option<String> {
    match column {
        Column::Builtin(Builtin::Key) | Column::Builtin(Builtin::Title) => Some(format!("/tasks/{}", row.task.id.0)),
        _ if is_url_column(data, column) && is_web_url(text) => Some(text.to_string()),
        _ => None,
    }
}

/// The value an editor starts from.
fn edit_value(row: &TableRow, column: &Column) -> String {
    let t = &row.task;
    match column {
        Column::Builtin(b) => match b {
            Builtin::Title => t.title.clone(),
            Builtin::Status => t.status.clone(),
            Builtin::Assignee => t.assignee_id.map(|a| a.0.to_string()).unwrap_or_default(),
            Builtin::Priority => t.priority.as_str().into(),
            Builtin::Start => t.start_date.map(view::date).unwrap_or_default(),
            Builtin::Due => t.due_date.map(view::date).unwrap_or_default(),
            Builtin::Estimate => t.estimate.map(view::num).unwrap_or_default(),
            _ => String::new(),
        },
        Column::Field(id) => match row.values.get(id) {
            None => String::new(),
            Some(FieldValue::Text(s)) | Some(FieldValue::Url(s)) | Some(FieldValue::Choice(s)) => s.clone(),
            Some(FieldValue::Number(n)) => view::num(*n),
            Some(FieldValue::Choices(list)) => list.join("\n"),
            Some(FieldValue::Date(d)) => view::date(*d),
            Some(FieldValue::Person(u)) => u.0.to_string(),
            Some(FieldValue::Checkbox(b)) => {
                if *b {
                    "on".into()
                } else {
                    String::new()
                }
            }
        },
    }
}

fn people_options(data: &TableData) -> Vec<EditorOption> {
    let mut people: Vec<(&UserId, &String)> = data.people.iter().collect();
    people.sort_by(|a, b| natural_cmp(a.1, b.1).then(a.0.cmp(b.0)));
    people
        .into_iter()
        .map(|(id, name)| EditorOption { value: id.0.to_string(), label: name.clone(), selected: false })
        .collect()
}

/// The editor of a column; for status, the workflow of the task's project.
fn editor_for(lang: Lang, data: &TableData, column: &Column, project: ProjectId) -> Option<Editor> {
    let label = cells::column_label(lang, data, column);
    let plain = |kind, max| Editor {
        id: String::new(),
        kind,
        options: vec![],
        required: false,
        max,
        value: String::new(),
        error: None,
        label: label.clone(),
        blank: i18n::t(lang, Msg::TableNone).to_string(),
    };
    let options = |list: Vec<(String, String)>| {
        list.into_iter().map(|(value, label)| EditorOption { value, label, selected: false }).collect::<Vec<_>>()
    };
    let mut e = match column {
        Column::Builtin(b) => match b {
            Builtin::Title => plain("text", keel_domain::text::TITLE_MAX),
            Builtin::Status => {
                let p = data.projects.get(&project)?;
                Editor {
                    kind: "select",
                    required: true,
                    options: options(
                        p.workflow.iter().map(|s| (s.name.clone(), view::workflow_status(lang, &s.name))).collect(),
                    ),
                    ..plain("select", 0)
                }
            }
            Builtin::Assignee => Editor { kind: "select", options: people_options(data), ..plain("select", 0) },
            Builtin::Priority => Editor {
                kind: "select",
                required: true,
                options: options(
                    [Priority::Highest, Priority::High, Priority::Medium, Priority::Low, Priority::Lowest]
                        .into_iter()
                        .map(|p| (p.as_str().to_string(), i18n::t(lang, view::priority(p)).to_string()))
                        .collect(),
                ),
                ..plain("select", 0)
            },
            Builtin::Start | Builtin::Due => plain("date", 0),
            Builtin::Estimate => plain("number", 0),
            _ => return None,
        },
        Column::Field(id) => {
            let f = data.field(*id)?;
            let opts = || options(f.options.iter().map(|o| (o.clone(), o.clone())).collect());
            match f.kind {
                FieldKind::Text => plain("text", TEXT_VALUE_MAX),
                FieldKind::Number => plain("number", 0),
                FieldKind::SingleSelect => Editor { options: opts(), ..plain("select", 0) },
                FieldKind::MultiSelect => Editor { options: opts(), ..plain("multi", 0) },
                FieldKind::Date => plain("date", 0),
                FieldKind::Person => Editor { options: people_options(data), ..plain("select", 0) },
                FieldKind::Checkbox => plain("check", 0),
                FieldKind::Url => plain("url", URL_MAX),
            }
        }
    };
    e.id = match column {
        Column::Builtin(Builtin::Status) => format!("editor-status-{}", project.0),
        c => format!("editor-{}", c.key()),
    };
    Some(e)
}

/// The same editor holding `values`, with the reason they were refused.
fn filled(mut e: Editor, values: &[String], error: Option<String>) -> Editor {
    let chosen: HashSet<&str> = values.iter().map(|v| v.trim()).collect();
    for o in &mut e.options {
        o.selected = chosen.contains(o.value.as_str());
    }
    e.value = values.first().cloned().unwrap_or_default();
    e.error = error;
    e
}

async fn table_page(
    state: &AppState,
    page: &PageActor,
    id: ProjectId,
    query: &Pairs,
    problem: Option<Problem>,
) -> PageResult {
    let lang = page.lang;
    let (spec, chosen_view) = resolve_spec(state, page, id, query).await?;
    let labels = labels_for(state, page, id).await;
    let page_no = get(query, "page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1);
    let data = state.app.table(&page.actor, id, &spec, Rows::Page(page_no), &labels).await.or_page(lang)?;
    let views = state.app.list_views(&page.actor, id).await.or_page(lang)?;
    let zone = page.zone().to_string();
    let pid = data.project.id.0;
    let base = format!("/projects/{pid}/table");

    // The address of this very view (spec and page), which links, forms and exports repeat.
    let spec_pairs = data.spec.to_query();
    let mut self_pairs = spec_pairs.clone();
    if let Some(v) = &chosen_view {
        self_pairs.push(("view".into(), v.id.0.to_string()));
    }
    let mut page_pairs = self_pairs.clone();
    if data.page > 1 {
        page_pairs.push(("page".into(), data.page.to_string()));
    }
    let self_query = query_string(&page_pairs);
    let href_for = |spec: &ViewSpec| with_query(&base, &spec.to_query());

    // Column headers: sort by a click, move left and right.
    let shown = data.columns.clone();
    let mut heads = Vec::with_capacity(shown.len());
    for (i, col) in shown.iter().enumerate() {
        let label = cells::column_label(lang, &data, col);
        let current = data.spec.sort.first().filter(|k| k.column == *col);
        let mut sorted = data.spec.clone();
        sorted.sort = vec![SortKey { column: *col, desc: current.is_some_and(|k| !k.desc) }];
        let moved = |j: usize| {
            let mut s = data.spec.clone();
            s.columns = shown.clone();
            s.columns.swap(i, j);
            href_for(&s)
        };
        heads.push(Head {
            key: col.key(),
            sort_href: href_for(&sorted),
            sort: match current {
                Some(k) if k.desc => "descending",
                Some(_) => "ascending",
                None => "",
            },
            sort_label: tf(lang, Msg::TableSortBy, &[&label]),
            left: (i > 0).then(|| moved(i - 1)),
            right: (i + 1 < shown.len()).then(|| moved(i + 1)),
            left_label: tf(lang, Msg::TableMoveLeft, &[&label]),
            right_label: tf(lang, Msg::TableMoveRight, &[&label]),
            numeric: data.kind_of(col) == Some(ValueKind::Number),
            label,
        });
    }

    // Editors: one template per editable column (status: per project on the page).
    let mut editors: Vec<Editor> = Vec::new();
    let editable_any = data.rows.iter().any(|r| r.can_edit);
    if editable_any {
        for col in &shown {
            if !editable(col, &data) {
                continue;
            }
            let projects: Vec<ProjectId> = if *col == Column::Builtin(Builtin::Status) {
                let mut ps: Vec<ProjectId> =
                    data.rows.iter().filter(|r| r.can_edit).map(|r| r.task.project_id).collect();
                ps.sort();
                ps.dedup();
                ps
            } else {
                vec![data.project.id]
            };
            for p in projects {
                if let Some(e) = editor_for(lang, &data, col, p) {
                    editors.push(e);
                }
            }
        }
    }

    // The open cell form: from `?edit=`, or the one whose save was refused.
    let open: Option<OpenCell> = match &problem {
        Some(Problem { cell: Some((task, col, typed)), text, .. }) => {
            Some((*task, col.clone(), Some(typed.clone()), Some(text.clone())))
        }
        _ => get(query, "edit")
            .and_then(|e| e.split_once(':'))
            .and_then(|(task, col)| Some((task.parse::<i64>().ok()?, col.to_string(), None, None))),
    };

    let mut rows = Vec::with_capacity(data.rows.len());
    let mut last_group = None;
    for (n, row) in data.rows.iter().enumerate() {
        let head = (data.spec.group.is_some() && last_group != Some(row.group)).then(|| {
            let g = &data.groups[row.group];
            let column = data.spec.group.map(|c| cells::column_label(lang, &data, &c)).unwrap_or_default();
            GroupHead {
                text: tf(lang, Msg::TableGroupHead, &[&column, &cells::group_value(lang, &data, g), &g.count]),
                continued: n == 0 && data.offset > g.start,
            }
        });
        last_group = Some(row.group);
        let t = &row.task;
        let mut cells_out = Vec::with_capacity(shown.len());
        for col in &shown {
            let Shown { text, .. } = cells::shown(lang, &zone, &data, row, col);
            let is_url = is_url_column(&data, col);
            let href = cell_href(&data, row, col, &text);
            let can = row.can_edit && editable(col, &data);
            let editor_id = can.then(|| match col {
                Column::Builtin(Builtin::Status) => format!("editor-status-{}", t.project_id.0),
                c => format!("editor-{}", c.key()),
            });
            let form = match &open {
                Some((task, c, typed, error)) if can && *task == t.id.0 && *c == col.key() => {
                    editor_for(lang, &data, col, t.project_id).map(|e| {
                        let current: Vec<String> = match typed {
                            Some(v) => v.clone(),
                            None => edit_value(row, col).split('\n').map(str::to_string).collect(),
                        };
                        filled(e, &current, error.clone())
                    })
                }
                _ => None,
            };
            let mut edit_pairs = page_pairs.clone();
            edit_pairs.push(("edit".into(), format!("{}:{}", t.id.0, col.key())));
            cells_out.push(CellView {
                col: col.key(),
                numeric: data.kind_of(col) == Some(ValueKind::Number),
                external: is_url,
                href,
                editor: editor_id,
                value: if can { edit_value(row, col) } else { String::new() },
                edit_href: if can {
                    format!("{}#row-{}", with_query(&base, &edit_pairs), t.id.0)
                } else {
                    String::new()
                },
                edit_label: if can {
                    tf(lang, Msg::TableEditOf, &[&t.key, &cells::column_label(lang, &data, col)])
                } else {
                    String::new()
                },
                form,
                text,
            });
        }
        rows.push(RowView { id: t.id.0, key: t.key.clone(), version: t.version, head, cells: cells_out });
    }

    // The view form: columns (shown first, in order), filters, sorts, grouping.
    let mut all_columns: Vec<Column> = shown.clone();
    for c in Builtin::ALL.into_iter().map(Column::Builtin).chain(data.fields.iter().map(|f| f.column())) {
        if !all_columns.contains(&c) {
            all_columns.push(c);
        }
    }
    let list_id = |c: &Column| match data.kind_of(c) {
        Some(ValueKind::Choice) | Some(ValueKind::Multi) => format!("values-{}", c.key()),
        _ => String::new(),
    };
    let columns: Vec<ColumnChoice> = all_columns
        .iter()
        .map(|c| ColumnChoice {
            key: c.key(),
            label: cells::column_label(lang, &data, c),
            shown: shown.contains(c),
            ops: data
                .kind_of(c)
                .map(|k| k.ops().iter().map(|o| o.as_str()).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
            list: list_id(c),
        })
        .collect();
    let lists = value_lists(lang, &data, &all_columns, &list_id);
    let mut filters: Vec<FilterRow> = data
        .spec
        .filters
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let between = f.op == Op::Between;
            FilterRow {
                index: i,
                column: f.column.key(),
                op: f.op.as_str(),
                value: if between { f.values.first().cloned().unwrap_or_default() } else { f.values.join(", ") },
                value2: if between { f.values.get(1).cloned().unwrap_or_default() } else { String::new() },
                list: list_id(&f.column),
                column_label: String::new(),
                op_label: String::new(),
                value_label: String::new(),
                value2_label: String::new(),
            }
        })
        .collect();
    for _ in 0..BLANK_FILTERS {
        let index = filters.len();
        filters.push(FilterRow {
            index,
            column: String::new(),
            op: "is",
            value: String::new(),
            value2: String::new(),
            list: String::new(),
            column_label: String::new(),
            op_label: String::new(),
            value_label: String::new(),
            value2_label: String::new(),
        });
    }
    for f in &mut filters {
        let n = f.index + 1;
        f.column_label = tf(lang, Msg::TableFilterColumn, &[&n]);
        f.op_label = tf(lang, Msg::TableFilterOp, &[&n]);
        f.value_label = tf(lang, Msg::TableFilterValue, &[&n]);
        f.value2_label = tf(lang, Msg::TableFilterValue2, &[&n]);
    }
    let sorts: Vec<SortRow> = (0..MAX_SORT_KEYS)
        .map(|i| {
            let k = data.spec.sort.get(i);
            SortRow {
                index: i,
                column: k.map(|k| k.column.key()).unwrap_or_default(),
                desc: k.is_some_and(|k| k.desc),
                label: tf(lang, Msg::TableSortKey, &[&(i + 1)]),
            }
        })
        .collect();

    let ignored = (!data.problems.is_empty()).then(|| {
        let said: Vec<String> = data
            .problems
            .iter()
            .map(|p| match Column::parse(&p.column).filter(|c| data.kind_of(c).is_some()) {
                Some(c) => cells::column_label(lang, &data, &c),
                None => p.column.clone(),
            })
            .collect();
        tf(lang, Msg::TableIgnored, &[&said.join(", ")])
    });

    let pager = (data.pages > 1).then(|| {
        let at = |n: usize| {
            let mut p = self_pairs.clone();
            if n > 1 {
                p.push(("page".into(), n.to_string()));
            }
            with_query(&base, &p)
        };
        Pager {
            text: tf(lang, Msg::GanttPage, &[&data.page, &data.pages]),
            prev: (data.page > 1).then(|| at(data.page - 1)),
            next: (data.page < data.pages).then(|| at(data.page + 1)),
        }
    });

    let views: Vec<ViewLink> = views
        .into_iter()
        .map(|v| ViewLink {
            id: v.id.0,
            href: format!("{base}?view={}", v.id.0),
            shared: v.owner_id.is_none(),
            on: chosen_view.as_ref().is_some_and(|c| c.id == v.id),
            version: v.version,
            deletable: if v.owner_id.is_none() { data.can_edit_project } else { true },
            delete_label: tf(lang, Msg::TableDeleteView, &[&v.name]),
            name: v.name,
        })
        .collect();

    let fields: Vec<FieldRow> = {
        let own: Vec<&CustomField> = data.fields.iter().filter(|f| f.project_id == data.project.id).collect();
        let n = own.len();
        data.fields
            .iter()
            .map(|f| {
                let index = own.iter().position(|o| o.id == f.id);
                FieldRow {
                    id: f.id.0,
                    name: f.name.clone(),
                    kind: i18n::t(lang, cells::kind_label(f.kind)),
                    options: f.options.join("\n"),
                    has_options: f.kind.has_options(),
                    version: f.version,
                    first: index == Some(0),
                    last: index == Some(n.saturating_sub(1)),
                    from: index.is_none().then(|| {
                        let key = data.projects.get(&f.project_id).map(|p| p.key.clone()).unwrap_or_default();
                        tf(lang, Msg::TableFieldFrom, &[&key])
                    }),
                    up_label: tf(lang, Msg::TableFieldUp, &[&f.name]),
                    down_label: tf(lang, Msg::TableFieldDown, &[&f.name]),
                    delete_label: tf(lang, Msg::TableFieldDelete, &[&f.name]),
                    error: problem.as_ref().filter(|p| p.field == Some(f.id.0)).map(|p| p.text.clone()),
                }
            })
            .collect()
    };

    let status = problem.as_ref().map(|p| p.status).unwrap_or(StatusCode::OK);
    let problem_text = problem
        .as_ref()
        .filter(|p| p.cell.is_none() && p.field.is_none() && p.new_field.is_none())
        .map(|p| p.text.clone());
    let new_field_error = problem.as_ref().filter(|p| p.new_field.is_some()).map(|p| p.text.clone());
    let fields_open = problem.as_ref().is_some_and(|p| p.new_field.is_some() || p.field.is_some());
    let new_field = problem.and_then(|p| p.new_field).unwrap_or_else(|| NewField {
        name: String::new(),
        kind: "text".into(),
        options: String::new(),
    });
    let mut c = page.chrome(format!("{} · {}", data.project.key, page.t(Msg::Table)));
    c.here = with_query(&base, &page_pairs);
    let mut watched: Vec<ProjectId> = data.projects.keys().copied().collect();
    watched.sort();
    c.watch = watched.iter().take(500).map(|p| format!("project:{}", p.0)).collect::<Vec<_>>().join(",");
    let out = TablePage {
        project_tabs: super::project_tabs::ProjectTabs::new(lang, pid, super::project_tabs::ProjectTab::Table),
        c,
        id: pid,
        key: data.project.key.clone(),
        name: data.project.name.clone(),
        script: format!("/assets/table.js?v={:016x}", super::assets::TABLE_JS_HASH),
        caption: tf(lang, Msg::TableCaption, &[&format!("{} {}", data.project.key, data.project.name)]),
        spec_json: serde_json::to_string(&data.spec).unwrap_or_default(),
        csv_href: with_query(&format!("{base}.csv"), &spec_pairs),
        xlsx_href: with_query(&format!("{base}.xlsx"), &spec_pairs),
        row_count: tf(lang, Msg::TableRowCount, &[&data.total]),
        ignored,
        problem: problem_text,
        editable_any,
        columns,
        ops: Op::ALL.iter().map(|o| OpChoice { value: o.as_str(), label: i18n::t(lang, op_label(*o)) }).collect(),
        filters,
        join_or: data.spec.join == Join::Or,
        sorts,
        group: data.spec.group.map(|g| g.key()).unwrap_or_default(),
        lists,
        heads,
        rows,
        editors,
        pager,
        default_on: chosen_view.is_none() && spec_pairs.is_empty(),
        views,
        can_share: data.can_edit_project,
        fields,
        can_edit_fields: data.can_edit_project,
        kinds: FieldKind::ALL.iter().map(|k| Choice::new(k.as_str(), i18n::t(lang, cells::kind_label(*k)))).collect(),
        new_field,
        new_field_error,
        fields_open,
        self_query,
    };
    Ok(render(status, &out))
}

/// The values a filter on a choice column can name, for the form's datalists.
fn value_lists(lang: Lang, data: &TableData, columns: &[Column], list_id: &dyn Fn(&Column) -> String) -> Vec<DataList> {
    let mut out = Vec::new();
    for c in columns {
        let id = list_id(c);
        if id.is_empty() {
            continue;
        }
        let mut values: Vec<String> = match c {
            Column::Builtin(Builtin::Status) => {
                let mut v: Vec<String> = Vec::new();
                for p in data.projects.values() {
                    v.extend(p.workflow.iter().map(|s| view::workflow_status(lang, &s.name)));
                }
                v
            }
            Column::Builtin(Builtin::Priority) => {
                [Priority::Highest, Priority::High, Priority::Medium, Priority::Low, Priority::Lowest]
                    .into_iter()
                    .map(|p| i18n::t(lang, view::priority(p)).to_string())
                    .collect()
            }
            Column::Builtin(Builtin::Assignee) => people_options(data).into_iter().map(|o| o.label).collect(),
            Column::Builtin(Builtin::Labels) => data.rows.iter().flat_map(|r| r.task.labels.iter().cloned()).collect(),
            Column::Builtin(Builtin::Krs) => data.key_results.values().cloned().collect(),
            Column::Field(f) => match data.field(*f) {
                Some(f) if f.kind == FieldKind::Person => people_options(data).into_iter().map(|o| o.label).collect(),
                Some(f) => f.options.clone(),
                None => vec![],
            },
            _ => vec![],
        };
        let mut seen = HashSet::new();
        values.retain(|v| seen.insert(v.clone()));
        out.push(DataList { id, values });
    }
    out
}

// ---------------------------------------------------------------------------
// Exports.

/// Every row of the view: header and cells as the page shows them.
async fn export_rows(
    state: &AppState,
    page: &PageActor,
    id: ProjectId,
    query: &Pairs,
) -> Result<(TableData, Vec<String>, Vec<Vec<Shown>>), PageError> {
    let (spec, _) = resolve_spec(state, page, id, query).await?;
    let labels = labels_for(state, page, id).await;
    let data = state.app.table(&page.actor, id, &spec, Rows::All, &labels).await.or_page(page.lang)?;
    let lang = page.lang;
    let mut header = Vec::new();
    if let Some(g) = data.spec.group {
        header.push(tf(lang, Msg::TableGroupColumn, &[&cells::column_label(lang, &data, &g)]));
    }
    header.extend(data.columns.iter().map(|c| cells::column_label(lang, &data, c)));
    let zone = page.zone().to_string();
    let rows = data
        .rows
        .iter()
        .map(|r| {
            let mut line = Vec::new();
            if data.spec.group.is_some() {
                let text = cells::group_value(lang, &data, &data.groups[r.group]);
                line.push(Shown { typed: Typed::Text(text.clone()), text });
            }
            line.extend(data.columns.iter().map(|c| cells::shown(lang, &zone, &data, r, c)));
            line
        })
        .collect();
    Ok((data, header, rows))
}

pub async fn export_csv(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(query): Query<Pairs>,
) -> PageResult {
    let (data, header, rows) = export_rows(&state, &page, ProjectId(id), &query).await?;
    let bytes = sheet::csv(&header, &rows).map_err(|e| PageError::app(page.lang, AppError::Internal(e)))?;
    Ok(sheet::attachment("text/csv; charset=utf-8", format!("{}-table.csv", data.project.key), bytes))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Query(query): Query<Pairs>,
) -> PageResult {
    let (data, header, rows) = export_rows(&state, &page, ProjectId(id), &query).await?;
    let bytes =
        sheet::xlsx(&data.project.key, &header, &rows).map_err(|e| PageError::app(page.lang, AppError::Internal(e)))?;
    Ok(sheet::attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}-table.xlsx", data.project.key),
        bytes,
    ))
}

// ---------------------------------------------------------------------------
// Changes: a cell, the fields, the saved views.

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"))
}

fn json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The view a form came from (its `back` field, an address's query), to return to.
fn back_pairs(form: &Pairs) -> Pairs {
    let back = get(form, "back").unwrap_or_default();
    back.split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .filter(|(k, _)| k != "edit")
        .collect()
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

enum Refused {
    Page(PageError),
    Said { status: StatusCode, text: String },
}

/// What a refused change is told as, in the reader's language.
fn said(page: &PageActor, key: &str, e: AppError) -> Refused {
    let lang = page.lang;
    match e {
        AppError::Conflict { .. } => {
            Refused::Said { status: StatusCode::CONFLICT, text: tf(lang, Msg::TableStale, &[&key]) }
        }
        AppError::Invalid { field, message } => {
            const KNOWN: &[(&str, Msg)] = &[
                ("is not a number", Msg::NotANumber),
                ("is not one of the options", Msg::TableWhyOption),
                ("web address", Msg::TableWhyUrl),
                ("is not a date", Msg::WhyDate),
                ("person", Msg::WhyNoSuch),
                ("already has a field named", Msg::TableWhyNameTaken),
                ("needs at least one option", Msg::TableWhyOptions),
                ("appears twice", Msg::TableWhyOptions),
            ];
            let text = match KNOWN.iter().find(|(words, _)| message.contains(words)) {
                Some((_, msg)) => i18n::t(lang, *msg).to_string(),
                None => FieldError::from_app(lang, "", None, &message).text,
            };
            let text = if lang == Lang::En && !text.contains(&message) {
                format!("{text} ({field}: {message})")
            } else {
                text
            };
            Refused::Said { status: StatusCode::UNPROCESSABLE_ENTITY, text: tf(lang, Msg::TableSaveFailed, &[&text]) }
        }
        AppError::Forbidden(_) => {
            Refused::Said { status: StatusCode::FORBIDDEN, text: i18n::t(lang, Msg::TableDenied).into() }
        }
        e => Refused::Page(PageError::app(lang, e)),
    }
}

/// Saves one cell. Built-in columns change the task; custom ones its value of the field.
async fn save_cell(state: &AppState, page: &PageActor, form: &Pairs) -> Result<(TaskId, i64, String), Refused> {
    let lang = page.lang;
    let bad = |text: String| Refused::Said {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        text: tf(lang, Msg::TableSaveFailed, &[&text]),
    };
    let task_id =
        get(form, "task").and_then(|t| t.parse::<i64>().ok()).map(TaskId).ok_or_else(|| bad("task".into()))?;
    let column = get(form, "col").and_then(Column::parse).ok_or_else(|| bad("col".into()))?;
    let version = get(form, "version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let values: Vec<String> = all(form, "value").into_iter().map(str::to_string).collect();
    let one = values.iter().map(|v| v.trim()).find(|v| !v.is_empty()).unwrap_or_default().to_string();
    let task = state.app.get_task(&page.actor, task_id).await.map_err(|e| Refused::Page(PageError::app(lang, e)))?;
    let key = task.key.clone();
    let field_error = |e: FieldError| bad(e.text);
    let patch = |p: TaskPatch| TaskPatch { version, ..p };
    let saved = match column {
        Column::Field(field) => {
            let raw = match state.app.get_field(&page.actor, field).await.map(|f| f.kind) {
                // Numbers as the pages read them everywhere (full-width digits, "45%").
                Ok(FieldKind::Number) => match forms::parse_number(&one) {
                    Ok(n) => vec![n.map(view::num).unwrap_or_default()],
                    Err(e) => return Err(bad(e.reason(lang).into())),
                },
                _ => values,
            };
            return match state.app.set_field_value(&page.actor, task_id, field, RawValue::Inputs(raw), version).await {
                Ok(set) => Ok((task_id, set.version, key)),
                Err(e) => Err(said(page, &key, e)),
            };
        }
        Column::Builtin(b) => match b {
            Builtin::Title => patch(TaskPatch { title: Some(one), ..Default::default() }),
            Builtin::Status => patch(TaskPatch { status: Some(one), ..Default::default() }),
            Builtin::Assignee => {
                let who = forms::id(lang, "value", Msg::ColAssignee, &one).map_err(field_error)?;
                patch(TaskPatch { assignee_id: Some(who.map(UserId)), ..Default::default() })
            }
            Builtin::Priority => {
                let p = Priority::parse(&one).ok_or_else(|| bad(one.clone()))?;
                patch(TaskPatch { priority: Some(p), ..Default::default() })
            }
            Builtin::Start => {
                let d = forms::date(lang, "value", Msg::ColStart, &one).map_err(field_error)?;
                patch(TaskPatch { start_date: Some(d), ..Default::default() })
            }
            Builtin::Due => {
                let d = forms::date(lang, "value", Msg::ColDue, &one).map_err(field_error)?;
                patch(TaskPatch { due_date: Some(d), ..Default::default() })
            }
            Builtin::Estimate => {
                let n = forms::number(lang, "value", Msg::ColEstimate, &one).map_err(field_error)?;
                patch(TaskPatch { estimate: Some(n), ..Default::default() })
            }
            _ => return Err(bad(column.key())),
        },
    };
    match state.app.update_task(&page.actor, task_id, saved).await {
        Ok(t) => Ok((task_id, t.version, key)),
        Err(e) => Err(said(page, &key, e)),
    }
}

pub async fn set_cell(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(form): Form<Pairs>,
) -> Response {
    let json_wanted = wants_json(&headers);
    let fail = |e: PageError| if json_wanted { e.into_json() } else { e.into_response() };
    if let Err(e) = page.check_csrf(get(&form, "csrf").unwrap_or_default()) {
        return fail(e);
    }
    let project = ProjectId(id);
    let back = back_pairs(&form);
    match save_cell(&state, &page, &form).await {
        Ok((task, version, key)) if json_wanted => {
            // The cell as the page now shows it, read back through the same view.
            let column = get(&form, "col").and_then(Column::parse);
            let labels = labels_for(&state, &page, project).await;
            let spec = ViewSpec {
                filters: vec![Filter { column: Column::Builtin(Builtin::Key), op: Op::Is, values: vec![key.clone()] }],
                ..Default::default()
            };
            let mut body = serde_json::json!({
                "task": task.0, "version": version, "message": tf(page.lang, Msg::TableSaved, &[&key]),
            });
            if let (Some(column), Ok(data)) =
                (column, state.app.table(&page.actor, project, &spec, Rows::All, &labels).await)
                && let Some(row) = data.rows.iter().find(|r| r.task.id == task)
            {
                let shown = cells::shown(page.lang, page.zone(), &data, row, &column);
                body["href"] = cell_href(&data, row, &column, &shown.text).unwrap_or_default().into();
                body["text"] = shown.text.into();
                body["value"] = edit_value(row, &column).into();
            }
            json(StatusCode::OK, body)
        }
        Ok((task, _, _)) => {
            Redirect::to(&format!("{}#row-{}", with_query(&format!("/projects/{id}/table"), &back), task.0))
                .into_response()
        }
        Err(Refused::Page(e)) => fail(e),
        Err(Refused::Said { status, text }) if json_wanted => {
            let code = match status {
                StatusCode::CONFLICT => "conflict",
                StatusCode::FORBIDDEN => "forbidden",
                _ => "invalid",
            };
            json(status, serde_json::json!({ "error": { "code": code, "message": text } }))
        }
        Err(Refused::Said { status, text }) => {
            // A stale edit shows the table as it is now; a refused value keeps its form open with what was typed.
            let cell = (status == StatusCode::UNPROCESSABLE_ENTITY)
                .then(|| {
                    let task = get(&form, "task")?.parse::<i64>().ok()?;
                    Some((
                        task,
                        get(&form, "col")?.to_string(),
                        all(&form, "value").into_iter().map(str::to_string).collect(),
                    ))
                })
                .flatten();
            let problem = Problem { status, text, cell, field: None, new_field: None };
            table_page(&state, &page, project, &back, Some(problem)).await.unwrap_or_else(|e| e.into_response())
        }
    }
}

fn back_to(id: i64, back: &Pairs, anchor: &str) -> Response {
    Redirect::to(&format!("{}#{anchor}", with_query(&format!("/projects/{id}/table"), back))).into_response()
}

async fn refused_page(
    state: &AppState,
    page: &PageActor,
    id: i64,
    back: &Pairs,
    r: Refused,
    field: Option<i64>,
    new_field: Option<NewField>,
) -> Response {
    match r {
        Refused::Page(e) => e.into_response(),
        Refused::Said { status, text } => {
            let problem = Problem { status, text, cell: None, field, new_field };
            table_page(state, page, ProjectId(id), back, Some(problem)).await.unwrap_or_else(|e| e.into_response())
        }
    }
}

fn options_from(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub async fn create_field(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> Response {
    if let Err(e) = page.check_csrf(get(&form, "csrf").unwrap_or_default()) {
        return e.into_response();
    }
    let back = back_pairs(&form);
    let name = get(&form, "name").unwrap_or_default().to_string();
    let kind_text = get(&form, "kind").unwrap_or("text").to_string();
    let options = all(&form, "options").join("\n");
    let Some(kind) = FieldKind::parse(&kind_text) else {
        let r = Refused::Said { status: StatusCode::UNPROCESSABLE_ENTITY, text: page.t(Msg::WhyCheck).into() };
        return refused_page(&state, &page, id, &back, r, None, Some(NewField { name, kind: kind_text, options }))
            .await;
    };
    let input = FieldInput { name: name.clone(), kind, options: options_from(&options) };
    match state.app.create_field(&page.actor, ProjectId(id), input).await {
        Ok(_) => back_to(id, &back, "table-fields"),
        Err(e) => {
            let typed = NewField { name: name.clone(), kind: kind_text, options };
            refused_page(&state, &page, id, &back, said(&page, &name, e), None, Some(typed)).await
        }
    }
}

pub async fn edit_field(
    State(state): State<AppState>,
    page: PageActor,
    Path((id, field)): Path<(i64, i64)>,
    Form(form): Form<Pairs>,
) -> Response {
    if let Err(e) = page.check_csrf(get(&form, "csrf").unwrap_or_default()) {
        return e.into_response();
    }
    let back = back_pairs(&form);
    let version = get(&form, "version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let current = match state.app.get_field(&page.actor, FieldId(field)).await {
        Ok(f) if f.project_id == ProjectId(id) => f,
        Ok(_) => return PageError::app(page.lang, AppError::NotFound("field")).into_response(),
        Err(e) => return PageError::app(page.lang, e).into_response(),
    };
    let mut patch = FieldPatch { version, ..Default::default() };
    match get(&form, "action").unwrap_or("save") {
        "delete" => {
            return match state.app.delete_field(&page.actor, FieldId(field), version).await {
                Ok(()) => back_to(id, &back, "table-fields"),
                Err(e) => {
                    refused_page(&state, &page, id, &back, said(&page, &current.name, e), Some(field), None).await
                }
            };
        }
        "up" => patch.position = Some(current.position - 1),
        "down" => patch.position = Some(current.position + 1),
        _ => {
            patch.name = Some(get(&form, "name").unwrap_or_default().to_string());
            if current.kind.has_options() {
                patch.options = Some(options_from(&all(&form, "options").join("\n")));
            }
        }
    }
    // A move is a place among the project's own fields, from 1.
    if let Some(p) = patch.position {
        let own: Vec<CustomField> = match state.app.list_fields(&page.actor, ProjectId(id)).await {
            Ok(fs) => fs.into_iter().filter(|f| f.project_id == ProjectId(id)).collect(),
            Err(e) => return PageError::app(page.lang, e).into_response(),
        };
        let at = own.iter().position(|f| f.id == current.id).unwrap_or(0) as i64 + 1;
        patch.position = Some(if p < current.position { at - 1 } else { at + 1 }.max(1));
    }
    match state.app.update_field(&page.actor, FieldId(field), patch).await {
        Ok(_) => back_to(id, &back, "table-fields"),
        Err(e) => refused_page(&state, &page, id, &back, said(&page, &current.name, e), Some(field), None).await,
    }
}

pub async fn save_view(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<Pairs>,
) -> Response {
    if let Err(e) = page.check_csrf(get(&form, "csrf").unwrap_or_default()) {
        return e.into_response();
    }
    let back = back_pairs(&form);
    let spec: ViewSpec = get(&form, "spec").and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
    let input = ViewInput {
        name: get(&form, "name").unwrap_or_default().to_string(),
        spec,
        shared: get(&form, "shared").is_some(),
    };
    match state.app.create_view(&page.actor, ProjectId(id), input).await {
        Ok(v) => Redirect::to(&format!("/projects/{id}/table?view={}", v.id.0)).into_response(),
        Err(e) => refused_page(&state, &page, id, &back, said(&page, "", e), None, None).await,
    }
}

pub async fn delete_view(
    State(state): State<AppState>,
    page: PageActor,
    Path((id, view_id)): Path<(i64, i64)>,
    Form(form): Form<Pairs>,
) -> Response {
    if let Err(e) = page.check_csrf(get(&form, "csrf").unwrap_or_default()) {
        return e.into_response();
    }
    let version = get(&form, "version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    match state.app.get_view(&page.actor, ViewId(view_id)).await {
        Ok(v) if v.project_id == ProjectId(id) => {}
        Ok(_) => return PageError::app(page.lang, AppError::NotFound("view")).into_response(),
        Err(e) => return PageError::app(page.lang, e).into_response(),
    }
    match state.app.delete_view(&page.actor, ViewId(view_id), version).await {
        Ok(()) => Redirect::to(&format!("/projects/{id}/table")).into_response(),
        Err(e) => refused_page(&state, &page, id, &Vec::new(), said(&page, "", e), None, None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        let pairs: Pairs = vec![("f0".into(), "status".into()), ("v0".into(), "进行中 & done=1".into())];
        let q = query_string(&pairs);
        assert!(!q.contains(' ') && !q.contains("进"), "{q}");
        let back = back_pairs(&vec![("back".into(), format!("{q}&edit=3:title"))]);
        assert_eq!(back, pairs);
    }
}
