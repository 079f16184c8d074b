//! The storage contract: every backend must pass every check here, for real
//! (an SQLite file and a PostgreSQL database).

use chrono::{NaiveDate, TimeZone, Utc};
use keel_app::StoreError;
use keel_app::store::{Change, KrScope, Page, TaskFilter, Tx, Viewer};
use keel_domain::okr::*;
use keel_domain::org::*;
use keel_domain::work::*;
use keel_domain::*;
use keel_testkit::{BACKENDS, Backend, fresh};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn user(login: &str, units: Vec<UnitId>) -> User {
    User {
        id: UserId(0),
        login: Some(login.into()),
        display_name: format!("{login} 名字"),
        email: None,
        role: Role::Member,
        lang: Some(Lang::Zh),
        time_zone: "Asia/Shanghai".into(),
        can_login: true,
        units,
        version: 0,
    }
}

fn project(
    key: &str,
    private: bool,
    owner: Option<UserId>,
    unit: Option<UnitId>,
    parent: Option<ProjectId>,
) -> Project {
    Project {
        id: ProjectId(0),
        key: key.into(),
        name: format!("{key} project"),
        description: String::new(),
        parent_id: parent,
        owner_id: owner,
        unit_id: unit,
        status: ProjectStatus::Active,
        start_date: Some(day(2026, 10, 1)),
        target_date: Some(day(2026, 12, 31)),
        private,
        workflow: default_workflow(),
        key_result_ids: vec![],
        source: None,
        archived: false,
        version: 0,
        created_at: Utc::now(),
    }
}

fn task(project: ProjectId, number: i64, title: &str) -> Task {
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap();
    Task {
        id: TaskId(0),
        project_id: project,
        number,
        key: String::new(),
        title: title.into(),
        description: String::new(),
        status: "To do".into(),
        category: StatusCategory::Todo,
        blocked: false,
        blocked_reason: None,
        priority: Priority::Medium,
        assignee_id: None,
        reporter_id: None,
        start_date: None,
        due_date: Some(day(2026, 12, 1)),
        estimate: Some(4.0),
        progress: None,
        parent_id: None,
        labels: vec![],
        key_result_ids: vec![],
        depends_on: vec![],
        cancelled: false,
        archived: false,
        source: None,
        external_id: None,
        created_at: now,
        updated_at: now,
        version: 0,
    }
}

async fn write(db: &keel_testkit::TestDb) -> Box<dyn Tx> {
    db.store.write().await.unwrap()
}

#[tokio::test]
async fn people_units_and_versions() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let root = tx
            .insert_unit(&Unit {
                id: UnitId(0),
                parent_id: None,
                name: "公司".into(),
                region: None,
                lead_id: None,
                version: 0,
            })
            .await
            .unwrap();
        let shenzhen = tx
            .insert_unit(&Unit {
                id: UnitId(0),
                parent_id: Some(root),
                name: "深圳研发".into(),
                region: Some("Shenzhen".into()),
                lead_id: None,
                version: 0,
            })
            .await
            .unwrap();
        let id = tx.insert_user(&user("li", vec![shenzhen]), None).await.unwrap();
        tx.set_password(id, "hash").await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let (found, hash) = tx.find_user_by_login("li").await.unwrap().expect("user by login");
        assert_eq!(found.id, id, "{backend:?}");
        assert_eq!(found.units, vec![shenzhen], "{backend:?}");
        assert_eq!(found.lang, Some(Lang::Zh), "{backend:?}");
        assert!(found.can_login, "{backend:?}");
        assert_eq!(hash.as_deref(), Some("hash"), "{backend:?}");
        assert_eq!(found.version, 1, "{backend:?}");
        let units = tx.list_units().await.unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[1].region.as_deref(), Some("Shenzhen"));
        drop(tx);

        // A stale version is refused and changes nothing.
        let mut tx = write(&db).await;
        let mut renamed = found.clone();
        renamed.display_name = "李四".into();
        assert_eq!(tx.update_user(&renamed).await.unwrap(), 2);
        let mut stale = found.clone();
        stale.display_name = "王五".into();
        assert!(matches!(tx.update_user(&stale).await, Err(StoreError::Stale)), "{backend:?}");
        let mut missing = found.clone();
        missing.id = UserId(9999);
        assert!(matches!(tx.update_user(&missing).await, Err(StoreError::NotFound)), "{backend:?}");
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        assert_eq!(tx.get_user(id).await.unwrap().unwrap().display_name, "李四", "{backend:?}");

        // Unique logins are enforced by the store.
        drop(tx);
        let mut tx = write(&db).await;
        assert!(matches!(tx.insert_user(&user("li", vec![]), None).await, Err(StoreError::Unique(_))), "{backend:?}");
    }
}

