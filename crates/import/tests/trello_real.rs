//! The Trello parser against every real Trello file. Expected values are
//! computed here from the raw JSON (serde_json::Value), never taken from the
//! parser's output.

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, trello};
use serde_json::Value;

fn load(relative: &str) -> (ImportBatch, Value) {
    let bytes = read_real(relative);
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    let batch = trello::parse(file_name(relative), &bytes).unwrap_or_else(|e| panic!("{relative} failed: {e}"));
    assert_consistent(&batch);
    (batch, raw)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// Everything a board export says about its cards, checked card by card.
fn check_board(relative: &str) -> (ImportBatch, Value) {
    let (batch, raw) = load(relative);
    assert_eq!(batch.projects.len(), 1);
    let project = &batch.projects[0];
    assert_eq!(project.external_id, s(&raw, "id"));
    assert_eq!(project.name, s(&raw, "name"));
    assert_eq!(project.description, s(&raw, "desc"));
    assert_eq!(project.archived, b(&raw, "closed"));

    // Lists in pos order are the first statuses.
    let mut lists: Vec<&Value> = arr(&raw, "lists").iter().collect();
    lists.sort_by(|x, y| x["pos"].as_f64().unwrap().total_cmp(&y["pos"].as_f64().unwrap()));
    assert!(project.statuses.len() >= lists.len());
    for (status, list) in project.statuses.iter().zip(&lists) {
        assert_eq!(status.name, s(list, "name"));
        assert_eq!(status.archived, b(list, "closed"));
    }
    let list_by_id: HashMap<&str, &Value> = lists.iter().map(|l| (s(l, "id"), *l)).collect();

    // Cards.
    let cards = arr(&raw, "cards");
    let card_tasks: Vec<&ImportTask> = project.tasks.iter().filter(|t| t.parent_external_id.is_none()).collect();
    assert_eq!(card_tasks.len(), cards.len(), "one task per card");
    let checklist_items: usize = arr(&raw, "checklists").iter().map(|c| arr(c, "checkItems").len()).sum();
    assert_eq!(project.tasks.len(), cards.len() + checklist_items);

    let actions = arr(&raw, "actions");
    for card in cards {
        let id = s(card, "id");
        let task = project.tasks.iter().find(|t| t.external_id == id).expect("card imported");
        let list = list_by_id[s(card, "idList")];
        assert_eq!(task.status, s(list, "name"));
        assert_eq!(task.archived, b(card, "closed") || b(list, "closed"), "archived of {id}");
        assert_eq!(task.external_key.as_deref(), Some(s(card, "shortLink")));
        assert_eq!(task.title, s(card, "name"));
        assert_eq!(task.description, s(card, "desc"));
        assert_eq!(task.due_complete, b(card, "dueComplete"));
        let labels: Vec<String> = arr(card, "labels")
            .iter()
            .map(|l| if s(l, "name").is_empty() { s(l, "color").to_string() } else { s(l, "name").to_string() })
            .collect();
        assert_eq!(task.labels, labels);
        let members = arr(card, "idMembers");
        assert_eq!(task.assignee.as_deref(), members.first().and_then(Value::as_str));
        match card.get("due").and_then(Value::as_str) {
            Some(due) => {
                assert_eq!(task.due_at, Some(instant(due)));
                assert_eq!(task.due_date, Some(instant(due).date_naive()));
            }
            None => assert_eq!((task.due_at, task.due_date), (None, None)),
        }
        // created_at: the createCard action, else the id's timestamp.
        let create =
            actions.iter().find(|a| s(a, "type") == "createCard" && a["data"]["card"]["id"].as_str() == Some(id));
        let expected_created = match create {
            Some(action) => Some(instant(s(action, "date"))),
            None if id.len() == 24 => Some(Utc.timestamp_opt(i64::from_str_radix(&id[..8], 16).unwrap(), 0).unwrap()),
            None => None,
        };
        assert_eq!(task.created_at, expected_created, "created_at of {id}");

        // Comments: the commentCard actions of this card, oldest first.
        let mut comments: Vec<&Value> = actions
            .iter()
            .filter(|a| s(a, "type") == "commentCard" && a["data"]["card"]["id"].as_str() == Some(id))
            .collect();
        comments.sort_by_key(|a| instant(s(a, "date")));
        let got: Vec<(&str, &str, Option<&str>)> =
            task.comments.iter().map(|c| (c.external_id.as_str(), c.body.as_str(), c.author.as_deref())).collect();
        let want: Vec<(&str, &str, Option<&str>)> = comments
            .iter()
            .map(|a| (s(a, "id"), a["data"]["text"].as_str().unwrap(), Some(s(a, "idMemberCreator"))))
            .collect();
        assert_eq!(got, want, "comments of {id}");
        for pair in task.comments.windows(2) {
            assert!(pair[0].created_at <= pair[1].created_at);
        }

        let badge = card["badges"]["comments"].as_u64().unwrap_or(0);
        let warned = batch.warnings.iter().any(|w| {
            w.record.as_deref() == Some(&format!("card {id}"))
                && w.message.contains(&format!("export holds {} of {badge} comments", comments.len()))
        });
        assert_eq!(warned, badge > comments.len() as u64, "comment-count warning for {id}");
        let multi = batch.warnings.iter().any(|w| {
            w.record.as_deref() == Some(&format!("card {id}"))
                && w.message == format!("card has {} members; first becomes assignee", members.len())
        });
        assert_eq!(multi, members.len() > 1);
    }

    // Open cards per list.
    for list in &lists {
        let open =
            cards.iter().filter(|c| s(c, "idList") == s(list, "id") && !b(c, "closed") && !b(list, "closed")).count();
        let imported = card_tasks.iter().filter(|t| t.status == s(list, "name") && !t.archived).count();
        assert_eq!(imported, open, "open cards in list {}", s(list, "name"));
    }

    // People: board members, then authors / card members met elsewhere.
    let ids: Vec<&str> = batch.people.iter().map(|p| p.external_id.as_str()).collect();
    for member in arr(&raw, "members") {
        let person = batch.people.iter().find(|p| p.external_id == s(member, "id")).expect("member imported");
        assert_eq!(person.display_name, s(member, "fullName"));
    }
    let mut expected_ids: HashSet<&str> = arr(&raw, "members").iter().map(|m| s(m, "id")).collect();
    for card in cards {
        expected_ids.extend(arr(card, "idMembers").iter().filter_map(Value::as_str));
    }
    for action in actions.iter().filter(|a| s(a, "type") == "commentCard") {
        expected_ids.insert(s(action, "idMemberCreator"));
    }
    assert_eq!(ids.iter().copied().collect::<HashSet<_>>(), expected_ids);
    (batch, raw)
}

#[test]
fn deck_fixture_minimal_board() {
    let (batch, raw) = check_board("trello/deck-fixture-minimal-board.json");
    let project = &batch.projects[0];
    // Read by hand from the file: one list "TODO", one card, one member.
    assert_eq!(arr(&raw, "lists").len(), 1);
    assert_eq!(project.statuses.len(), 1);
    assert_eq!(project.statuses[0].category, Category::Todo);
    assert_eq!(project.key_hint, "TBN");
    assert_eq!(project.tasks.len(), 1);
    // The card id "hashcard7" is not a real id; created_at comes from createCard.
    assert_eq!(project.tasks[0].created_at, Some(instant("2017-09-15T16:14:03.187Z")));
    assert_eq!(batch.people.len(), 1);
    assert_eq!(batch.people[0].display_name, "John Doe");
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
}

#[test]
fn kanban_2016_small_board() {
    let (batch, raw) = check_board("trello/kanban-2016-small-board.json");
    let project = &batch.projects[0];
    let names: Vec<&str> = project.statuses.iter().map(|s| s.name.as_str()).collect();
    // pos order, and the list renamed UCD → Triage carries its new name.
    assert_eq!(names, ["Triage", "Backlog", "Refined", "Do it", "Done"]);
    let done = project.statuses.iter().find(|s| s.name == "Done").unwrap();
    assert_eq!(done.category, Category::Done);
    assert!(project.statuses.iter().filter(|s| s.name != "Done").all(|s| s.category == Category::Todo));
    assert_eq!(project.tasks.len(), arr(&raw, "cards").len());
    // Board "Kanban": one word, so the hint is its first letters.
    assert_eq!(project.key_hint, "KAN");
}

#[test]
fn clipkit_2015_japanese_board() {
    let (batch, raw) = check_board("trello/clipkit-2015-japanese-board-minified.json");
    let project = &batch.projects[0];
    let cards = arr(&raw, "cards");
    // The numbers SOURCES.md gives for this file, recounted from the JSON.
    assert_eq!(cards.len(), 67);
    assert_eq!(cards.iter().filter(|c| b(c, "closed")).count(), 1);
    assert_eq!(arr(&raw, "lists").len(), 5);
    assert_eq!(arr(&raw, "lists").iter().filter(|l| b(l, "closed")).count(), 1);
    let comment_actions = arr(&raw, "actions").iter().filter(|a| s(a, "type") == "commentCard").count();
    assert_eq!(comment_actions, 4);
    let imported_comments: usize = project.tasks.iter().map(|t| t.comments.len()).sum();
    assert_eq!(imported_comments, comment_actions);

    let category = |name: &str| project.statuses.iter().find(|s| s.name == name).unwrap().category;
    assert_eq!(category("作業中"), Category::Doing);
    assert_eq!(category("クローズ"), Category::Done);
    assert_eq!(category("やること"), Category::Todo);
    assert!(project.statuses.iter().find(|s| s.name == "中止").unwrap().archived);
    assert_eq!(project.tasks.iter().filter(|t| t.archived).count(), 1);
    // No labels list on the board: label names come from the cards.
    assert!(raw.get("labels").is_none());
    let labelled = cards.iter().filter(|c| !arr(c, "labels").is_empty()).count();
    assert_eq!(project.tasks.iter().filter(|t| !t.labels.is_empty()).count(), labelled);
    assert!(project.tasks.iter().any(|t| t.labels == ["バグ"]));
    // People keep their CJK names.
    assert!(batch.people.iter().any(|p| p.display_name == "メンバー一"));
    assert_eq!(project.key_hint, "CLI");
}

#[test]
fn api_card_array_2025() {
    let relative = "trello/trello-api-cards-2025-fields-head7.json";
    let (batch, raw) = load(relative);
    let cards = raw.as_array().unwrap();
    assert_eq!(batch.projects.len(), 1);
    let project = &batch.projects[0];
    assert_eq!(project.name, "trello-api-cards-2025-fields-head7");
    let mut list_ids: Vec<&str> = Vec::new();
    for card in cards {
        if !list_ids.contains(&s(card, "idList")) {
            list_ids.push(s(card, "idList"));
        }
    }
    let names: Vec<&str> = project.statuses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, list_ids);
    assert!(batch.warnings.iter().any(|w| w.message.contains("list names are unknown")));
    assert_eq!(project.tasks.len(), cards.len());
    let boards: HashSet<&str> = cards.iter().map(|c| s(c, "idBoard")).collect();
    if boards.len() == 1 {
        assert_eq!(project.external_id, *boards.iter().next().unwrap());
    }
    for card in cards {
        let task = project.tasks.iter().find(|t| t.external_id == s(card, "id")).unwrap();
        assert_eq!(task.title, s(card, "name"));
        assert_eq!(task.assignee.as_deref(), arr(card, "idMembers").first().and_then(Value::as_str));
        let labels: Vec<&str> = arr(card, "labels").iter().map(|l| s(l, "name")).collect();
        assert_eq!(task.labels, labels);
        assert!(task.comments.is_empty());
        // No actions: created_at is the id's timestamp.
        let secs = i64::from_str_radix(&s(card, "id")[..8], 16).unwrap();
        assert_eq!(task.created_at, Some(Utc.timestamp_opt(secs, 0).unwrap()));
    }
    // Every card member becomes a person (names unknown: the id stands in).
    let members: HashSet<&str> = cards.iter().flat_map(|c| arr(c, "idMembers")).filter_map(Value::as_str).collect();
    assert_eq!(batch.people.len(), members.len());
    // Checklists are only referenced (idChecklists), so their items are reported missing.
    let referenced: usize = cards.iter().map(|c| arr(c, "idChecklists").len()).sum();
    assert!(referenced > 0);
    assert!(
        batch.warnings.iter().any(|w| w.message.starts_with(&format!("{referenced} checklist(s)"))),
        "{:?}",
        batch.warnings
    );
    let templates = cards.iter().filter(|c| b(c, "isTemplate")).count();
    assert_eq!(batch.warnings.iter().filter(|w| w.message.contains("template card")).count(), templates);
}
