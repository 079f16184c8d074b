//! The table view of a project, the Feishu Bitable way: custom fields with
//! typed values, and a view spec (visible columns in order, filters joined by
//! and/or, up to three sort keys, one grouping) that is read from and written
//! to a query string or JSON and evaluated over rows.
//!
//! Rules:
//! - A value is checked against its field's kind: a number parses and is
//!   finite, a select option exists (matched ignoring case, stored as the
//!   field spells it), a date is a civil date (YYYY-MM-DD), a person is a user
//!   id, a URL is http or https with a host (never `javascript:`). An empty
//!   input clears the value; an unticked checkbox is no value.
//! - Filters: each column's kind allows some operators ([`ValueKind::ops`]).
//!   An empty cell matches only "empty" and "is not". Text compares ignoring
//!   case; "between" includes both ends, in either order.
//! - Sorting: empty cells last whichever the direction; text in natural order
//!   (RET-9 before RET-10); choices by their rank (workflow order, priority,
//!   option order, names in order); ties keep the rows' given order.
//! - Grouping: rows with equal cells form a group; groups in the column's
//!   ascending order, empty last; rows sorted inside each group.

use crate::{DomainError, FieldId, ProjectId, UserId, ViewId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::cmp::Ordering;

// ---------------------------------------------------------------------------
// Custom fields.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FieldKind {
    Text,
    Number,
    SingleSelect,
    MultiSelect,
    Date,
    Person,
    Checkbox,
    Url,
}

impl FieldKind {
    pub const ALL: [FieldKind; 8] = [
        FieldKind::Text,
        FieldKind::Number,
        FieldKind::SingleSelect,
        FieldKind::MultiSelect,
        FieldKind::Date,
        FieldKind::Person,
        FieldKind::Checkbox,
        FieldKind::Url,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::SingleSelect => "single_select",
            Self::MultiSelect => "multi_select",
            Self::Date => "date",
            Self::Person => "person",
            Self::Checkbox => "checkbox",
            Self::Url => "url",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Select kinds carry a list of options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::SingleSelect | Self::MultiSelect)
    }

    pub fn value_kind(self) -> ValueKind {
        match self {
            Self::Text => ValueKind::Text,
            Self::Number => ValueKind::Number,
            Self::SingleSelect | Self::Person => ValueKind::Choice,
            Self::MultiSelect => ValueKind::Multi,
            Self::Date => ValueKind::Date,
            Self::Checkbox => ValueKind::Check,
            Self::Url => ValueKind::Url,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomField {
    pub id: FieldId,
    pub project_id: ProjectId,
    pub name: String,
    pub kind: FieldKind,
    /// The choices of a select field, in their order; empty for other kinds.
    pub options: Vec<String>,
    /// Order among the project's fields (columns), from 1.
    pub position: i64,
    /// Where an imported field came from ("jira", "trello") and its id there.
    pub source: Option<String>,
    pub external_id: Option<String>,
    pub version: i64,
}

pub const FIELD_NAME_MAX: usize = 100;
pub const OPTION_MAX: usize = 100;
pub const OPTIONS_MAX: usize = 200;
pub const TEXT_VALUE_MAX: usize = 10_000;
pub const URL_MAX: usize = 2048;

pub fn check_field_name(name: &str) -> Result<String, DomainError> {
    crate::text::required("name", name, FIELD_NAME_MAX)
}

/// The options of a field of `kind`: trimmed, none empty, none twice
/// (ignoring case). Kinds without options take none.
pub fn check_options(kind: FieldKind, options: &[String]) -> Result<Vec<String>, DomainError> {
    if !kind.has_options() {
        return Ok(Vec::new());
    }
    let mut out: Vec<String> = Vec::new();
    for option in options {
        let option = option.trim();
        if option.is_empty() {
            continue;
        }
        crate::text::limit("options", option, OPTION_MAX)?;
        if out.iter().any(|o| o.to_lowercase() == option.to_lowercase()) {
            return Err(DomainError::invalid("options", format!("{option:?} appears twice")));
        }
        out.push(option.to_string());
    }
    if out.is_empty() {
        return Err(DomainError::invalid("options", "a select field needs at least one option"));
    }
    if out.len() > OPTIONS_MAX {
        return Err(DomainError::invalid("options", format!("at most {OPTIONS_MAX} options")));
    }
    Ok(out)
}

/// A table view someone saved. Without an owner it is shared with everyone
/// who can see the project; with one, only its owner ever sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedView {
    pub id: ViewId,
    pub project_id: ProjectId,
    pub owner_id: Option<UserId>,
    pub name: String,
    pub spec: ViewSpec,
    pub version: i64,
    pub created_by: Option<UserId>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub const VIEW_NAME_MAX: usize = 100;

/// One task's value of one custom field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    Choice(String),
    Choices(Vec<String>),
    Date(NaiveDate),
    Person(UserId),
    Checkbox(bool),
    Url(String),
}

impl FieldValue {
    /// The JSON form, stored and sent by the API: a string, a number, an
    /// array of strings, "YYYY-MM-DD", a user id or true.
    pub fn to_json(&self) -> Json {
        match self {
            Self::Text(s) | Self::Choice(s) | Self::Url(s) => Json::String(s.clone()),
            Self::Number(n) => serde_json::Number::from_f64(*n).map(Json::Number).unwrap_or(Json::Null),
            Self::Choices(list) => Json::Array(list.iter().cloned().map(Json::String).collect()),
            Self::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
            Self::Person(u) => Json::from(u.0),
            Self::Checkbox(b) => Json::Bool(*b),
        }
    }
}

fn bad_value(message: impl Into<String>) -> DomainError {
    DomainError::invalid("value", message)
}

/// Whether a text is an http(s) address with a host, nothing that a browser
/// would run or misread (no spaces, quotes, angle brackets or control characters).
pub fn is_web_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => rest,
        None => return false,
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && url.chars().all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '<' | '>' | '\\' | '`'))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "1" | "yes" | "y" | "是" | "✓" => Some(true),
        "false" | "off" | "0" | "no" | "n" | "否" | "" => Some(false),
        _ => None,
    }
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A plain decimal; commas only as thousands separators ("1,000.5", never
/// "1,5", which half the world reads as 1.5). No exponents, NaN or infinity.
fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let digits = s.trim_start_matches(['+', '-']);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    if digits.contains(',') {
        let whole = digits.split('.').next().unwrap_or_default();
        let mut groups = whole.split(',');
        let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
        if !first_ok || !groups.all(|g| g.len() == 3) {
            return None;
        }
    }
    s.replace(',', "").parse::<f64>().ok().filter(|n| n.is_finite())
}