#[tokio::test]
async fn text_of_any_script_round_trips_byte_identical() {
    let samples = [
        "提升用户留存率",
        "ユーザー維持率を上げる",
        "เพิ่มอัตราการรักษาผู้ใช้",
        "emoji 🎯🚀 and 𝄞 (4-byte)",
        "tab\tand\nnewline",
    ];
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let p = tx.insert_project(&project("TXT", false, None, None, None), None).await.unwrap();
        let mut ids = Vec::new();
        for (i, s) in samples.iter().enumerate() {
            let mut t = task(p, i as i64 + 1, s);
            t.description = s.repeat(3);
            t.labels = vec![s.to_string()];
            ids.push(tx.insert_task(&t).await.unwrap());
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        for (id, s) in ids.iter().zip(samples) {
            let t = tx.get_task(*id).await.unwrap().unwrap();
            assert_eq!(t.title.as_bytes(), s.as_bytes(), "{backend:?}");
            assert_eq!(t.description, s.repeat(3), "{backend:?}");
            assert_eq!(t.labels, vec![s.to_string()], "{backend:?}");
        }
    }
}

#[tokio::test]
async fn okrs_and_check_ins() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let owner = tx.insert_user(&user("owner", vec![]), None).await.unwrap();
        let cycle = tx
            .insert_cycle(&Cycle {
                id: CycleId(0),
                name: "2026-Q4".into(),
                start_date: day(2026, 10, 1),
                end_date: day(2026, 12, 31),
                state: CycleState::Active,
                parent_id: None,
                version: 0,
            })
            .await
            .unwrap();
        let objective = tx
            .insert_objective(&Objective {
                id: ObjectiveId(0),
                cycle_id: cycle,
                title: "提升用户留存率".into(),
                description: String::new(),
                level: ObjectiveLevel::Company,
                unit_id: None,
                owner_id: owner,
                parent_objective_id: None,
                parent_key_result_id: None,
                private: false,
                version: 0,
                created_at: Utc::now(),
            })
            .await
            .unwrap();
        let kr = KeyResult {
            id: KeyResultId(0),
            objective_id: objective,
            title: "留存率提升至45%".into(),
            owner_id: owner,
            kind: KrKind::Metric,
            weight: 1.0,
            start_value: Some(38.0),
            target_value: Some(45.0),
            current_value: None,
            unit_label: Some("%".into()),
            direction: None,
            due_date: Some(day(2026, 12, 31)),
            status_override: None,
            override_reason: None,
            position: 0,
            version: 0,
        };
        let kr_id = tx.insert_key_result(&kr).await.unwrap();
        let at1 = Utc.with_ymd_and_hms(2026, 10, 15, 2, 0, 0).unwrap();
        let at2 = Utc.with_ymd_and_hms(2026, 11, 1, 2, 0, 0).unwrap();
        // Inserted out of order; listed oldest first.
        for (at, v) in [(at2, 41.5), (at1, 39.0)] {
            tx.insert_check_in(&CheckIn {
                id: CheckInId(0),
                key_result_id: kr_id,
                author_id: owner,
                at,
                value: Some(v),
                progress: (v - 38.0) / 7.0,
                confidence: Some(7),
                note: "周报".into(),
            })
            .await
            .unwrap();
        }
        tx.insert_kr_item(&KrItem {
            id: KrItemId(0),
            key_result_id: kr_id,
            title: "调研".into(),
            weight: 2.0,
            done: true,
            position: 0,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let krs = tx.list_key_results(KrScope::Objectives(&[objective])).await.unwrap();
        assert_eq!(tx.list_key_results(KrScope::Cycle(cycle)).await.unwrap(), krs, "{backend:?}");
        assert_eq!(tx.list_key_results(KrScope::KeyResults(&[kr_id])).await.unwrap(), krs);
        assert_eq!(krs.len(), 1);
        assert_eq!(krs[0].start_value, Some(38.0));
        assert_eq!(krs[0].kind, KrKind::Metric);
        assert_eq!(krs[0].due_date, Some(day(2026, 12, 31)), "{backend:?}");
        let check_ins = tx.list_check_ins(KrScope::KeyResults(&[kr_id])).await.unwrap();
        assert_eq!(tx.list_check_ins(KrScope::Cycle(cycle)).await.unwrap(), check_ins, "{backend:?}");
        assert!(tx.list_check_ins(KrScope::KeyResults(&[])).await.unwrap().is_empty());
        assert_eq!(check_ins.iter().map(|c| c.at).collect::<Vec<_>>(), vec![at1, at2], "{backend:?}");
        assert_eq!(check_ins[1].value, Some(41.5));
        assert_eq!(check_ins[0].confidence, Some(7));
        let items = tx.list_kr_items(KrScope::Cycle(cycle)).await.unwrap();
        assert_eq!(tx.list_kr_items(KrScope::Objectives(&[objective])).await.unwrap(), items);
        assert!(items[0].done, "{backend:?}");
        assert_eq!(tx.get_cycle(cycle).await.unwrap().unwrap().start_date, day(2026, 10, 1));
        drop(tx);

        // A cycle's scope never reaches into another cycle.
        let mut tx = write(&db).await;
        let first_cycle = tx.get_cycle(cycle).await.unwrap().unwrap();
        let next_cycle =
            Cycle { name: "2027-Q1".into(), start_date: day(2027, 1, 1), end_date: day(2027, 3, 31), ..first_cycle };
        let next = tx.insert_cycle(&next_cycle).await.unwrap();
        let first_objective = tx.get_objective(objective).await.unwrap().unwrap();
        let other = tx.insert_objective(&Objective { cycle_id: next, ..first_objective }).await.unwrap();
        let other_kr = tx.insert_key_result(&KeyResult { objective_id: other, ..kr.clone() }).await.unwrap();
        tx.insert_check_in(&CheckIn {
            id: CheckInId(0),
            key_result_id: other_kr,
            author_id: owner,
            at: at2,
            value: Some(1.0),
            progress: 0.0,
            confidence: None,
            note: String::new(),
        })
        .await
        .unwrap();
        assert_eq!(tx.list_key_results(KrScope::Cycle(cycle)).await.unwrap().len(), 1, "{backend:?}");
        assert_eq!(tx.list_check_ins(KrScope::Cycle(cycle)).await.unwrap().len(), 2, "{backend:?}");
        assert_eq!(tx.list_check_ins(KrScope::Cycle(next)).await.unwrap().len(), 1, "{backend:?}");
    }
}

