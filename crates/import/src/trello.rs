//! Trello board JSON → ImportBatch.
//!
//! Accepts the board "Export as JSON" of every vintage seen so far (2015 …
//! 2025) and a bare JSON array of card objects as the REST API returns them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::model::*;
use crate::text::{self, category_from_name, error, quote};

/// Parses a Trello export. `file_name` is only used in messages (and to name
/// the project of a bare card array).
pub fn parse(file_name: &str, bytes: &[u8]) -> Result<ImportBatch, ImportError> {
    let text = text::decode(file_name, bytes)?;
    let text: &str = &text;
    if text.trim().is_empty() {
        return Err(error(file_name, Some(1), "the file holds only white space, no JSON"));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| text::json_error(file_name, text, &e, "a Trello export"))?;
    match &value {
        Value::Object(map) => {
            if map.contains_key("lists") && map.contains_key("cards") {
                let board: Board =
                    serde_json::from_str(text).map_err(|e| text::json_error(file_name, text, &e, "a Trello export"))?;
                Ok(Builder::new(file_name).board(board))
            } else {
                let mut keys: Vec<&str> = map.keys().map(String::as_str).take(8).collect();
                if map.len() > keys.len() {
                    keys.push("…");
                }
                let hint = if map.contains_key("idList") && map.contains_key("id") {
                    " (this looks like a single card; export the whole board)".to_string()
                } else if keys.is_empty() {
                    " (the file holds an empty object)".to_string()
                } else {
                    format!(" (found keys: {})", keys.join(", "))
                };
                Err(error(
                    file_name,
                    Some(1),
                    format!("not a Trello board export: expected keys lists and cards{hint}"),
                ))
            }
        }
        Value::Array(items) => {
            if items.is_empty() {
                return Err(error(file_name, Some(1), "the JSON array is empty: no Trello cards to import"));
            }
            if let Some((index, _)) = items
                .iter()
                .enumerate()
                .find(|(_, item)| !(item.get("id").is_some_and(Value::is_string) && item.get("idList").is_some()))
            {
                return Err(error(
                    file_name,
                    Some(1),
                    format!(
                        "not a Trello board export nor an array of Trello cards: element {index} \
                         of the array has no \"id\"/\"idList\""
                    ),
                ));
            }
            let cards: Vec<Card> =
                serde_json::from_str(text).map_err(|e| text::json_error(file_name, text, &e, "a Trello export"))?;
            Ok(Builder::new(file_name).card_array(cards))
        }
        other => Err(error(
            file_name,
            Some(1),
            format!(
                "not a Trello board export: the file holds a single JSON {} instead of an object \
                 with lists and cards",
                match other {
                    Value::String(_) => "string",
                    Value::Number(_) => "number",
                    Value::Bool(_) => "boolean",
                    _ => "null",
                }
            ),
        )),
    }
}

// ---------------------------------------------------------------------------
// The export's shape. Everything optional: vintages differ.

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Board {
    id: Option<String>,
    name: Option<String>,
    desc: Option<String>,
    closed: Option<bool>,
    lists: Option<Vec<List>>,
    cards: Option<Vec<Card>>,
    labels: Option<Vec<Label>>,
    members: Option<Vec<Member>>,
    checklists: Option<Vec<Checklist>>,
    actions: Option<Vec<Action>>,
}

