//! Whatever the bytes, the parsers return a batch or an error, never panic,
//! and every batch they return is internally consistent.

mod common;

use common::*;
use keel_import::{asana, csv_generic, github, jira_csv, jira_json, mspdi, trello};
use proptest::prelude::*;

/// PROPTEST_CASES overrides the default number of cases (for longer runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn check_both(bytes: &[u8]) {
    match trello::parse("fuzz.json", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz.json"),
    }
    match jira_csv::parse("fuzz.csv", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz.csv"),
    }
    match github::parse("fuzz-issues.json", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz-issues.json"),
    }
    match asana::parse("fuzz-asana", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz-asana"),
    }
    match csv_generic::parse("fuzz-generic.csv", bytes, &[]) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz-generic.csv"),
    }
    match mspdi::parse("fuzz.xml", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz.xml"),
    }
    match jira_json::parse("fuzz-jira.json", bytes) {
        Ok(batch) => assert_consistent(&batch),
        Err(e) => assert_eq!(e.file, "fuzz-jira.json"),
    }
}

const CSV_TOKENS: &[&str] = &[
    "Summary",
    "Issue key",
    "Issue id",
    "Parent",
    "Parent id",
    "Parent key",
    "Status",
    "Status Category",
    "Comment",
    "Labels",
    "Created",
    "Due date",
    "Original Estimate",
    "Assignee",
    "Assignee Id",
    "Resolution",
    "Project key",
    ",",
    ",",
    ",",
    "\t",
    ";",
    "\"",
    "\"\"",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "A-1",
    "A-2",
    "B-1",
    "10",
    "11",
    "09/Jan/24 3:54 PM",
    "2024-01-09T15:54:00.000+0300",
    "5/17/25",
    "x;acc;text",
    "Done",
    "To Do",
    "Won't Do",
    "Unassigned",
    "é",
    "日本",
    " ",
    "",
    "\u{FEFF}",
    "7200",
    "-1",
    "Archived",
    "Title",
    "Name",
    "State Name",
    "Identifier",
    "Parent",
    "[\"a\", \"b\"]",
    "JKO-5: x",
];

const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"lists\"",
    "\"cards\"",
    "\"checklists\"",
    "\"checkItems\"",
    "\"actions\"",
    "\"members\"",
    "\"id\"",
    "\"idList\"",
    "\"idCard\"",
    "\"idMembers\"",
    "\"name\"",
    "\"closed\"",
    "\"pos\"",
    "\"due\"",
    "\"type\"",
    "\"commentCard\"",
    "\"createCard\"",
    "\"data\"",
    "\"card\"",
    "\"text\"",
    "\"date\"",
    "\"state\"",
    "\"complete\"",
    "\"badges\"",
    "\"comments\"",
    "\"x\"",
    "\"y\"",
    "\"2024-01-01T00:00:00Z\"",
    "\"54b0fd8dee901a913afe5f84\"",
    "1",
    "2.5",
    "null",
    "true",
    "false",
    "\"Done\"",
    "\"To do\"",
    "\"number\"",
    "\"title\"",
    "\"items\"",
    "\"response\"",
    "\"labels\"",
    "\"milestone\"",
    "\"pull_request\"",
    "\"repository_url\"",
    "\"https://api.github.com/repos/a/b\"",
    "\"open\"",
    "\"closed\"",
    "\"gid\"",
    "\"memberships\"",
    "\"section\"",
    "\"project\"",
    "\"completed\"",
    "\"parent\"",
    "\"{10} Ready:\"",
    "\"key\"",
    "\"fields\"",
    "\"issues\"",
    "\"summary\"",
    "\"APP-1\"",
];

fn tokens(alphabet: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(alphabet), 0..120).prop_map(|t| t.concat())
}

