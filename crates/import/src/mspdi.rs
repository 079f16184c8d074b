//! MS Project XML (MSPDI, "Save as XML") → ImportBatch: the outline becomes
//! sub-tasks (1.5.2.5 under 1.5.2; a missing level is skipped to the
//! nearest one present, with a warning), milestones become tasks marked
//! "milestone" on their day, finish-to-start predecessor links become
//! dependencies, % complete becomes progress and status. Read as a stream:
//! memory follows the number of tasks, not the file's size.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::model::*;
use crate::text::{self, error, key_from_name, quote};

const TODO: &str = "To do";
const DOING: &str = "In progress";
const DONE: &str = "Done";

/// A task as the file gives it: each child element's text by name.
#[derive(Default)]
struct Raw {
    fields: HashMap<String, String>,
    predecessors: Vec<(String, String)>,
    line: u64,
}

pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let decoded = text::decode(file_name, bytes)?;
    let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);
    if text.trim().is_empty() {
        return Err(error(file_name, Some(1), "the file holds only white space"));
    }
    let (project_name, raws) = read(file_name, text)?;
    let mut warnings = Vec::new();
    let mut skipped = Vec::new();
    let outline: HashMap<String, String> = raws
        .iter()
        .filter_map(|r| Some((r.fields.get("OutlineNumber")?.clone(), r.fields.get("UID")?.clone())))
        .collect();
    let mut tasks = Vec::new();
    for raw in &raws {
        let field = |name: &str| raw.fields.get(name).map(|s| s.trim()).unwrap_or("");
        let uid = field("UID");
        let record = format!("task UID {uid} (line {})", raw.line);
        if uid.is_empty() {
            return Err(ImportError {
                file: file_name.to_string(),
                line: Some(raw.line),
                record: None,
                field: Some("UID".into()),
                message: "a task without a UID".into(),
            });
        }
        // UID 0 is the project's own summary row.
        if uid == "0" || field("OutlineLevel") == "0" {
            continue;
        }
        let name = field("Name");
        if name.is_empty() {
            skipped.push(Notice {
                record: Some(record),
                field: Some("Name".into()),
                message: "a task without a name (an empty row)".into(),
            });
            continue;
        }
        let number = field("OutlineNumber");
        let parent = parent_of(number, &outline, &record, &mut warnings);
        let done_share = match field("PercentComplete") {
            "" => None,
            p => match p.parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Some(v / 100.0),
                _ => {
                    warnings.push(Notice {
                        record: Some(record.clone()),
                        field: Some("PercentComplete".into()),
                        message: format!("{} is not a percentage; left out", quote(p)),
                    });
                    None
                }
            },
        };
        let (status, category) = match done_share {
            Some(p) if p >= 1.0 => (DONE, Category::Done),
            Some(p) if p > 0.0 => (DOING, Category::Doing),
            _ => (TODO, Category::Todo),
        };
        let day = |f: &str, warnings: &mut Vec<Notice>| -> Option<NaiveDate> {
            let v = field(f);
            if v.is_empty() {
                return None;
            }
            let parsed = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
                .map(|t| t.date())
                .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d"))
                .ok();
            if parsed.is_none() {
                warnings.push(Notice {
                    record: Some(record.clone()),
                    field: Some(f.into()),
                    message: format!("{} is not a date; left out", quote(v)),
                });
            }
            parsed
        };
        let start = day("Start", &mut warnings);
        let finish = day("Finish", &mut warnings);
        let milestone = field("Milestone") == "1";
        let mut labels = Vec::new();
        if milestone {
            labels.push("milestone".to_string());
        }
        let mut depends_on = Vec::new();
        for (predecessor, kind) in &raw.predecessors {
            // Type 1 is finish-to-start (the default when absent); Keel keeps only that kind.
            if !(kind.is_empty() || kind == "1") {
                let name = match kind.as_str() {
                    "0" => "finish-to-finish",
                    "2" => "start-to-finish",
                    "3" => "start-to-start",
                    _ => "unknown",
                };
                warnings.push(Notice {
                    record: Some(record.clone()),
                    field: Some("PredecessorLink".into()),
                    message: format!(
                        "the {name} link to UID {predecessor} is left out: Keel keeps finish-to-start links"
                    ),
                });
                continue;
            }
            depends_on.push(predecessor.clone());
        }
        tasks.push(ImportTask {
            external_id: uid.to_string(),
            external_key: None,
            parent_external_id: parent,
            title: name.to_string(),
            description: field("Notes").to_string(),
            status: status.into(),
            category,
            labels,
            assignee: None,
            reporter: None,
            priority: None,
            start_date: if milestone { finish.or(start) } else { start },
            due_date: finish,
            due_at: None,
            due_complete: category == Category::Done,
            estimate_hours: hours(field("Work")),
            created_at: None,
            updated_at: None,
            archived: false,
            cancelled: false,
            comments: Vec::new(),
            depends_on,
            progress: done_share,
        });
    }
    // Links to tasks not in the file are reported, not kept.
    let ids: std::collections::HashSet<String> = tasks.iter().map(|t| t.external_id.clone()).collect();
    for t in &mut tasks {
        let (kept, gone): (Vec<String>, Vec<String>) =
            std::mem::take(&mut t.depends_on).into_iter().partition(|d| ids.contains(d));
        for d in gone {
            warnings.push(Notice {
                record: Some(format!("task UID {}", t.external_id)),
                field: Some("PredecessorLink".into()),
                message: format!("its predecessor UID {d} is not in the file; the link is left out"),
            });
        }
        t.depends_on = kept;
    }
    let name = project_name.unwrap_or_else(|| text::file_stem(file_name, "MS Project"));
    Ok(ImportBatch {
        source: SourceKind::MsProject,
        file_name: file_name.to_string(),
        people: Vec::new(),
        projects: vec![ImportProject {
            key_hint: key_from_name(&name, "MSP"),
            external_id: name.clone(),
            name,
            description: String::new(),
            statuses: vec![
                ImportStatus { name: TODO.into(), category: Category::Todo, archived: false },
                ImportStatus { name: DOING.into(), category: Category::Doing, archived: false },
                ImportStatus { name: DONE.into(), category: Category::Done, archived: false },
            ],
            tasks,
            archived: false,
        }],
        warnings,
        skipped,
    })
}

