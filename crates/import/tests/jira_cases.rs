//! Jira CSV behaviour on small hand-made files: column matching, repeated
//! columns, multi-line cells and line numbers, comments, parents, duplicates,
//! notices and errors.

mod common;

use chrono::NaiveDate;
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, jira_csv};

fn parse(text: &str) -> ImportBatch {
    let batch = jira_csv::parse("issues.csv", text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    batch
}

fn task<'a>(batch: &'a ImportBatch, key: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_key.as_deref() == Some(key)).unwrap()
}

const HEADER: &str = "Summary,Issue key,Issue id,Status,Status Category Changed,Sprint,Sprint Goal,\
Labels,Labels,Comment,Comment,Resolution,Original Estimate,Due Date,Assignee,Assignee Id,Created,\
Parent summary,Parent,Description,Project key,Project name";

#[test]
fn columns_match_exactly_and_repeat() {
    let text = format!(
        "{HEADER}\n\
First,ABC-1,100,In Progress,01/Jan/24 1:00 PM,Sprint 1,Goal text,alpha,beta,\
\"02/Jan/24 9:15 AM;acc-1;Hello; with; semicolons\",just words,,7200,15/Feb/24,Ada,acc-1,01/Jan/24 10:00 AM,Parent title,,\"Line one\nline two\",ABC,Alpha project\n\
Second,ABC-2,101,Won't fix it,,,,,gamma,,,Won't Do,,,Unassigned,,01/Jan/24 11:00 AM,First,100,,ABC,Alpha project\n"
    );
    let batch = parse(&text);
    let first = task(&batch, "ABC-1");
    assert_eq!(first.external_id, "100");
    assert_eq!(first.labels, ["alpha", "beta"]);
    // "Status Category Changed" is not "Status Category": category from the name.
    assert_eq!(first.category, Category::Doing);
    assert_eq!(first.estimate_hours, Some(2.0));
    assert_eq!(first.due_date, NaiveDate::from_ymd_opt(2024, 2, 15));
    assert_eq!(first.assignee.as_deref(), Some("acc-1"));
    assert_eq!(first.description, "Line one\nline two");
    // "Parent summary" is not "Parent".
    assert_eq!(first.parent_external_id, None);
    // Comments: date;author;text split on the first two ';' only; a cell of
    // another shape is kept whole, dated like the issue, and warned about.
    assert_eq!(first.comments.len(), 2);
    assert_eq!(first.comments[0].external_id, "100#c1");
    assert_eq!(first.comments[0].author.as_deref(), Some("acc-1"));
    assert_eq!(first.comments[0].body, "Hello; with; semicolons");
    assert_eq!(first.comments[0].created_at.to_rfc3339(), "2024-01-02T09:15:00+00:00");
    assert_eq!(first.comments[1].external_id, "100#c2");
    assert_eq!(first.comments[1].author, None);
    assert_eq!(first.comments[1].body, "just words");
    assert_eq!(Some(first.comments[1].created_at), first.created_at);
    assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some("line 2")
        && w.field.as_deref() == Some("Comment")
        && w.message.contains("\"just words\"")));

    // The second row starts on line 4 (the description spans lines 2–3).
    let second = task(&batch, "ABC-2");
    assert_eq!(second.parent_external_id.as_deref(), Some("100"));
    assert!(second.cancelled);
    assert_eq!(second.assignee, None, "Unassigned is nobody");
    assert_eq!(second.labels, ["gamma"]);
    assert_eq!(batch.projects[0].name, "Alpha project");
    assert_eq!(batch.people.len(), 1);
    assert_eq!(batch.people[0].display_name, "Ada");
}