#[derive(Deserialize)]
struct List {
    id: String,
    name: Option<String>,
    closed: Option<bool>,
    pos: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Card {
    id: String,
    name: Option<String>,
    desc: Option<String>,
    id_list: Option<String>,
    id_board: Option<String>,
    closed: Option<bool>,
    short_link: Option<String>,
    labels: Option<Vec<Label>>,
    id_labels: Option<Vec<String>>,
    id_members: Option<Vec<String>>,
    due: Option<String>,
    due_complete: Option<bool>,
    start: Option<String>,
    date_last_activity: Option<String>,
    badges: Option<Badges>,
    id_checklists: Option<Vec<String>>,
    pos: Option<Value>,
    is_template: Option<bool>,
}

#[derive(Deserialize)]
struct Badges {
    comments: Option<Value>,
}

#[derive(Deserialize)]
struct Label {
    id: Option<String>,
    name: Option<String>,
    color: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    id: Option<String>,
    full_name: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checklist {
    id_card: Option<String>,
    name: Option<String>,
    pos: Option<Value>,
    check_items: Option<Vec<CheckItem>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckItem {
    id: String,
    name: Option<String>,
    state: Option<String>,
    pos: Option<Value>,
    due: Option<String>,
    id_member: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Action {
    id: Option<String>,
    id_member_creator: Option<String>,
    member_creator: Option<Member>,
    member: Option<Member>,
    #[serde(rename = "type")]
    kind: Option<String>,
    date: Option<String>,
    data: Option<ActionData>,
}

#[derive(Deserialize)]
struct ActionData {
    card: Option<CardRef>,
    text: Option<String>,
}

#[derive(Deserialize)]
struct CardRef {
    id: Option<String>,
}

// ---------------------------------------------------------------------------

fn pos_of(value: &Option<Value>) -> f64 {
    match value {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => match s.as_str() {
            "top" => f64::MIN,
            "bottom" => f64::MAX,
            other => other.parse().unwrap_or(0.0),
        },
        _ => 0.0,
    }
}

fn parse_instant(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim()).ok().map(|d| d.with_timezone(&Utc))
}

/// The creation instant hidden in a Trello (MongoDB) id: its first 8 hex
/// digits are seconds since the Unix epoch.
fn instant_from_id(id: &str) -> Option<DateTime<Utc>> {
    if id.len() != 24 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let secs = i64::from_str_radix(&id[..8], 16).ok()?;
    Utc.timestamp_opt(secs, 0).single()
}

fn comment_badge(badges: &Option<Badges>) -> u64 {
    match badges.as_ref().and_then(|b| b.comments.as_ref()) {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

struct Builder {
    file: String,
    people: Vec<ImportPerson>,
    person_index: HashMap<String, usize>,
    /// Names learnt from actions, for people who are not board members.
    directory: HashMap<String, String>,
    warnings: Vec<Notice>,
    skipped: Vec<Notice>,
}

impl Builder {
    fn new(file: &str) -> Self {
        Builder {
            file: file.to_string(),
            people: Vec::new(),
            person_index: HashMap::new(),
            directory: HashMap::new(),
            warnings: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn warn(&mut self, record: Option<String>, field: Option<&str>, message: String) {
        self.warnings.push(Notice { record, field: field.map(str::to_string), message });
    }

    fn learn(&mut self, member: &Member) {
        let Some(id) = non_empty(&member.id) else { return };
        if let Some(name) = non_empty(&member.full_name).or(non_empty(&member.username)) {
            self.directory.entry(id.to_string()).or_insert_with(|| name.to_string());
        }
    }

    /// Makes sure a person with this id exists; returns the id.
    fn person(&mut self, id: &str) -> String {
        if !self.person_index.contains_key(id) {
            let display_name = self.directory.get(id).cloned().unwrap_or_else(|| id.to_string());
            self.person_index.insert(id.to_string(), self.people.len());
            self.people.push(ImportPerson { external_id: id.to_string(), display_name, email: None });
        }
        id.to_string()
    }

    fn finish(self, projects: Vec<ImportProject>) -> ImportBatch {
        ImportBatch {
            source: SourceKind::Trello,
            file_name: self.file,
            people: self.people,
            projects,
            warnings: self.warnings,
            skipped: self.skipped,
        }
    }

    fn board(mut self, board: Board) -> ImportBatch {
        let board_id = non_empty(&board.id).unwrap_or("").to_string();
        let board_name =
            non_empty(&board.name).map(str::to_string).unwrap_or_else(|| text::file_stem(&self.file, "Trello"));

        // People: board members first, then whoever actions tell us about.
        for member in board.members.iter().flatten() {
            self.learn(member);
        }
        for member in board.members.iter().flatten() {
            if let Some(id) = non_empty(&member.id) {
                let id = id.to_string();
                self.person(&id);
            }
        }
        for action in board.actions.iter().flatten() {
            if let Some(m) = &action.member_creator {
                self.learn(m);
            }
            if let Some(m) = &action.member {
                self.learn(m);
            }
        }

        // Lists → statuses, in board order; duplicate names made unique.
        let mut lists: Vec<&List> = board.lists.iter().flatten().collect();
        lists.sort_by(|a, b| pos_of(&a.pos).total_cmp(&pos_of(&b.pos)));
        let mut statuses: Vec<ImportStatus> = Vec::new();
        // list id → (status index, list closed)
        let mut list_status: HashMap<&str, (usize, bool)> = HashMap::new();
        let mut used_names: HashSet<String> = HashSet::new();
        for list in &lists {
            let raw = non_empty(&list.name).unwrap_or("(unnamed list)").to_string();
            let name = self.unique_status_name(&raw, &mut used_names, &list.id);
            let closed = list.closed.unwrap_or(false);
            list_status.insert(list.id.as_str(), (statuses.len(), closed));
            statuses.push(ImportStatus { category: category_from_name(&raw), name, archived: closed });
        }

        // Board labels by id, for exports whose cards carry only idLabels.
        let board_labels: HashMap<&str, &Label> =
            board.labels.iter().flatten().filter_map(|l| l.id.as_deref().map(|id| (id, l))).collect();

        // Actions per card.
        let mut created: HashMap<&str, DateTime<Utc>> = HashMap::new();
        let mut comments: HashMap<&str, Vec<&Action>> = HashMap::new();
        let mut comment_ids: HashSet<&str> = HashSet::new();
        for action in board.actions.iter().flatten() {
            let Some(card_id) = action.data.as_ref().and_then(|d| d.card.as_ref()).and_then(|c| c.id.as_deref()) else {
                continue;
            };
            match action.kind.as_deref() {
                Some("createCard" | "copyCard" | "convertToCardFromCheckItem") => {
                    if let Some(date) = action.date.as_deref().and_then(parse_instant) {
                        let slot = created.entry(card_id).or_insert(date);
                        if date < *slot {
                            *slot = date;
                        }
                    }
                }
                Some("commentCard") => {
                    if let Some(id) = action.id.as_deref()
                        && !comment_ids.insert(id)
                    {
                        self.skipped.push(Notice {
                            record: Some(format!("action {id}")),
                            field: None,
                            message: "the same comment action twice; the copy is left out".into(),
                        });
                        continue;
                    }
                    comments.entry(card_id).or_default().push(action)
                }
                _ => {}
            }
        }

        // Checklists per card, in checklist order.
        let mut checklists: HashMap<&str, Vec<&Checklist>> = HashMap::new();
        for checklist in board.checklists.iter().flatten() {
            if let Some(card) = checklist.id_card.as_deref() {
                checklists.entry(card).or_default().push(checklist);
            }
        }
        for list in checklists.values_mut() {
            list.sort_by(|a, b| pos_of(&a.pos).total_cmp(&pos_of(&b.pos)));
        }

        // Cards in board order: by list, then by position in the list.
        let mut cards: Vec<&Card> = board.cards.iter().flatten().collect();
        cards.sort_by(|a, b| {
            let la = a.id_list.as_deref().and_then(|l| list_status.get(l)).map_or(usize::MAX, |s| s.0);
            let lb = b.id_list.as_deref().and_then(|l| list_status.get(l)).map_or(usize::MAX, |s| s.0);
            la.cmp(&lb).then(pos_of(&a.pos).total_cmp(&pos_of(&b.pos)))
        });

        let mut tasks = Vec::new();
        let mut subtasks_exist = false;
        let mut missing_checklists = 0usize;
        let mut cards_missing_checklists = 0usize;
        let mut used_ids: HashSet<String> = HashSet::new();
        for card in cards {
            let record = format!("card {}", card.id);
            if !used_ids.insert(card.id.clone()) {
                self.skipped.push(Notice {
                    record: Some(record),
                    field: Some("id".into()),
                    message: "a second card with the same id; left out".into(),
                });
                continue;
            }
            let (status_index, list_closed) = match card.id_list.as_deref().and_then(|l| list_status.get(l)) {
                Some(&found) => found,
                None => {
                    // A card whose list is not in the export: keep it under a
                    // status named after the list id.
                    let list_id = card.id_list.clone().unwrap_or_else(|| "(no list)".to_string());
                    let name = format!("list {list_id}");
                    let index = match statuses.iter().position(|s| s.name == name) {
                        Some(i) => i,
                        None => {
                            statuses.push(ImportStatus {
                                name: name.clone(),
                                category: Category::Todo,
                                archived: false,
                            });
                            statuses.len() - 1
                        }
                    };
                    self.warn(
                        Some(record.clone()),
                        Some("idList"),
                        format!("the card's list {list_id} is not in the export; imported under status \"{name}\""),
                    );
                    (index, false)
                }
            };
            let status = &statuses[status_index];
            let (status_name, category) = (status.name.clone(), status.category);
            let mut task = self.card_task(card, status_name, category, list_closed, &board_labels);
            if let Some(date) = created.get(card.id.as_str()) {
                task.created_at = Some(*date);
            }

            // Comments, oldest first.
            let mut found: Vec<&Action> = comments.get(card.id.as_str()).cloned().unwrap_or_default();
            found.sort_by(|a, b| {
                let da = a.date.as_deref().and_then(parse_instant);
                let db = b.date.as_deref().and_then(parse_instant);
                da.cmp(&db).then(a.id.cmp(&b.id))
            });
            for action in &found {
                let Some(date) = action.date.as_deref().and_then(parse_instant) else {
                    self.warn(
                        Some(format!("action {}", action.id.as_deref().unwrap_or("?"))),
                        Some("date"),
                        format!(
                            "comment on card {} has no readable date ({}); left out",
                            card.id,
                            quote(action.date.as_deref().unwrap_or(""))
                        ),
                    );
                    continue;
                };
                let author = action
                    .member_creator
                    .as_ref()
                    .and_then(|m| non_empty(&m.id))
                    .or(non_empty(&action.id_member_creator))
                    .map(str::to_string)
                    .map(|id| self.person(&id));
                let body = action.data.as_ref().and_then(|d| d.text.clone()).unwrap_or_default();
                let external_id =
                    action.id.clone().unwrap_or_else(|| format!("{}#c{}", card.id, task.comments.len() + 1));
                task.comments.push(ImportComment { external_id, author, body, created_at: date });
            }
            let expected = comment_badge(&card.badges);
            if expected > task.comments.len() as u64 {
                self.warn(
                    Some(record.clone()),
                    Some("comments"),
                    format!(
                        "export holds {} of {} comments (Trello exports only the most recent actions)",
                        task.comments.len(),
                        expected
                    ),
                );
            }

            let card_archived = task.archived;
            let card_id = task.external_id.clone();
            tasks.push(task);

            // Checklist items → sub-tasks.
            let lists_here = checklists.get(card.id.as_str()).cloned().unwrap_or_default();
            let declared = card.id_checklists.as_ref().map_or(0, Vec::len);
            if declared > lists_here.len() {
                missing_checklists += declared - lists_here.len();
                cards_missing_checklists += 1;
            }
            let several = lists_here.len() > 1;
            for checklist in lists_here {
                let mut items: Vec<&CheckItem> = checklist.check_items.iter().flatten().collect();
                items.sort_by(|a, b| pos_of(&a.pos).total_cmp(&pos_of(&b.pos)));
                for item in items {
                    if !used_ids.insert(item.id.clone()) {
                        self.skipped.push(Notice {
                            record: Some(format!("checklist item {}", item.id)),
                            field: Some("id".into()),
                            message: "id already used by another card or item; left out".into(),
                        });
                        continue;
                    }
                    subtasks_exist = true;
                    let name = item.name.clone().unwrap_or_default();
                    let title = match (several, non_empty(&checklist.name)) {
                        (true, Some(list_name)) => format!("{list_name}: {name}"),
                        _ => name,
                    };
                    let done = item.state.as_deref() == Some("complete");
                    let assignee = non_empty(&item.id_member).map(str::to_string).map(|id| self.person(&id));
                    let due_at = item.due.as_deref().and_then(parse_instant);
                    tasks.push(ImportTask {
                        external_id: item.id.clone(),
                        external_key: None,
                        parent_external_id: Some(card_id.clone()),
                        title,
                        description: String::new(),
                        status: if done { "Done" } else { "To do" }.to_string(),
                        category: if done { Category::Done } else { Category::Todo },
                        labels: Vec::new(),
                        assignee,
                        reporter: None,
                        priority: None,
                        start_date: None,
                        due_date: due_at.map(|d| d.date_naive()),
                        due_at,
                        due_complete: false,
                        estimate_hours: None,
                        created_at: instant_from_id(&item.id),
                        updated_at: None,
                        archived: card_archived,
                        cancelled: false,
                        comments: Vec::new(),
                        depends_on: Vec::new(),
                        progress: None,
                    });
                }
            }
        }
        if missing_checklists > 0 {
            self.warn(
                None,
                Some("checklists"),
                format!(
                    "{missing_checklists} checklist(s) on {cards_missing_checklists} card(s) are not in the file; \
                     their items were not imported"
                ),
            );
        }
        if subtasks_exist {
            if !statuses.iter().any(|s| s.name == "To do") {
                statuses.push(ImportStatus { name: "To do".into(), category: Category::Todo, archived: false });
            }
            if !statuses.iter().any(|s| s.name == "Done") {
                statuses.push(ImportStatus { name: "Done".into(), category: Category::Done, archived: false });
            }
        }

        let project = ImportProject {
            external_id: if board_id.is_empty() { text::file_stem(&self.file, "Trello") } else { board_id },
            key_hint: text::key_from_name(&board_name, "TRL"),
            name: board_name,
            description: board.desc.unwrap_or_default(),
            statuses,
            tasks,
            archived: board.closed.unwrap_or(false),
        };
        self.finish(vec![project])
    }

    fn unique_status_name(&mut self, raw: &str, used: &mut HashSet<String>, list_id: &str) -> String {
        let mut name = raw.to_string();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{raw} ({n})");
            n += 1;
        }
        if name != raw {
            self.warn(
                Some(format!("list {list_id}")),
                Some("name"),
                format!("two lists are named {}; this one is imported as status {}", quote(raw), quote(&name)),
            );
        }
        used.insert(name.clone());
        name
    }

    /// The fields of a card that do not depend on the rest of the board.
    fn card_task(
        &mut self,
        card: &Card,
        status: String,
        category: Category,
        list_closed: bool,
        board_labels: &HashMap<&str, &Label>,
    ) -> ImportTask {
        let record = format!("card {}", card.id);
        if non_empty(&card.name).is_none() {
            let named = non_empty(&card.short_link).map(|s| format!(" under its short link {s}")).unwrap_or_default();
            self.warn(Some(record.clone()), Some("name"), format!("the card has no name; it is imported{named}"));
        }
        let labels: Vec<String> = match &card.labels {
            Some(labels) => labels.iter().filter_map(label_name).collect(),
            None => card
                .id_labels
                .iter()
                .flatten()
                .filter_map(|id| board_labels.get(id.as_str()).and_then(|l| label_name(l)))
                .collect(),
        };
        let members: Vec<&str> = card.id_members.iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
        if members.len() > 1 {
            self.warn(
                Some(record.clone()),
                Some("idMembers"),
                format!("card has {} members; first becomes assignee", members.len()),
            );
        }
        let mut assignee = None;
        for (i, member) in members.iter().enumerate() {
            let id = self.person(member);
            if i == 0 {
                assignee = Some(id);
            }
        }
        if card.is_template == Some(true) {
            self.warn(
                Some(record.clone()),
                Some("isTemplate"),
                "template card; imported as an ordinary task".to_string(),
            );
        }
        let due_at = match non_empty(&card.due) {
            Some(due) => {
                let parsed = parse_instant(due);
                if parsed.is_none() {
                    self.warn(
                        Some(record.clone()),
                        Some("due"),
                        format!("unreadable due date {}; left out", quote(due)),
                    );
                }
                parsed
            }
            None => None,
        };
        let start_date: Option<NaiveDate> = match non_empty(&card.start) {
            Some(start) => {
                let parsed = parse_instant(start)
                    .map(|d| d.date_naive())
                    .or_else(|| NaiveDate::parse_from_str(start, "%Y-%m-%d").ok());
                if parsed.is_none() {
                    self.warn(
                        Some(record.clone()),
                        Some("start"),
                        format!("unreadable start date {}; left out", quote(start)),
                    );
                }
                parsed
            }
            None => None,
        };
        ImportTask {
            external_id: card.id.clone(),
            external_key: non_empty(&card.short_link).map(str::to_string),
            parent_external_id: None,
            title: card.name.clone().unwrap_or_default(),
            description: card.desc.clone().unwrap_or_default(),
            status,
            category,
            labels,
            assignee,
            reporter: None,
            priority: None,
            start_date,
            due_date: due_at.map(|d| d.date_naive()),
            due_at,
            due_complete: card.due_complete.unwrap_or(false),
            estimate_hours: None,
            created_at: instant_from_id(&card.id),
            updated_at: card.date_last_activity.as_deref().and_then(parse_instant),
            archived: card.closed.unwrap_or(false) || list_closed,
            cancelled: false,
            comments: Vec::new(),
            depends_on: Vec::new(),
            progress: None,
        }
    }

    fn card_array(mut self, cards: Vec<Card>) -> ImportBatch {
        let stem = text::file_stem(&self.file, "Trello");
        let mut statuses: Vec<ImportStatus> = Vec::new();
        let mut boards: Vec<String> = Vec::new();
        for card in &cards {
            let list = card.id_list.clone().unwrap_or_else(|| "(no list)".to_string());
            if !statuses.iter().any(|s| s.name == list) {
                statuses.push(ImportStatus { name: list, category: Category::Todo, archived: false });
            }
            if let Some(board) = non_empty(&card.id_board)
                && !boards.iter().any(|b| b == board)
            {
                boards.push(board.to_string());
            }
        }
        self.warn(
            None,
            Some("idList"),
            format!(
                "the file is a list of cards without its board: list names are unknown, so the {} \
                 status(es) are named after the list ids and all count as to-do",
                statuses.len()
            ),
        );
        if boards.len() > 1 {
            self.warn(
                None,
                Some("idBoard"),
                format!("the cards come from {} boards; they are imported as one project", boards.len()),
            );
        }
        let mut order: Vec<&Card> = cards.iter().collect();
        order.sort_by(|a, b| {
            let la = statuses.iter().position(|s| Some(&s.name) == a.id_list.as_ref());
            let lb = statuses.iter().position(|s| Some(&s.name) == b.id_list.as_ref());
            la.cmp(&lb).then(pos_of(&a.pos).total_cmp(&pos_of(&b.pos)))
        });
        let no_labels = HashMap::new();
        let mut tasks = Vec::new();
        let mut missing_checklists = 0usize;
        let mut cards_with_checklists = 0usize;
        let mut used_ids: HashSet<String> = HashSet::new();
        for card in order {
            if !used_ids.insert(card.id.clone()) {
                self.skipped.push(Notice {
                    record: Some(format!("card {}", card.id)),
                    field: Some("id".into()),
                    message: "a second card with the same id; left out".into(),
                });
                continue;
            }
            let status = card.id_list.clone().unwrap_or_else(|| "(no list)".to_string());
            let mut task = self.card_task(card, status, Category::Todo, false, &no_labels);
            task.comments.clear();
            let expected = comment_badge(&card.badges);
            if expected > 0 {
                self.warn(
                    Some(format!("card {}", card.id)),
                    Some("comments"),
                    format!("export holds 0 of {expected} comments (a card list carries no comments)"),
                );
            }
            let declared = card.id_checklists.as_ref().map_or(0, Vec::len);
            if declared > 0 {
                missing_checklists += declared;
                cards_with_checklists += 1;
            }
            tasks.push(task);
        }
        if missing_checklists > 0 {
            self.warn(
                None,
                Some("idChecklists"),
                format!(
                    "{missing_checklists} checklist(s) on {cards_with_checklists} card(s) are not in the file; \
                     their items were not imported"
                ),
            );
        }
        let project = ImportProject {
            external_id: if boards.len() == 1 { boards[0].clone() } else { stem.clone() },
            key_hint: text::key_from_name(&stem, "TRL"),
            name: stem,
            description: String::new(),
            statuses,
            tasks,
            archived: false,
        };
        self.finish(vec![project])
    }
}

fn label_name(label: &Label) -> Option<String> {
    non_empty(&label.name).or(non_empty(&label.color)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_creation_time() {
        let t = instant_from_id("54b0fd8dee901a913afe5f84").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-01-10T10:23:09+00:00");
        assert!(instant_from_id("hashcard7").is_none());
    }

    #[test]
    fn eof_context_names_the_path() {
        assert_eq!(crate::text::eof_context(r#"{"cards":[{"id":"a"},{"desc":"abc"#), "a string in cards[1].desc");
        assert_eq!(crate::text::eof_context(r#"{"lists":[1,2"#), "an array in lists[1]");
        assert_eq!(crate::text::eof_context(r#"{"na"#), "a key");
    }

    #[test]
    fn file_stems() {
        assert_eq!(text::file_stem("a/b/cards.json", "Trello"), "cards");
        assert_eq!(text::file_stem(".json", "Trello"), ".json");
        assert_eq!(text::file_stem("", "Trello"), "Trello");
    }
}