/// The parent's UID: the outline number one level up, or, when the file
/// lacks that row, the nearest level above that it has.
fn parent_of(
    number: &str,
    outline: &HashMap<String, String>,
    record: &str,
    warnings: &mut Vec<Notice>,
) -> Option<String> {
    let mut up = number;
    let mut missing = Vec::new();
    while let Some((head, _)) = up.rsplit_once('.') {
        if let Some(uid) = outline.get(head) {
            if !missing.is_empty() {
                warnings.push(Notice {
                    record: Some(record.to_string()),
                    field: Some("OutlineNumber".into()),
                    message: format!("its parent {} is not in the file; it is placed under {head}", missing.join(", ")),
                });
            }
            return Some(uid.clone());
        }
        missing.push(head.to_string());
        up = head;
    }
    if !missing.is_empty() {
        warnings.push(Notice {
            record: Some(record.to_string()),
            field: Some("OutlineNumber".into()),
            message: format!("its parent {} is not in the file; imported at the top", missing.join(", ")),
        });
    }
    None
}

/// Hours of an ISO 8601 duration as MS Project writes work: PT16H30M0S.
fn hours(duration: &str) -> Option<f64> {
    let rest = duration.strip_prefix("PT")?;
    let (h, rest) = rest.split_once('H')?;
    let (m, rest) = rest.split_once('M')?;
    let s = rest.strip_suffix('S')?;
    let total = h.parse::<f64>().ok()? + m.parse::<f64>().ok()? / 60.0 + s.parse::<f64>().ok()? / 3600.0;
    (total > 0.0).then_some(total)
}

/// The project's name and its tasks, read as a stream of XML events.
fn read(file_name: &str, text: &str) -> Result<(Option<String>, Vec<Raw>), ImportError> {
    let mut reader = Reader::from_str(text);
    // No trimming: text around an entity (R&amp;D) keeps its spaces; values are trimmed where used.
    reader.config_mut().trim_text(false);
    let line_at = |pos: u64| text::line_of(text.as_bytes(), pos as usize);
    let mut path: Vec<String> = Vec::new();
    let mut project_name = None;
    let mut tasks = Vec::new();
    let mut current: Option<Raw> = None;
    let mut link: Option<(String, String)> = None;
    let mut saw_project = false;
    // The text of the element being read (entities arrive as events of their own).
    let mut buf = String::new();
    loop {
        let pos = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                if path.is_empty() {
                    if name != "Project" {
                        return Err(error(
                            file_name,
                            Some(line_at(pos)),
                            format!("not MS Project XML: the document is <{name}>, not <Project>"),
                        ));
                    }
                    saw_project = true;
                }
                if name == "Task" && path.last().map(String::as_str) == Some("Tasks") {
                    current = Some(Raw { line: line_at(pos), ..Default::default() });
                }
                if name == "PredecessorLink" && current.is_some() {
                    link = Some(Default::default());
                }
                path.push(name);
                buf.clear();
            }
            Ok(Event::Text(t)) => buf.push_str(&t.into_inner()),
            Ok(Event::GeneralRef(r)) => {
                let entity = format!("&{};", r.into_inner());
                let value = quick_xml::escape::unescape(&entity)
                    .map_err(|e| error(file_name, Some(line_at(pos)), format!("unreadable text: {e}")))?;
                buf.push_str(&value);
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut buf);
                let parent = path.last().map(String::as_str).unwrap_or("");
                if path.len() == 1 && name == "Name" {
                    project_name = Some(value.trim().to_string()).filter(|n| !n.is_empty());
                } else if let Some(l) = link.as_mut()
                    && parent == "PredecessorLink"
                {
                    match name.as_str() {
                        "PredecessorUID" => l.0 = value.trim().to_string(),
                        "Type" => l.1 = value.trim().to_string(),
                        _ => {}
                    }
                } else if parent == "Task"
                    && let Some(raw) = current.as_mut()
                    && name != "PredecessorLink"
                {
                    raw.fields.insert(name.clone(), value);
                }
                if name == "PredecessorLink"
                    && let (Some(raw), Some(l)) = (current.as_mut(), link.take())
                    && !l.0.is_empty()
                {
                    raw.predecessors.push(l);
                }
                if name == "Task"
                    && parent == "Tasks"
                    && let Some(raw) = current.take()
                {
                    tasks.push(raw);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(error(
                    file_name,
                    Some(line_at(reader.error_position())),
                    format!("not well-formed XML: {e}"),
                ));
            }
        }
    }
    if !path.is_empty() {
        return Err(error(
            file_name,
            Some(line_at(text.len() as u64)),
            format!("the file ends inside <{}>; it looks cut off", path.join("><")),
        ));
    }
    if !saw_project {
        return Err(error(file_name, Some(1), "not MS Project XML: no <Project> element"));
    }
    Ok((project_name, tasks))
}
