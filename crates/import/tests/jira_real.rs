//! The Jira CSV parser against every real Jira CSV. Expected values are
//! recomputed here from the raw file with the csv crate (or read by hand from
//! these small files, as noted), never taken from the parser's output.

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, jira_csv};

/// Rows kept (first of their key) with their line; later rows as
/// (line, key, line of the first).
type FirstRows<'a> = (Vec<(u64, &'a [String])>, Vec<(u64, String, u64)>);

/// The raw table: header and rows with their physical line numbers.
struct Raw {
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Raw {
    fn read(relative: &str, delimiter: u8) -> Raw {
        let bytes = read_real(relative);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut records = reader.records().map(|r| {
            let r = r.unwrap();
            (r.position().unwrap().line(), r.iter().map(str::to_string).collect::<Vec<_>>())
        });
        let header = records.next().unwrap().1;
        Raw { header, rows: records.collect() }
    }

    /// Indices of the columns named exactly `name`.
    fn cols(&self, name: &str) -> Vec<usize> {
        self.header.iter().enumerate().filter(|(_, h)| h.trim() == name).map(|(i, _)| i).collect()
    }

    fn cell<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        self.cols(name).first().and_then(|&i| row.get(i)).map(|s| s.trim()).unwrap_or("")
    }

    /// (line, row) of the first row of every key; the later rows of a key.
    fn first_rows(&self, key_column: &str) -> FirstRows<'_> {
        let mut first: HashMap<String, u64> = HashMap::new();
        let mut kept = Vec::new();
        let mut dups = Vec::new();
        for (line, row) in &self.rows {
            let key = self.cell(row, key_column).to_string();
            match first.get(&key) {
                Some(&f) => dups.push((*line, key, f)),
                None => {
                    first.insert(key, *line);
                    kept.push((*line, row.as_slice()));
                }
            }
        }
        (kept, dups)
    }
}

fn parse(relative: &str) -> ImportBatch {
    let bytes = read_real(relative);
    let batch = jira_csv::parse(file_name(relative), &bytes).unwrap_or_else(|e| panic!("{relative}: {e}"));
    assert_consistent(&batch);
    batch
}