#[test]
fn line_numbers_count_multi_line_cells() {
    let text = "Summary,Issue key,Created\n\
A,K-1,\"not\na date\"\n\
B,K-2,yesterday\n\
,K-3,\n\
C,K-1,\n";
    let batch = parse(text);
    let created: Vec<(Option<&str>, &str)> = batch
        .warnings
        .iter()
        .filter(|w| w.field.as_deref() == Some("Created"))
        .map(|w| (w.record.as_deref(), w.message.as_str()))
        .collect();
    assert_eq!(created.len(), 2);
    assert_eq!(created[0].0, Some("line 2"));
    assert_eq!(created[1].0, Some("line 4"));
    assert!(created[1].1.contains("\"yesterday\""), "{}", created[1].1);
    let skipped: Vec<(&str, &str)> =
        batch.skipped.iter().map(|n| (n.record.as_deref().unwrap(), n.message.as_str())).collect();
    assert_eq!(skipped, [("line 5", "no summary (K-3): the Summary cell is empty")]);
    // K-1 again with another summary is another issue: kept, under a new number.
    assert!(
        batch.warnings.iter().any(|w| w.record.as_deref() == Some("line 6")
            && w.message.starts_with("key K-1 is used again (first on line 2)"))
    );
    let again = batch.projects[0].tasks.iter().find(|t| t.title == "C").expect("the second K-1 is imported");
    assert_eq!((again.external_id.as_str(), again.external_key.as_deref()), ("K-1#2", None));
}

#[test]
fn duplicate_ids_and_parent_keys() {
    let text = "Summary,Issue key,Issue id,Parent key,Status\n\
Epic,P-1,10,,Open\n\
Child,P-2,11,P-1,Closed\n\
Other,P-3,10,,Open\n\
Orphan,P-4,12,P-99,Open\n";
    let batch = parse(text);
    assert_eq!(task(&batch, "P-2").parent_external_id.as_deref(), Some("10"));
    assert_eq!(task(&batch, "P-2").category, Category::Done);
    assert_eq!(batch.skipped[0].message, "duplicate id 10 (first on line 2)");
    assert_eq!(task(&batch, "P-4").parent_external_id, None);
    assert!(batch.warnings.iter().any(|w| w.message == "parent P-99 is not in the file; imported without parent"));
}

#[test]
fn parent_cycles_are_broken() {
    let text = "Summary,Issue key,Parent\nA,C-1,C-2\nB,C-2,C-1\nSelf,C-3,C-3\n";
    let batch = parse(text);
    let parents: Vec<Option<&str>> = all_tasks(&batch).iter().map(|t| t.parent_external_id.as_deref()).collect();
    assert_eq!(parents.iter().filter(|p| p.is_some()).count(), 1);
    assert_eq!(task(&batch, "C-3").parent_external_id, None);
    assert!(batch.warnings.iter().any(|w| w.message.contains("cycle")));
    assert!(batch.warnings.iter().any(|w| w.message.contains("names itself")));
}

#[test]
fn status_category_column_wins_and_archived_status() {
    let text = "Summary,Issue key,Status,Status Category\n\
A,S-1,Waiting for QA,In Progress\n\
B,S-2,Archived,Done\n\
C,S-3,Cerrada,\n\
D,S-4,Waiting for QA,To Do\n";
    let batch = parse(text);
    let statuses: Vec<(&str, Category)> =
        batch.projects[0].statuses.iter().map(|s| (s.name.as_str(), s.category)).collect();
    assert_eq!(
        statuses,
        [("Waiting for QA", Category::Doing), ("Archived", Category::Done), ("Cerrada", Category::Done)]
    );
    assert!(task(&batch, "S-2").archived);
    assert!(!task(&batch, "S-1").archived);
    // The first appearance decides a status's category.
    assert_eq!(task(&batch, "S-4").category, Category::Doing);
}

#[test]
fn extra_empty_cells_are_ignored_with_a_warning() {
    let text = "Summary,Issue key,Status\nA,X-1,Open,,\nC,X-3,Open";
    let batch = parse(text);
    assert_eq!(all_tasks(&batch).len(), 2);
    assert!(batch.warnings.iter().any(|w| w.record.as_deref() == Some("line 2") && w.message.contains("5 cells")));
    // The last row is complete, so nothing about a cut.
    assert!(!batch.warnings.iter().any(|w| w.message.contains("cut off")));
}

#[test]
fn extra_cell_with_a_value_is_an_error() {
    let err = jira_csv::parse("issues.csv", b"Summary,Issue key,Status\nA,X-1,Open\nB,X-2,Open,surplus\nC,X-3,Open\n")
        .unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("4 fields, the header 3"), "{err}");
    assert!(err.message.contains("field 4 holds \"surplus\""), "{err}");
}