/// A real file with a cut and a few replaced bytes.
fn damaged_real() -> impl Strategy<Value = Vec<u8>> {
    let files: Vec<&'static str> = TRELLO_FILES
        .iter()
        .chain(JIRA_FILES)
        .chain(GITHUB_FILES)
        .chain(ASANA_FILES)
        .chain(OTHER_FILES)
        .copied()
        .collect();
    (
        prop::sample::select(files),
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    )
        .prop_map(|(file, cut, edits)| {
            let mut bytes = read_real(file);
            let len = cut.index(bytes.len() + 1);
            bytes.truncate(len);
            if !bytes.is_empty() {
                for (at, value) in edits {
                    let i = at.index(bytes.len());
                    bytes[i] = value;
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_both(&bytes);
    }

    #[test]
    fn csv_like_text_never_panics(text in tokens(CSV_TOKENS)) {
        check_both(text.as_bytes());
    }

    #[test]
    fn json_like_text_never_panics(text in tokens(JSON_TOKENS)) {
        check_both(text.as_bytes());
    }

    #[test]
    fn damaged_real_files_never_panic(bytes in damaged_real()) {
        check_both(&bytes);
    }
}

/// Small boards whose ids, names and references collide on purpose.
fn trello_board() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::json;
    let list = (
        prop::sample::select(vec!["L1", "L2", "L3"]),
        prop::sample::select(vec!["To do", "Done", "Doing", "Done", "", " "]),
        any::<bool>(),
        -5.0f64..5.0,
    )
        .prop_map(|(id, name, closed, pos)| json!({"id": id, "name": name, "closed": closed, "pos": pos}));
    let card = (
        prop::sample::select(vec!["c1", "c2", "c3", "54b0fd8dee901a913afe5f84"]),
        prop::option::of(prop::sample::select(vec!["L1", "L2", "L9"])),
        prop::collection::vec(prop::sample::select(vec!["m1", "m2", " ", ""]), 0..3),
        prop::sample::select(vec!["", "2024-01-01T00:00:00.000Z", "bad"]),
        0u64..4,
        any::<bool>(),
    )
        .prop_map(|(id, list, members, due, comments, closed)| {
            json!({"id": id, "idList": list, "idMembers": members, "due": due, "name": "n",
                   "closed": closed, "badges": {"comments": comments}, "labels": [{"name": "", "color": null}]})
        });
    let item = (prop::sample::select(vec!["i1", "i2", "c1"]), any::<bool>(), prop::option::of(prop::sample::select(vec!["m1", "m3"])))
        .prop_map(|(id, done, member)| json!({"id": id, "name": "item", "state": if done {"complete"} else {"incomplete"}, "idMember": member}));
    let checklist = (prop::sample::select(vec!["c1", "c2", "cX"]), prop::collection::vec(item, 0..3))
        .prop_map(|(card, items)| json!({"idCard": card, "name": "cl", "checkItems": items}));
    let action = (
        prop::sample::select(vec!["commentCard", "createCard", "updateCard"]),
        prop::sample::select(vec!["c1", "c2", "zz"]),
        prop::sample::select(vec!["2024-01-01T00:00:00.000Z", "2023-01-01T00:00:00Z", "nope"]),
        prop::sample::select(vec!["m1", "m4", ""]),
        prop::sample::select(vec!["a1", "a2", "a3"]),
    )
        .prop_map(|(kind, card, date, member, id)| {
            json!({"id": id, "type": kind, "date": date, "idMemberCreator": member,
                   "memberCreator": {"id": member, "fullName": ""}, "data": {"card": {"id": card}, "text": "t"}})
        });
    (
        prop::collection::vec(list, 0..4),
        prop::collection::vec(card, 0..5),
        prop::collection::vec(checklist, 0..4),
        prop::collection::vec(action, 0..5),
        prop::sample::select(vec!["", "Board", "看板", "A b C d E f G h I j K l"]),
    )
        .prop_map(|(lists, cards, checklists, actions, name)| {
            json!({"id": "b", "name": name, "lists": lists, "cards": cards, "checklists": checklists,
                   "actions": actions, "members": [{"id": "m1", "fullName": "One"}, {"id": "m1"}]})
        })
}

/// Small Jira CSVs whose keys, ids and parents collide on purpose.
fn jira_rows() -> impl Strategy<Value = String> {
    let row = (
        prop::sample::select(vec!["", "S"]),
        prop::sample::select(vec!["", "A-1", "A-2", "B-1", "10"]),
        prop::sample::select(vec!["", "10", "11", "A-2"]),
        prop::sample::select(vec!["", "A-1", "10", "11", "B-1", "Z-9"]),
        prop::sample::select(vec!["", "A", "B", "x"]),
        prop::sample::select(vec!["", "Done", "To Do", "Archived", "done"]),
        prop::sample::select(vec!["", "To Do", "Done", "Weird"]),
        prop::sample::select(vec!["", "Unassigned", "Ann"]),
        prop::sample::select(vec!["", "acc", " "]),
        prop::sample::select(vec!["", "bad;;", "09/Jan/24 3:54 PM;acc;hi", "no date;acc;x"]),
    )
        .prop_map(|(s, key, id, parent, project, status, category, assignee, assignee_id, comment)| {
            format!("{s},{key},{id},{parent},{project},{status},{category},{assignee},{assignee_id},\"{comment}\"")
        });
    prop::collection::vec(row, 0..8).prop_map(|rows| {
        let mut text = String::from(
            "Summary,Issue key,Issue id,Parent,Project key,Status,Status Category,Assignee,Assignee Id,Comment\n",
        );
        for row in rows {
            text.push_str(&row);
            text.push('\n');
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn generated_boards_are_consistent(board in trello_board()) {
        let bytes = serde_json::to_vec(&board).unwrap();
        let batch = trello::parse("gen.json", &bytes).unwrap();
        assert_consistent(&batch);
    }

    #[test]
    fn generated_jira_files_are_consistent(text in jira_rows()) {
        let batch = jira_csv::parse("gen.csv", text.as_bytes()).unwrap();
        assert_consistent(&batch);
    }
}
