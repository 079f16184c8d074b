//! Asana exports → ImportBatch: the API's JSON and the project CSV export.
//!
//! JSON: `{"data": [tasks]}` as the API and "Export → JSON" give it, a bare
//! array of tasks, or an object holding arrays of projects and of tasks.
//! Sections become statuses: the API's section memberships, or — in old
//! exports — tasks whose names end in ":" (`{10} Ready to demo:`; a leading
//! `{n}` is the column's WIP limit), which hold the tasks after them.
//! CSV: the columns of Asana's project export (Task ID, Name, Section/Column,
//! Assignee, Assignee Email, Start Date, Due Date, Completed At, Tags,
//! Notes, Projects, Parent task, Created At, Last Modified).
//! A task completed in Asana is Done whatever its section; one sitting in a
//! section named like Done counts as done too.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use crate::model::*;
use crate::text::{self, category_from_name, error, key_from_name, quote};

const DEFAULT_OPEN: &str = "To do";
const DEFAULT_DONE: &str = "Done";

/// Parses an Asana JSON or CSV export (told apart by the first character).
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let decoded = text::decode(file_name, bytes)?;
    let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
    match text.trim_start().chars().next() {
        None => Err(error(file_name, Some(1), "the file holds only white space")),
        Some('{') | Some('[') => parse_json(file_name, text),
        Some(_) => parse_csv(file_name, text),
    }
}

/// A project as it is being built: statuses in first-seen order.
struct Project {
    external_id: String,
    name: String,
    description: String,
    archived: bool,
    statuses: Vec<ImportStatus>,
    tasks: Vec<ImportTask>,
}

impl Project {
    fn new(external_id: String, name: String) -> Self {
        Project {
            external_id,
            name,
            description: String::new(),
            archived: false,
            statuses: Vec::new(),
            tasks: Vec::new(),
        }
    }

    /// The status a task takes: its section's, or Done / To do without one.
    fn status_for(&mut self, section: Option<&str>, completed: bool) -> (String, Category) {
        let name = match section.map(section_name).filter(|s| !s.is_empty()) {
            Some(name) => name,
            None if completed => DEFAULT_DONE.to_string(),
            None => DEFAULT_OPEN.to_string(),
        };
        let category = self.status(&name);
        if completed && category != Category::Done {
            // Completed in a section that is not a done one: Done it is.
            self.status(DEFAULT_DONE);
            return (DEFAULT_DONE.to_string(), Category::Done);
        }
        (name, category)
    }

    /// Adds the status if new; its category.
    fn status(&mut self, name: &str) -> Category {
        if let Some(s) = self.statuses.iter().find(|s| s.name == name) {
            return s.category;
        }
        let category = if name == DEFAULT_DONE { Category::Done } else { category_from_name(name) };
        self.statuses.push(ImportStatus { name: name.to_string(), category, archived: false });
        category
    }

    fn finish(mut self) -> ImportProject {
        if self.statuses.is_empty() {
            self.status(DEFAULT_OPEN);
        }
        ImportProject {
            key_hint: key_from_name(&self.name, "AS"),
            external_id: self.external_id,
            name: self.name,
            description: self.description,
            statuses: self.statuses,
            tasks: self.tasks,
            archived: self.archived,
        }
    }
}

/// "{10} Ready to demo:" → "Ready to demo".
fn section_name(raw: &str) -> String {
    let mut name = raw.trim();
    if name.starts_with('{')
        && let Some(end) = name.find('}')
        && name[1..end].trim().parse::<u32>().is_ok()
    {
        name = name[end + 1..].trim_start();
    }
    name.trim_end_matches([':', '：']).trim().to_string()
}

#[derive(Default)]
struct People {
    list: Vec<ImportPerson>,
    index: HashMap<String, usize>,
}

