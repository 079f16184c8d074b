//! Trello behaviour the real files do not exercise (checklists, several
//! members, due dates …), on small hand-made boards, and Trello errors.

mod common;

use chrono::NaiveDate;
use common::*;
use keel_import::{Category, ImportBatch, trello};
use serde_json::{Value, json};

fn parse(value: &Value) -> ImportBatch {
    let bytes = serde_json::to_vec(value).unwrap();
    let batch = trello::parse("board.json", &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    batch
}

fn board() -> Value {
    json!({
        "id": "60000000aaaaaaaaaaaaaaaa",
        "name": "Keel — 2024 Roadmap",
        "desc": "Board *description*",
        "closed": false,
        "labels": [
            {"id": "l1", "name": "", "color": "yellow"},
            {"id": "l2", "name": "Bug", "color": "red"}
        ],
        "members": [{"id": "m1", "fullName": "Ada Lovelace", "username": "ada"}],
        "lists": [
            {"id": "L3", "name": "完了", "closed": false, "pos": 300},
            {"id": "L1", "name": "Backlog", "closed": false, "pos": 100},
            {"id": "L2", "name": "In Progress", "closed": false, "pos": 200},
            {"id": "L4", "name": "Old", "closed": true, "pos": 400}
        ],
        "cards": [
            {
                "id": "61000000bbbbbbbbbbbbbbbb", "shortLink": "abc123", "name": "Card one",
                "desc": "# Heading\n\n* item", "idList": "L1", "closed": false, "pos": 2,
                "idMembers": ["m1", "m2"], "idLabels": ["l1", "l2"],
                "due": "2024-03-01T23:30:00.000Z", "dueComplete": true,
                "start": "2024-02-01T00:00:00.000Z",
                "badges": {"comments": 3}, "idChecklists": ["c1", "c2"]
            },
            {
                "id": "61000001bbbbbbbbbbbbbbbb", "shortLink": "def456", "name": "Card two",
                "desc": "", "idList": "L4", "closed": false, "pos": 1,
                "idMembers": [], "labels": [], "badges": {"comments": 0}, "idChecklists": ["c3"]
            },
            {
                "id": "61000002bbbbbbbbbbbbbbbb", "shortLink": "ghi789", "name": "Card three",
                "desc": "", "idList": "L2", "closed": true, "pos": 1,
                "idMembers": ["m1"], "due": "not a date"
            }
        ],
        "checklists": [
            {"id": "c2", "idCard": "61000000bbbbbbbbbbbbbbbb", "name": "QA", "pos": 2, "checkItems": [
                {"id": "62000000cccccccccccccc01", "name": "test it", "state": "incomplete", "pos": 1}
            ]},
            {"id": "c1", "idCard": "61000000bbbbbbbbbbbbbbbb", "name": "Build", "pos": 1, "checkItems": [
                {"id": "62000000cccccccccccccc03", "name": "ship", "state": "complete", "pos": 2,
                 "idMember": "m3", "due": "2024-02-10T12:00:00.000Z"},
                {"id": "62000000cccccccccccccc02", "name": "code", "state": "complete", "pos": 1}
            ]},
            {"id": "c3", "idCard": "61000001bbbbbbbbbbbbbbbb", "name": "Only list", "pos": 1, "checkItems": [
                {"id": "62000000cccccccccccccc04", "name": "single", "state": "incomplete", "pos": 1}
            ]}
        ],
        "actions": [
            {"id": "a3", "type": "commentCard", "date": "2024-01-03T00:00:00.000Z",
             "idMemberCreator": "m9", "memberCreator": {"id": "m9", "fullName": "Outside Helper"},
             "data": {"card": {"id": "61000000bbbbbbbbbbbbbbbb"}, "text": "newest"}},
            {"id": "a1", "type": "commentCard", "date": "2024-01-01T00:00:00.000Z",
             "idMemberCreator": "m1",
             "data": {"card": {"id": "61000000bbbbbbbbbbbbbbbb"}, "text": "oldest"}},
            {"id": "a0", "type": "createCard", "date": "2023-12-31T10:00:00.000Z", "idMemberCreator": "m1",
             "data": {"card": {"id": "61000000bbbbbbbbbbbbbbbb"}}},
            {"id": "a5", "type": "addMemberToCard", "date": "2023-12-31T11:00:00.000Z", "idMemberCreator": "m1",
             "member": {"id": "m2", "fullName": "Grace Hopper"},
             "data": {"card": {"id": "61000000bbbbbbbbbbbbbbbb"}}}
        ]
    })
}

#[test]
fn board_lists_cards_and_checklists() {
    let batch = parse(&board());
    let project = &batch.projects[0];
    assert_eq!(project.name, "Keel — 2024 Roadmap");
    assert_eq!(project.key_hint, "KR");
    assert_eq!(project.description, "Board *description*");

    let statuses: Vec<(&str, Category, bool)> =
        project.statuses.iter().map(|s| (s.name.as_str(), s.category, s.archived)).collect();
    assert_eq!(
        statuses,
        [
            ("Backlog", Category::Todo, false),
            ("In Progress", Category::Doing, false),
            ("完了", Category::Done, false),
            ("Old", Category::Todo, true),
            ("To do", Category::Todo, false),
            ("Done", Category::Done, false),
        ]
    );

    let one = project.tasks.iter().find(|t| t.external_id == "61000000bbbbbbbbbbbbbbbb").unwrap();
    assert_eq!(one.external_key.as_deref(), Some("abc123"));
    assert_eq!(one.description, "# Heading\n\n* item");
    // dueComplete does not move the card out of its list.
    assert_eq!((one.status.as_str(), one.category, one.due_complete), ("Backlog", Category::Todo, true));
    assert_eq!(one.labels, ["yellow", "Bug"]);
    assert_eq!(one.assignee.as_deref(), Some("m1"));
    assert_eq!(one.due_date, NaiveDate::from_ymd_opt(2024, 3, 1));
    assert_eq!(one.due_at.unwrap().to_rfc3339(), "2024-03-01T23:30:00+00:00");
    assert_eq!(one.start_date, NaiveDate::from_ymd_opt(2024, 2, 1));
    assert_eq!(one.created_at.unwrap().to_rfc3339(), "2023-12-31T10:00:00+00:00");
    let bodies: Vec<&str> = one.comments.iter().map(|c| c.body.as_str()).collect();
    assert_eq!(bodies, ["oldest", "newest"]);
    assert_eq!(one.comments[1].author.as_deref(), Some("m9"));
    assert_eq!(one.comments[0].external_id, "a1");

    // Sub-tasks: two checklists on card one → prefixed, in checklist/item order.
    let subs: Vec<(&str, &str, Category, bool)> = project
        .tasks
        .iter()
        .filter(|t| t.parent_external_id.as_deref() == Some("61000000bbbbbbbbbbbbbbbb"))
        .map(|t| (t.title.as_str(), t.status.as_str(), t.category, t.archived))
        .collect();
    assert_eq!(
        subs,
        [
            ("Build: code", "Done", Category::Done, false),
            ("Build: ship", "Done", Category::Done, false),
            ("QA: test it", "To do", Category::Todo, false),
        ]
    );
    let ship = project.tasks.iter().find(|t| t.title == "Build: ship").unwrap();
    assert_eq!(ship.assignee.as_deref(), Some("m3"));
    assert_eq!(ship.due_date, NaiveDate::from_ymd_opt(2024, 2, 10));
    // Sub-tasks come right after their card.
    let position = |id: &str| project.tasks.iter().position(|t| t.external_id == id).unwrap();
    assert_eq!(position("62000000cccccccccccccc02"), position("61000000bbbbbbbbbbbbbbbb") + 1);

    // Card two sits in a closed list: archived, and so is its only sub-task (unprefixed).
    let two = project.tasks.iter().find(|t| t.external_id == "61000001bbbbbbbbbbbbbbbb").unwrap();
    assert!(two.archived);
    let single = project.tasks.iter().find(|t| t.external_id == "62000000cccccccccccccc04").unwrap();
    assert_eq!(single.title, "single");
    assert!(single.archived);

    // Card three: closed card; unreadable due date warned and dropped.
    let three = project.tasks.iter().find(|t| t.external_id == "61000002bbbbbbbbbbbbbbbb").unwrap();
    assert!(three.archived);
    assert_eq!(three.due_at, None);
    assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some("card 61000002bbbbbbbbbbbbbbbb")
        && w.field.as_deref() == Some("due")
        && w.message.contains("\"not a date\"")));
    // created_at from the id when there is no createCard action.
    assert_eq!(three.created_at.unwrap().timestamp(), 0x61000002);

    // Warnings: several members, missing comments.
    assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some("card 61000000bbbbbbbbbbbbbbbb")
        && w.message == "card has 2 members; first becomes assignee"));
    assert!(batch.warnings.iter().any(|w| w.message.starts_with("export holds 2 of 3 comments")));

    // People: the member, the second card member (name from an action), the
    // outside commenter, the checklist item's member — once each.
    let people: Vec<(&str, &str)> =
        batch.people.iter().map(|p| (p.external_id.as_str(), p.display_name.as_str())).collect();
    assert_eq!(people, [("m1", "Ada Lovelace"), ("m2", "Grace Hopper"), ("m9", "Outside Helper"), ("m3", "m3")]);
}

