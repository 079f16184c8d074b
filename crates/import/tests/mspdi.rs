//! MS Project XML: the real Spanish plan (expected values read from the
//! file's text here by plain string scanning), a hand-made plan with links,
//! % complete and work, and broken files.

mod common;

use chrono::NaiveDate;
use common::*;
use keel_import::{Category, ImportBatch, ImportTask, mspdi};

fn tag<'a>(block: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find(&format!("</{name}>"))? + start;
    Some(&block[start..end])
}

fn task<'a>(batch: &'a ImportBatch, uid: &str) -> &'a ImportTask {
    all_tasks(batch).into_iter().find(|t| t.external_id == uid).unwrap_or_else(|| panic!("no UID {uid}"))
}

#[test]
fn the_real_plan_keeps_its_outline_milestones_and_dates() {
    let relative = "msproject/mspdi-spanish-plan-trimmed.xml";
    let text = String::from_utf8(read_real(relative)).unwrap();
    let batch = mspdi::parse(file_name(relative), text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_consistent(&batch);
    assert_eq!(batch.projects.len(), 1);
    assert_eq!(batch.projects[0].name, tag(&text, "Name").unwrap());
    let blocks: Vec<&str> = text.split("<Task>").skip(1).map(|b| b.split("</Task>").next().unwrap()).collect();
    assert_eq!(all_tasks(&batch).len(), blocks.len());
    let outline: Vec<(&str, &str)> =
        blocks.iter().map(|b| (tag(b, "OutlineNumber").unwrap(), tag(b, "UID").unwrap())).collect();
    let mut missing_parents = 0;
    for b in &blocks {
        let uid = tag(b, "UID").unwrap();
        let t = task(&batch, uid);
        assert_eq!(t.title, tag(b, "Name").unwrap());
        let finish = NaiveDate::parse_from_str(&tag(b, "Finish").unwrap()[..10], "%Y-%m-%d").unwrap();
        assert_eq!(t.due_date, Some(finish), "UID {uid}");
        assert_eq!(t.labels.contains(&"milestone".to_string()), tag(b, "Milestone") == Some("1"), "UID {uid}");
        // The parent: the nearest outline level above that the file has.
        let number = tag(b, "OutlineNumber").unwrap();
        let mut up = number;
        let mut expected = None;
        let mut skipped_levels = 0;
        while let Some((head, _)) = up.rsplit_once('.') {
            if let Some((_, parent)) = outline.iter().find(|(n, _)| *n == head) {
                expected = Some(parent.to_string());
                break;
            }
            skipped_levels += 1;
            up = head;
        }
        if skipped_levels > 0 {
            missing_parents += 1;
        }
        assert_eq!(t.parent_external_id, expected, "UID {uid} at {number}");
    }
    assert!(missing_parents > 0, "the file has a task whose parent row is missing");
    assert_eq!(batch.warnings.iter().filter(|w| w.field.as_deref() == Some("OutlineNumber")).count(), missing_parents);
}

const PLAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="http://schemas.microsoft.com/project">
  <Name>R&amp;D 发布计划</Name>
  <Tasks>
    <Task><UID>0</UID><Name>R&amp;D 发布计划</Name><OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel></Task>
    <Task><UID>1</UID><Name>设计</Name><OutlineNumber>1</OutlineNumber><OutlineLevel>1</OutlineLevel>
      <Start>2026-01-05T08:00:00</Start><Finish>2026-01-09T17:00:00</Finish><PercentComplete>100</PercentComplete>
      <Work>PT40H0M0S</Work><Notes>Specs &lt;v2&gt; signed</Notes></Task>
    <Task><UID>2</UID><Name>开发</Name><OutlineNumber>2</OutlineNumber><OutlineLevel>1</OutlineLevel>
      <Start>2026-01-12T08:00:00</Start><Finish>2026-01-30T17:00:00</Finish><PercentComplete>40</PercentComplete>
      <Work>PT16H30M0S</Work>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink>
      <PredecessorLink><PredecessorUID>9</PredecessorUID><Type>1</Type></PredecessorLink></Task>
    <Task><UID>3</UID><Name>发布</Name><OutlineNumber>3</OutlineNumber><OutlineLevel>1</OutlineLevel>
      <Start>2026-02-02T17:00:00</Start><Finish>2026-02-02T17:00:00</Finish><Milestone>1</Milestone>
      <PredecessorLink><PredecessorUID>2</PredecessorUID></PredecessorLink>
      <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>3</Type></PredecessorLink></Task>
  </Tasks>
</Project>
"#;

#[test]
fn links_progress_work_and_entities() {
    let batch = mspdi::parse("plan.xml", PLAN.as_bytes()).unwrap();
    assert_consistent(&batch);
    assert_eq!(batch.projects[0].name, "R&D 发布计划");
    assert_eq!(all_tasks(&batch).len(), 3, "the project's own row (UID 0) is not a task");
    let design = task(&batch, "1");
    assert_eq!((design.category, design.progress, design.estimate_hours), (Category::Done, Some(1.0), Some(40.0)));
    assert_eq!(design.description, "Specs <v2> signed");
    let build = task(&batch, "2");
    assert_eq!((build.category, build.progress, build.estimate_hours), (Category::Doing, Some(0.4), Some(16.5)));
    // UID 9 is not in the file: the link is reported and left out.
    assert_eq!(build.depends_on, ["1"]);
    let launch = task(&batch, "3");
    assert_eq!(launch.labels, ["milestone"]);
    assert_eq!(
        (launch.start_date, launch.due_date),
        (NaiveDate::from_ymd_opt(2026, 2, 2), NaiveDate::from_ymd_opt(2026, 2, 2))
    );
    // A link without a type is finish-to-start; start-to-start is left out with a warning.
    assert_eq!(launch.depends_on, ["2"]);
    let fields: Vec<&str> = batch.warnings.iter().filter_map(|w| w.field.as_deref()).collect();
    assert_eq!(fields.iter().filter(|f| **f == "PredecessorLink").count(), 2, "{:?}", batch.warnings);
}

#[test]
fn broken_plans_are_refused_with_where() {
    let cut = &PLAN[..PLAN.find("<Name>开发").unwrap()];
    let err = mspdi::parse("plan.xml", cut.as_bytes()).unwrap_err();
    assert!(err.message.contains("cut off"), "{err}");
    assert!(err.line.is_some());
    let err = mspdi::parse("plan.xml", b"<?xml version=\"1.0\"?><Board><Card/></Board>").unwrap_err();
    assert!(err.message.contains("not MS Project XML"), "{err}");
    let err = mspdi::parse("plan.xml", b"<Project><Tasks><Task><UID>1</Name></Task></Tasks></Project>").unwrap_err();
    assert!(err.message.contains("not well-formed"), "{err}");
    let err = mspdi::parse("plan.xml", b"<Project><Tasks><Task><Name>x</Name></Task></Tasks></Project>").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("UID"), "{err}");
}
