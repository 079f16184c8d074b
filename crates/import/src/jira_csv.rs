//! Jira CSV export → ImportBatch.
//!
//! Handles the "Export CSV (all fields / current fields)" of Jira Cloud and
//! Server in English and Spanish, plan/timeline exports (tab-separated even
//! when named .csv) and flat exports made by scripts (lower-case snake_case
//! headers). Columns are matched by exact name (trimmed, case-insensitive)
//! through an alias table; repeated columns keep every value.
//!
//! A damaged file is refused whole, naming the line and field: a record with
//! fewer fields than the header (or extra cells that hold values), a file
//! that ends inside a quoted cell or in the middle of its last record (see
//! `check_shape`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::model::*;
use crate::text::{self, category_from_name, error, quote};

/// Parses a Jira CSV export. `file_name` is only used in messages.
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let text = text::decode(file_name, bytes)?;
    let text: &str = &text;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(error(file_name, Some(1), "the file holds no header line (only white space)"));
    }
    reject_other_formats(file_name, text)?;

    let (delimiter, records) = read_records(file_name, text)?;
    let Some((_, header)) = records.first() else {
        return Err(error(file_name, Some(1), "the file holds no header line"));
    };
    let columns = Columns::new(header);
    if columns.of(Field::Summary).is_empty() && columns.of(Field::Key).is_empty() {
        let mut found: Vec<String> = header.iter().take(8).map(|h| quote(h.trim())).collect();
        if header.len() > 8 {
            found.push(format!("… ({} columns)", header.len()));
        }
        let delimiter_name = match delimiter {
            b'\t' => "tab",
            b';' => "semicolon",
            _ => "comma",
        };
        // A header cut off before its Summary/Key column looks the same.
        let cut = if records.len() == 1 && !(text.ends_with('\n') || text.ends_with('\r')) {
            "; the file holds only this line, without a line break at its end: it may also be cut off"
        } else {
            ""
        };
        return Err(ImportError {
            file: file_name.to_string(),
            line: Some(1),
            record: None,
            field: None,
            message: format!(
                "unknown CSV layout: expected a \"Summary\" (\"Resumen\") or \"Issue key\" \
                 (\"Key\", \"Clave de incidencia\") column in the header; read as {delimiter_name}-separated, \
                 the header has: {}{cut}",
                found.join(", ")
            ),
        });
    }

    let ends_with_newline = text.ends_with('\n') || text.ends_with('\r');
    let data = &records[1..];
    if data.is_empty() && !ends_with_newline {
        let last = columns.names.last().map_or("", String::as_str);
        return Err(ImportError {
            file: file_name.to_string(),
            line: Some(1),
            record: None,
            field: Some(last.to_string()),
            message: format!(
                "the file holds only a header line, without a line break at its end: the file looks cut off \
                 after field {}; nothing was imported (if the export really holds no issues, there is \
                 nothing to import)",
                quote(last)
            ),
        });
    }
    // Every record is checked before any is turned into an issue, so a
    // damaged file yields an error and nothing else.
    for (index, (line, record)) in data.iter().enumerate() {
        let open_end = index + 1 == data.len() && !ends_with_newline;
        check_shape(file_name, &columns, *line, record, open_end, data)?;
    }
    let mut importer = Importer::new(file_name);
    for (line, record) in data {
        let row = Row { line: *line, record, columns: &columns };
        importer.row(&row);
    }
    if data.is_empty() {
        importer.warnings.push(Notice {
            record: None,
            field: None,
            message: "the file holds a header but no issues".to_string(),
        });
    }
    Ok(importer.finish())
}

/// Refuses a record whose number of fields differs from the header's.
///
/// Every real export we know (Jira Cloud "all fields" in English and
/// Spanish, the tab-separated plan export, REST dumps flattened by scripts;
/// see the files under `shared/data/real/jira`) writes every cell of every
/// row, empty ones included: 358 columns stay 358 fields even when 350 of
/// them are empty. A record with fewer fields is therefore never "an exporter
/// that dropped trailing empty cells" but a damaged file — a row cut short,
/// a line break typed into an unquoted cell, a hand edit — and importing it
/// would write empty (or shifted) values over good ones. So a short record is
/// an error wherever it is, not only at the end of the file.
///
/// More fields than the header are tolerated when the extra cells are empty
/// (a trailing delimiter left by a spreadsheet); a non-empty extra cell means
/// the cells no longer line up with the header, an error too.
///
/// `open_end`: this is the last record and the file does not end with a line
/// break — the shape a file cut off in the middle leaves behind.
fn check_shape(
    file: &str,
    columns: &Columns,
    line: u64,
    record: &csv::StringRecord,
    open_end: bool,
    data: &[(u64, csv::StringRecord)],
) -> Result<(), ImportError> {
    let expected = columns.names.len();
    let found = record.len();
    let at = |field: Option<&str>, message: String| ImportError {
        file: file.to_string(),
        line: Some(line),
        record: None,
        field: field.map(str::to_string),
        message,
    };
    if found == 0 {
        // (The csv reader skips empty lines; kept for safety.)
        return Err(at(None, format!("the record has no fields, the header {expected}; nothing was imported")));
    }
    if found < expected && open_end {
        let last = columns.names[found - 1].as_str();
        return Err(at(
            Some(last),
            format!(
                "the last record has only {found} of {expected} fields and the file does not end with a line \
                 break: the file looks cut off after field {} (which reads {}); nothing was imported",
                quote(last),
                quote(record.get(found - 1).unwrap_or_default())
            ),
        ));
    }
    if found < expected {
        let missing = columns.names[found].as_str();
        return Err(at(
            Some(missing),
            format!(
                "the record has {found} fields, the header {expected}: fields from {} (field {}) on are \
                 missing; the file looks damaged (a cut row, or a line break inside an unquoted cell); \
                 nothing was imported",
                quote(missing),
                found + 1
            ),
        ));
    }
    if let Some((offset, value)) = record.iter().enumerate().skip(expected).find(|(_, cell)| !cell.trim().is_empty()) {
        return Err(at(
            None,
            format!(
                "the record has {found} fields, the header {expected}: field {} holds {} but has no column; \
                 the cells no longer line up with the header; nothing was imported",
                offset + 1,
                quote(value)
            ),
        ));
    }
    if open_end
        && found == expected
        && let Some(message) = truncated_last_cell(columns, record, data)
    {
        return Err(at(Some(&columns.names[expected - 1]), message));
    }
    Ok(())
}

