//! Any task list as CSV → ImportBatch, with a column mapping: which column
//! is the title, the status, the due date… The mapping is guessed from the
//! header (English and Chinese names, and the shapes of Plane's and
//! Linear's exports: JSON arrays in cells, numeric priorities, "KEY-12:"
//! title prefixes) and can be given column by column (`title=Name`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use crate::model::*;
use crate::text::{self, category_from_name, error, key_from_name, quote};

/// A Keel task field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Title,
    Description,
    Status,
    Priority,
    Assignee,
    Reporter,
    Labels,
    StartDate,
    DueDate,
    Estimate,
    Parent,
    Project,
    Created,
    Updated,
    Completed,
    Archived,
    Comments,
    Milestone,
}

impl Field {
    pub const ALL: [Field; 19] = [
        Field::Id,
        Field::Title,
        Field::Description,
        Field::Status,
        Field::Priority,
        Field::Assignee,
        Field::Reporter,
        Field::Labels,
        Field::StartDate,
        Field::DueDate,
        Field::Estimate,
        Field::Parent,
        Field::Project,
        Field::Created,
        Field::Updated,
        Field::Completed,
        Field::Archived,
        Field::Comments,
        Field::Milestone,
    ];

    /// The name used in `--map name=Column`.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Title => "title",
            Field::Description => "description",
            Field::Status => "status",
            Field::Priority => "priority",
            Field::Assignee => "assignee",
            Field::Reporter => "reporter",
            Field::Labels => "labels",
            Field::StartDate => "start",
            Field::DueDate => "due",
            Field::Estimate => "estimate",
            Field::Parent => "parent",
            Field::Project => "project",
            Field::Created => "created",
            Field::Updated => "updated",
            Field::Completed => "completed",
            Field::Archived => "archived",
            Field::Comments => "comments",
            Field::Milestone => "milestone",
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name.trim().to_ascii_lowercase())
    }

    /// Header names that mean this field, lower-case, in the order tried.
    fn header_names(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["identifier", "id", "key", "issue key", "task id", "编号", "任务编号"],
            Field::Title => &["title", "name", "summary", "task", "标题", "任务名称", "名称", "任务"],
            Field::Description => &["description", "notes", "body", "details", "描述", "说明", "备注"],
            Field::Status => &["status", "state name", "state", "column", "section", "状态"],
            Field::Priority => &["priority", "优先级"],
            Field::Assignee => &["assignee", "assignees", "owner", "assigned to", "负责人", "执行人", "经办人"],
            Field::Reporter => &["reporter", "created by name", "created by", "author", "创建人", "报告人"],
            Field::Labels => &["labels", "tags", "label", "tag", "标签"],
            Field::StartDate => &["start date", "start", "开始日期", "开始时间"],
            Field::DueDate => &["due date", "due", "target date", "deadline", "截止日期", "截止时间", "到期日"],
            Field::Estimate => &["estimate", "estimate (hours)", "hours", "估算", "预估工时"],
            Field::Parent => &["parent", "parent id", "parent task", "父任务"],
            Field::Project => &["project name", "project", "project identifier", "项目"],
            Field::Created => &["created at", "created", "创建时间"],
            Field::Updated => &["updated at", "updated", "last modified", "更新时间"],
            Field::Completed => &["completed at", "completed", "完成时间"],
            Field::Archived => &["archived at", "archived", "已归档"],
            Field::Comments => &["comments", "评论"],
            Field::Milestone => &["milestone", "里程碑"],
        }
    }
}

/// Which column feeds which field.
pub type Mapping = HashMap<Field, usize>;

/// The header's columns and the mapping guessed from them, for a preview.
pub fn guess(header: &[String]) -> Mapping {
    let lower: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut out = Mapping::new();
    for field in Field::ALL {
        if let Some(at) = field.header_names().iter().find_map(|n| lower.iter().position(|h| h == n))
            && !out.values().any(|&used| used == at)
        {
            out.insert(field, at);
        }
    }
    out
}