impl CustomField {
    /// Checks what a form sent: one text per input (a multi-select sends one
    /// per option chosen). Nothing, or only blanks, clears the value.
    pub fn value_from_inputs(&self, inputs: &[&str]) -> Result<Option<FieldValue>, DomainError> {
        let filled: Vec<&str> = inputs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if self.kind == FieldKind::Checkbox {
            let mut on = false;
            for s in &filled {
                on |= parse_bool(s).ok_or_else(|| bad_value(format!("{s:?} is not yes or no")))?;
            }
            return Ok(on.then_some(FieldValue::Checkbox(true)));
        }
        if filled.is_empty() {
            return Ok(None);
        }
        if self.kind != FieldKind::MultiSelect && filled.len() > 1 {
            return Err(bad_value("takes one value"));
        }
        let one = filled[0];
        let value = match self.kind {
            FieldKind::Text => {
                crate::text::limit("value", one, TEXT_VALUE_MAX)?;
                FieldValue::Text(one.to_string())
            }
            FieldKind::Number => {
                FieldValue::Number(parse_number(one).ok_or_else(|| bad_value(format!("{one:?} is not a number")))?)
            }
            FieldKind::SingleSelect => FieldValue::Choice(self.option(one)?),
            FieldKind::MultiSelect => {
                let mut chosen: Vec<String> = Vec::new();
                for s in filled {
                    let option = self.option(s)?;
                    if !chosen.contains(&option) {
                        chosen.push(option);
                    }
                }
                // In the field's own order, whatever order they were ticked in.
                chosen.sort_by_key(|c| self.options.iter().position(|o| o == c));
                FieldValue::Choices(chosen)
            }
            FieldKind::Date => FieldValue::Date(
                parse_date(one).ok_or_else(|| bad_value(format!("{one:?} is not a date (YYYY-MM-DD)")))?,
            ),
            FieldKind::Person => match one.parse::<i64>() {
                Ok(id) if id > 0 => FieldValue::Person(UserId(id)),
                _ => return Err(bad_value(format!("{one:?} is not a person's id"))),
            },
            FieldKind::Url => {
                crate::text::limit("value", one, URL_MAX)?;
                if !is_web_url(one) {
                    return Err(bad_value("must be a web address starting with http:// or https://"));
                }
                FieldValue::Url(one.to_string())
            }
            FieldKind::Checkbox => unreachable!("handled above"),
        };
        Ok(Some(value))
    }

    /// Checks a value sent as JSON; null clears it.
    pub fn value_from_json(&self, value: &Json) -> Result<Option<FieldValue>, DomainError> {
        let texts: Vec<String> = match value {
            Json::Null => Vec::new(),
            Json::String(s) => vec![s.clone()],
            Json::Number(n) => vec![n.to_string()],
            Json::Bool(b) if self.kind == FieldKind::Checkbox => vec![b.to_string()],
            Json::Array(items) if self.kind == FieldKind::MultiSelect => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).ok_or_else(|| bad_value("options are strings")))
                .collect::<Result<_, _>>()?,
            other => return Err(bad_value(format!("{other} does not fit a {} field", self.kind.as_str()))),
        };
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        self.value_from_inputs(&refs)
    }

    /// A stored value read back; None when it no longer fits the field (an
    /// option was removed since).
    pub fn value_from_stored(&self, stored: &str) -> Option<FieldValue> {
        let json: Json = serde_json::from_str(stored).ok()?;
        self.value_from_json(&json).ok().flatten()
    }

    /// The option named `s`, as the field spells it.
    fn option(&self, s: &str) -> Result<String, DomainError> {
        let wanted = s.trim().to_lowercase();
        self.options
            .iter()
            .find(|o| o.to_lowercase() == wanted)
            .cloned()
            .ok_or_else(|| bad_value(format!("{s:?} is not one of the options: {}", self.options.join(", "))))
    }

    /// The column of this field in a view.
    pub fn column(&self) -> Column {
        Column::Field(self.id)
    }
}

// ---------------------------------------------------------------------------
// Columns.

/// The columns every task has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Builtin {
    Key,
    Title,
    Status,
    Assignee,
    Priority,
    Start,
    Due,
    Estimate,
    Progress,
    Labels,
    Krs,
    Parent,
    Created,
    Updated,
}

impl Builtin {
    pub const ALL: [Builtin; 14] = [
        Builtin::Key,
        Builtin::Title,
        Builtin::Status,
        Builtin::Assignee,
        Builtin::Priority,
        Builtin::Start,
        Builtin::Due,
        Builtin::Estimate,
        Builtin::Progress,
        Builtin::Labels,
        Builtin::Krs,
        Builtin::Parent,
        Builtin::Created,
        Builtin::Updated,
    ];

    /// Shown when a view names no columns (custom fields follow them).
    pub const DEFAULT: [Builtin; 10] = [
        Builtin::Key,
        Builtin::Title,
        Builtin::Status,
        Builtin::Assignee,
        Builtin::Priority,
        Builtin::Start,
        Builtin::Due,
        Builtin::Estimate,
        Builtin::Progress,
        Builtin::Labels,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Title => "title",
            Self::Status => "status",
            Self::Assignee => "assignee",
            Self::Priority => "priority",
            Self::Start => "start",
            Self::Due => "due",
            Self::Estimate => "estimate",
            Self::Progress => "progress",
            Self::Labels => "labels",
            Self::Krs => "krs",
            Self::Parent => "parent",
            Self::Created => "created",
            Self::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    pub fn value_kind(self) -> ValueKind {
        match self {
            Self::Key | Self::Title | Self::Parent => ValueKind::Text,
            Self::Status | Self::Assignee | Self::Priority => ValueKind::Choice,
            Self::Start | Self::Due | Self::Created | Self::Updated => ValueKind::Date,
            Self::Estimate | Self::Progress => ValueKind::Number,
            Self::Labels | Self::Krs => ValueKind::Multi,
        }
    }
}

/// A column of the table: a built-in one, or a custom field (`f12` in text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Column {
    Builtin(Builtin),
    Field(FieldId),
}

impl Column {
    pub fn parse(s: &str) -> Option<Column> {
        let s = s.trim();
        if let Some(b) = Builtin::parse(s) {
            return Some(Column::Builtin(b));
        }
        let id = s.strip_prefix('f')?;
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        id.parse::<i64>().ok().filter(|n| *n > 0).map(|n| Column::Field(FieldId(n)))
    }