/// A complete-looking last record of a file without a final line break can
/// still be cut inside its last cell ("purple" → "pur"). A file cut there is
/// indistinguishable from one whose exporter writes no final line break (the
/// plan export does not), so this looks at the other records: the last cell
/// looks cut when no other record has that value in that column but one has a
/// longer value starting with it (an empty cell: when every other record has a
/// value there). Not proof either way — a lone record, or a value cut where no
/// other row shares its start, passes — hence the hint on how to import a
/// complete file refused by mistake.
fn truncated_last_cell(
    columns: &Columns,
    record: &csv::StringRecord,
    data: &[(u64, csv::StringRecord)],
) -> Option<String> {
    let column = columns.names.len() - 1;
    let value = record.get(column)?;
    let others: Vec<(u64, &str)> =
        data[..data.len() - 1].iter().filter_map(|(line, r)| r.get(column).map(|v| (*line, v))).collect();
    if others.is_empty() || others.iter().any(|(_, v)| *v == value) {
        return None;
    }
    let name = quote(&columns.names[column]);
    let hint = "if the file is complete, add a line break at its end and import it again";
    if value.is_empty() {
        return others.iter().all(|(_, v)| !v.is_empty()).then(|| {
            format!(
                "the file does not end with a line break and the last record's last field {name} is empty \
                 while every other record has a value there: the file looks cut off inside field {name}; \
                 nothing was imported ({hint})"
            )
        });
    }
    let (longer_line, longer) = others.iter().find(|(_, v)| v.len() > value.len() && v.starts_with(value))?;
    Some(format!(
        "the file does not end with a line break and the last record's last field {name} reads {}, the start \
         of {} (line {longer_line}): the file looks cut off inside field {name}; nothing was imported ({hint})",
        quote(value),
        quote(longer)
    ))
}

/// The records of a CSV text with the line each starts on, its delimiter
/// sniffed (comma, tab or semicolon); a quote left open is reported as a
/// cut-off file, naming the line it opens on.
pub(crate) fn read_records(file_name: &str, text: &str) -> Result<(u8, Vec<(u64, csv::StringRecord)>), ImportError> {
    let delimiter = sniff_delimiter(text);
    if let Some((line, column)) = unterminated_quote(text, delimiter) {
        return Err(error(
            file_name,
            Some(line),
            format!(
                "the file ends inside a quoted cell that starts on line {line} (cell {column}); \
                 the file looks cut off"
            ),
        ));
    }

    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    // The csv crate's own line count is wrong after CRLF line ends; count
    // from the byte offset instead.
    let lines = LineIndex::new(text);
    let mut records = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(1, |p| lines.line_at(p.byte() as usize));
            error(file_name, Some(line), format!("unreadable CSV: {e}"))
        })?;
        let line = record.position().map_or(1, |p| lines.line_at(p.byte() as usize));
        records.push((line, record));
    }
    Ok((delimiter, records))
}

fn reject_other_formats(file: &str, text: &str) -> Result<(), ImportError> {
    let start = text.trim_start();
    // "[CHART] …" can start a header; a JSON array continues with {, [ or ].
    let json_array = start.strip_prefix('[').is_some_and(|rest| rest.trim_start().starts_with(['{', '[', ']']));
    if start.starts_with('{') || json_array {
        let trello = start.contains("\"lists\"") && start.contains("\"cards\"") || start.contains("\"idList\"");
        let hint = if trello { " — it looks like a Trello export; import it as Trello" } else { "" };
        return Err(error(file, Some(1), format!("not a Jira CSV export: the file holds JSON{hint}")));
    }
    if let Some(kind) = text::sniff_other_format(text) {
        return Err(error(file, Some(1), format!("not a Jira CSV export: the file looks like {kind}")));
    }
    Ok(())
}

/// Physical line numbers (1-based) of byte offsets; LF, CRLF and a lone CR
/// each end a line.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { text: bytes, starts }
    }

    /// The line of the first character at or after `offset` that is not a
    /// line break (a record never starts with one; the csv crate reports
    /// the offset of the LF of a CRLF as the start of the next record).
    fn line_at(&self, mut offset: usize) -> u64 {
        while offset < self.text.len() && matches!(self.text[offset], b'\r' | b'\n') {
            offset += 1;
        }
        self.starts.partition_point(|&start| start <= offset) as u64
    }
}