impl People {
    /// The person's external id: their Asana id when given, else their email, else their name.
    fn add(&mut self, id: Option<String>, name: Option<&str>, email: Option<&str>) -> Option<String> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let email = email.map(str::trim).filter(|e| !e.is_empty());
        let key = id.or_else(|| email.map(str::to_string)).or_else(|| name.map(str::to_string))?;
        if !self.index.contains_key(&key) {
            self.index.insert(key.clone(), self.list.len());
            self.list.push(ImportPerson {
                external_id: key.clone(),
                display_name: name.or(email).unwrap_or(&key).to_string(),
                email: email.map(str::to_string),
            });
        }
        Some(key)
    }
}

// ---------------------------------------------------------------------------
// JSON

fn id_of(v: &Value) -> Option<String> {
    match v.get("gid").or_else(|| v.get("id"))? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

fn parse_json(file_name: &str, text: &str) -> Result<ImportBatch, ImportError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| text::json_error(file_name, text, &e, "an Asana export"))?;
    let (projects, tasks) = match &value {
        Value::Array(tasks) => (Vec::new(), tasks.iter().collect::<Vec<_>>()),
        Value::Object(map) => split_object(map),
        _ => (Vec::new(), Vec::new()),
    };
    if tasks.is_empty() && projects.is_empty() {
        return Err(error(
            file_name,
            Some(1),
            "no Asana tasks or projects found: expected {\"data\": [tasks]}, an array of tasks, or \
             arrays of projects and tasks",
        ));
    }
    let mut b = JsonBuilder { file: file_name, ..Default::default() };
    for p in projects {
        let Some(id) = id_of(p) else { return Err(b.record_error("project", p, "gid", "has no gid/id")) };
        let name = str_of(p, "name").unwrap_or(&id).to_string();
        let mut project = Project::new(id.clone(), name);
        project.description = str_of(p, "notes").unwrap_or("").to_string();
        project.archived = p.get("archived").and_then(Value::as_bool).unwrap_or(false);
        b.project_index.insert(id, b.projects.len());
        b.projects.push(project);
    }
    b.tasks(&tasks)?;
    Ok(b.finish())
}

/// Projects and tasks of an export object: `data` (tasks, or projects when
/// they look like projects), or any arrays whose key names projects or tasks.
fn split_object(map: &Map<String, Value>) -> (Vec<&Value>, Vec<&Value>) {
    let (mut projects, mut tasks) = (Vec::new(), Vec::new());
    for (key, value) in map {
        let Some(items) = value.as_array() else { continue };
        let key = key.to_lowercase();
        if key.contains("project") {
            projects.extend(items);
        } else if key.contains("task") || key == "data" {
            tasks.extend(items);
        }
    }
    (projects, tasks)
}

#[derive(Default)]
struct JsonBuilder<'f> {
    file: &'f str,
    projects: Vec<Project>,
    project_index: HashMap<String, usize>,
    people: People,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
}