#[tokio::test]
async fn private_items_are_filtered_in_the_query() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let unit = tx
            .insert_unit(&Unit {
                id: UnitId(0),
                parent_id: None,
                name: "SaaS".into(),
                region: None,
                lead_id: None,
                version: 0,
            })
            .await
            .unwrap();
        let insider = tx.insert_user(&user("insider", vec![unit]), None).await.unwrap();
        let owner = tx.insert_user(&user("owner", vec![]), None).await.unwrap();
        let outsider = tx.insert_user(&user("outsider", vec![]), None).await.unwrap();
        let open = tx.insert_project(&project("OPEN", false, None, None, None), None).await.unwrap();
        let secret = tx.insert_project(&project("SECRET", true, Some(owner), Some(unit), None), None).await.unwrap();
        tx.insert_task(&task(open, 1, "visible")).await.unwrap();
        tx.insert_task(&task(secret, 1, "hidden")).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let as_user = |id| Some(Viewer { user_id: id, admin: false });
        for (viewer, projects, tasks) in [
            (as_user(outsider), vec![open], 1),
            (as_user(insider), vec![open, secret], 2),
            (as_user(owner), vec![open, secret], 2),
            (Some(Viewer { user_id: outsider, admin: true }), vec![open, secret], 2),
        ] {
            let seen: Vec<ProjectId> =
                tx.list_projects(viewer, Page::ALL).await.unwrap().iter().map(|p| p.id).collect();
            assert_eq!(seen, projects, "{backend:?} {viewer:?}");
            let filter = TaskFilter::default();
            assert_eq!(tx.list_tasks(&filter, viewer, Page::ALL).await.unwrap().len(), tasks, "{backend:?}");
            assert_eq!(tx.count_tasks(&filter, viewer).await.unwrap(), tasks as i64, "{backend:?}");
            let (graph_projects, graph_tasks) = tx.work_graph(viewer).await.unwrap();
            assert_eq!(graph_projects.len(), projects.len(), "{backend:?}");
            assert_eq!(graph_tasks.len(), tasks, "{backend:?}");
        }
    }
}