/// Tab, comma or semicolon: whichever occurs most (outside quotes) in the
/// header line; comma on ties.
fn sniff_delimiter(text: &str) -> u8 {
    let (mut commas, mut tabs, mut semicolons) = (0usize, 0usize, 0usize);
    let mut in_quotes = false;
    for b in text.bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' | b'\r' if !in_quotes => break,
            b',' if !in_quotes => commas += 1,
            b'\t' if !in_quotes => tabs += 1,
            b';' if !in_quotes => semicolons += 1,
            _ => {}
        }
    }
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas && semicolons > tabs {
        b';'
    } else {
        b','
    }
}

/// Mirrors the csv reader's quoting rules; returns the line and 1-based cell
/// number of a quoted cell still open at the end of the text.
fn unterminated_quote(text: &str, delimiter: u8) -> Option<(u64, usize)> {
    #[derive(PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line: u64 = 1;
    let mut cell = 1usize;
    let mut open = (1u64, 1usize);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let newline = b == b'\n' || b == b'\r';
        state = match state {
            State::FieldStart | State::Unquoted | State::QuoteInQuoted => {
                if b == delimiter {
                    cell += 1;
                    State::FieldStart
                } else if newline {
                    cell = 1;
                    State::FieldStart
                } else if b == b'"' && state == State::FieldStart {
                    open = (line, cell);
                    State::Quoted
                } else if b == b'"' && state == State::QuoteInQuoted {
                    State::Quoted
                } else {
                    State::Unquoted
                }
            }
            State::Quoted => {
                if b == b'"' {
                    State::QuoteInQuoted
                } else {
                    State::Quoted
                }
            }
        };
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(open)
}

// ---------------------------------------------------------------------------
// Columns

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Field {
    Summary,
    Key,
    Id,
    Status,
    StatusCategory,
    ProjectKey,
    ProjectName,
    ProjectDescription,
    Priority,
    Resolution,
    Resolved,
    Assignee,
    AssigneeId,
    AssigneeEmail,
    Reporter,
    ReporterId,
    ReporterEmail,
    Created,
    Updated,
    DueDate,
    StartDate,
    InferredDueDate,
    InferredStartDate,
    Labels,
    Description,
    Parent,
    ParentKey,
    OriginalEstimate,
    TimeEstimate,
    Comment,
}

/// Exact header names (compared trimmed and case-insensitively), English and
/// Spanish Jira exports plus the snake_case names of REST dumps.
const ALIASES: &[(Field, &[&str])] = &[
    (Field::Summary, &["Summary", "Resumen"]),
    (Field::Key, &["Issue key", "Key", "Clave de incidencia", "Clave"]),
    (Field::Id, &["Issue id", "ID de la incidencia", "id"]),
    (Field::Status, &["Status", "Estado"]),
    (Field::StatusCategory, &["Status Category", "Categoría de estado"]),
    (Field::ProjectKey, &["Project key", "Clave del proyecto"]),
    (Field::ProjectName, &["Project name", "Nombre del proyecto"]),
    (Field::ProjectDescription, &["Project description", "Descripción del proyecto"]),
    (Field::Priority, &["Priority", "Prioridad"]),
    (Field::Resolution, &["Resolution", "Resolución"]),
    (Field::Resolved, &["Resolved", "Resuelta", "resolutiondate"]),
    (Field::Assignee, &["Assignee", "Persona asignada", "assignee_name", "assigne_name"]),
    (Field::AssigneeId, &["Assignee Id", "ID de la persona asignada", "assignee_key", "assignee_id"]),
    (Field::AssigneeEmail, &["assignee_email", "Assignee email"]),
    (Field::Reporter, &["Reporter", "Informador", "reporter_name"]),
    (Field::ReporterId, &["Reporter Id", "ID del informador", "reporter_key", "reporter_id"]),
    (Field::ReporterEmail, &["reporter_email", "Reporter email"]),
    (Field::Created, &["Created", "Creada"]),
    (Field::Updated, &["Updated", "Actualizada"]),
    (Field::DueDate, &["Due date", "Fecha de vencimiento", "duedate"]),
    (
        Field::StartDate,
        &[
            "Start date",
            "Fecha de inicio",
            "Custom field (Start date)",
            "Campo personalizado (Start date)",
            "Campo personalizado (Fecha de inicio)",
        ],
    ),
    (Field::InferredDueDate, &["Inferred due date"]),
    (Field::InferredStartDate, &["Inferred start date"]),
    (Field::Labels, &["Labels", "Etiquetas"]),
    (Field::Description, &["Description", "Descripción"]),
    (Field::Parent, &["Parent", "Parent id", "Principal", "ID principal", "parent_id"]),
    (Field::ParentKey, &["Parent key", "Clave principal", "parent_key"]),
    (Field::OriginalEstimate, &["Original Estimate", "Estimación original", "timeoriginalestimate"]),
    (Field::TimeEstimate, &["Time Estimate", "timeestimate"]),
    (Field::Comment, &["Comment", "Comentario", "Comments", "Comentarios"]),
];

struct Columns {
    names: Vec<String>,
    by_field: HashMap<Field, Vec<usize>>,
}

impl Columns {
    fn new(header: &csv::StringRecord) -> Self {
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let mut by_field: HashMap<Field, Vec<usize>> = HashMap::new();
        let aliases: Vec<(Field, Vec<String>)> =
            ALIASES.iter().map(|(field, names)| (*field, names.iter().map(|a| a.to_lowercase()).collect())).collect();
        for (index, name) in names.iter().enumerate() {
            let lower = name.to_lowercase();
            for (field, aliases) in &aliases {
                if aliases.contains(&lower) {
                    by_field.entry(*field).or_default().push(index);
                }
            }
        }
        Columns { names, by_field }
    }