fn task<'a>(batch: &'a ImportBatch, key: &str) -> &'a ImportTask {
    all_tasks(batch)
        .into_iter()
        .find(|t| t.external_key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no task {key}"))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[test]
fn cloud_all_fields_export_2024() {
    let relative = "jira/jira-cloud-all-fields-export-2024.csv";
    let raw = Raw::read(relative, b',');
    let batch = parse(relative);
    assert_eq!(raw.header.len(), 67);
    let (kept, dups) = raw.first_rows("Issue key");
    assert!(dups.is_empty());
    let tasks = all_tasks(&batch);
    assert_eq!(tasks.len(), kept.len());
    assert_eq!(batch.projects.len(), 1);
    let project = &batch.projects[0];
    assert_eq!(project.external_id, raw.cell(kept[0].1, "Project key"));
    assert_eq!(project.name, raw.cell(kept[0].1, "Project name"));
    assert_eq!(project.key_hint, "PT");
    for (_, row) in &kept {
        let t = task(&batch, raw.cell(row, "Issue key"));
        assert_eq!(t.external_id, raw.cell(row, "Issue id"));
        assert_eq!(t.title, raw.cell(row, "Summary"));
        assert_eq!(t.description, raw.cell(row, "Description"));
        assert_eq!(t.status, raw.cell(row, "Status"));
        assert_eq!(t.priority.as_deref(), Some(raw.cell(row, "Priority")));
        assert_eq!(t.reporter.as_deref(), Some(raw.cell(row, "Reporter Id")));
        assert_eq!(t.assignee, None, "Assignee is empty in both rows");
        let comment_cells: Vec<&str> =
            raw.cols("Comment").iter().map(|&i| row[i].as_str()).filter(|c| !c.is_empty()).collect();
        assert_eq!(t.comments.len(), comment_cells.len());
    }
    // Status Category "To Do" → to do.
    assert_eq!(project.statuses.len(), 1);
    assert_eq!(project.statuses[0].category, Category::Todo);
    // Read by hand: PT-2 created 09/Jan/24 3:54 PM, due 10/Jan/24 12:00 AM,
    // start (Custom field (Start date)) 09/Jan/24; one comment by the account.
    let pt2 = task(&batch, "PT-2");
    assert_eq!(pt2.created_at, Some(utc(2024, 1, 9, 15, 54, 0)));
    assert_eq!(pt2.updated_at, Some(utc(2024, 1, 9, 15, 55, 0)));
    assert_eq!(pt2.due_date, NaiveDate::from_ymd_opt(2024, 1, 10));
    assert_eq!(pt2.start_date, NaiveDate::from_ymd_opt(2024, 1, 9));
    let comment = &pt2.comments[0];
    assert_eq!(comment.external_id, "10279#c1");
    assert_eq!(comment.author.as_deref(), Some("70121:00000000-0000-4000-8000-000000000001"));
    assert_eq!(comment.body, "comentario [~accountid:70121:00000000-0000-4000-8000-000000000001]");
    assert_eq!(comment.created_at, utc(2024, 1, 9, 15, 55, 0));
    assert_eq!(task(&batch, "PT-1").due_date, None);
    // One person: the reporter, whose name the Reporter column gives.
    assert_eq!(batch.people.len(), 1);
    assert_eq!(batch.people[0].display_name, "Person One");
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert!(batch.skipped.is_empty());
}

#[test]
fn cloud_spanish_358_columns() {
    let relative = "jira/jira-cloud-export-spanish-358cols-head.csv";
    let raw = Raw::read(relative, b',');
    let batch = parse(relative);
    assert_eq!(raw.header.len(), 358);
    assert_eq!(raw.cols("Etiquetas").len(), 3);
    // "Sprint" exists once; the parser must not confuse prefixes either.
    assert_eq!(raw.cols("Sprint").len(), 1);
    let (kept, _) = raw.first_rows("Clave de incidencia");
    assert_eq!(all_tasks(&batch).len(), kept.len());
    assert_eq!(kept.len(), 2);
    let project = &batch.projects[0];
    assert_eq!(project.external_id, "LIPU");
    assert_eq!(project.name, raw.cell(kept[0].1, "Nombre del proyecto"));
    let statuses: Vec<&str> = project.statuses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(statuses, ["Tareas por hacer"]);
    // Categoría de estado "Por hacer" → to do.
    assert_eq!(project.statuses[0].category, Category::Todo);
    for (line, row) in &kept {
        let t = task(&batch, raw.cell(row, "Clave de incidencia"));
        assert_eq!(t.external_id, raw.cell(row, "ID de la incidencia"));
        assert_eq!(t.title, raw.cell(row, "Resumen"));
        assert_eq!(t.reporter.as_deref(), Some(raw.cell(row, "ID del informador")));
        assert_eq!(t.assignee, None);
        // "10/nov/25 4:51 PM"
        assert_eq!(t.created_at, Some(utc(2025, 11, 10, 16, 51, 0)));
        // Principal 53956 / Clave principal LIPU-18 are not in the file.
        assert_eq!(t.parent_external_id, None);
        let parent = raw.cell(row, "Principal");
        assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some(&format!("line {line}"))
            && w.message.contains(&format!("parent {parent}"))
            && w.message.contains("is not in the file; imported without parent")));
    }
    let reporter = batch.people.iter().find(|p| p.external_id == raw.cell(kept[0].1, "ID del informador")).unwrap();
    assert_eq!(reporter.display_name, raw.cell(kept[0].1, "Informador"));
}

#[test]
fn plan_export_tab_separated() {
    let relative = "jira/jira-plan-export-tsv-named-csv.csv";
    let raw = Raw::read(relative, b'\t');
    let batch = parse(relative);
    assert_eq!(raw.rows.len(), 32);
    let (kept, dups) = raw.first_rows("Key");
    assert_eq!(kept.len(), 29);
    // A key used again with another summary is another issue: every row is
    // imported, the later ones under new numbers, each with a warning.
    let distinct: HashSet<(&str, &str)> =
        raw.rows.iter().map(|(_, r)| (raw.cell(r, "Key"), raw.cell(r, "Summary"))).collect();
    assert_eq!(distinct.len(), 32, "by hand: the repeated keys all carry different summaries");
    assert_eq!(all_tasks(&batch).len(), 32);
    assert!(batch.skipped.is_empty(), "{:?}", batch.skipped);
    // By hand: CGQ-14 twice (lines 6, 13), CGQ-21 three times (29, 30, 31).
    let reused: Vec<(String, String, String)> = dups
        .iter()
        .map(|(line, key, first)| (format!("line {line}"), key.to_string(), format!("line {first}")))
        .collect();
    assert_eq!(
        reused,
        [
            ("line 13".to_string(), "CGQ-14".to_string(), "line 6".to_string()),
            ("line 30".to_string(), "CGQ-21".to_string(), "line 29".to_string()),
            ("line 31".to_string(), "CGQ-21".to_string(), "line 29".to_string()),
        ]
    );
    for (line, key, first) in &reused {
        let first_line = first.trim_start_matches("line ");
        assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some(line.as_str())
            && w.message.starts_with(&format!("key {key} is used again (first on line {first_line})"))));
    }

    // Parents are keys; those not in the file are warned about and dropped.
    let keys: HashSet<&str> = raw.rows.iter().map(|(_, r)| raw.cell(r, "Key")).collect();
    let mut missing_warnings = 0;
    for (line, row) in &kept {
        let t = task(&batch, raw.cell(row, "Key"));
        assert_eq!(t.external_id, raw.cell(row, "Key"), "no Issue id column: the key is the id");
        let parent = raw.cell(row, "Parent");
        if parent.is_empty() {
            assert_eq!(t.parent_external_id, None);
        } else if keys.contains(parent) {
            assert_eq!(t.parent_external_id.as_deref(), Some(parent));
        } else {
            assert_eq!(t.parent_external_id, None);
            missing_warnings += 1;
            assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some(&format!("line {line}"))
                && w.message == format!("parent {parent} is not in the file; imported without parent")));
        }
        assert_eq!(t.title, raw.cell(row, "Summary"), "titles are trimmed");
        assert_eq!(t.status, raw.cell(row, "Status"));
        assert_eq!(t.assignee.as_deref(), Some(raw.cell(row, "Assignee")));
    }
    assert_eq!(missing_warnings, 6, "3 children of CGQ-2 and 3 of CGQ-45");
    let statuses: Vec<(&str, Category)> =
        batch.projects[0].statuses.iter().map(|s| (s.name.as_str(), s.category)).collect();
    assert_eq!(statuses, [("To Do", Category::Todo), ("Done", Category::Done)]);
    // The trailing space of "Side Chest Item Implementation " is dropped.
    assert_eq!(task(&batch, "CGQ-65").title, "Side Chest Item Implementation");
    // Start/due dates are empty; the inferred (m/d/yy) ones are used, with a warning.
    let cgq1 = task(&batch, "CGQ-1");
    assert_eq!(cgq1.start_date, NaiveDate::from_ymd_opt(2025, 5, 6));
    assert_eq!(cgq1.due_date, NaiveDate::from_ymd_opt(2025, 5, 17));
    assert!(batch.warnings.iter().any(|w| w.message.contains("inferred")));
    // People are names (no id columns), "All" included; names with commas intact.
    let people: HashSet<&str> = batch.people.iter().map(|p| p.external_id.as_str()).collect();
    let assignees: HashSet<&str> = kept.iter().map(|(_, r)| raw.cell(r, "Assignee")).collect();
    assert_eq!(people, assignees);
    assert!(people.contains("Lastname1, Firstname1 (Student)"));
}