#[tokio::test]
async fn tasks_links_numbers_and_sources() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let owner = tx.insert_user(&user("pm", vec![]), None).await.unwrap();
        let p = tx.insert_project(&project("RET", false, Some(owner), None, None), Some("board-1")).await.unwrap();
        let first = tx.next_task_number(p).await.unwrap();
        let second = tx.next_task_number(p).await.unwrap();
        assert_eq!((first, second), (1, 2), "{backend:?}");
        let a = tx.insert_task(&task(p, first, "a")).await.unwrap();
        let mut b = task(p, second, "b");
        b.depends_on = vec![a];
        b.parent_id = Some(a);
        b.source = Some("trello".into());
        b.external_id = Some("card-1".into());
        let b = tx.insert_task(&b).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = write(&db).await;
        let found = tx.find_task_by_source("trello", "card-1").await.unwrap().expect("by source");
        assert_eq!(found.id, b);
        assert_eq!(found.key, "RET-2", "{backend:?}");
        assert_eq!(found.depends_on, vec![a]);
        assert_eq!(tx.list_dependencies(p).await.unwrap(), vec![(b, a)]);
        let mut edited = found.clone();
        edited.status = "Done".into();
        edited.category = StatusCategory::Done;
        assert_eq!(tx.update_task(&edited).await.unwrap(), 2);
        assert!(matches!(tx.update_task(&found).await, Err(StoreError::Stale)), "{backend:?}");
        let children =
            tx.list_tasks(&TaskFilter { parent_id: Some(a), ..Default::default() }, None, Page::ALL).await.unwrap();
        assert_eq!(children.len(), 1);
        assert_eq!(
            tx.find_project_by_source("trello", "board-1").await.unwrap().map(|p| p.id),
            None,
            "source is set on the project"
        );
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let done = tx.get_task(b).await.unwrap().unwrap();
        assert_eq!(done.category, StatusCategory::Done, "{backend:?}");
        assert_eq!(done.version, 2);
    }
}

#[tokio::test]
async fn a_dropped_write_transaction_leaves_nothing() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        tx.insert_project(&project("GONE", false, None, None, None), None).await.unwrap();
        drop(tx);
        let mut tx = db.store.read().await.unwrap();
        assert!(tx.list_projects(None, Page::ALL).await.unwrap().is_empty(), "{backend:?}");
    }
}