impl JsonBuilder<'_> {
    fn record_error(&self, what: &str, v: &Value, field: &str, message: &str) -> ImportError {
        let name = str_of(v, "name").map(quote).unwrap_or_default();
        ImportError {
            file: self.file.to_string(),
            line: None,
            record: Some(format!("{what} {name}").trim().to_string()),
            field: Some(field.into()),
            message: format!("the {what} {message}"),
        }
    }

    /// The project of a task: its first membership's, else the only
    /// project of the file, else one named after the file.
    fn project_of(&mut self, task: &Value) -> usize {
        let membership = task.get("memberships").and_then(Value::as_array).and_then(|m| m.first());
        let named = membership
            .and_then(|m| m.get("project"))
            .or_else(|| task.get("projects").and_then(Value::as_array).and_then(|p| p.first()));
        if let Some(p) = named
            && let Some(id) = id_of(p)
        {
            if let Some(&at) = self.project_index.get(&id) {
                return at;
            }
            let name = str_of(p, "name").unwrap_or(&id).to_string();
            self.project_index.insert(id.clone(), self.projects.len());
            self.projects.push(Project::new(id, name));
            return self.projects.len() - 1;
        }
        // Tasks that name no project: one project for them, named after the file.
        let id = format!("file:{}", text::file_stem(self.file, "Asana"));
        if let Some(&at) = self.project_index.get(&id) {
            return at;
        }
        self.project_index.insert(id.clone(), self.projects.len());
        self.projects.push(Project::new(id, text::file_stem(self.file, "Asana")));
        self.projects.len() - 1
    }

    fn tasks(&mut self, tasks: &[&Value]) -> Result<(), ImportError> {
        // An old export lists a section as a task named "…:"; it holds the tasks after it.
        let mut legacy_section: Option<String> = None;
        // Sections not yet placed: they join the project of the next task (even if empty).
        let mut pending: Vec<String> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, task) in tasks.iter().enumerate() {
            let Some(id) = id_of(task) else {
                return Err(self.record_error("task", task, "gid", &format!("at position {index} has no gid/id")));
            };
            let name = task.get("name").and_then(Value::as_str).unwrap_or("").trim().to_string();
            let is_section = task.get("resource_subtype").and_then(Value::as_str) == Some("section")
                || task.get("is_section").and_then(Value::as_bool) == Some(true)
                || (task.get("memberships").is_none() && (name.ends_with(':') || name.ends_with('：')));
            if is_section {
                pending.push(section_name(&name));
                legacy_section = Some(name);
                continue;
            }
            if name.is_empty() {
                self.skipped.push(Notice {
                    record: Some(format!("task {id}")),
                    field: Some("name".into()),
                    message: "a task without a name".into(),
                });
                continue;
            }
            if let Some(first) = seen.get(&id) {
                self.skipped.push(Notice {
                    record: Some(format!("task {id}")),
                    field: Some("gid".into()),
                    message: format!("appears again (first at position {first}); the first is kept"),
                });
                continue;
            }
            seen.insert(id.clone(), index);
            let at = self.project_of(task);
            for section in pending.drain(..).filter(|s| !s.is_empty()) {
                self.projects[at].status(&section);
            }
            let membership_section = task
                .get("memberships")
                .and_then(Value::as_array)
                .and_then(|m| m.first())
                .and_then(|m| m.get("section"))
                .and_then(|s| str_of(s, "name"))
                .map(str::to_string);
            let section = membership_section.or_else(|| legacy_section.clone());
            let completed = task.get("completed").and_then(Value::as_bool).unwrap_or(false);
            let (status, category) = self.projects[at].status_for(section.as_deref(), completed);
            let record = format!("task {id}");
            let assignee = task
                .get("assignee")
                .filter(|a| a.is_object())
                .and_then(|a| self.people.add(id_of(a), str_of(a, "name"), str_of(a, "email")));
            let labels = task
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().filter_map(|t| str_of(t, "name").map(str::to_string)).collect())
                .unwrap_or_default();
            let mut warnings = std::mem::take(&mut self.warnings);
            let due_at = instant(&record, "due_at", str_of(task, "due_at"), &mut warnings);
            let due_date =
                date(&record, "due_on", str_of(task, "due_on"), &mut warnings).or(due_at.map(|t| t.date_naive()));
            let start_date = date(&record, "start_on", str_of(task, "start_on"), &mut warnings);
            let created_at = instant(&record, "created_at", str_of(task, "created_at"), &mut warnings);
            let updated_at = instant(&record, "modified_at", str_of(task, "modified_at"), &mut warnings);
            self.warnings = warnings;
            let parent = task.get("parent").filter(|p| p.is_object()).and_then(id_of);
            self.projects[at].tasks.push(ImportTask {
                external_id: id,
                external_key: None,
                parent_external_id: parent,
                title: name,
                description: str_of(task, "notes").unwrap_or("").to_string(),
                status,
                category,
                labels,
                assignee,
                reporter: None,
                priority: None,
                start_date,
                due_date,
                due_at,
                due_complete: completed,
                estimate_hours: None,
                created_at,
                updated_at,
                archived: false,
                cancelled: false,
                comments: Vec::new(),
                depends_on: Vec::new(),
                progress: None,
            });
        }
        // Sections after the last task: columns of the file's own project.
        if !pending.is_empty() {
            let at = self.project_of(&Value::Null);
            for section in pending.into_iter().filter(|s| !s.is_empty()) {
                self.projects[at].status(&section);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> ImportBatch {
        for project in &mut self.projects {
            text::detach_missing_parents(&mut project.tasks, &mut self.warnings);
        }
        ImportBatch {
            source: SourceKind::Asana,
            file_name: self.file.to_string(),
            people: self.people.list,
            projects: self.projects.into_iter().map(Project::finish).collect(),
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }
}

fn date(record: &str, field: &str, raw: Option<&str>, warnings: &mut Vec<Notice>) -> Option<NaiveDate> {
    let raw = raw?.trim();
    let day = raw.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    if day.is_none() {
        warnings.push(Notice {
            record: Some(record.to_string()),
            field: Some(field.into()),
            message: format!("{} is not a date (YYYY-MM-DD); left out", quote(raw)),
        });
    }
    day
}

fn instant(record: &str, field: &str, raw: Option<&str>, warnings: &mut Vec<Notice>) -> Option<DateTime<Utc>> {
    let raw = raw?.trim();
    match DateTime::parse_from_rfc3339(raw) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            warnings.push(Notice {
                record: Some(record.to_string()),
                field: Some(field.into()),
                message: format!("{} is not an ISO 8601 time; left out", quote(raw)),
            });
            None
        }
    }
}