#[test]
fn rest_flattened_support_tickets() {
    let relative = "jira/jira-rest-flattened-support-tickets.csv";
    let raw = Raw::read(relative, b',');
    let batch = parse(relative);
    assert_eq!(raw.rows.len(), 10);
    let (kept, dups) = raw.first_rows("key");
    // By hand: SD-183 on 4 ids, SD-1387 on 3 → 5 distinct keys, 10 distinct issues,
    // all imported (a reused key gets a new number and a warning).
    assert_eq!((kept.len(), dups.len()), (5, 5));
    assert_eq!(all_tasks(&batch).len(), raw.rows.len());
    assert!(batch.skipped.is_empty());
    for (line, key, first) in &dups {
        assert!(batch.warnings.iter().any(|n| n.record.as_deref() == Some(&format!("line {line}"))
            && n.message.starts_with(&format!("key {key} is used again (first on line {first})"))));
    }
    // No project key column: projects from key prefixes, in order of appearance.
    let mut prefixes: Vec<&str> = Vec::new();
    for (_, row) in &kept {
        let prefix = raw.cell(row, "key").split('-').next().unwrap();
        if !prefixes.contains(&prefix) {
            prefixes.push(prefix);
        }
    }
    let projects: Vec<&str> = batch.projects.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(projects, prefixes);
    // No status column: resolved issues are done, with one warning.
    assert!(batch.warnings.iter().any(|w| w.message.contains("no Status column")));
    for (_, row) in &kept {
        let t = task(&batch, raw.cell(row, "key"));
        assert_eq!(t.external_id, raw.cell(row, "id"));
        assert_eq!(t.title, raw.cell(row, "summary"));
        let resolved = !raw.cell(row, "resolutiondate").is_empty();
        assert_eq!(t.category, if resolved { Category::Done } else { Category::Todo });
        // "Other_CEDP:" → label "Other_CEDP".
        assert_eq!(t.labels, [raw.cell(row, "labels").trim_end_matches(':')]);
        assert_eq!(t.assignee.as_deref(), Some(raw.cell(row, "assignee_key")));
        assert_eq!(t.reporter.as_deref(), Some(raw.cell(row, "reporter_key")));
        // created "+0300" offsets are converted to UTC.
        let created = chrono::DateTime::parse_from_str(raw.cell(row, "created"), "%Y-%m-%dT%H:%M:%S%.f%z").unwrap();
        assert_eq!(t.created_at, Some(created.with_timezone(&Utc)));
    }
    assert_eq!(task(&batch, "CSC-14").created_at, Some(utc(2018, 5, 11, 6, 46, 53)));
    // E-mail columns fill the people's e-mail.
    let person = batch.people.iter().find(|p| p.external_id == "user01@example.com").unwrap();
    assert_eq!(person.email.as_deref(), Some("user01@example.com"));
}