#[tokio::test]
async fn the_change_record_keeps_before_and_after() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let actor = tx.insert_user(&user("actor", vec![]), None).await.unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let change = Change {
            id: ChangeId(0),
            at,
            actor_id: Some(actor),
            entity: "task".into(),
            entity_id: 7,
            action: "update".into(),
            before: Some(serde_json::json!({"status": "To do"})),
            after: Some(serde_json::json!({"status": "完成"})),
        };
        tx.insert_change(&change).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let changes = tx.list_changes("task", 7).await.unwrap();
        assert_eq!(changes.len(), 1, "{backend:?}");
        assert_eq!(changes[0].at, at, "{backend:?}");
        assert_eq!(changes[0].after, change.after);
        assert_eq!(changes[0].actor_id, Some(actor));
    }
}

#[tokio::test]
async fn sqlite_file_is_in_wal_mode() {
    let db = fresh(Backend::Sqlite).await;
    let path = db.url.trim_start_matches("sqlite://");
    let header = std::fs::read(path).unwrap();
    // Bytes 18 and 19 of an SQLite header are 2 in WAL mode.
    assert_eq!((header[18], header[19]), (2, 2));
}

#[tokio::test]
async fn a_big_task_list_keeps_every_link_and_can_leave_descriptions_out() {
    // More tasks than PostgreSQL's 65,535 parameters would allow as a list
    // of ids (the links of so many are read through the filter), each with
    // a dependency and a description.
    const TASKS: i64 = 10_050;
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let owner = tx.insert_user(&user("pm", vec![]), None).await.unwrap();
        let p = tx.insert_project(&project("BIG", false, Some(owner), None, None), None).await.unwrap();
        let mut previous: Option<TaskId> = None;
        for n in 1..=TASKS {
            let mut t = task(p, n, &format!("t{n}"));
            t.description = format!("描述 {n}");
            t.depends_on = previous.into_iter().collect();
            previous = Some(tx.insert_task(&t).await.unwrap());
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let filter = TaskFilter { project_ids: Some(vec![p]), ..Default::default() };
        let full = tx.list_tasks(&filter, None, Page::ALL).await.unwrap();
        assert_eq!(full.len() as i64, TASKS, "{backend:?}");
        // Every task but the first depends on the one before it, across the batch boundary too.
        for pair in full.windows(2) {
            assert_eq!(pair[1].depends_on, vec![pair[0].id], "{backend:?} {}", pair[1].number);
        }
        assert_eq!(full[10_020].description, "描述 10021");
        let light =
            tx.list_tasks(&TaskFilter { without_descriptions: true, ..filter.clone() }, None, Page::ALL).await.unwrap();
        assert_eq!(light.len(), full.len());
        assert!(light.iter().all(|t| t.description.is_empty()), "{backend:?}");
        assert_eq!(light[10_020].depends_on, full[10_020].depends_on);
        // A page of more than 500 (links through the filter, the rest dropped) and a small one (by id).
        for (limit, offset) in [(600, 5_000), (20, 9_990)] {
            let page = tx.list_tasks(&filter, None, Page { limit, offset }).await.unwrap();
            assert_eq!(page.len() as i64, limit, "{backend:?}");
            for (t, whole) in page.iter().zip(&full[offset as usize..]) {
                assert_eq!((t.id, &t.depends_on), (whole.id, &whole.depends_on), "{backend:?}");
            }
        }
        assert_eq!(
            light.iter().map(|t| &t.title).collect::<Vec<_>>(),
            full.iter().map(|t| &t.title).collect::<Vec<_>>()
        );
    }
}

fn custom_field(
    project: ProjectId,
    name: &str,
    kind: keel_domain::table::FieldKind,
    options: &[&str],
) -> keel_domain::table::CustomField {
    keel_domain::table::CustomField {
        id: FieldId(0),
        project_id: project,
        name: name.into(),
        kind,
        options: options.iter().map(|o| o.to_string()).collect(),
        position: 0,
        source: None,
        external_id: None,
        version: 0,
    }
}