/// Real exports write every cell of every row; a short row anywhere is a
/// damaged file, not empty trailing cells.
#[test]
fn short_row_in_the_middle_is_an_error() {
    let err =
        jira_csv::parse("issues.csv", b"Summary,Issue key,Status,Assignee\nA,X-1,Open,Ada\nB,X-2\nC,X-3,Open,Bo\n")
            .unwrap_err();
    assert_eq!(err.file, "issues.csv");
    assert_eq!(err.line, Some(3));
    assert_eq!(err.field.as_deref(), Some("Status"));
    assert!(err.message.contains("2 fields, the header 4"), "{err}");
    assert!(err.message.contains("from \"Status\" (field 3) on are missing"), "{err}");
    assert!(err.to_string().starts_with("issues.csv, line 3, field Status: "), "{err}");
}

#[test]
fn short_row_after_a_multi_line_cell_names_its_first_line() {
    let err = jira_csv::parse(
        "issues.csv",
        b"Summary,Issue key,Description,Status\nA,X-1,\"two\nlines\",Open\nB,X-2,\"also\ntwo\"\nC,X-3,,Open\n",
    )
    .unwrap_err();
    assert_eq!(err.line, Some(4));
    assert_eq!(err.field.as_deref(), Some("Status"));
}

/// A short last row followed by a line break was not cut mid-row: the same
/// error as in the middle of the file.
#[test]
fn short_last_row_with_a_line_break_is_an_error() {
    let err = jira_csv::parse("issues.csv", b"Summary,Issue key,Status\nA,X-1,Open\nB,X-2\n").unwrap_err();
    assert_eq!(err.line, Some(3));
    assert_eq!(err.field.as_deref(), Some("Status"));
    assert!(err.message.contains("2 fields, the header 3"), "{err}");
}

#[test]
fn semicolon_and_tab_files_and_crlf() {
    let comma = "Summary,Issue key,Status\r\n\"A, with comma\",Y-1,Done\r\nB,Y-2,To Do\r\n";
    let semicolon = "Summary;Issue key;Status\n\"A, with comma\";Y-1;Done\nB;Y-2;To Do\n";
    let tab = "Summary\tIssue key\tStatus\nA, with comma\tY-1\tDone\nB\tY-2\tTo Do";
    let a = parse(comma);
    assert_eq!(task(&a, "Y-1").title, "A, with comma");
    assert_eq!(parse(semicolon).projects, a.projects);
    assert_eq!(parse(tab).projects, a.projects);
}

#[test]
fn key_only_file_uses_keys_as_titles() {
    let batch = parse("Issue key,Status\nK-1,Open\n");
    assert_eq!(task(&batch, "K-1").title, "K-1");
    assert!(batch.warnings.iter().any(|w| w.message.contains("no Summary column")));
}

#[test]
fn summary_only_file() {
    let batch = parse("Summary\nDo the thing\n");
    let tasks = all_tasks(&batch);
    assert_eq!(tasks[0].external_id, "line-2");
    assert_eq!(batch.projects[0].external_id, "JIRA");
    assert_eq!(batch.projects[0].key_hint, "JIRA");
    assert_eq!(tasks[0].status, "To Do");
}

#[test]
fn header_only_file() {
    let batch = parse("Summary,Issue key\n");
    assert!(batch.projects.is_empty());
    assert!(batch.warnings.iter().any(|w| w.message.contains("no issues")));
}

#[test]
fn unknown_layout_names_file_line_and_expected_columns() {
    let err = jira_csv::parse("tasks.csv", b"Title,Owner,When\nA,B,C\n").unwrap_err();
    assert_eq!(err.file, "tasks.csv");
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("Summary") && err.message.contains("Issue key"), "{err}");
    assert!(err.message.contains("\"Title\""), "{err}");
    assert!(err.to_string().starts_with("tasks.csv, line 1: "), "{err}");
}

#[test]
fn cut_inside_a_quoted_cell_names_the_line() {
    let err =
        jira_csv::parse("cut.csv", b"Summary,Issue key,Description\nA,K-1,x\nB,K-2,\"starts here\nand never ends")
            .unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("quoted cell that starts on line 3"), "{err}");
    assert!(err.message.contains("cut off"), "{err}");
}