    fn of(&self, field: Field) -> &[usize] {
        self.by_field.get(&field).map_or(&[], Vec::as_slice)
    }

    fn has(&self, field: Field) -> bool {
        !self.of(field).is_empty()
    }
}

struct Row<'a> {
    line: u64,
    record: &'a csv::StringRecord,
    columns: &'a Columns,
}

impl<'a> Row<'a> {
    /// First non-empty value of the field, trimmed, with its column name.
    fn get_with_column(&self, field: Field) -> Option<(&'a str, &'a str)> {
        self.columns.of(field).iter().find_map(|&i| {
            let value = self.record.get(i)?.trim();
            (!value.is_empty()).then(|| (value, self.columns.names[i].as_str()))
        })
    }

    fn get(&self, field: Field) -> Option<&'a str> {
        self.get_with_column(field).map(|(v, _)| v)
    }

    /// Every non-empty value of a (repeated) field, in column order.
    fn all(&self, field: Field) -> Vec<(&'a str, &'a str)> {
        self.columns
            .of(field)
            .iter()
            .filter_map(|&i| {
                let raw = self.record.get(i)?;
                (!raw.trim().is_empty()).then(|| (raw, self.columns.names[i].as_str()))
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Dates

/// A parsed Jira date: the instant (local times without offset are taken as
/// UTC) and the calendar date as written.
#[derive(Clone, Copy, Debug, PartialEq)]
struct JiraDate {
    instant: DateTime<Utc>,
    date: NaiveDate,
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_lowercase();
    let month = match lower.as_str() {
        "jan" | "ene" | "janv" | "january" | "enero" => 1,
        "feb" | "fev" | "fév" | "févr" | "february" | "febrero" => 2,
        "mar" | "mär" | "mars" | "march" | "marzo" => 3,
        "apr" | "abr" | "avr" | "april" | "abril" => 4,
        "may" | "mai" | "mayo" => 5,
        "jun" | "juin" | "june" | "junio" => 6,
        "jul" | "juil" | "july" | "julio" => 7,
        "aug" | "ago" | "août" | "august" | "agosto" => 8,
        "sep" | "sept" | "set" | "september" | "septiembre" | "setiembre" => 9,
        "oct" | "okt" | "out" | "october" | "octubre" => 10,
        "nov" | "november" | "noviembre" => 11,
        "dec" | "dic" | "dez" | "déc" | "december" | "diciembre" => 12,
        _ => return None,
    };
    Some(month)
}

fn full_year(digits: &str) -> Option<i32> {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = digits.parse().ok()?;
    match digits.len() {
        2 => Some(2000 + year),
        4 => Some(year),
        _ => None,
    }
}

/// "3:54 PM", "15:54", "3:54:10 p. m.", "" (midnight).
fn parse_time(raw: &str) -> Option<NaiveTime> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '.').collect::<String>().to_lowercase();
    if compact.is_empty() {
        return NaiveTime::from_hms_opt(0, 0, 0);
    }
    let (clock, meridiem) = if let Some(c) = compact.strip_suffix("am") {
        (c, Some(false))
    } else if let Some(c) = compact.strip_suffix("pm") {
        (c, Some(true))
    } else {
        (compact.as_str(), None)
    };
    let mut parts = clock.split(':');
    let hour: u32 = parts.next()?.parse().ok()?;
    let minute: u32 = parts.next()?.parse().ok()?;
    let second: u32 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let hour = match meridiem {
        Some(pm) => {
            if !(1..=12).contains(&hour) {
                return None;
            }
            (hour % 12) + if pm { 12 } else { 0 }
        }
        None => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, second)
}

fn from_naive(naive: NaiveDateTime) -> JiraDate {
    JiraDate { instant: Utc.from_utc_datetime(&naive), date: naive.date() }
}

fn from_offset(dt: DateTime<FixedOffset>) -> JiraDate {
    JiraDate { instant: dt.with_timezone(&Utc), date: dt.date_naive() }
}

fn parse_date(raw: &str) -> Option<JiraDate> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    // ISO forms.
    if s.len() >= 10 && s.as_bytes()[4] == b'-' {
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Some(from_offset(dt));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M%z"] {
            if let Ok(dt) = DateTime::parse_from_str(s, format) {
                return Some(from_offset(dt));
            }
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(s, format) {
                return Some(from_naive(naive));
            }
        }
        let trimmed = s.strip_suffix('Z').unwrap_or(s);
        if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            return Some(from_naive(date.and_time(NaiveTime::MIN)));
        }
        return None;
    }
    // "d/MMM/yy h:mm AM", "m/d/yy", "d.m.yyyy HH:mm".
    let (date_part, time_part) = match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    };
    let separator = if date_part.contains('/') {
        '/'
    } else if date_part.contains('.') {
        '.'
    } else if date_part.contains('-') {
        '-'
    } else {
        return None;
    };
    let parts: Vec<&str> = date_part.split(separator).collect();
    if parts.len() != 3 {
        return None;
    }
    let time = parse_time(time_part)?;
    let first: Option<u32> = parts[0].parse().ok();
    let year = full_year(parts[2])?;
    let (day, month) = if let Some(month) = month_number(parts[1]) {
        (first?, month)
    } else {
        let a = first?;
        let b: u32 = parts[1].parse().ok()?;
        if separator == '/' {
            // m/d/yy as Jira's US-style exports write it; d/m when that cannot be.
            if a > 12 && b <= 12 { (a, b) } else { (b, a) }
        } else {
            (a, b)
        }
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(from_naive(date.and_time(time)))
}

