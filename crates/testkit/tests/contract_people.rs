//! The storage contract for people, settings and key-result comments (issue
//! 3), on both backends: comments on key results, notification preferences
//! with their version, the people search and the tasks behind a key result.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use keel_app::StoreError;
use keel_app::store::{KrWorkCounts, Page, Tx, Viewer};
use keel_domain::notify::{EmailDigest, NotificationPrefs, NotifyChannel, NotifyEvent};
use keel_domain::okr::*;
use keel_domain::org::*;
use keel_domain::work::*;
use keel_domain::*;
use keel_testkit::{BACKENDS, fresh};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn user(login: &str, name: &str, units: Vec<UnitId>) -> User {
    User {
        id: UserId(0),
        login: Some(login.into()),
        display_name: name.into(),
        email: Some(format!("{login}@example.com")),
        role: Role::Member,
        lang: None,
        time_zone: "Asia/Shanghai".into(),
        can_login: true,
        units,
        version: 0,
    }
}

fn project(key: &str, private: bool, owner: UserId, krs: Vec<KeyResultId>) -> Project {
    Project {
        id: ProjectId(0),
        key: key.into(),
        name: format!("{key} project"),
        description: String::new(),
        parent_id: None,
        owner_id: Some(owner),
        unit_id: None,
        status: ProjectStatus::Active,
        start_date: None,
        target_date: None,
        private,
        workflow: default_workflow(),
        key_result_ids: krs,
        source: None,
        archived: false,
        version: 0,
        created_at: Utc::now(),
    }
}