    pub fn key(&self) -> String {
        match self {
            Column::Builtin(b) => b.as_str().to_string(),
            Column::Field(id) => format!("f{}", id.0),
        }
    }
}

/// In the API a column is its text: `key`, `title`, … or `f<field id>`.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Column {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "key, title, status, assignee, priority, start, due, estimate, progress, labels, krs, parent, \
                 created, updated, or f<id> for a custom field",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Column {}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

impl TryFrom<String> for Column {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Column::parse(&s).ok_or_else(|| format!("{s:?} is not a column (key, title, … or f<field id>)"))
    }
}

impl From<Column> for String {
    fn from(c: Column) -> String {
        c.key()
    }
}

/// How a column's values behave in filters and in sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Url,
    Number,
    /// One value out of a set (status, priority, person, single select).
    Choice,
    /// Several values out of a set (labels, key results, multi select).
    Multi,
    Date,
    Check,
}

impl ValueKind {
    /// The operators a filter on such a column may use, in the order offered.
    pub fn ops(self) -> &'static [Op] {
        use Op::*;
        match self {
            ValueKind::Text | ValueKind::Url => &[Contains, Is, IsNot, Empty, NotEmpty],
            ValueKind::Number => &[Is, IsNot, Gt, Lt, Between, Empty, NotEmpty],
            ValueKind::Choice => &[Is, IsNot, AnyOf, Empty, NotEmpty],
            ValueKind::Multi => &[Contains, AnyOf, IsNot, Empty, NotEmpty],
            ValueKind::Date => &[Is, Before, After, Between, Empty, NotEmpty],
            ValueKind::Check => &[Is],
        }
    }
}

// ---------------------------------------------------------------------------
// Filters, sorting, grouping.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Op {
    Is,
    IsNot,
    Contains,
    Empty,
    NotEmpty,
    Gt,
    Lt,
    Between,
    Before,
    After,
    AnyOf,
}

