//! A project with a long history for the board page: 2,000 archived tasks
//! and 300 open ones spread over the default workflow's statuses, written in
//! one transaction through the storage traits.

use chrono::Utc;
use keel_app::work::ProjectInput;
use keel_app::{Actor, App};
use keel_domain::TaskId;
use keel_domain::work::{Priority, StatusCategory, Task};
use std::time::Instant;

pub const ARCHIVED: usize = 2000;
pub const OPEN: usize = 300;

const STATUSES: [(&str, StatusCategory); 4] = [
    ("To do", StatusCategory::Todo),
    ("In progress", StatusCategory::Doing),
    ("In review", StatusCategory::Doing),
    ("Done", StatusCategory::Done),
];

pub struct BigBoard {
    pub project: i64,
    pub write_secs: f64,
}

pub async fn generate(app: &App) -> anyhow::Result<BigBoard> {
    let t0 = Instant::now();
    let input: ProjectInput = serde_json::from_value(serde_json::json!({
        "key": "BIGBOARD",
        "name": "Big board 大看板 (2,000 archived + 300 open)",
    }))?;
    let project = app.create_project(&Actor::system(), input).await?;
    let mut tx = app.store.write().await?;
    let now = Utc::now();
    for i in 0..ARCHIVED + OPEN {
        let number = tx.next_task_number(project.id).await?;
        // Every seventh of the first 2,100 is open (300 in all), so the open
        // cards are spread through the history rather than at its end.
        let archived = !(i % 7 == 0 && i / 7 < OPEN);
        let (status, category) = STATUSES[i % STATUSES.len()];
        tx.insert_task(&Task {
            id: TaskId(0),
            project_id: project.id,
            number,
            key: String::new(),
            title: format!("Board task {number} 看板任务"),
            description: String::new(),
            status: status.into(),
            category,
            blocked: i % 17 == 0,
            blocked_reason: None,
            priority: Priority::Medium,
            assignee_id: None,
            reporter_id: None,
            start_date: None,
            due_date: None,
            estimate: None,
            progress: None,
            parent_id: None,
            labels: vec![],
            key_result_ids: vec![],
            depends_on: vec![],
            cancelled: false,
            archived,
            source: None,
            external_id: None,
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(BigBoard { project: project.id.0, write_secs: t0.elapsed().as_secs_f64() })
}