// ---------------------------------------------------------------------------
// Rows → batch

struct Issue {
    line: u64,
    project_key: String,
    project_name: Option<String>,
    project_description: Option<String>,
    parent_raw: Option<String>,
    parent_key: Option<String>,
    status_category: Option<Category>,
    task: ImportTask,
}

struct Importer {
    file: String,
    people: Vec<ImportPerson>,
    person_index: HashMap<String, usize>,
    issues: Vec<Issue>,
    seen_keys: HashMap<String, u64>,
    /// Summary of the first issue with each key, to tell a repeated row from a reused key.
    titles_by_key: HashMap<String, String>,
    /// How many issues used each key so far.
    key_reuse: HashMap<String, u32>,
    seen_ids: HashMap<String, u64>,
    seen_external: HashSet<String>,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
    warned_no_status: bool,
    warned_no_summary: bool,
    warned_no_ids: bool,
    inferred_dates: u32,
}

fn notice(line: u64, field: Option<&str>, message: String) -> Notice {
    Notice { record: Some(format!("line {line}")), field: field.map(str::to_string), message }
}

fn is_unassigned(name: &str) -> bool {
    matches!(name.trim().to_lowercase().as_str(), "" | "unassigned" | "sin asignar" | "no asignado" | "none")
}

fn category_from_category_column(value: &str) -> Option<Category> {
    match value.trim().to_lowercase().as_str() {
        "to do" | "todo" | "por hacer" | "new" | "nuevo" | "pendiente" => Some(Category::Todo),
        "in progress" | "en curso" | "en progreso" | "indeterminate" => Some(Category::Doing),
        "done" | "listo" | "hecho" | "finalizado" | "finalizada" | "completado" | "complete" => Some(Category::Done),
        _ => None,
    }
}

fn is_cancelled(resolution: &str) -> bool {
    let normal = resolution.trim().to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
    matches!(
        normal.as_str(),
        "won't do"
            | "won't fix"
            | "wont do"
            | "wont fix"
            | "duplicate"
            | "cannot reproduce"
            | "declined"
            | "no se hará"
            | "no se hara"
            | "rechazada"
            | "rechazado"
            | "duplicado"
            | "duplicada"
    )
}

fn is_archived_status(status: &str) -> bool {
    matches!(status.trim().to_lowercase().as_str(), "archived" | "archivado" | "archivada")
}

impl Importer {
    fn new(file: &str) -> Self {
        Importer {
            file: file.to_string(),
            people: Vec::new(),
            person_index: HashMap::new(),
            issues: Vec::new(),
            seen_keys: HashMap::new(),
            titles_by_key: HashMap::new(),
            key_reuse: HashMap::new(),
            seen_ids: HashMap::new(),
            seen_external: HashSet::new(),
            warnings: Vec::new(),
            skipped: Vec::new(),
            warned_no_status: false,
            warned_no_summary: false,
            warned_no_ids: false,
            inferred_dates: 0,
        }
    }

    /// The person's `external_id`: the account id when there is one, else the
    /// display name. Unassigned/empty → None.
    fn person(&mut self, id: Option<&str>, name: Option<&str>, email: Option<&str>) -> Option<String> {
        let name = name.map(str::trim).filter(|n| !is_unassigned(n));
        let id = id.map(str::trim).filter(|i| !i.is_empty());
        let external_id = id.or(name)?.to_string();
        let display_name = name.or(id).unwrap_or_default().to_string();
        let email = email.map(str::trim).filter(|e| e.contains('@')).map(str::to_string);
        match self.person_index.get(&external_id) {
            Some(&i) => {
                let person = &mut self.people[i];
                if person.display_name == person.external_id && name.is_some() {
                    person.display_name = display_name;
                }
                if person.email.is_none() {
                    person.email = email;
                }
            }
            None => {
                self.person_index.insert(external_id.clone(), self.people.len());
                self.people.push(ImportPerson { external_id: external_id.clone(), display_name, email });
            }
        }
        Some(external_id)
    }

    fn date(&mut self, row: &Row, field: Field) -> Option<JiraDate> {
        let (value, column) = row.get_with_column(field)?;
        let parsed = parse_date(value);
        if parsed.is_none() {
            self.warnings.push(notice(
                row.line,
                Some(column),
                format!("unreadable date {} in column {}; left out", quote(value), column),
            ));
        }
        parsed
    }

    /// `row` has passed [`check_shape`]: as many fields as the header, or
    /// more with the extra ones empty.
    fn row(&mut self, row: &Row) {
        let (line, record) = (row.line, row.record);
        let header_len = row.columns.names.len();
        if record.len() > header_len {
            let extra = record.len() - header_len;
            self.warnings.push(notice(
                line,
                None,
                format!(
                    "the row has {} cells, the header {header_len}; the {extra} extra cell(s) are empty and \
                     ignored",
                    record.len()
                ),
            ));
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            self.skipped.push(notice(line, None, "empty row".to_string()));
            return;
        }
        self.issue(row);
    }