fn task(project: ProjectId, number: i64, category: StatusCategory, due: Option<NaiveDate>) -> Task {
    let now = Utc::now();
    Task {
        id: TaskId(0),
        project_id: project,
        number,
        key: String::new(),
        title: format!("task {number}"),
        description: String::new(),
        status: category.as_str().into(),
        category,
        blocked: false,
        blocked_reason: None,
        priority: Priority::Medium,
        assignee_id: None,
        reporter_id: None,
        start_date: None,
        due_date: due,
        estimate: None,
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

/// A cycle, an objective and one key result owned by `owner`.
async fn one_kr(tx: &mut dyn Tx, owner: UserId) -> KeyResultId {
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
    tx.insert_key_result(&KeyResult {
        id: KeyResultId(0),
        objective_id: objective,
        title: "上线推送".into(),
        owner_id: owner,
        kind: KrKind::Work,
        weight: 1.0,
        start_value: None,
        target_value: None,
        current_value: None,
        unit_label: None,
        direction: None,
        due_date: None,
        status_override: None,
        override_reason: None,
        position: 0,
        version: 0,
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn kr_comments_round_trip_in_order_with_paging() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = db.store.write().await.unwrap();
        let owner = tx.insert_user(&user("owner", "Owner", vec![]), None).await.unwrap();
        let kr = one_kr(&mut *tx, owner).await;
        let base = Utc.with_ymd_and_hms(2026, 11, 2, 3, 4, 5).unwrap();
        let bodies = ["第一条 **粗体**", "second `code`", "<img src=x onerror=alert(1)> 😀"];
        // Inserted newest first; listed oldest first.
        for (i, body) in bodies.iter().enumerate().rev() {
            let comment = KrComment {
                id: KrCommentId(0),
                key_result_id: kr,
                author_id: Some(owner),
                body: body.to_string(),
                created_at: base + Duration::minutes(i as i64),
            };
            tx.insert_kr_comment(&comment, None).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let all = tx.list_kr_comments(kr, Page::ALL).await.unwrap();
        assert_eq!(all.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(), bodies, "{backend:?}");
        assert_eq!(all[0].created_at, base, "{backend:?}");
        assert_eq!(all[0].author_id, Some(owner));
        assert_eq!(tx.count_kr_comments(kr).await.unwrap(), 3);
        let second = tx.list_kr_comments(kr, Page { limit: 1, offset: 1 }).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].body, bodies[1]);
        assert_eq!(tx.count_kr_comments(KeyResultId(kr.0 + 100)).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn notification_prefs_are_versioned() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = db.store.write().await.unwrap();
        let me = tx.insert_user(&user("me", "Me", vec![]), None).await.unwrap();
        assert!(tx.get_notification_prefs(me).await.unwrap().is_none(), "{backend:?}");
        let mut prefs = NotificationPrefs::default();
        prefs.switches_mut(NotifyEvent::Reports).set(NotifyChannel::Chat, true);
        prefs.email_digest = EmailDigest::Daily { at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap() };
        assert_eq!(tx.put_notification_prefs(me, &prefs, 0).await.unwrap(), 1);
        // A second "first save" is stale, as is an old version.
        assert!(matches!(tx.put_notification_prefs(me, &prefs, 0).await, Err(StoreError::Stale)));
        prefs.switches_mut(NotifyEvent::Due).set(NotifyChannel::Email, false);
        assert_eq!(tx.put_notification_prefs(me, &prefs, 1).await.unwrap(), 2);
        assert!(matches!(tx.put_notification_prefs(me, &prefs, 1).await, Err(StoreError::Stale)));
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let (stored, version) = tx.get_notification_prefs(me).await.unwrap().unwrap();
        assert_eq!(stored, prefs, "{backend:?}");
        assert_eq!(version, 2);
        assert!(!stored.wants(NotifyEvent::Due, NotifyChannel::Email));
        assert!(stored.wants(NotifyEvent::Reports, NotifyChannel::Chat));
    }
}

#[tokio::test]
async fn people_search_matches_name_login_and_email_any_case() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = db.store.write().await.unwrap();
        let unit = tx
            .insert_unit(&Unit {
                id: UnitId(0),
                parent_id: None,
                name: "增长".into(),
                region: None,
                lead_id: None,
                version: 0,
            })
            .await
            .unwrap();
        let people = [("wang", "王芳"), ("li", "李雷"), ("alice", "Alice Wang"), ("bob", "Bob 50%_off")];
        for (login, name) in people {
            tx.insert_user(&user(login, name, vec![unit]), None).await.unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.store.read().await.unwrap();
        let names = |users: Vec<User>| users.into_iter().map(|u| u.display_name).collect::<Vec<_>>();
        // "wang" is wang's login and part of Alice Wang's name; ordered by name.
        let mut expected = vec!["Alice Wang".to_string(), "王芳".to_string()];
        expected.sort();
        assert_eq!(names(tx.search_users("WANG", Page::ALL).await.unwrap()), expected, "{backend:?}");
        assert_eq!(tx.count_search_users("wang").await.unwrap(), 2);
        assert_eq!(names(tx.search_users("李", Page::ALL).await.unwrap()), vec!["李雷"]);
        assert_eq!(names(tx.search_users("bob@example", Page::ALL).await.unwrap()), vec!["Bob 50%_off"]);
        // % and _ are literal.
        assert_eq!(tx.count_search_users("%_").await.unwrap(), 1, "{backend:?}");
        assert_eq!(tx.count_search_users("").await.unwrap(), 4);
        let page = tx.search_users("", Page { limit: 2, offset: 2 }).await.unwrap();
        assert_eq!(page.len(), 2);
        assert!(page.iter().all(|u| u.units == vec![unit]), "units come along");
    }
}

#[tokio::test]
async fn work_behind_a_kr_counts_direct_and_project_tasks_the_viewer_may_see() {
    for backend in BACKENDS {
        let db = fresh(backend).await;
        let mut tx = db.store.write().await.unwrap();
        let owner = tx.insert_user(&user("owner", "Owner", vec![]), None).await.unwrap();
        let other = tx.insert_user(&user("other", "Other", vec![]), None).await.unwrap();
        let kr = one_kr(&mut *tx, owner).await;
        let today = day(2026, 11, 10);
        let linked = tx.insert_project(&project("LINK", false, owner, vec![kr]), None).await.unwrap();
        let secret = tx.insert_project(&project("SEC", true, owner, vec![kr]), None).await.unwrap();
        let plain = tx.insert_project(&project("PLAIN", false, owner, vec![]), None).await.unwrap();
        // A sub-project of the linked one (not linked itself), and one below that.
        let mut child = project("CHILD", false, owner, vec![]);
        child.parent_id = Some(linked);
        let child = tx.insert_project(&child, None).await.unwrap();
        let mut grandchild = project("GRAND", false, owner, vec![]);
        grandchild.parent_id = Some(child);
        let grandchild = tx.insert_project(&grandchild, None).await.unwrap();
        tx.insert_task(&task(child, 1, StatusCategory::Done, None)).await.unwrap();
        tx.insert_task(&task(grandchild, 1, StatusCategory::Todo, Some(day(2026, 11, 20)))).await.unwrap();
        // Through the linked project: done, open overdue, open due today, undated, cancelled.
        tx.insert_task(&task(linked, 1, StatusCategory::Done, Some(day(2026, 11, 1)))).await.unwrap();
        tx.insert_task(&task(linked, 2, StatusCategory::Doing, Some(day(2026, 11, 9)))).await.unwrap();
        tx.insert_task(&task(linked, 3, StatusCategory::Todo, Some(today))).await.unwrap();
        tx.insert_task(&task(linked, 4, StatusCategory::Todo, None)).await.unwrap();
        let mut cancelled = task(linked, 5, StatusCategory::Todo, Some(day(2026, 1, 1)));
        cancelled.cancelled = true;
        tx.insert_task(&cancelled).await.unwrap();
        let mut archived = task(linked, 6, StatusCategory::Todo, Some(day(2026, 1, 1)));
        archived.archived = true;
        tx.insert_task(&archived).await.unwrap();
        // In the private project: seen by its owner only.
        tx.insert_task(&task(secret, 1, StatusCategory::Todo, Some(day(2026, 11, 2)))).await.unwrap();
        // Linked directly, from an unlinked project; and one not linked at all.
        let mut direct = task(plain, 1, StatusCategory::Todo, Some(day(2026, 10, 30)));
        direct.key_result_ids = vec![kr];
        tx.insert_task(&direct).await.unwrap();
        tx.insert_task(&task(plain, 2, StatusCategory::Todo, Some(day(2026, 10, 1)))).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.store.read().await.unwrap();
        let as_user = |id| Some(Viewer { user_id: id, admin: false });
        // By hand: the other person sees LINK-1..5, CHILD-1, GRAND-1 and PLAIN-1:
        // done LINK-1, CHILD-1; open LINK-2, 3, 4, GRAND-1, PLAIN-1; overdue LINK-2 and PLAIN-1.
        let counts = tx.kr_work_counts(kr, as_user(other), today).await.unwrap();
        assert_eq!(counts, KrWorkCounts { done: 2, open: 5, overdue: 2 }, "{backend:?}");
        let counts = tx.kr_work_counts(kr, as_user(owner), today).await.unwrap();
        assert_eq!(counts, KrWorkCounts { done: 2, open: 6, overdue: 3 }, "{backend:?}");
        let open = tx.kr_work_tasks(kr, as_user(other), true, Page::ALL).await.unwrap();
        let keys: Vec<String> = open.iter().map(|t| t.key.clone()).collect();
        // By due date, undated last.
        assert_eq!(keys, ["PLAIN-1", "LINK-2", "LINK-3", "GRAND-1", "LINK-4"], "{backend:?}");
        let all = tx.kr_work_tasks(kr, as_user(other), false, Page::ALL).await.unwrap();
        assert_eq!(all.len(), 8, "done and cancelled too, not archived: {backend:?}");
        let paged = tx.kr_work_tasks(kr, as_user(owner), true, Page { limit: 2, offset: 1 }).await.unwrap();
        assert_eq!(paged.iter().map(|t| t.key.as_str()).collect::<Vec<_>>(), ["SEC-1", "LINK-2"], "{backend:?}");
    }
}