#[test]
fn existing_to_do_and_done_lists_are_reused() {
    let mut value = board();
    value["lists"] = json!([
        {"id": "L1", "name": "To do", "closed": false, "pos": 1},
        {"id": "L2", "name": "Done", "closed": false, "pos": 2},
        {"id": "L4", "name": "Old", "closed": true, "pos": 3}
    ]);
    value["cards"][2]["idList"] = json!("L1");
    let batch = parse(&value);
    let names: Vec<&str> = batch.projects[0].statuses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["To do", "Done", "Old"]);
}

#[test]
fn no_checklists_no_extra_statuses() {
    let mut value = board();
    value["checklists"] = json!([]);
    let batch = parse(&value);
    assert_eq!(batch.projects[0].statuses.len(), 4);
    // The cards referenced checklists that the file lacks.
    assert!(batch.warnings.iter().any(|w| w.message.starts_with("3 checklist(s) on 2 card(s)")));
}

#[test]
fn duplicate_list_names_stay_distinct() {
    let mut value = board();
    value["lists"] = json!([
        {"id": "L1", "name": "Backlog", "closed": false, "pos": 1},
        {"id": "L2", "name": "Backlog", "closed": true, "pos": 2},
        {"id": "L4", "name": "x", "closed": true, "pos": 3}
    ]);
    value["cards"][2]["idList"] = json!("L2");
    value["checklists"] = json!([]);
    let batch = parse(&value);
    let project = &batch.projects[0];
    let three = project.tasks.iter().find(|t| t.external_id == "61000002bbbbbbbbbbbbbbbb").unwrap();
    assert_eq!(three.status, "Backlog (2)");
    assert!(batch.warnings.iter().any(|w| w.message.contains("two lists are named \"Backlog\"")));
}