/// Parses `bytes` with the guessed mapping, each of `overrides` ("title" →
/// "Name") replacing the guess for its field.
pub fn parse(file_name: &str, bytes: &[u8], overrides: &[(String, String)]) -> Result<ImportBatch, ImportError> {
    let decoded = text::decode(file_name, bytes)?;
    let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
    if text.trim().is_empty() {
        return Err(error(file_name, Some(1), "the file holds only white space"));
    }
    if text.trim_start().starts_with(['{', '[']) {
        return Err(error(file_name, Some(1), "not CSV: the file looks like JSON"));
    }
    let (_, records) = crate::jira_csv::read_records(file_name, text)?;
    let Some((_, header)) = records.first() else { return Err(error(file_name, Some(1), "no header line")) };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut mapping = guess(&header);
    for (field, column) in overrides {
        let f = Field::parse(field).ok_or_else(|| ImportError {
            file: file_name.to_string(),
            line: None,
            record: None,
            field: Some(field.clone()),
            message: format!(
                "{} is not a field Keel maps; use one of {}",
                quote(field),
                Field::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
            ),
        })?;
        let at = header.iter().position(|h| h == column.trim()).ok_or_else(|| ImportError {
            file: file_name.to_string(),
            line: Some(1),
            record: None,
            field: Some(column.clone()),
            message: format!("the header has no column {} (it has {})", quote(column), header.join(", ")),
        })?;
        mapping.retain(|_, &mut c| c != at);
        mapping.insert(f, at);
    }
    if !mapping.contains_key(&Field::Title) {
        return Err(ImportError {
            file: file_name.to_string(),
            line: Some(1),
            record: None,
            field: Some("title".into()),
            message: format!(
                "no column is the title (found {}); name one with --map title=COLUMN",
                header.iter().take(8).map(|h| quote(h)).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let mut b = Builder { file: file_name, ..Default::default() };
    for (line, record) in records.iter().skip(1) {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: Field| mapping.get(&f).and_then(|&i| record.get(i)).map(str::trim).unwrap_or("");
        b.row(*line, &cell)?;
    }
    Ok(b.finish())
}

#[derive(Default)]
struct Builder<'f> {
    file: &'f str,
    people: Vec<ImportPerson>,
    person_index: HashMap<String, usize>,
    /// Project name → (statuses in first-seen order, tasks).
    projects: Vec<(String, Vec<ImportStatus>, Vec<ImportTask>)>,
    seen: HashMap<String, u64>,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
    warned_no_ids: bool,
}

/// A cell that may hold a JSON array (Plane), or names separated by commas.
fn list(cell: &str) -> Vec<String> {
    if cell.starts_with('[')
        && let Ok(Value::Array(items)) = serde_json::from_str::<Value>(cell)
    {
        return items
            .iter()
            .filter_map(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    }
    cell.split([',', ';', '，', '、']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Keel's priority word for a cell: a word, or Linear's numbers (1 urgent … 4 low, 0 none).
fn priority(cell: &str) -> Option<String> {
    let word = match cell.trim().to_lowercase().as_str() {
        "" | "0" | "none" | "no priority" | "无" => return None,
        "1" | "urgent" | "紧急" => "highest",
        "2" | "high" | "高" => "high",
        "3" | "medium" | "中" => "medium",
        "4" | "low" | "低" => "low",
        other => return Some(other.to_string()),
    };
    Some(word.to_string())
}

/// A leading "KEY-12: " of a title (Linear), as the key and the rest.
fn key_prefix(title: &str) -> Option<(&str, &str)> {
    let (key, rest) = title.split_once(": ")?;
    let (letters, digits) = key.rsplit_once('-')?;
    let ok = !letters.is_empty()
        && letters.chars().all(|c| c.is_ascii_alphanumeric())
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit());
    (ok && !rest.trim().is_empty()).then_some((key, rest))
}

impl Builder<'_> {
    fn person(&mut self, name: &str) -> String {
        if !self.person_index.contains_key(name) {
            self.person_index.insert(name.to_string(), self.people.len());
            self.people.push(ImportPerson {
                external_id: name.to_string(),
                display_name: name.to_string(),
                email: None,
            });
        }
        name.to_string()
    }

    fn warn(&mut self, line: u64, field: &str, message: String) {
        self.warnings.push(Notice { record: Some(format!("line {line}")), field: Some(field.into()), message });
    }

    fn date(&mut self, line: u64, field: &str, cell: &str) -> Option<NaiveDate> {
        if cell.is_empty() {
            return None;
        }
        let day = cell.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).or_else(|| {
            ["%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y"].iter().find_map(|f| NaiveDate::parse_from_str(cell, f).ok())
        });
        if day.is_none() {
            self.warn(line, field, format!("{} is not a date; left out", quote(cell)));
        }
        day
    }

    fn instant(&mut self, line: u64, field: &str, cell: &str) -> Option<DateTime<Utc>> {
        if cell.is_empty() {
            return None;
        }
        let parsed = DateTime::parse_from_rfc3339(cell)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M:%S").ok().map(|t| t.and_utc()))
            .or_else(|| {
                NaiveDate::parse_from_str(cell, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(|t| t.and_utc())
            });
        if parsed.is_none() {
            self.warn(line, field, format!("{} is not a date and time; left out", quote(cell)));
        }
        parsed
    }

    fn row<'r>(&mut self, line: u64, cell: &dyn Fn(Field) -> &'r str) -> Result<(), ImportError> {
        let mut title = cell(Field::Title).to_string();
        if title.is_empty() {
            self.skipped.push(Notice {
                record: Some(format!("line {line}")),
                field: Some("title".into()),
                message: "the row has no title".into(),
            });
            return Ok(());
        }
        let mut id = cell(Field::Id).to_string();
        if id.is_empty()
            && let Some((key, _)) = key_prefix(&title)
        {
            id = key.to_string();
        }
        if id.is_empty() {
            if !self.warned_no_ids {
                self.warned_no_ids = true;
                self.warn(
                    line,
                    "id",
                    "rows without an id are known by their line: importing the file again cannot recognise them".into(),
                );
            }
            id = format!("line-{line}");
        }
        if let Some(first) = self.seen.get(&id) {
            self.skipped.push(Notice {
                record: Some(format!("line {line}")),
                field: Some("id".into()),
                message: format!("{} appears again (first on line {first}); the first is kept", quote(&id)),
            });
            return Ok(());
        }
        self.seen.insert(id.clone(), line);
        let external_key = key_prefix(&title).map(|(k, _)| k.to_string()).or_else(|| {
            let id_is_key = id.contains('-') && !id.starts_with("line-");
            id_is_key.then(|| id.clone())
        });
        if let Some((_, rest)) = key_prefix(&title) {
            title = rest.trim().to_string();
        }
        let project = match cell(Field::Project) {
            "" => text::file_stem(self.file, "CSV"),
            p => p.to_string(),
        };
        let at = match self.projects.iter().position(|(name, _, _)| *name == project) {
            Some(at) => at,
            None => {
                self.projects.push((project, Vec::new(), Vec::new()));
                self.projects.len() - 1
            }
        };
        let completed_at = self.instant(line, "completed", cell(Field::Completed));
        let raw_status = cell(Field::Status);
        let status = if raw_status.is_empty() {
            if completed_at.is_some() { "Done" } else { "To do" }.to_string()
        } else {
            raw_status.to_string()
        };
        let statuses = &mut self.projects[at].1;
        let category = match statuses.iter().find(|s| s.name == status) {
            Some(s) => s.category,
            None => {
                let category = category_from_name(&status);
                statuses.push(ImportStatus { name: status.clone(), category, archived: false });
                category
            }
        };
        let mut assignees = list(cell(Field::Assignee));
        if assignees.len() > 1 {
            self.warn(
                line,
                "assignee",
                format!("{} assignees; Keel keeps the first ({})", assignees.len(), assignees[0]),
            );
        }
        let assignee = (!assignees.is_empty()).then(|| assignees.remove(0)).map(|a| self.person(&a));
        let reporter = Some(cell(Field::Reporter)).filter(|r| !r.is_empty()).map(|r| self.person(r));
        let mut labels = list(cell(Field::Labels));
        let milestone = cell(Field::Milestone);
        if !milestone.is_empty() {
            labels.push(format!("milestone:{milestone}"));
        }
        let estimate_hours = match cell(Field::Estimate) {
            "" => None,
            e => match e.parse::<f64>() {
                Ok(h) if h.is_finite() && h >= 0.0 => Some(h),
                _ => {
                    self.warn(line, "estimate", format!("{} is not a number of hours; left out", quote(e)));
                    None
                }
            },
        };
        let archived_cell = cell(Field::Archived);
        let archived =
            !archived_cell.is_empty() && !matches!(archived_cell.to_lowercase().as_str(), "false" | "no" | "0" | "否");
        let comments = self.comments(line, &id, cell(Field::Comments));
        let task = ImportTask {
            external_id: id.clone(),
            external_key,
            parent_external_id: Some(cell(Field::Parent).to_string()).filter(|p| !p.is_empty()),
            title,
            description: cell(Field::Description).to_string(),
            status,
            category,
            labels,
            assignee,
            reporter,
            priority: priority(cell(Field::Priority)),
            start_date: self.date(line, "start", cell(Field::StartDate)),
            due_date: self.date(line, "due", cell(Field::DueDate)),
            due_at: None,
            due_complete: completed_at.is_some(),
            estimate_hours,
            created_at: self.instant(line, "created", cell(Field::Created)),
            updated_at: self.instant(line, "updated", cell(Field::Updated)).or(completed_at),
            archived,
            cancelled: false,
            comments,
            depends_on: Vec::new(),
            progress: None,
        };
        self.projects[at].2.push(task);
        Ok(())
    }

    /// Plane keeps comments as a JSON array of {comment, created_by, created_at}.
    fn comments(&mut self, line: u64, task: &str, cell: &str) -> Vec<ImportComment> {
        if cell.is_empty() || cell == "[]" {
            return Vec::new();
        }
        let Ok(Value::Array(items)) = serde_json::from_str::<Value>(cell) else {
            self.warn(line, "comments", "not a JSON list of comments; left out".into());
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let body = item.get("comment").or_else(|| item.get("body")).and_then(Value::as_str).unwrap_or("").trim();
            if body.is_empty() {
                continue;
            }
            let author =
                item.get("created_by").or_else(|| item.get("author")).and_then(Value::as_str).map(|a| self.person(a));
            let at = item.get("created_at").and_then(Value::as_str).unwrap_or("");
            let Some(created_at) = self.instant(line, "comments", at) else { continue };
            out.push(ImportComment { external_id: format!("{task}:{i}"), author, body: body.to_string(), created_at });
        }
        out
    }

    fn finish(mut self) -> ImportBatch {
        let mut projects = Vec::new();
        for (name, statuses, mut tasks) in std::mem::take(&mut self.projects) {
            text::detach_missing_parents(&mut tasks, &mut self.warnings);
            // Keys such as TEST-3 name the project's key; else one is made from its name.
            let mut prefixes = tasks.iter().filter_map(|t| t.external_key.as_deref()?.rsplit_once('-').map(|(p, _)| p));
            let shared = prefixes.next().filter(|first| prefixes.all(|p| p == *first)).and_then(text::sanitize_key);
            projects.push(ImportProject {
                key_hint: shared.unwrap_or_else(|| key_from_name(&name, "CSV")),
                external_id: name.clone(),
                name,
                description: String::new(),
                statuses,
                tasks,
                archived: false,
            });
        }
        ImportBatch {
            source: SourceKind::Csv,
            file_name: self.file.to_string(),
            people: self.people,
            projects,
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }
}

/// Each field with the column it would be read from, if any.
pub type FieldColumns = Vec<(Field, Option<String>)>;

/// The header of a CSV file and, for each field, the column it would be
/// read from with these overrides (for the upload page's mapping step).
pub fn mapping_preview(
    file_name: &str,
    bytes: &[u8],
    overrides: &[(String, String)],
) -> Result<(Vec<String>, FieldColumns), ImportError> {
    let decoded = text::decode(file_name, bytes)?;
    let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
    let (_, records) = crate::jira_csv::read_records(file_name, text)?;
    let Some((_, header)) = records.first() else { return Err(error(file_name, Some(1), "no header line")) };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let mut mapping = guess(&header);
    for (field, column) in overrides {
        if let (Some(f), Some(at)) = (Field::parse(field), header.iter().position(|h| h == column.trim())) {
            mapping.retain(|_, &mut c| c != at);
            mapping.insert(f, at);
        }
    }
    let fields = Field::ALL.iter().map(|f| (*f, mapping.get(f).map(|&i| header[i].clone()))).collect();
    Ok((header, fields))
}