// ---------------------------------------------------------------------------
// CSV

/// Asana's export columns Keel reads.
const CSV_COLUMNS: [&str; 14] = [
    "Task ID",
    "Name",
    "Section/Column",
    "Assignee",
    "Assignee Email",
    "Start Date",
    "Due Date",
    "Completed At",
    "Tags",
    "Notes",
    "Projects",
    "Parent task",
    "Created At",
    "Last Modified",
];

fn parse_csv(file_name: &str, text: &str) -> Result<ImportBatch, ImportError> {
    let (_, records) = crate::jira_csv::read_records(file_name, text)?;
    let Some((_, header)) = records.first() else {
        return Err(error(file_name, Some(1), "the file holds no header line"));
    };
    let column: HashMap<&str, usize> = CSV_COLUMNS
        .iter()
        .filter_map(|name| header.iter().position(|h| h.trim() == *name).map(|i| (*name, i)))
        .collect();
    for required in ["Task ID", "Name"] {
        if !column.contains_key(required) {
            let found: Vec<String> = header.iter().take(8).map(|h| quote(h.trim())).collect();
            return Err(ImportError {
                file: file_name.to_string(),
                line: Some(1),
                record: None,
                field: Some(required.into()),
                message: format!("not an Asana CSV export: no {required:?} column (found {})", found.join(", ")),
            });
        }
    }
    let mut projects: Vec<Project> = Vec::new();
    let mut project_index: HashMap<String, usize> = HashMap::new();
    let mut people = People::default();
    let (mut warnings, mut skipped) = (Vec::new(), Vec::new());
    // Parent tasks are named, not numbered: (project, name) → task id, and names seen twice.
    let mut by_name: HashMap<(usize, String), String> = HashMap::new();
    let mut parents: Vec<(usize, usize, String, u64)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, record) in records.iter().skip(1) {
        let cell = |name: &str| column.get(name).and_then(|&i| record.get(i)).map(str::trim).unwrap_or("");
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let id = cell("Task ID").to_string();
        let name = cell("Name").to_string();
        let at_line = |field: &str, message: String| Notice {
            record: Some(format!("line {line}")),
            field: Some(field.into()),
            message,
        };
        if id.is_empty() {
            return Err(ImportError {
                file: file_name.to_string(),
                line: Some(*line),
                record: None,
                field: Some("Task ID".into()),
                message: "the row has no Task ID".into(),
            });
        }
        if let Some(first) = seen.get(&id) {
            skipped.push(at_line(
                "Task ID",
                format!("task {id} appears again (first on line {first}); the first is kept"),
            ));
            continue;
        }
        seen.insert(id.clone(), *line);
        if name.is_empty() {
            skipped.push(at_line("Name", format!("task {id} has no name")));
            continue;
        }
        // A task in several projects goes to the first; the export separates them with commas.
        let project_name = cell("Projects").split(',').next().unwrap_or("").trim();
        let project_name =
            if project_name.is_empty() { text::file_stem(file_name, "Asana") } else { project_name.to_string() };
        let at = *project_index.entry(project_name.clone()).or_insert_with(|| {
            projects.push(Project::new(project_name.clone(), project_name.clone()));
            projects.len() - 1
        });
        let record_name = format!("line {line}");
        let completed_at = csv_instant(&record_name, "Completed At", cell("Completed At"), &mut warnings);
        let completed = !cell("Completed At").is_empty();
        let section = Some(cell("Section/Column")).filter(|s| !s.is_empty());
        let (status, category) = projects[at].status_for(section, completed);
        let assignee = people.add(None, Some(cell("Assignee")), Some(cell("Assignee Email")));
        let labels: Vec<String> =
            cell("Tags").split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
        let task = ImportTask {
            external_id: id.clone(),
            external_key: None,
            parent_external_id: None,
            title: name.clone(),
            description: cell("Notes").to_string(),
            status,
            category,
            labels,
            assignee,
            reporter: None,
            priority: None,
            start_date: csv_date(&record_name, "Start Date", cell("Start Date"), &mut warnings),
            due_date: csv_date(&record_name, "Due Date", cell("Due Date"), &mut warnings),
            due_at: None,
            due_complete: completed,
            estimate_hours: None,
            created_at: csv_instant(&record_name, "Created At", cell("Created At"), &mut warnings),
            updated_at: csv_instant(&record_name, "Last Modified", cell("Last Modified"), &mut warnings)
                .or(completed_at),
            archived: false,
            cancelled: false,
            comments: Vec::new(),
            depends_on: Vec::new(),
            progress: None,
        };
        let key = (at, name);
        // Two tasks of one name: a parent given by that name is ambiguous (marked by "").
        by_name.entry(key).and_modify(|known| known.clear()).or_insert(id);
        let parent = cell("Parent task");
        if !parent.is_empty() {
            parents.push((at, projects[at].tasks.len(), parent.to_string(), *line));
        }
        projects[at].tasks.push(task);
    }
    for (at, index, parent, line) in parents {
        match by_name.get(&(at, parent.clone())).map(String::as_str) {
            Some("") => warnings.push(Notice {
                record: Some(format!("line {line}")),
                field: Some("Parent task".into()),
                message: format!("several tasks are named {}; imported as a top-level task", quote(&parent)),
            }),
            Some(id) => projects[at].tasks[index].parent_external_id = Some(id.to_string()),
            None => warnings.push(Notice {
                record: Some(format!("line {line}")),
                field: Some("Parent task".into()),
                message: format!("the parent {} is not in the file; imported as a top-level task", quote(&parent)),
            }),
        }
    }
    if projects.is_empty() {
        return Err(error(file_name, Some(1), "the file holds a header but no tasks"));
    }
    Ok(ImportBatch {
        source: SourceKind::Asana,
        file_name: file_name.to_string(),
        people: people.list,
        projects: projects.into_iter().map(Project::finish).collect(),
        warnings,
        skipped,
    })
}

fn csv_date(record: &str, field: &str, raw: &str, warnings: &mut Vec<Notice>) -> Option<NaiveDate> {
    (!raw.is_empty()).then(|| date(record, field, Some(raw), warnings)).flatten()
}

/// Asana writes "2024-01-15" or a full ISO time in its date-time columns.
fn csv_instant(record: &str, field: &str, raw: &str, warnings: &mut Vec<Notice>) -> Option<DateTime<Utc>> {
    if raw.is_empty() {
        return None;
    }
    if raw.len() == 10
        && let Ok(day) = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
    {
        return day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    instant(record, field, Some(raw), warnings)
}
