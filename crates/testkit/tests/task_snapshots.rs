//! Whole-project task lists kept between requests (boards, Gantt charts,
//! tables of big projects), on both backends: a kept list is never served
//! to another viewer, never after a recorded change, and carries the same
//! links as the tasks read one by one.

use keel_app::store::{Page, TaskFilter};
use keel_app::{Actor, App, Settings};
use keel_domain::org::Role;
use keel_domain::work::Task;
use keel_domain::*;
use keel_testkit::{BACKENDS, fresh};
use serde_json::{Value, json};

/// More than the app keeps between requests (1,000) and more than the
/// store reads links for by id (500).
const TASKS: usize = 1_200;

fn input<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

fn whole(project: ProjectId) -> TaskFilter {
    TaskFilter { project_ids: Some(vec![project]), without_descriptions: true, ..Default::default() }
}

async fn actor(app: &App, login: &str, role: Role) -> Actor {
    app.add_login_user(login, login, "password-1234", role).await.unwrap();
    let token = app.create_token(login, "tests").await.unwrap();
    app.token_actor(&token).await.unwrap()
}

async fn list(app: &App, who: &Actor, project: ProjectId) -> Vec<Task> {
    let (tasks, total) = app.list_tasks(who, whole(project), Page::ALL).await.unwrap();
    assert_eq!(total as usize, tasks.len());
    tasks
}

#[tokio::test]
async fn kept_task_lists_follow_changes_and_viewers() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let app = App::new(db.store.clone(), Settings::default());
        let admin = actor(&app, "admin", Role::Admin).await;
        let member = actor(&app, "mia", Role::Member).await;

        // A private objective's key result (the member may not see it) and a public one.
        let cycle = app
            .create_cycle(
                &admin,
                input(json!({"name": "2026-Q4", "start_date": "2026-10-01", "end_date": "2026-12-31"})),
            )
            .await
            .unwrap();
        let mut krs = Vec::new();
        for private in [true, false] {
            let objective = app
                .create_objective(
                    &admin,
                    input(json!({"cycle_id": cycle.id, "title": format!("目标 private={private}"),
                                 "level": "company", "private": private})),
                )
                .await
                .unwrap();
            let kr = app
                .create_key_result(
                    &admin,
                    input(json!({"objective_id": objective.id, "title": "留存率 retention", "kind": "metric",
                                 "start_value": 40.0, "target_value": 60.0})),
                )
                .await
                .unwrap();
            krs.push(kr.id);
        }
        let (hidden_kr, open_kr) = (krs[0], krs[1]);
        let project = app.create_project(&admin, input(json!({"key": "BIG", "name": "大项目 Big"}))).await.unwrap();

        // Every third task supports both key results; each depends on the one before.
        let mut created: Vec<Task> = Vec::new();
        for n in 0..TASKS {
            let links = if n % 3 == 0 { vec![hidden_kr, open_kr] } else { vec![] };
            let depends_on: Vec<TaskId> = created.last().map(|t| t.id).into_iter().collect();
            let task = app
                .create_task(
                    &admin,
                    input(json!({"project_id": project.id, "title": format!("任务 {n}"),
                                 "key_result_ids": links, "depends_on": depends_on})),
                )
                .await
                .unwrap();
            created.push(task);
        }

        // The admin's list, twice (the second is the kept one): every task with the links each has alone.
        for _ in 0..2 {
            let tasks = list(&app, &admin, project.id).await;
            assert_eq!(tasks.len(), TASKS, "{backend:?}");
            for (listed, alone) in tasks.iter().zip(&created) {
                assert_eq!(listed.id, alone.id);
                assert_eq!(listed.key_result_ids, alone.key_result_ids, "{backend:?} {}", listed.key);
                assert_eq!(listed.depends_on, alone.depends_on, "{backend:?} {}", listed.key);
            }
            assert_eq!(tasks[3].key_result_ids, vec![hidden_kr, open_kr]);
        }

        // The member right after: the private key result is not theirs to see, kept list or not.
        let seen = list(&app, &member, project.id).await;
        assert_eq!(seen.len(), TASKS);
        assert_eq!(seen[3].key_result_ids, vec![open_kr], "{backend:?}");
        assert!(seen.iter().all(|t| !t.key_result_ids.contains(&hidden_kr)), "{backend:?}");

        // A change (recorded) shows at once in both lists.
        let target = &created[700];
        app.update_task(
            &admin,
            target.id,
            input(json!({"title": "改过的标题 renamed", "status": "Done", "version": target.version})),
        )
        .await
        .unwrap();
        for who in [&admin, &member] {
            let tasks = list(&app, who, project.id).await;
            let changed = tasks.iter().find(|t| t.id == target.id).unwrap();
            assert_eq!(changed.title, "改过的标题 renamed", "{backend:?}");
            assert_eq!(changed.status, "Done", "{backend:?}");
        }

        // A new task (with the hidden key result) and an archived one.
        let last = app
            .create_task(
                &admin,
                input(
                    json!({"project_id": project.id, "title": "最后一个 last", "key_result_ids": [hidden_kr, open_kr]}),
                ),
            )
            .await
            .unwrap();
        let gone = &created[5];
        app.update_task(&admin, gone.id, input(json!({"archived": true, "version": gone.version}))).await.unwrap();
        for (who, links) in [(&admin, vec![hidden_kr, open_kr]), (&member, vec![open_kr])] {
            let tasks = list(&app, who, project.id).await;
            assert_eq!(tasks.len(), TASKS, "{backend:?}: one more, one archived");
            assert!(tasks.iter().all(|t| t.id != gone.id), "{backend:?}");
            let newest = tasks.last().unwrap();
            assert_eq!((newest.id, &newest.title), (last.id, &last.title), "{backend:?}");
            assert_eq!(newest.key_result_ids, links, "{backend:?}");
            // Still in the store's order.
            assert!(tasks.windows(2).all(|w| w[0].number < w[1].number), "{backend:?}");
        }

        // The project made private: the member's list is empty, kept lists notwithstanding.
        app.update_project(&admin, project.id, input(json!({"private": true, "version": project.version})))
            .await
            .unwrap();
        assert_eq!(list(&app, &member, project.id).await.len(), 0, "{backend:?}");
        assert_eq!(list(&app, &admin, project.id).await.len(), TASKS, "{backend:?}");
    }
}