#[test]
fn short_last_row_without_newline_is_an_error() {
    let err = jira_csv::parse("cut.csv", b"Summary,Issue key,Status\nA,K-1,Open\nB,K-").unwrap_err();
    assert_eq!(err.file, "cut.csv");
    assert_eq!(err.line, Some(3));
    assert_eq!(err.field.as_deref(), Some("Issue key"));
    assert!(err.message.contains("only 2 of 3 fields"), "{err}");
    assert!(err.message.contains("cut off after field \"Issue key\""), "{err}");
    assert!(err.message.contains("nothing was imported"), "{err}");
}

/// The user trial: a half file whose last row ended in "To D" changed a
/// status on re-import, and one ending in "Lastname1, Firstname" made a
/// person. Both are refused now.
#[test]
fn half_rows_from_the_trial_are_refused() {
    let head = "Key\tSummary\tStatus\tAssignee\tSprint\nK-1\tOne\tTo Do\tLastname1, Firstname1 (Student)\tS1\n";
    for (tail, field) in [("K-2\tTwo\tTo D", "Status"), ("K-2\tTwo\tTo Do\tLastname1, Firstname", "Assignee")] {
        let err = jira_csv::parse("plan.csv", format!("{head}{tail}").as_bytes()).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert_eq!(err.field.as_deref(), Some(field));
        assert!(err.message.contains(&format!("cut off after field \"{field}\"")), "{err}");
    }
}

/// Cut inside the last cell of a full-length row: the other rows give it
/// away ("pur" starts "purple", which no row has as "pur"); a complete file
/// with a final line break is trusted.
#[test]
fn last_cell_cut_without_newline_is_refused_when_other_rows_show_it() {
    let head = "Key\tSummary\tIssue color\nK-1\tOne\tpurple\nK-2\tTwo\tpurple\n";
    let err = jira_csv::parse("plan.csv", format!("{head}K-3\tThree\tpur").as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(4));
    assert_eq!(err.field.as_deref(), Some("Issue color"));
    assert!(err.message.contains("\"pur\", the start of \"purple\" (line 2)"), "{err}");
    assert!(err.message.contains("add a line break at its end"), "{err}");
    // Cut just after the tab: an empty cell where every other row has one.
    let err = jira_csv::parse("plan.csv", format!("{head}K-3\tThree\t").as_bytes()).unwrap_err();
    assert_eq!(err.line, Some(4));
    assert!(err.message.contains("is empty while every other record has a value"), "{err}");
    // The same rows complete, or ended by a line break: imported.
    for tail in ["K-3\tThree\tpurple", "K-3\tThree\tpur\n", "K-3\tThree\tgreen", "K-3\tThree\t\n"] {
        let batch = parse(&format!("{head}{tail}"));
        assert_eq!(all_tasks(&batch).len(), 3, "{tail:?}");
    }
    // An empty last cell is fine when other rows have empty cells there too.
    parse("Key\tSummary\tSprint\nK-1\tOne\t\nK-2\tTwo\tS1\nK-3\tThree\t");
}

#[test]
fn header_alone_without_newline_is_an_error() {
    let err = jira_csv::parse("cut.csv", b"Summary,Issue key,Sta").unwrap_err();
    assert_eq!(err.line, Some(1));
    assert_eq!(err.field.as_deref(), Some("Sta"));
    assert!(err.message.contains("only a header line") && err.message.contains("cut off"), "{err}");
    // Cut before the Summary/Key column: the layout error says so too.
    let err = jira_csv::parse("cut.csv", b"Project name,Summ").unwrap_err();
    assert!(err.message.contains("unknown CSV layout") && err.message.contains("cut off"), "{err}");
}

#[test]
fn empty_rows_of_full_length_are_still_skipped() {
    let batch = parse("Summary,Issue key\nA,K-1\n , \nB,K-2\n");
    assert_eq!(all_tasks(&batch).len(), 2);
    assert_eq!(batch.skipped[0].record.as_deref(), Some("line 3"));
    assert_eq!(batch.skipped[0].message, "empty row");
}

#[test]
fn json_given_to_the_jira_parser() {
    let err = jira_csv::parse("board.csv", br#"{"lists": [], "cards": []}"#).unwrap_err();
    assert!(err.message.contains("JSON") && err.message.contains("Trello"), "{err}");
    assert_eq!(err.line, Some(1));
}