impl Op {
    pub const ALL: [Op; 11] = [
        Op::Is,
        Op::IsNot,
        Op::Contains,
        Op::Empty,
        Op::NotEmpty,
        Op::Gt,
        Op::Lt,
        Op::Between,
        Op::Before,
        Op::After,
        Op::AnyOf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Is => "is",
            Op::IsNot => "is_not",
            Op::Contains => "contains",
            Op::Empty => "empty",
            Op::NotEmpty => "not_empty",
            Op::Gt => "gt",
            Op::Lt => "lt",
            Op::Between => "between",
            Op::Before => "before",
            Op::After => "after",
            Op::AnyOf => "any_of",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    /// How many values the operator reads: (at least, at most).
    fn arity(self) -> (usize, usize) {
        match self {
            Op::Empty | Op::NotEmpty => (0, 0),
            Op::Between => (2, 2),
            Op::AnyOf | Op::IsNot | Op::Is | Op::Contains => (1, 50),
            Op::Gt | Op::Lt | Op::Before | Op::After => (1, 1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Join {
    #[default]
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    pub column: Column,
    pub op: Op,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SortKey {
    pub column: Column,
    #[serde(default)]
    pub desc: bool,
}

pub const MAX_SORT_KEYS: usize = 3;
pub const MAX_FILTERS: usize = 20;

/// What a table view shows: columns in order, filters, sort keys, grouping.
/// No columns means the default ones.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ViewSpec {
    pub columns: Vec<Column>,
    pub filters: Vec<Filter>,
    pub join: Join,
    pub sort: Vec<SortKey>,
    pub group: Option<Column>,
}

/// A part of a spec that was left out, and why (English; the pages say it their way).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecProblem {
    pub column: String,
    pub message: String,
}

/// Query-string keys a spec uses; an address with none of them names no spec.
fn is_spec_key(key: &str) -> bool {
    let indexed = |prefix: char| {
        key.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
    };
    matches!(key, "col" | "cols" | "join" | "g") || ['f', 'o', 'v', 's', 'd'].into_iter().any(indexed)
}

impl ViewSpec {
    /// Whether a query string names a spec (else a saved or the default view applies).
    pub fn in_query(pairs: &[(String, String)]) -> bool {
        pairs.iter().any(|(k, _)| is_spec_key(k))
    }

    /// Reads a spec from a query string, leniently: unknown columns,
    /// operators and blank rows are left out (`normalize` says why).
    ///
    /// `col=key&col=title` (or `cols=key,title`) the columns in order;
    /// `f0=status&o0=is&v0=Done` filter 0 (v repeated for several values);
    /// `join=or`; `s0=due&d0=desc` sort key 0 (up to s2); `g=status` grouping.
    pub fn from_query(pairs: &[(String, String)]) -> ViewSpec {
        let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
        fn all<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
            pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
        }
        let mut columns: Vec<Column> = all(pairs, "col").into_iter().filter_map(Column::parse).collect();
        if columns.is_empty()
            && let Some(list) = get("cols")
        {
            columns = list.split(',').filter_map(Column::parse).collect();
        }
        let mut seen = Vec::new();
        columns.retain(|c| {
            let fresh = !seen.contains(c);
            seen.push(*c);
            fresh
        });
        let mut filters = Vec::new();
        for i in 0..MAX_FILTERS {
            let Some(column) = get(&format!("f{i}")).and_then(Column::parse) else { continue };
            let Some(op) = get(&format!("o{i}")).and_then(Op::parse) else { continue };
            let values: Vec<String> = all(pairs, &format!("v{i}"))
                .into_iter()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect();
            filters.push(Filter { column, op, values });
        }
        let mut sort = Vec::new();
        for i in 0..MAX_SORT_KEYS {
            let Some(column) = get(&format!("s{i}")).and_then(Column::parse) else { continue };
            if sort.iter().any(|k: &SortKey| k.column == column) {
                continue;
            }
            sort.push(SortKey { column, desc: get(&format!("d{i}")) == Some("desc") });
        }
        ViewSpec {
            columns,
            filters,
            join: if get("join") == Some("or") { Join::Or } else { Join::And },
            sort,
            group: get("g").and_then(Column::parse),
        }
    }

    /// The query string that reads back as this spec (see `from_query`).
    pub fn to_query(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if !self.columns.is_empty() {
            out.push(("cols".into(), self.columns.iter().map(Column::key).collect::<Vec<_>>().join(",")));
        }
        for (i, f) in self.filters.iter().enumerate() {
            out.push((format!("f{i}"), f.column.key()));
            out.push((format!("o{i}"), f.op.as_str().into()));
            out.extend(f.values.iter().map(|v| (format!("v{i}"), v.clone())));
        }
        if self.join == Join::Or && !self.filters.is_empty() {
            out.push(("join".into(), "or".into()));
        }
        for (i, k) in self.sort.iter().enumerate() {
            out.push((format!("s{i}"), k.column.key()));
            if k.desc {
                out.push((format!("d{i}"), "desc".into()));
            }
        }
        if let Some(g) = self.group {
            out.push(("g".into(), g.key()));
        }
        out
    }

    /// Keeps what can be evaluated over the columns `kind_of` knows: unknown
    /// columns, operators a column's kind does not allow, filters without the
    /// values they need (or with values that do not parse), sort keys past
    /// three. Returns the kept spec and what was left out.
    pub fn normalize(&self, kind_of: &dyn Fn(&Column) -> Option<ValueKind>) -> (ViewSpec, Vec<SpecProblem>) {
        let mut problems = Vec::new();
        let mut problem = |column: &Column, message: String| {
            problems.push(SpecProblem { column: column.key(), message });
        };
        let mut columns = Vec::new();
        for c in &self.columns {
            if kind_of(c).is_none() {
                problem(c, "no such column".into());
            } else if !columns.contains(c) {
                columns.push(*c);
            }
        }
        let mut filters = Vec::new();
        for f in self.filters.iter().take(MAX_FILTERS) {
            let Some(kind) = kind_of(&f.column) else {
                problem(&f.column, "no such column".into());
                continue;
            };
            if !kind.ops().contains(&f.op) {
                problem(&f.column, format!("cannot filter with {:?}", f.op.as_str()));
                continue;
            }
            let mut values: Vec<String> =
                f.values.iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
            if f.op == Op::AnyOf || matches!(kind, ValueKind::Choice | ValueKind::Multi) {
                // Several choices may come as one typed text: "A, B".
                values = values.iter().flat_map(|v| v.split([',', '，'])).map(|v| v.trim().to_string()).collect();
                values.retain(|v| !v.is_empty());
            }
            let (least, most) = f.op.arity();
            if values.len() < least {
                problem(&f.column, format!("{:?} needs {least} value(s)", f.op.as_str()));
                continue;
            }
            values.truncate(most);
            let parses = match kind {
                ValueKind::Number if most > 0 => values.iter().all(|v| parse_number(v).is_some()),
                ValueKind::Date if most > 0 => values.iter().all(|v| parse_date(v).is_some()),
                ValueKind::Check => values.iter().all(|v| parse_bool(v).is_some()),
                _ => true,
            };
            if !parses {
                problem(&f.column, format!("{values:?} does not fit the column"));
                continue;
            }
            filters.push(Filter { column: f.column, op: f.op, values });
        }
        let mut sort: Vec<SortKey> = Vec::new();
        for k in &self.sort {
            if kind_of(&k.column).is_none() {
                problem(&k.column, "no such column".into());
            } else if sort.len() == MAX_SORT_KEYS {
                problem(&k.column, format!("at most {MAX_SORT_KEYS} sort keys"));
            } else if !sort.iter().any(|s| s.column == k.column) {
                sort.push(*k);
            }
        }
        let group = match self.group {
            Some(g) if kind_of(&g).is_none() => {
                problem(&g, "no such column".into());
                None
            }
            other => other,
        };
        (ViewSpec { columns, filters, join: self.join, sort, group }, problems)
    }

    /// The columns shown: the spec's, or the default ones and then `fields`.
    pub fn shown_columns(&self, fields: &[Column]) -> Vec<Column> {
        if !self.columns.is_empty() {
            return self.columns.clone();
        }
        Builtin::DEFAULT.into_iter().map(Column::Builtin).chain(fields.iter().copied()).collect()
    }

    /// Filters, sorts and groups rows `0..n`, reading each row's cells
    /// through `cell`. Rows are taken in the given order where nothing else
    /// decides.
    pub fn evaluate(&self, n: usize, cell: &dyn Fn(usize, &Column) -> Cell) -> Evaluated {
        let kept: Vec<usize> = (0..n)
            .filter(|&row| {
                if self.filters.is_empty() {
                    return true;
                }
                let mut results = self.filters.iter().map(|f| f.matches(&cell(row, &f.column)));
                match self.join {
                    Join::And => results.all(|r| r),
                    Join::Or => results.any(|r| r),
                }
            })
            .collect();
        // Read every cell the ordering needs once.
        let group_cells: Vec<Cell> =
            kept.iter().map(|&row| self.group.map(|g| cell(row, &g).group_key()).unwrap_or(Cell::Empty)).collect();
        let sort_cells: Vec<Vec<Cell>> =
            kept.iter().map(|&row| self.sort.iter().map(|k| cell(row, &k.column)).collect()).collect();
        let mut idx: Vec<usize> = (0..kept.len()).collect();
        idx.sort_by(|&a, &b| {
            compare_cells(&group_cells[a], &group_cells[b], false)
                .then_with(|| {
                    self.sort
                        .iter()
                        .enumerate()
                        .map(|(i, k)| compare_cells(&sort_cells[a][i], &sort_cells[b][i], k.desc))
                        .find(|o| *o != Ordering::Equal)
                        .unwrap_or(Ordering::Equal)
                })
                .then(a.cmp(&b))
        });
        let mut groups: Vec<Group> = Vec::new();
        for (pos, &i) in idx.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if self.group.is_some() && g.key == group_cells[i] => g.len += 1,
                Some(g) if self.group.is_none() => g.len += 1,
                _ => groups.push(Group { key: group_cells[i].clone(), start: pos, len: 1 }),
            }
        }
        Evaluated { rows: idx.into_iter().map(|i| kept[i]).collect(), groups }
    }
}

/// The outcome of a view over rows: the rows kept, in order, and the groups
/// they fall into (one group, keyed empty, when the view does not group).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    pub rows: Vec<usize>,
    pub groups: Vec<Group>,
}

/// A run of `len` rows of `Evaluated::rows` from `start`, sharing `key`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: Cell,
    pub start: usize,
    pub len: usize,
}

// ---------------------------------------------------------------------------
// Cells.

/// One choice out of a set: `value` is what it is (a status name, a user id,
/// an option), `label` what people call it; filters match either.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    pub value: String,
    pub label: String,
}