    fn issue(&mut self, row: &Row) {
        let line = row.line;
        let key = row.get(Field::Key).map(str::to_string);
        let id = row.get(Field::Id).map(str::to_string);

        let title = match row.get(Field::Summary) {
            Some(summary) => summary.to_string(),
            None if !row.columns.has(Field::Summary) => {
                let Some(key) = &key else {
                    self.skipped.push(notice(line, None, "no summary and no issue key".to_string()));
                    return;
                };
                if !self.warned_no_summary {
                    self.warned_no_summary = true;
                    self.warnings.push(Notice {
                        record: None,
                        field: None,
                        message: "the file has no Summary column; issue keys are used as titles".into(),
                    });
                }
                key.clone()
            }
            None => {
                let what = key.as_deref().or(id.as_deref()).map(|k| format!(" ({k})")).unwrap_or_default();
                let column = self.summary_column(row);
                self.skipped.push(notice(line, Some(&column), format!("no summary{what}: the {column} cell is empty")));
                return;
            }
        };

        if let Some(id) = &id
            && let Some(first) = self.seen_ids.get(id)
        {
            self.skipped.push(notice(line, None, format!("duplicate id {id} (first on line {first})")));
            return;
        }
        // A key used again by a different issue (its own id, or another summary)
        // is a separate issue: it is imported under a new number, never lost.
        let mut reused_key: Option<String> = None;
        if let Some(key) = &key
            && let Some(first) = self.seen_keys.get(key).copied()
        {
            let same_row = id.is_none() && self.titles_by_key.get(key) == Some(&title);
            if same_row {
                self.skipped.push(notice(
                    line,
                    None,
                    format!("duplicate of line {first} (same key {key} and summary)"),
                ));
                return;
            }
            let n = self.key_reuse.entry(key.clone()).or_insert(1);
            *n += 1;
            self.warnings.push(notice(
                line,
                None,
                format!("key {key} is used again (first on line {first}); this issue is imported as a separate task with a new number"),
            ));
            reused_key = Some(format!("{key}#{n}"));
        }
        let external_id = match (id.as_ref(), key.as_ref()) {
            (Some(id), _) => id.clone(),
            (None, Some(_)) if reused_key.is_some() => reused_key.clone().unwrap_or_default(),
            (None, Some(key)) => key.clone(),
            (None, None) => {
                if !self.warned_no_ids {
                    self.warned_no_ids = true;
                    self.warnings.push(notice(
                        line,
                        None,
                        "issue without key or id: named after its line; importing the file again \
                         cannot recognise it"
                            .to_string(),
                    ));
                }
                format!("line-{line}")
            }
        };

        if !self.seen_external.insert(external_id.clone()) {
            self.skipped.push(notice(
                line,
                None,
                format!("duplicate id {external_id} (another issue already has it as id or key)"),
            ));
            return;
        }
        if let Some(key) = &key
            && reused_key.is_none()
        {
            self.seen_keys.insert(key.clone(), line);
            self.titles_by_key.insert(key.clone(), title.clone());
        }
        if let Some(id) = &id {
            self.seen_ids.insert(id.clone(), line);
        }

        let project_key = row
            .get(Field::ProjectKey)
            .map(str::to_string)
            .or_else(|| {
                key.as_deref()
                    .and_then(|k| k.rsplit_once('-'))
                    .map(|(prefix, _)| prefix.trim().to_string())
                    .filter(|p| !p.is_empty())
            })
            .unwrap_or_else(|| "JIRA".to_string());

        // Status.
        let status_category = row.get(Field::StatusCategory).and_then(category_from_category_column);
        let resolution = row.get(Field::Resolution);
        let status = match row.get(Field::Status) {
            Some(status) => status.to_string(),
            None => {
                let resolved = resolution.is_some() || row.get(Field::Resolved).is_some();
                let derived = if resolved { "Done" } else { "To Do" };
                if !self.warned_no_status {
                    self.warned_no_status = true;
                    let message = if row.columns.has(Field::Status) {
                        format!("empty status; \"{derived}\" used (from the resolution)")
                    } else {
                        "the file has no Status column: resolved issues become \"Done\", the others \"To Do\""
                            .to_string()
                    };
                    self.warnings.push(notice(line, None, message));
                }
                derived.to_string()
            }
        };

        // People.
        let assignee = self.person(row.get(Field::AssigneeId), row.get(Field::Assignee), row.get(Field::AssigneeEmail));
        let reporter = self.person(row.get(Field::ReporterId), row.get(Field::Reporter), row.get(Field::ReporterEmail));

        let created = self.date(row, Field::Created);
        let updated = self.date(row, Field::Updated);
        let mut due = self.date(row, Field::DueDate);
        let mut start = self.date(row, Field::StartDate);
        // Plan exports leave Start/Due date empty and give the dates Jira
        // infers from sprints; better than nothing, and said so.
        if due.is_none() && row.get(Field::DueDate).is_none() {
            due = self.date(row, Field::InferredDueDate);
            self.inferred_dates += u32::from(due.is_some());
        }
        if start.is_none() && row.get(Field::StartDate).is_none() {
            start = self.date(row, Field::InferredStartDate);
            self.inferred_dates += u32::from(start.is_some());
        }

        let estimate_hours =
            match row.get_with_column(Field::OriginalEstimate).or_else(|| row.get_with_column(Field::TimeEstimate)) {
                Some((value, column)) => match value.replace(',', "").parse::<f64>() {
                    Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Some(seconds / 3600.0),
                    _ => {
                        self.warnings.push(notice(
                            line,
                            Some(column),
                            format!("estimate {} is not a number of seconds; left out", quote(value)),
                        ));
                        None
                    }
                },
                None => None,
            };

        let mut labels: Vec<String> = Vec::new();
        for (cell, _) in row.all(Field::Labels) {
            let cell = cell.trim();
            let parts: Vec<&str> = if cell.ends_with(':') {
                // Flattened dumps join labels as "a:b:".
                cell.split(':').map(str::trim).filter(|p| !p.is_empty()).collect()
            } else {
                vec![cell]
            };
            for part in parts {
                if !labels.iter().any(|l| l == part) {
                    labels.push(part.to_string());
                }
            }
        }

        let mut task = ImportTask {
            external_id: external_id.clone(),
            // A reused key would collide with the first issue's number.
            external_key: if reused_key.is_some() { None } else { key.clone() },
            parent_external_id: None,
            title,
            description: row.get(Field::Description).map(str::to_string).unwrap_or_default(),
            archived: is_archived_status(&status),
            status,
            category: Category::Todo,
            labels,
            assignee,
            reporter,
            priority: row.get(Field::Priority).map(str::to_string),
            start_date: start.map(|d| d.date),
            due_date: due.map(|d| d.date),
            due_at: None,
            due_complete: false,
            estimate_hours,
            created_at: created.map(|d| d.instant),
            updated_at: updated.map(|d| d.instant),
            cancelled: resolution.is_some_and(is_cancelled),
            comments: Vec::new(),
            depends_on: Vec::new(),
            progress: None,
        };

        // Comments: "date;accountId;text".
        for (cell, column) in row.all(Field::Comment) {
            let n = task.comments.len() + 1;
            let comment_id = format!("{external_id}#c{n}");
            let mut parts = cell.splitn(3, ';');
            let structured = match (parts.next(), parts.next(), parts.next()) {
                (Some(date), Some(author), Some(body)) if !author.trim().is_empty() => {
                    parse_date(date).map(|d| (d, author.trim(), body))
                }
                _ => None,
            };
            match structured {
                Some((date, author, body)) => {
                    let author = self.person(Some(author), None, None);
                    task.comments.push(ImportComment {
                        external_id: comment_id,
                        author,
                        body: body.trim_end().to_string(),
                        created_at: date.instant,
                    });
                }
                None => match task.created_at.or(task.updated_at) {
                    Some(when) => {
                        self.warnings.push(notice(
                            line,
                            Some(column),
                            format!(
                                "comment {} is not \"date;author;text\"; kept whole without author, dated \
                                 like the issue",
                                quote(cell.trim())
                            ),
                        ));
                        task.comments.push(ImportComment {
                            external_id: comment_id,
                            author: None,
                            body: cell.trim_end().to_string(),
                            created_at: when,
                        });
                    }
                    None => self.warnings.push(notice(
                        line,
                        Some(column),
                        format!(
                            "comment {} is not \"date;author;text\" and the issue has no date; left out",
                            quote(cell.trim())
                        ),
                    )),
                },
            }
        }

        self.issues.push(Issue {
            line,
            project_key,
            project_name: row.get(Field::ProjectName).map(str::to_string),
            project_description: row.get(Field::ProjectDescription).map(str::to_string),
            parent_raw: row.get(Field::Parent).map(str::to_string),
            parent_key: row.get(Field::ParentKey).map(str::to_string),
            status_category,
            task,
        });
    }