#[tokio::test]
async fn custom_fields_their_values_and_task_versions() {
    use keel_domain::table::FieldKind;
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let p = tx.insert_project(&project("TBL", false, None, None, None), None).await.unwrap();
        let other = tx.insert_project(&project("OTH", false, None, None, None), None).await.unwrap();
        let t1 = tx.insert_task(&task(p, 1, "一")).await.unwrap();
        let t2 = tx.insert_task(&task(p, 2, "二")).await.unwrap();
        let mut platform = custom_field(p, "平台", FieldKind::MultiSelect, &["iOS", "Android", "Web"]);
        platform.position = 2;
        let mut points = custom_field(p, "Story points", FieldKind::Number, &[]);
        points.position = 1;
        let mut imported = custom_field(p, "Sprint", FieldKind::Text, &[]);
        imported.position = 3;
        imported.source = Some("jira".into());
        imported.external_id = Some("customfield_10020".into());
        let platform = tx.insert_custom_field(&platform).await.unwrap();
        let points = tx.insert_custom_field(&points).await.unwrap();
        let sprint = tx.insert_custom_field(&imported).await.unwrap();
        tx.insert_custom_field(&custom_field(other, "平台", FieldKind::Text, &[])).await.unwrap();
        tx.commit().await.unwrap();
        // One name per project (a failed statement spoils PostgreSQL's transaction: its own).
        let mut tx = write(&db).await;
        let twice = tx.insert_custom_field(&custom_field(p, "平台", FieldKind::Text, &[])).await;
        assert!(matches!(twice, Err(StoreError::Unique(_))), "{backend:?}: {twice:?}");
        drop(tx);

        let mut tx = write(&db).await;
        let fields = tx.list_custom_fields(&[p]).await.unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Story points", "平台", "Sprint"], "{backend:?}: by position");
        assert_eq!(fields[1].options, ["iOS", "Android", "Web"]);
        assert_eq!(fields[1].kind, FieldKind::MultiSelect);
        assert_eq!(fields[0].version, 1);
        assert_eq!(tx.list_custom_fields(&[p, other]).await.unwrap().len(), 4);
        assert!(tx.list_custom_fields(&[]).await.unwrap().is_empty());
        let found = tx.find_custom_field_by_source("jira", "customfield_10020").await.unwrap().expect("by source");
        assert_eq!(found.id, sprint, "{backend:?}");

        tx.set_field_value(t1, points, Some("3.5")).await.unwrap();
        tx.set_field_value(t1, platform, Some(r#"["iOS","Web"]"#)).await.unwrap();
        tx.set_field_value(t2, points, Some("8")).await.unwrap();
        tx.set_field_value(t2, points, Some("13")).await.unwrap();
        tx.set_field_value(t2, sprint, Some(r#""第 12 迭代 😀""#)).await.unwrap();
        tx.set_field_value(t2, sprint, None).await.unwrap();
        let values = tx.list_field_values(&[points, platform, sprint]).await.unwrap();
        assert_eq!(
            values,
            vec![
                (t1, platform, r#"["iOS","Web"]"#.to_string()),
                (t1, points, "3.5".to_string()),
                (t2, points, "13".to_string()),
            ],
            "{backend:?}: set, replaced, cleared"
        );
        assert_eq!(tx.list_field_values(&[sprint]).await.unwrap(), vec![]);

        // Renamed with the version read; a stale version is refused.
        let mut renamed = fields[0].clone();
        renamed.name = "估点".into();
        renamed.position = 5;
        assert_eq!(tx.update_custom_field(&renamed).await.unwrap(), 2);
        assert!(matches!(tx.update_custom_field(&fields[0]).await, Err(StoreError::Stale)), "{backend:?}");
        let again = tx.get_custom_field(points).await.unwrap().unwrap();
        assert_eq!((again.name.as_str(), again.position, again.version), ("估点", 5, 2));

        // Deleting a field removes its values too.
        assert!(matches!(tx.delete_custom_field(platform, 7).await, Err(StoreError::Stale)), "{backend:?}");
        tx.delete_custom_field(platform, 1).await.unwrap();
        assert!(tx.get_custom_field(platform).await.unwrap().is_none());
        assert!(matches!(tx.delete_custom_field(platform, 1).await, Err(StoreError::NotFound)));
        assert_eq!(tx.list_field_values(&[platform]).await.unwrap(), vec![]);

        // A value change counts as a change of the task.
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 3, 4, 5).unwrap();
        assert_eq!(tx.touch_task(t1, 1, at).await.unwrap(), 2);
        assert!(matches!(tx.touch_task(t1, 1, at).await, Err(StoreError::Stale)), "{backend:?}");
        assert!(matches!(tx.touch_task(TaskId(9999), 1, at).await, Err(StoreError::NotFound)));
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let touched = tx.get_task(t1).await.unwrap().unwrap();
        assert_eq!((touched.version, touched.updated_at), (2, at), "{backend:?}");
    }
}

#[tokio::test]
async fn saved_views_are_shared_or_seen_by_their_owner_alone() {
    use keel_domain::table::{Builtin, Column, Filter, Op, SavedView, SortKey, ViewSpec};
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = write(&db).await;
        let li = tx.insert_user(&user("li", vec![]), None).await.unwrap();
        let wang = tx.insert_user(&user("wang", vec![]), None).await.unwrap();
        let p = tx.insert_project(&project("VW", false, Some(li), None, None), None).await.unwrap();
        let q = tx.insert_project(&project("VX", false, Some(li), None, None), None).await.unwrap();
        let spec = ViewSpec {
            columns: vec![Column::Builtin(Builtin::Key), Column::Field(FieldId(4))],
            filters: vec![Filter {
                column: Column::Builtin(Builtin::Status),
                op: Op::AnyOf,
                values: vec!["进行中".into(), "Done".into()],
            }],
            sort: vec![SortKey { column: Column::Builtin(Builtin::Due), desc: true }],
            group: Some(Column::Builtin(Builtin::Assignee)),
            ..Default::default()
        };
        let at = Utc.with_ymd_and_hms(2026, 11, 3, 1, 0, 0).unwrap();
        let view = |owner: Option<UserId>, name: &str, project: ProjectId| SavedView {
            id: ViewId(0),
            project_id: project,
            owner_id: owner,
            name: name.into(),
            spec: spec.clone(),
            version: 0,
            created_by: Some(li),
            created_at: at,
        };
        let mine = tx.insert_saved_view(&view(Some(li), "我的视图", p)).await.unwrap();
        let shared = tx.insert_saved_view(&view(None, "全员", p)).await.unwrap();
        let his = tx.insert_saved_view(&view(Some(wang), "王的", p)).await.unwrap();
        tx.insert_saved_view(&view(None, "另一个项目", q)).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = write(&db).await;
        let seen = |views: Vec<SavedView>| views.into_iter().map(|v| v.id).collect::<Vec<_>>();
        assert_eq!(seen(tx.list_saved_views(p, Some(li)).await.unwrap()), vec![shared, mine], "{backend:?}");
        assert_eq!(seen(tx.list_saved_views(p, Some(wang)).await.unwrap()), vec![shared, his], "{backend:?}");
        assert_eq!(seen(tx.list_saved_views(p, None).await.unwrap()), vec![shared], "{backend:?}");
        let got = tx.get_saved_view(mine).await.unwrap().expect("saved");
        assert_eq!(got.spec, spec, "{backend:?}: the spec round-trips");
        assert_eq!((got.owner_id, got.created_by, got.created_at, got.version), (Some(li), Some(li), at, 1));

        let mut edited = got.clone();
        edited.name = "我的视图 2".into();
        edited.spec.group = None;
        assert_eq!(tx.update_saved_view(&edited).await.unwrap(), 2);
        assert!(matches!(tx.update_saved_view(&got).await, Err(StoreError::Stale)), "{backend:?}");
        assert!(matches!(tx.delete_saved_view(mine, 1).await, Err(StoreError::Stale)));
        tx.delete_saved_view(mine, 2).await.unwrap();
        assert!(matches!(tx.delete_saved_view(mine, 2).await, Err(StoreError::NotFound)));
        assert_eq!(seen(tx.list_saved_views(p, Some(li)).await.unwrap()), vec![shared]);
        tx.commit().await.unwrap();
    }
}