#[test]
fn card_in_a_list_missing_from_the_export() {
    let mut value = board();
    value["cards"][2]["idList"] = json!("gone");
    let batch = parse(&value);
    let three = batch.projects[0].tasks.iter().find(|t| t.external_id == "61000002bbbbbbbbbbbbbbbb").unwrap();
    assert_eq!(three.status, "list gone");
    assert!(batch.warnings.iter().any(|w| w.field.as_deref() == Some("idList")));
}

#[test]
fn closed_board_is_archived_and_key_falls_back() {
    let mut value = board();
    value["closed"] = json!(true);
    value["name"] = json!("看板");
    let batch = parse(&value);
    assert!(batch.projects[0].archived);
    assert_eq!(batch.projects[0].key_hint, "TRL");
}

fn error_of(bytes: &[u8]) -> keel_import::ImportError {
    trello::parse("board.json", bytes).expect_err("must fail")
}

#[test]
fn not_a_board() {
    let err = error_of(br#"{"id": "x", "name": "not a board"}"#);
    assert_eq!(err.file, "board.json");
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("not a Trello board export: expected keys lists and cards"), "{err}");
    assert!(err.message.contains("found keys: id, name"), "{err}");

    let err = error_of(br#"{"id": "c", "idList": "l", "name": "a card"}"#);
    assert!(err.message.contains("single card"), "{err}");
    let err = error_of(b"[]");
    assert!(err.message.contains("empty"), "{err}");
    let err = error_of(br#"[{"id": "x"}]"#);
    assert!(err.message.contains("element 0"), "{err}");
    let err = error_of(b"42");
    assert!(err.message.contains("number"), "{err}");
}

#[test]
fn invalid_json_names_line_and_column() {
    let err = error_of(b"{\n  \"lists\": [],\n  \"cards\": [,]\n}");
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("column"), "{err}");
    assert!(err.to_string().starts_with("board.json, line 3: "), "{err}");
}

#[test]
fn wrong_types_name_the_line() {
    let err = error_of(b"{\n\"lists\": [],\n\"cards\": [\n{\"id\": 5}\n]}");
    assert_eq!(err.line, Some(4));
    assert!(err.message.contains("invalid type"), "{err}");
}

#[test]
fn truncated_json_says_where_it_stops() {
    let text = serde_json::to_string_pretty(&board()).unwrap();
    let cut = text.find("Card two").unwrap() + 4;
    let err = error_of(&text.as_bytes()[..cut]);
    let expected_line = text[..cut].lines().count() as u64;
    assert_eq!(err.line, Some(expected_line));
    assert!(err.message.contains("ends in the middle of a string in cards[1].name"), "{err}");
    assert!(err.message.contains("cut off"), "{err}");
}

#[test]
fn csv_given_to_the_trello_parser() {
    let err = error_of(b"Summary,Issue key\nA,B-1\n");
    assert!(err.message.contains("CSV"), "{err}");
    assert_eq!(err.line, Some(1));
}

#[test]
fn empty_and_blank_files() {
    assert!(error_of(b"").message.contains("empty"));
    assert!(error_of(b"  \n ").message.contains("white space"));
}

#[test]
fn utf8_bom_and_utf16_boards_parse() {
    let plain = serde_json::to_vec(&board()).unwrap();
    let expected = trello::parse("board.json", &plain).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(&plain);
    assert_eq!(trello::parse("board.json", &bom).unwrap(), expected);
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in String::from_utf8(plain).unwrap().encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(trello::parse("board.json", &utf16).unwrap(), expected);
}

#[test]
fn a_card_without_a_name_is_imported_and_reported() {
    let mut b = board();
    b["cards"][0].as_object_mut().unwrap().remove("name");
    let batch = parse(&b);
    let warning = batch
        .warnings
        .iter()
        .find(|w| w.field.as_deref() == Some("name") && w.record.as_deref() == Some("card 61000000bbbbbbbbbbbbbbbb"))
        .unwrap_or_else(|| panic!("no warning: {:?}", batch.warnings));
    assert!(warning.message.contains("abc123"), "{}", warning.message);
    assert!(all_tasks(&batch).iter().any(|t| t.external_id == "61000000bbbbbbbbbbbbbbbb"));
}