    fn summary_column(&self, row: &Row) -> String {
        row.columns
            .of(Field::Summary)
            .first()
            .map(|&i| row.columns.names[i].clone())
            .unwrap_or_else(|| "Summary".to_string())
    }

    fn finish(mut self) -> ImportBatch {
        self.resolve_parents();
        if self.inferred_dates > 0 {
            self.warnings.push(Notice {
                record: None,
                field: None,
                message: format!(
                    "{} start/due date(s) were empty and taken from Jira's inferred dates \
                     (\"Inferred start date\", \"Inferred due date\": sprint dates)",
                    self.inferred_dates
                ),
            });
        }

        let mut projects: Vec<ImportProject> = Vec::new();
        let mut project_index: HashMap<String, usize> = HashMap::new();
        for issue in std::mem::take(&mut self.issues) {
            let index = *project_index.entry(issue.project_key.clone()).or_insert_with(|| {
                projects.push(ImportProject {
                    external_id: issue.project_key.clone(),
                    key_hint: text::sanitize_key(&issue.project_key).unwrap_or_else(|| "JIRA".to_string()),
                    name: issue.project_name.clone().unwrap_or_else(|| issue.project_key.clone()),
                    description: issue.project_description.clone().unwrap_or_default(),
                    statuses: Vec::new(),
                    tasks: Vec::new(),
                    archived: false,
                });
                projects.len() - 1
            });
            let project = &mut projects[index];
            let mut task = issue.task;
            match project.statuses.iter().find(|s| s.name == task.status) {
                Some(status) => task.category = status.category,
                None => {
                    let category = issue.status_category.unwrap_or_else(|| category_from_name(&task.status));
                    project.statuses.push(ImportStatus { name: task.status.clone(), category, archived: false });
                    task.category = category;
                }
            }
            project.tasks.push(task);
        }
        ImportBatch {
            source: SourceKind::JiraCsv,
            file_name: self.file,
            people: self.people,
            projects,
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }

    /// Parent / Parent id hold an issue id (or, in plan exports, a key);
    /// Parent key holds a key. Parents absent from the file are dropped with a
    /// warning, and so are links that would make a cycle.
    fn resolve_parents(&mut self) {
        let ids: HashSet<String> = self.issues.iter().map(|i| i.task.external_id.clone()).collect();
        let by_key: HashMap<String, String> = self
            .issues
            .iter()
            .filter_map(|i| i.task.external_key.clone().map(|k| (k, i.task.external_id.clone())))
            .collect();
        let project_of: HashMap<String, String> =
            self.issues.iter().map(|i| (i.task.external_id.clone(), i.project_key.clone())).collect();
        for issue in &mut self.issues {
            let raw = issue.parent_raw.clone();
            let key = issue.parent_key.clone();
            if raw.is_none() && key.is_none() {
                continue;
            }
            let resolved = raw
                .as_ref()
                .and_then(|r| if ids.contains(r) { Some(r.clone()) } else { by_key.get(r).cloned() })
                .or_else(|| key.as_ref().and_then(|k| by_key.get(k).cloned()));
            match resolved {
                Some(parent) if parent == issue.task.external_id => self.warnings.push(notice(
                    issue.line,
                    None,
                    "the issue names itself as parent; imported without parent".to_string(),
                )),
                Some(parent) => match project_of.get(&parent) {
                    Some(project) if *project != issue.project_key => self.warnings.push(notice(
                        issue.line,
                        None,
                        format!(
                            "parent {parent} is in project {project}, this issue in {}; imported without parent",
                            issue.project_key
                        ),
                    )),
                    _ => issue.task.parent_external_id = Some(parent),
                },
                None => {
                    let name = match (&raw, &key) {
                        (Some(r), Some(k)) if r != k => format!("{r} ({k})"),
                        (Some(r), _) => r.clone(),
                        (None, Some(k)) => k.clone(),
                        (None, None) => unreachable!(),
                    };
                    self.warnings.push(notice(
                        issue.line,
                        None,
                        format!("parent {name} is not in the file; imported without parent"),
                    ));
                }
            }
        }
        // Break cycles (A → B → A): drop the link that closes the loop.
        let index: HashMap<String, usize> =
            self.issues.iter().enumerate().map(|(i, issue)| (issue.task.external_id.clone(), i)).collect();
        for start in 0..self.issues.len() {
            let mut seen: HashSet<usize> = HashSet::from([start]);
            let mut current = start;
            while let Some(parent) = self.issues[current].task.parent_external_id.clone() {
                let Some(&next) = index.get(&parent) else { break };
                if !seen.insert(next) {
                    let issue = &mut self.issues[current];
                    issue.task.parent_external_id = None;
                    self.warnings.push(notice(
                        issue.line,
                        None,
                        format!("parent {parent} would make a cycle of parents; imported without parent"),
                    ));
                    break;
                }
                current = next;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd_hm(s: &str) -> String {
        parse_date(s).map(|d| d.instant.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "NONE".into())
    }

    #[test]
    fn date_forms() {
        assert_eq!(ymd_hm("09/Jan/24 3:54 PM"), "2024-01-09 15:54");
        assert_eq!(ymd_hm("10/nov/25 4:51 PM"), "2025-11-10 16:51");
        assert_eq!(ymd_hm("10/ene/25 12:05 AM"), "2025-01-10 00:05");
        assert_eq!(ymd_hm("1/set/25 12:05 p. m."), "2025-09-01 12:05");
        assert_eq!(ymd_hm("2024-01-09T15:54:00.000+0300"), "2024-01-09 12:54");
        assert_eq!(ymd_hm("2023-06-01 10:00"), "2023-06-01 10:00");
        assert_eq!(ymd_hm("2023-06-01"), "2023-06-01 00:00");
        assert_eq!(ymd_hm("5/17/25"), "2025-05-17 00:00");
        assert_eq!(ymd_hm("17/5/25"), "2025-05-17 00:00");
        assert_eq!(ymd_hm("09/Jan/2024"), "2024-01-09 00:00");
        assert_eq!(ymd_hm("31.12.2024 23:59"), "2024-12-31 23:59");
        assert_eq!(ymd_hm("yesterday"), "NONE");
        assert_eq!(ymd_hm("32/Jan/24"), "NONE");
        assert_eq!(ymd_hm("09/Foo/24 3:54 PM"), "NONE");
        assert_eq!(ymd_hm("09/Jan/24 13:54 PM"), "NONE");
        // The calendar date is the one written, not the UTC one.
        assert_eq!(
            parse_date("2024-01-09T01:00:00.000+0300").unwrap().date,
            NaiveDate::from_ymd_opt(2024, 1, 9).unwrap()
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1\t2\t3\t4"), b',');
        assert_eq!(sniff_delimiter("Key\tSummary\tStatus\n"), b'\t');
        assert_eq!(sniff_delimiter("Key;Summary;\"a,b\"\n"), b';');
        assert_eq!(sniff_delimiter("\"a\tb\",c\n"), b',');
        assert_eq!(sniff_delimiter("Summary"), b',');
    }

    #[test]
    fn line_index() {
        let idx = LineIndex::new("a,b\r\n1,2\r\n3\r4\n5");
        assert_eq!(idx.line_at(0), 1);
        assert_eq!(idx.line_at(4), 2); // the LF of the first CRLF
        assert_eq!(idx.line_at(5), 2);
        assert_eq!(idx.line_at(10), 3);
        assert_eq!(idx.line_at(12), 4);
        assert_eq!(idx.line_at(14), 5);
    }

    #[test]
    fn open_quotes() {
        assert_eq!(unterminated_quote("a,b\n1,\"x\ny", b','), Some((2, 2)));
        assert_eq!(unterminated_quote("a,b\n1,\"x\"\"y\"\n", b','), None);
        assert_eq!(unterminated_quote("a,b\n1,x\"y\n", b','), None);
        assert_eq!(unterminated_quote("a,b\n1,\"x\"\"", b','), Some((2, 2)));
    }

    #[test]
    fn cancelled_resolutions() {
        assert!(is_cancelled("Won’t Do"));
        assert!(is_cancelled("No se hará"));
        assert!(!is_cancelled("Done"));
    }
}