impl Pick {
    pub fn same(value: impl Into<String>) -> Pick {
        let value = value.into();
        Pick { label: value.clone(), value }
    }

    fn is(&self, wanted: &str) -> bool {
        let w = wanted.trim().to_lowercase();
        self.value.to_lowercase() == w || self.label.to_lowercase() == w
    }
}

/// A row's value in one column, as filters and sorting see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    /// An instant: compared by its day where the viewer lives, sorted by
    /// `at` (any monotonic count, e.g. microseconds since 1970).
    Stamp {
        day: NaiveDate,
        at: i64,
    },
    Check(bool),
    /// `rank` orders choices (workflow position, priority, option order).
    Choice {
        pick: Pick,
        rank: i64,
    },
    Many(Vec<Pick>),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty | Cell::Check(false) => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Many(list) => list.is_empty(),
            _ => false,
        }
    }

    /// What rows are grouped by: a day for an instant, nothing for an empty cell.
    fn group_key(self) -> Cell {
        match self {
            Cell::Stamp { day, .. } => Cell::Date(day),
            c if c.is_empty() => Cell::Empty,
            c => c,
        }
    }

    fn day(&self) -> Option<NaiveDate> {
        match self {
            Cell::Date(d) | Cell::Stamp { day: d, .. } => Some(*d),
            _ => None,
        }
    }
}

impl Filter {
    pub fn matches(&self, cell: &Cell) -> bool {
        let values = &self.values;
        match self.op {
            Op::Empty => return cell.is_empty(),
            Op::NotEmpty => return !cell.is_empty(),
            _ => {}
        }
        if let Cell::Check(on) = cell {
            let wanted = values.first().and_then(|v| parse_bool(v)).unwrap_or(true);
            return match self.op {
                Op::Is => *on == wanted,
                Op::IsNot => *on != wanted,
                _ => false,
            };
        }
        if cell.is_empty() {
            // "is not X" holds for a cell without X; nothing else does.
            return self.op == Op::IsNot;
        }
        let lower = |s: &str| s.trim().to_lowercase();
        match cell {
            Cell::Text(text) => {
                let text = lower(text);
                match self.op {
                    Op::Is => values.iter().any(|v| lower(v) == text),
                    Op::IsNot => values.iter().all(|v| lower(v) != text),
                    Op::Contains => values.iter().any(|v| text.contains(&lower(v))),
                    _ => false,
                }
            }
            Cell::Number(n) => {
                let nums: Vec<f64> = values.iter().filter_map(|v| parse_number(v)).collect();
                let eq = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
                match (self.op, nums.as_slice()) {
                    (Op::Is, list) => list.iter().any(|v| eq(*n, *v)),
                    (Op::IsNot, list) => list.iter().all(|v| !eq(*n, *v)),
                    (Op::Gt, [v, ..]) => *n > *v,
                    (Op::Lt, [v, ..]) => *n < *v,
                    (Op::Between, [a, b, ..]) => *n >= a.min(*b) && *n <= a.max(*b),
                    _ => false,
                }
            }
            Cell::Date(_) | Cell::Stamp { .. } => {
                let Some(day) = cell.day() else { return false };
                let days: Vec<NaiveDate> = values.iter().filter_map(|v| parse_date(v)).collect();
                match (self.op, days.as_slice()) {
                    (Op::Is, list) => list.contains(&day),
                    (Op::IsNot, list) => !list.contains(&day),
                    (Op::Before, [d, ..]) => day < *d,
                    (Op::After, [d, ..]) => day > *d,
                    (Op::Between, [a, b, ..]) => day >= *a.min(b) && day <= *a.max(b),
                    _ => false,
                }
            }
            Cell::Choice { pick, .. } => match self.op {
                Op::Is | Op::AnyOf => values.iter().any(|v| pick.is(v)),
                Op::IsNot => !values.iter().any(|v| pick.is(v)),
                _ => false,
            },
            Cell::Many(picks) => {
                let has = |v: &String| picks.iter().any(|p| p.is(v));
                match self.op {
                    Op::Contains => values.iter().all(has),
                    Op::AnyOf | Op::Is => values.iter().any(has),
                    Op::IsNot => !values.iter().any(has),
                    _ => false,
                }
            }
            Cell::Empty | Cell::Check(_) => false,
        }
    }
}

/// Text in natural order: case folded, runs of digits compared as numbers.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (m, n) = (run(&mut x), run(&mut y));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let o = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

fn labels(picks: &[Pick]) -> String {
    picks.iter().map(|p| p.label.as_str()).collect::<Vec<_>>().join(", ")
}

/// Orders two cells of one column: empty last in either direction.
pub fn compare_cells(a: &Cell, b: &Cell, desc: bool) -> Ordering {
    match (a.is_empty() && !matches!(a, Cell::Check(_)), b.is_empty() && !matches!(b, Cell::Check(_))) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let o = match (a, b) {
        (Cell::Text(x), Cell::Text(y)) => natural_cmp(x, y),
        (Cell::Number(x), Cell::Number(y)) => x.total_cmp(y),
        (Cell::Stamp { at: x, .. }, Cell::Stamp { at: y, .. }) => x.cmp(y),
        (x, y) if x.day().is_some() && y.day().is_some() => x.day().cmp(&y.day()),
        (Cell::Check(x), Cell::Check(y)) => x.cmp(y),
        (Cell::Choice { pick: p, rank: r }, Cell::Choice { pick: q, rank: s }) => {
            r.cmp(s).then_with(|| natural_cmp(&p.label, &q.label))
        }
        (Cell::Many(x), Cell::Many(y)) => natural_cmp(&labels(x), &labels(y)),
        _ => Ordering::Equal,
    };
    if desc { o.reverse() } else { o }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: FieldKind, options: &[&str]) -> CustomField {
        CustomField {
            id: FieldId(7),
            project_id: ProjectId(1),
            name: "字段".into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            position: 1,
            source: None,
            external_id: None,
            version: 1,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn numbers_parse_and_must_be_finite() {
        let f = field(FieldKind::Number, &[]);
        assert_eq!(f.value_from_inputs(&["1,234.5"]).unwrap(), Some(FieldValue::Number(1234.5)));
        assert_eq!(f.value_from_inputs(&[" -3 "]).unwrap(), Some(FieldValue::Number(-3.0)));
        assert_eq!(f.value_from_inputs(&["  "]).unwrap(), None, "blank clears");
        for bad in ["abc", "NaN", "inf", "1e999", "1e3", "12元", "1,5", "1,0000", ".", "--1"] {
            assert_eq!(f.value_from_inputs(&[bad]).unwrap_err().field(), "value", "{bad}");
        }
        assert_eq!(f.value_from_json(&serde_json::json!(2.5)).unwrap(), Some(FieldValue::Number(2.5)));
        assert!(f.value_from_json(&serde_json::json!(true)).is_err());
    }

    #[test]
    fn options_must_exist_and_keep_the_fields_spelling_and_order() {
        let single = field(FieldKind::SingleSelect, &["高", "Medium", "低"]);
        assert_eq!(single.value_from_inputs(&["medium"]).unwrap(), Some(FieldValue::Choice("Medium".into())));
        assert!(single.value_from_inputs(&["中"]).is_err());
        assert!(single.value_from_inputs(&["高", "低"]).is_err(), "one value only");
        let multi = field(FieldKind::MultiSelect, &["iOS", "Android", "Web"]);
        assert_eq!(
            multi.value_from_inputs(&["web", "IOS", "Web"]).unwrap(),
            Some(FieldValue::Choices(vec!["iOS".into(), "Web".into()]))
        );
        assert!(multi.value_from_json(&serde_json::json!(["iOS", "Windows"])).is_err());
        assert_eq!(multi.value_from_json(&serde_json::json!([])).unwrap(), None);
        // An option removed since the value was stored: the value no longer reads.
        let fewer = field(FieldKind::SingleSelect, &["高"]);
        assert_eq!(fewer.value_from_stored("\"低\""), None);
        assert_eq!(fewer.value_from_stored("\"高\""), Some(FieldValue::Choice("高".into())));
    }

    #[test]
    fn option_lists_are_checked() {
        let opts = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(check_options(FieldKind::SingleSelect, &opts(&[" a ", "", "b"])).unwrap(), opts(&["a", "b"]));
        assert_eq!(check_options(FieldKind::MultiSelect, &opts(&["A", "a"])).unwrap_err().field(), "options");
        assert!(check_options(FieldKind::SingleSelect, &opts(&["", " "])).is_err(), "needs one");
        assert_eq!(check_options(FieldKind::Text, &opts(&["x"])).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn dates_are_civil_dates() {
        let f = field(FieldKind::Date, &[]);
        assert_eq!(f.value_from_inputs(&["2026-02-28"]).unwrap(), Some(FieldValue::Date(day(2026, 2, 28))));
        for bad in ["2026-02-30", "2026/02/01", "2026-02-01T10:00:00Z", "明天"] {
            assert!(f.value_from_inputs(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_person_is_a_user_id() {
        let f = field(FieldKind::Person, &[]);
        assert_eq!(f.value_from_json(&serde_json::json!(12)).unwrap(), Some(FieldValue::Person(UserId(12))));
        assert_eq!(f.value_from_inputs(&["12"]).unwrap(), Some(FieldValue::Person(UserId(12))));
        for bad in ["0", "-4", "李娜", "1.5"] {
            assert!(f.value_from_inputs(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_http_or_https() {
        let f = field(FieldKind::Url, &[]);
        for good in ["https://example.com", "http://intranet:8080/wiki?q=留存#a", "HTTPS://Example.com/x"] {
            assert_eq!(f.value_from_inputs(&[good]).unwrap(), Some(FieldValue::Url(good.into())), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)//http://x",
            "data:text/html,<script>alert(1)</script>",
            "https://",
            "http:///path",
            "ftp://example.com",
            "example.com",
            "https://exa mple.com",
            "https://example.com/\"onmouseover=alert(1)",
            "https://example.com/<script>",
        ] {
            assert!(f.value_from_inputs(&[bad]).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn checkboxes_are_on_or_no_value() {
        let f = field(FieldKind::Checkbox, &[]);
        assert_eq!(f.value_from_inputs(&["on"]).unwrap(), Some(FieldValue::Checkbox(true)));
        assert_eq!(f.value_from_inputs(&[]).unwrap(), None);
        assert_eq!(f.value_from_json(&serde_json::json!(false)).unwrap(), None);
        assert!(f.value_from_inputs(&["maybe"]).is_err());
    }

    #[test]
    fn values_round_trip_through_json() {
        let cases = [
            (field(FieldKind::Text, &[]), FieldValue::Text("<b>x".into())),
            (field(FieldKind::Number, &[]), FieldValue::Number(41.6)),
            (field(FieldKind::SingleSelect, &["A"]), FieldValue::Choice("A".into())),
            (field(FieldKind::MultiSelect, &["A", "B"]), FieldValue::Choices(vec!["A".into(), "B".into()])),
            (field(FieldKind::Date, &[]), FieldValue::Date(day(2026, 1, 9))),
            (field(FieldKind::Person, &[]), FieldValue::Person(UserId(3))),
            (field(FieldKind::Checkbox, &[]), FieldValue::Checkbox(true)),
            (field(FieldKind::Url, &[]), FieldValue::Url("https://keel.example/a".into())),
        ];
        for (f, v) in cases {
            let stored = v.to_json().to_string();
            assert_eq!(f.value_from_stored(&stored), Some(v), "{stored}");
        }
    }

    #[test]
    fn columns_read_and_write_as_text() {
        assert_eq!(Column::parse("due"), Some(Column::Builtin(Builtin::Due)));
        assert_eq!(Column::parse("f12"), Some(Column::Field(FieldId(12))));
        for bad in ["f", "f0", "f-1", "fx", "F12", "dueDate", ""] {
            assert_eq!(Column::parse(bad), None, "{bad}");
        }
        assert_eq!(Column::Field(FieldId(3)).key(), "f3");
    }

    fn q(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    #[test]
    fn a_spec_reads_from_a_form_and_writes_a_query_that_reads_back() {
        let form = q("col=key&col=title&col=f3&col=key&f0=status&o0=is&v0=Done&v0=&f1=&o1=is&v1=x\
                      &f2=f3&o2=between&v2=1&v2=5&join=or&s0=due&d0=desc&s1=f3&s2=due&g=assignee&page=2");
        assert!(ViewSpec::in_query(&form));
        assert!(!ViewSpec::in_query(&q("page=2&view=4")));
        let spec = ViewSpec::from_query(&form);
        let f3 = Column::Field(FieldId(3));
        assert_eq!(
            spec,
            ViewSpec {
                columns: vec![Column::Builtin(Builtin::Key), Column::Builtin(Builtin::Title), f3],
                filters: vec![
                    Filter { column: Column::Builtin(Builtin::Status), op: Op::Is, values: vec!["Done".into()] },
                    Filter { column: f3, op: Op::Between, values: vec!["1".into(), "5".into()] },
                ],
                join: Join::Or,
                sort: vec![
                    SortKey { column: Column::Builtin(Builtin::Due), desc: true },
                    SortKey { column: f3, desc: false },
                ],
                group: Some(Column::Builtin(Builtin::Assignee)),
            }
        );
        let back = ViewSpec::from_query(&spec.to_query());
        assert_eq!(back, spec);
        let json = serde_json::to_string(&spec).unwrap();
        assert!(json.contains(r#""columns":["key","title","f3"]"#), "{json}");
        assert_eq!(serde_json::from_str::<ViewSpec>(&json).unwrap(), spec);
        assert!(serde_json::from_str::<ViewSpec>(r#"{"columns":["nope"]}"#).is_err());
    }

    fn kinds(c: &Column) -> Option<ValueKind> {
        match c {
            Column::Builtin(b) => Some(b.value_kind()),
            Column::Field(FieldId(3)) => Some(ValueKind::Number),
            Column::Field(_) => None,
        }
    }

    #[test]
    fn normalizing_drops_what_cannot_be_evaluated_and_says_why() {
        let f3 = Column::Field(FieldId(3));
        let spec = ViewSpec {
            columns: vec![Column::Field(FieldId(99)), f3],
            filters: vec![
                Filter { column: Column::Builtin(Builtin::Title), op: Op::Gt, values: vec!["a".into()] },
                Filter { column: f3, op: Op::Between, values: vec!["1".into()] },
                Filter { column: f3, op: Op::Gt, values: vec!["many".into()] },
                Filter { column: Column::Builtin(Builtin::Due), op: Op::Empty, values: vec!["junk".into()] },
                Filter { column: Column::Builtin(Builtin::Status), op: Op::AnyOf, values: vec!["Done, To do".into()] },
            ],
            sort: vec![
                Column::Builtin(Builtin::Key),
                Column::Builtin(Builtin::Due),
                f3,
                Column::Builtin(Builtin::Title),
            ]
            .into_iter()
            .map(|column| SortKey { column, desc: false })
            .collect(),
            group: Some(Column::Field(FieldId(98))),
            ..Default::default()
        };
        let (kept, problems) = spec.normalize(&kinds);
        assert_eq!(kept.columns, vec![f3]);
        assert_eq!(
            kept.filters,
            vec![
                Filter { column: Column::Builtin(Builtin::Due), op: Op::Empty, values: vec![] },
                Filter {
                    column: Column::Builtin(Builtin::Status),
                    op: Op::AnyOf,
                    values: vec!["Done".into(), "To do".into()]
                },
            ]
        );
        assert_eq!(kept.sort.len(), 3);
        assert_eq!(kept.group, None);
        let said: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(said, ["f99", "title", "f3", "f3", "title", "f98"]);
    }

    /// Five hand-made rows; every expectation below is worked out by reading them.
    type Row = (&'static str, Option<f64>, Option<NaiveDate>, &'static str, i64, &'static [&'static str]);
    struct Rows(Vec<Row>);

    fn rows() -> Rows {
        //        title            points     due                      status      rank  labels
        Rows(vec![
            ("Alpha 10", Some(5.0), Some(day(2026, 3, 10)), "Done", 3, &["web"]),
            ("alpha 9", None, Some(day(2026, 3, 1)), "To do", 0, &[]),
            ("Beta", Some(2.0), None, "In progress", 1, &["ios", "web"]),
            ("留存看板", Some(8.0), Some(day(2026, 3, 5)), "To do", 0, &["android"]),
            ("Gamma", Some(2.0), Some(day(2026, 3, 10)), "Done", 3, &["web"]),
        ])
    }

    const TITLE: Column = Column::Builtin(Builtin::Title);
    const DUE: Column = Column::Builtin(Builtin::Due);
    const STATUS: Column = Column::Builtin(Builtin::Status);
    const LABELS: Column = Column::Builtin(Builtin::Labels);
    const POINTS: Column = Column::Field(FieldId(3));

    impl Rows {
        fn cell(&self, i: usize, c: &Column) -> Cell {
            let (title, points, due, status, rank, labels) = self.0[i];
            match *c {
                TITLE => Cell::Text(title.into()),
                POINTS => points.map(Cell::Number).unwrap_or(Cell::Empty),
                DUE => due.map(Cell::Date).unwrap_or(Cell::Empty),
                STATUS => Cell::Choice { pick: Pick::same(status), rank },
                LABELS => Cell::Many(labels.iter().map(|l| Pick::same(*l)).collect()),
                _ => Cell::Empty,
            }
        }
        fn eval(&self, spec: &ViewSpec) -> Evaluated {
            spec.evaluate(self.0.len(), &|i, c| self.cell(i, c))
        }
    }

    fn filter(column: Column, op: Op, values: &[&str]) -> Filter {
        Filter { column, op, values: values.iter().map(|v| v.to_string()).collect() }
    }

    fn only(filters: Vec<Filter>, join: Join) -> Vec<usize> {
        rows().eval(&ViewSpec { filters, join, ..Default::default() }).rows
    }

    #[test]
    fn filters_by_each_kind() {
        use Op::*;
        assert_eq!(only(vec![filter(TITLE, Contains, &["ALPHA"])], Join::And), [0, 1]);
        assert_eq!(only(vec![filter(TITLE, Is, &["beta"])], Join::And), [2]);
        assert_eq!(only(vec![filter(POINTS, Gt, &["2"])], Join::And), [0, 3]);
        assert_eq!(only(vec![filter(POINTS, Lt, &["5"])], Join::And), [2, 4], "an empty number is not less");
        assert_eq!(only(vec![filter(POINTS, Between, &["8", "5"])], Join::And), [0, 3], "both ends, any order");
        assert_eq!(only(vec![filter(POINTS, Empty, &[])], Join::And), [1]);
        assert_eq!(only(vec![filter(POINTS, IsNot, &["2"])], Join::And), [0, 1, 3], "is not keeps empties");
        assert_eq!(only(vec![filter(DUE, Before, &["2026-03-05"])], Join::And), [1]);
        assert_eq!(only(vec![filter(DUE, After, &["2026-03-05"])], Join::And), [0, 4]);
        assert_eq!(only(vec![filter(DUE, Between, &["2026-03-01", "2026-03-05"])], Join::And), [1, 3]);
        assert_eq!(only(vec![filter(DUE, Is, &["2026-03-10"])], Join::And), [0, 4]);
        assert_eq!(only(vec![filter(STATUS, Is, &["to do"])], Join::And), [1, 3]);
        assert_eq!(only(vec![filter(STATUS, AnyOf, &["Done", "In progress"])], Join::And), [0, 2, 4]);
        assert_eq!(only(vec![filter(STATUS, IsNot, &["Done"])], Join::And), [1, 2, 3]);
        assert_eq!(only(vec![filter(LABELS, Contains, &["web", "ios"])], Join::And), [2]);
        assert_eq!(only(vec![filter(LABELS, AnyOf, &["ios", "android"])], Join::And), [2, 3]);
        assert_eq!(only(vec![filter(LABELS, IsNot, &["web"])], Join::And), [1, 3]);
        assert_eq!(only(vec![filter(LABELS, NotEmpty, &[])], Join::And), [0, 2, 3, 4]);
    }

    #[test]
    fn filters_join_with_and_or_or() {
        let f = || vec![filter(STATUS, Op::Is, &["Done"]), filter(POINTS, Op::Gt, &["4"])];
        assert_eq!(only(f(), Join::And), [0]);
        assert_eq!(only(f(), Join::Or), [0, 3, 4]);
        assert_eq!(only(vec![], Join::And), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn checkboxes_filter_as_on_or_off() {
        let cells = [Cell::Check(true), Cell::Empty, Cell::Check(false)];
        let spec = |v: &str| ViewSpec { filters: vec![filter(TITLE, Op::Is, &[v])], ..Default::default() };
        let run = |v: &str| {
            spec(v)
                .evaluate(3, &|i, _| {
                    if matches!(cells[i], Cell::Empty) { Cell::Check(false) } else { cells[i].clone() }
                })
                .rows
        };
        assert_eq!(run("true"), [0]);
        assert_eq!(run("false"), [1, 2]);
    }

    fn sorted(sort: &[(Column, bool)]) -> Vec<usize> {
        let sort = sort.iter().map(|&(column, desc)| SortKey { column, desc }).collect();
        rows().eval(&ViewSpec { sort, ..Default::default() }).rows
    }

    #[test]
    fn sorts_by_up_to_three_keys_with_empties_last() {
        // Natural order: alpha 9 before Alpha 10; Chinese after Latin by code point.
        assert_eq!(sorted(&[(TITLE, false)]), [1, 0, 2, 4, 3]);
        assert_eq!(sorted(&[(TITLE, true)]), [3, 4, 2, 0, 1]);
        // Points 2, 2, 5, 8, then the empty one; ties keep the given order.
        assert_eq!(sorted(&[(POINTS, false)]), [2, 4, 0, 3, 1]);
        assert_eq!(sorted(&[(POINTS, true)]), [3, 0, 2, 4, 1], "empty stays last when descending");
        // Status by rank (To do 0, In progress 1, Done 3), then due date descending.
        assert_eq!(sorted(&[(STATUS, false), (DUE, true)]), [3, 1, 2, 0, 4]);
        assert_eq!(sorted(&[(STATUS, true), (POINTS, false), (TITLE, true)]), [4, 0, 2, 3, 1]);
    }

    #[test]
    fn groups_in_column_order_with_counts_and_sorted_inside() {
        let spec =
            ViewSpec { group: Some(STATUS), sort: vec![SortKey { column: POINTS, desc: true }], ..Default::default() };
        let out = rows().eval(&spec);
        assert_eq!(out.rows, [3, 1, 2, 0, 4]);
        let groups: Vec<(Cell, usize, usize)> = out.groups.iter().map(|g| (g.key.clone(), g.start, g.len)).collect();
        let choice = |s: &str, rank| Cell::Choice { pick: Pick::same(s), rank };
        assert_eq!(
            groups,
            vec![(choice("To do", 0), 0, 2), (choice("In progress", 1), 2, 1), (choice("Done", 3), 3, 2)]
        );
        // By date: the empty group last.
        let by_due = rows().eval(&ViewSpec { group: Some(DUE), ..Default::default() });
        let sizes: Vec<(Cell, usize)> = by_due.groups.iter().map(|g| (g.key.clone(), g.len)).collect();
        assert_eq!(
            sizes,
            vec![
                (Cell::Date(day(2026, 3, 1)), 1),
                (Cell::Date(day(2026, 3, 5)), 1),
                (Cell::Date(day(2026, 3, 10)), 2),
                (Cell::Empty, 1)
            ]
        );
        // A filter and grouping together: only what passes is grouped.
        let spec =
            ViewSpec { filters: vec![filter(LABELS, Op::AnyOf, &["web"])], group: Some(LABELS), ..Default::default() };
        let out = rows().eval(&spec);
        assert_eq!(out.rows, [2, 0, 4], "ios, web sorts before web");
        assert_eq!(out.groups.iter().map(|g| g.len).collect::<Vec<_>>(), [1, 2]);
        // Without grouping: one group of everything kept.
        let plain = rows().eval(&ViewSpec::default());
        assert_eq!(plain.groups, vec![Group { key: Cell::Empty, start: 0, len: 5 }]);
    }

    #[test]
    fn stamps_filter_by_day_and_sort_by_instant() {
        let cells = [
            Cell::Stamp { day: day(2026, 3, 2), at: 300 },
            Cell::Stamp { day: day(2026, 3, 2), at: 100 },
            Cell::Stamp { day: day(2026, 3, 1), at: 50 },
        ];
        let spec = ViewSpec {
            filters: vec![filter(DUE, Op::Is, &["2026-03-02"])],
            sort: vec![SortKey { column: DUE, desc: false }],
            ..Default::default()
        };
        assert_eq!(spec.evaluate(3, &|i, _| cells[i].clone()).rows, [1, 0]);
    }

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        assert_eq!(natural_cmp("RET-9", "RET-10"), Ordering::Less);
        assert_eq!(natural_cmp("ret-010", "RET-10"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "a1"), Ordering::Less);
    }

    #[test]
    fn default_columns_then_fields() {
        let shown = ViewSpec::default().shown_columns(&[POINTS]);
        assert_eq!(shown.len(), Builtin::DEFAULT.len() + 1);
        assert_eq!(shown.last(), Some(&POINTS));
        let chosen = ViewSpec { columns: vec![POINTS, TITLE], ..Default::default() };
        assert_eq!(chosen.shown_columns(&[POINTS]), vec![POINTS, TITLE]);
    }
}
