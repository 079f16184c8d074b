//! The JSON API end to end on both databases: every number checked against
//! a value worked out by hand here from PRODUCT.md's definitions.

mod common;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{Harness, close, f};
use keel_domain::org::Role;
use keel_testkit::BACKENDS;
use serde_json::{Value, json};

/// Today in Asia/Shanghai (UTC+8 all year), the zone test people live in.
fn shanghai_today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

/// Least squares y = a + b·x, read at `x`: the forecast's definition.
fn least_squares_at(points: &[(f64, f64)], x: f64) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    my + sxy / sxx * (x - mx)
}

async fn task(h: &Harness, project: i64, title: &str, extra: Value) -> Value {
    let mut body = json!({ "project_id": project, "title": title });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    h.post("/api/v1/tasks", body).await
}

#[tokio::test]
async fn okr_numbers_follow_the_product_definition() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let today = shanghai_today();
        let cycle = h
            .post("/api/v1/cycles", json!({ "name": "测试周期", "start_date": today - Duration::days(30), "end_date": today + Duration::days(60), "state": "active" }))
            .await;
        let cycle_id = id(&cycle);
        // 91 whole days, 30 of them elapsed before today.
        let expected = 30.0 / 91.0;
        let unit = id(&h.post("/api/v1/units", json!({ "name": "SaaS事业部", "region": "Chengdu" })).await);

        let o1 = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle_id, "title": "提升用户留存率", "level": "company" }))
            .await);
        let kr = |o: i64, title: &str, kind: &str, extra: Value| {
            let mut body = json!({ "objective_id": o, "title": title, "kind": kind });
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        let metric = id(&h
            .post(
                "/api/v1/key-results",
                kr(
                    o1,
                    "留存率提升至45%",
                    "metric",
                    json!({ "start_value": 38.0, "target_value": 45.0, "unit_label": "%" }),
                ),
            )
            .await);
        let threshold = id(&h
            .post(
                "/api/v1/key-results",
                kr(o1, "可用性 ≥ 99.9%", "threshold", json!({ "target_value": 99.9, "direction": "at_least" })),
            )
            .await);
        let children =
            id(&h.post("/api/v1/key-results", kr(o1, "各事业部目标达成", "children", json!({ "weight": 2.0 }))).await);

        let o2 = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle_id, "title": "打造更易用的后台", "level": "unit", "unit_id": unit, "parent_key_result_id": children }))
            .await);
        let k40 = id(&h
            .post("/api/v1/key-results", kr(o2, "a", "metric", json!({ "start_value": 0.0, "target_value": 10.0 })))
            .await);
        let k05 = id(&h
            .post("/api/v1/key-results", kr(o2, "b", "metric", json!({ "start_value": 0.0, "target_value": 100.0 })))
            .await);
        let k15 = id(&h
            .post("/api/v1/key-results", kr(o2, "c", "metric", json!({ "start_value": 0.0, "target_value": 100.0 })))
            .await);

        let o3 = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle_id, "title": "按期交付专项", "level": "individual", "parent_objective_id": o2 }))
            .await);
        let milestone = id(&h
            .post(
                "/api/v1/key-results",
                kr(
                    o3,
                    "里程碑",
                    "milestone",
                    json!({ "items": [
                    { "title": "方案评审", "weight": 1.0, "done": true },
                    { "title": "灰度上线", "weight": 2.0, "done": true },
                    { "title": "全量上线", "weight": 2.0 } ] }),
                ),
            )
            .await);
        let work = id(&h.post("/api/v1/key-results", kr(o3, "专项按计划交付", "work", json!({}))).await);
        let idle = id(&h
            .post(
                "/api/v1/key-results",
                kr(o3, "无人记录", "metric", json!({ "start_value": 0.0, "target_value": 10.0, "weight": 0.0 })),
            )
            .await);

        // Check-ins: three on the metric KR at known instants, the others once.
        let now = Utc::now();
        let ats: Vec<DateTime<Utc>> =
            vec![now - Duration::days(20), now - Duration::days(10), now - Duration::minutes(1)];
        for (at, value) in ats.iter().zip([39.0, 40.5, 41.6]) {
            h.post(
                &format!("/api/v1/key-results/{metric}/check-ins"),
                json!({ "value": value, "confidence": 7, "note": "周报", "at": at }),
            )
            .await;
        }
        for (k, v) in [(threshold, 99.95), (k40, 4.0), (k05, 5.0), (k15, 15.0)] {
            h.post(&format!("/api/v1/key-results/{k}/check-ins"), json!({ "value": v })).await;
        }

        // Work: a project tree, sub-tasks, a cancelled task, a task linked directly from elsewhere.
        let p = id(&h.post("/api/v1/projects", json!({ "key": "WRK", "name": "专项" })).await);
        let sub = id(&h.post("/api/v1/projects", json!({ "key": "WRK2", "name": "子项目", "parent_id": p })).await);
        let other = id(&h.post("/api/v1/projects", json!({ "key": "OTH", "name": "其他" })).await);
        let version = h.get(&format!("/api/v1/projects/{p}")).await["version"].as_i64().unwrap();
        h.patch(&format!("/api/v1/projects/{p}"), json!({ "key_result_ids": [work], "version": version })).await;
        task(&h, p, "t1", json!({ "estimate": 4.0, "status": "Done" })).await;
        task(&h, p, "t2", json!({ "estimate": 6.0, "status": "In progress", "progress": 0.5 })).await;
        task(&h, p, "t3", json!({})).await;
        let parent = id(&task(&h, p, "t4", json!({ "estimate": 10.0 })).await);
        task(&h, p, "t4a", json!({ "parent_id": parent, "status": "Done" })).await;
        task(&h, p, "t4b", json!({ "parent_id": parent })).await;
        let cancelled = task(&h, p, "t5", json!({ "estimate": 5.0, "status": "Done" })).await;
        h.patch(
            &format!("/api/v1/tasks/{}", id(&cancelled)),
            json!({ "cancelled": true, "version": cancelled["version"] }),
        )
        .await;
        task(&h, p, "t6", json!({ "estimate": 0.0, "status": "Done" })).await;
        task(&h, sub, "t7", json!({ "estimate": 2.0, "status": "Done" })).await;
        task(&h, other, "t8", json!({ "estimate": 3.0, "status": "Done", "key_result_ids": [work] })).await;
        task(&h, other, "t9", json!({ "estimate": 100.0 })).await;

        // A threshold forecasts its value: will the line still hold at the end?
        let o4 = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle_id, "title": "体验", "level": "company" }))
            .await);
        let line = id(&h
            .post(
                "/api/v1/key-results",
                kr(o4, "退订率 ≤ 2%", "threshold", json!({ "target_value": 2.0, "direction": "at_most" })),
            )
            .await);
        for (at, value) in ats.iter().zip([2.4, 2.1, 1.8]) {
            h.post(&format!("/api/v1/key-results/{line}/check-ins"), json!({ "value": value, "at": at })).await;
        }

        let tree = h.get(&format!("/api/v1/cycles/{cycle_id}/tree")).await;
        assert!(close(f(&tree["expected"]), expected), "{backend:?} expected share");
        let order: Vec<i64> = tree["objectives"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(order, vec![o1, o2, o3, o4], "{backend:?}: roots first, each followed by its subtree");
        let krs: Vec<&Value> =
            tree["objectives"].as_array().unwrap().iter().flat_map(|o| o["key_results"].as_array().unwrap()).collect();
        let find = |k: i64| krs.iter().find(|v| id(v) == k).copied().unwrap();
        let status = |k: i64| find(k)["status"].as_str().unwrap().to_string();

        let p_metric = (41.6 - 38.0) / 7.0;
        assert!(close(f(&find(metric)["progress"]), p_metric), "{backend:?}");
        assert_eq!(status(metric), "on_track");
        assert_eq!(f(&find(threshold)["progress"]), 1.0);
        assert_eq!(status(threshold), "done");
        assert!(close(f(&find(milestone)["progress"]), 3.0 / 5.0));
        // Weighted leaves: t1 4/4, t2 6×0.5, t3 1×0, t4a 1/1, t4b 1×0, t6 0, t7 2/2, t8 3/3.
        assert!(close(f(&find(work)["progress"]), 13.0 / 18.0), "{backend:?} work {}", find(work)["progress"]);
        assert_eq!(find(work)["work"]["counted_tasks"], 8);
        assert_eq!(find(work)["rule"], "work");
        assert!(close(f(&find(k40)["progress"]), 0.4));
        assert_eq!(status(k05), "off_track", "gap {} > 0.25", expected - 0.05);
        assert_eq!(status(k15), "at_risk", "gap {} in (0.10, 0.25]", expected - 0.15);
        assert_eq!(status(idle), "not_started");
        let p_o2 = (0.4 + 0.05 + 0.15) / 3.0;
        assert!(close(f(&find(children)["progress"]), p_o2), "{backend:?}");
        let objective = |o: i64| tree["objectives"].as_array().unwrap().iter().find(|v| id(v) == o).unwrap().clone();
        assert!(close(f(&objective(o2)["progress"]), p_o2));
        assert!(close(f(&objective(o1)["progress"]), (p_metric + 1.0 + 2.0 * p_o2) / 4.0), "{backend:?}");
        // The weight-0 KR counts for nothing.
        assert!(close(f(&objective(o3)["progress"]), (0.6 + 13.0 / 18.0) / 2.0));

        // Forecast: least squares over the three check-ins, read at the end of the cycle's last day in Shanghai.
        let end = (today + Duration::days(61)).and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::hours(8);
        let day = |t: DateTime<Utc>| (t - ats[0]).num_milliseconds() as f64 / 86_400_000.0;
        let points: Vec<(f64, f64)> =
            ats.iter().zip([1.0 / 7.0, 2.5 / 7.0, 3.6 / 7.0]).map(|(t, p)| (day(*t), p)).collect();
        let at_end = least_squares_at(&points, day(end));
        let forecast = &find(metric)["forecast"];
        assert!((f(&forecast["progress_at_end"]) - at_end).abs() < 1e-6, "{backend:?} forecast {forecast} vs {at_end}");
        assert_eq!(forecast["reaches_target"], json!(at_end >= 0.7));
        let value_points: Vec<(f64, f64)> = ats.iter().zip([2.4, 2.1, 1.8]).map(|(t, v)| (day(*t), v)).collect();
        let value_at_end = least_squares_at(&value_points, day(end));
        let line_forecast = &find(line)["forecast"];
        assert!((f(&line_forecast["value_at_end"]) - value_at_end).abs() < 1e-6, "{line_forecast}");
        assert_eq!(f(&line_forecast["progress_at_end"]), if value_at_end <= 2.0 { 1.0 } else { 0.0 });

        // The single-KR endpoint agrees with the tree, and check-ins are all kept, oldest first.
        let single = h.get(&format!("/api/v1/key-results/{metric}")).await;
        assert!(close(f(&single["progress"]), p_metric));
        assert_eq!(single["current_value"], json!(41.6));
        let history = h.get(&format!("/api/v1/key-results/{metric}/check-ins")).await;
        let values: Vec<f64> = history["items"].as_array().unwrap().iter().map(|c| f(&c["value"])).collect();
        assert_eq!(values, vec![39.0, 40.5, 41.6]);

        // An override needs a reason, and then wins over the schedule.
        let v = single["version"].clone();
        let (code, body) = h
            .call(
                Method::PATCH,
                &format!("/api/v1/key-results/{metric}"),
                Some(&h.admin),
                Some(json!({ "status_override": "at_risk", "version": v })),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["field"], "override_reason");
        h.patch(
            &format!("/api/v1/key-results/{metric}"),
            json!({ "status_override": "at_risk", "override_reason": "渠道预算被砍", "version": v }),
        )
        .await;
        let single = h.get(&format!("/api/v1/key-results/{metric}")).await;
        assert_eq!(single["status"], "at_risk");
        assert_eq!(single["status_overridden"], true);

        // A checklist item ticked moves the milestone KR to 100 %.
        let items = single_items(&h, milestone).await;
        let open = items.iter().find(|i| i["done"] == false).unwrap();
        h.patch(&format!("/api/v1/key-results/{milestone}/items/{}", id(open)), json!({ "done": true })).await;
        assert_eq!(f(&h.get(&format!("/api/v1/key-results/{milestone}")).await["progress"]), 1.0);
    }
}

async fn single_items(h: &Harness, kr: i64) -> Vec<Value> {
    h.get(&format!("/api/v1/key-results/{kr}")).await["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_stale_update_gets_409_with_the_current_state() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let p = id(&h.post("/api/v1/projects", json!({ "key": "RET", "name": "用户活跃度优化专项" })).await);
        let t = task(&h, p, "原标题", json!({})).await;
        assert_eq!(t["key"], "RET-1");
        let first = h.patch(&format!("/api/v1/tasks/{}", id(&t)), json!({ "title": "第一次修改", "version": 1 })).await;
        assert_eq!(first["version"], 2);
        let (code, body) = h
            .call(
                Method::PATCH,
                &format!("/api/v1/tasks/{}", id(&t)),
                Some(&h.admin),
                Some(json!({ "title": "迟到的修改", "version": 1 })),
            )
            .await;
        assert_eq!(code, StatusCode::CONFLICT, "{backend:?}");
        assert_eq!(body["error"]["code"], "conflict");
        assert_eq!(body["error"]["current"]["title"], "第一次修改");
        assert_eq!(body["error"]["current"]["version"], 2);
        assert_eq!(h.get(&format!("/api/v1/tasks/{}", id(&t))).await["title"], "第一次修改");
        // Every change is in the record, before → after.
        let history = h.get(&format!("/api/v1/tasks/{}/history", id(&t))).await;
        let history = history["items"].as_array().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[1]["before"]["title"], "原标题");
        assert_eq!(history[1]["after"]["title"], "第一次修改");
    }
}

#[tokio::test]
async fn roles_and_private_items_are_enforced_everywhere() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let today = shanghai_today();
        let cycle = id(&h
            .post("/api/v1/cycles", json!({ "name": "Q", "start_date": today, "end_date": today + Duration::days(90) }))
            .await);
        let saas = id(&h.post("/api/v1/units", json!({ "name": "SaaS" })).await);
        let (_, insider) = h.person("insider", Role::Member, vec![saas]).await;
        let (_, outsider) = h.person("outsider", Role::Member, vec![]).await;
        let (_, viewer) = h.person("viewer", Role::Viewer, vec![saas]).await;

        let body = json!({ "cycle_id": cycle, "title": "公司目标", "level": "company" });
        assert_eq!(
            h.call(Method::POST, "/api/v1/objectives", Some(&viewer), Some(body.clone())).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            h.call(Method::POST, "/api/v1/objectives", Some(&outsider), Some(body)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(h.call(Method::GET, "/api/v1/cycles", None, None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(h.call(Method::GET, "/api/v1/cycles", Some("kt_forged"), None).await.0, StatusCode::UNAUTHORIZED);

        let (code, secret) = h
            .call(Method::POST, "/api/v1/objectives", Some(&insider), Some(json!({ "cycle_id": cycle, "title": "秘密目标", "level": "unit", "unit_id": saas, "private": true })))
            .await;
        assert_eq!(code, StatusCode::CREATED, "{secret}");
        let secret = id(&secret);
        let (_, kr) = h
            .call(Method::POST, "/api/v1/key-results", Some(&insider), Some(json!({ "objective_id": secret, "title": "秘密KR", "kind": "metric", "start_value": 0, "target_value": 10 })))
            .await;
        let kr = id(&kr);
        let (code, hidden) = h
            .call(
                Method::POST,
                "/api/v1/projects",
                Some(&insider),
                Some(json!({ "key": "HID", "name": "秘密项目", "unit_id": saas, "private": true })),
            )
            .await;
        assert_eq!(code, StatusCode::CREATED);
        let hidden = id(&hidden);
        let (_, hidden_task) = h
            .call(
                Method::POST,
                "/api/v1/tasks",
                Some(&insider),
                Some(json!({ "project_id": hidden, "title": "秘密任务" })),
            )
            .await;
        let hidden_task = id(&hidden_task);
        let open =
            id(&h.post("/api/v1/projects", json!({ "key": "OPN", "name": "公开项目", "key_result_ids": [kr] })).await);
        task(&h, open, "公开任务", json!({ "key_result_ids": [kr] })).await;

        for (who, sees) in [(&insider, true), (&outsider, false), (&h.admin, true), (&viewer, true)] {
            let h = &h;
            let get = |path: String| async move { h.call(Method::GET, &path, Some(who), None).await };
            let (_, list) = get(format!("/api/v1/objectives?cycle_id={cycle}")).await;
            assert_eq!(
                list["items"].as_array().unwrap().iter().any(|o| id(o) == secret),
                sees,
                "{backend:?} objective list"
            );
            assert_eq!(get(format!("/api/v1/objectives/{secret}")).await.0 == StatusCode::OK, sees);
            assert_eq!(get(format!("/api/v1/key-results/{kr}")).await.0 == StatusCode::OK, sees);
            let (_, tree) = get(format!("/api/v1/cycles/{cycle}/tree")).await;
            assert_eq!(tree["objectives"].as_array().unwrap().len(), usize::from(sees));
            let (_, projects) = get("/api/v1/projects".into()).await;
            assert_eq!(
                projects["items"].as_array().unwrap().iter().any(|p| id(p) == hidden),
                sees,
                "{backend:?} project list"
            );
            let (_, tasks) = get("/api/v1/tasks".into()).await;
            assert_eq!(tasks["total"], json!(if sees { 2 } else { 1 }), "{backend:?} task count");
            assert_eq!(get(format!("/api/v1/tasks/{hidden_task}")).await.0 == StatusCode::OK, sees);
            let (_, open_project) = get(format!("/api/v1/projects/{open}")).await;
            assert_eq!(
                open_project["key_result_ids"],
                if sees { json!([kr]) } else { json!([]) },
                "{backend:?} links to hidden KRs"
            );
        }
        // Changing: viewers never; members only what they own, are assigned, or their unit owns.
        let (_, t) = h.call(Method::GET, &format!("/api/v1/tasks/{hidden_task}"), Some(&insider), None).await;
        let patch = json!({ "title": "改", "version": t["version"] });
        assert_eq!(
            h.call(Method::PATCH, &format!("/api/v1/tasks/{hidden_task}"), Some(&viewer), Some(patch.clone())).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            h.call(Method::PATCH, &format!("/api/v1/tasks/{hidden_task}"), Some(&outsider), Some(patch.clone()))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        let admins = id(&h.post("/api/v1/projects", json!({ "key": "ADM", "name": "admin's" })).await);
        let foreign = task(&h, admins, "别人的任务", json!({})).await;
        let patch = json!({ "title": "改", "version": foreign["version"] });
        assert_eq!(
            h.call(Method::PATCH, &format!("/api/v1/tasks/{}", id(&foreign)), Some(&outsider), Some(patch)).await.0,
            StatusCode::FORBIDDEN
        );
        // An outsider keeping the hidden link when editing the public project's links.
        let (_, open_project) = h.call(Method::GET, &format!("/api/v1/projects/{open}"), Some(&h.admin), None).await;
        let (code, _) = h
            .call(Method::PATCH, "/api/v1/users/1", Some(&outsider), Some(json!({ "role": "admin", "version": 1 })))
            .await;
        assert_eq!(code, StatusCode::FORBIDDEN, "members cannot make anyone admin");
        assert_eq!(open_project["key_result_ids"], json!([kr]));
    }
}

#[tokio::test]
async fn errors_name_the_code_and_the_field() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let (code, body) = h
            .call(
                Method::POST,
                "/api/v1/cycles",
                Some(&h.admin),
                Some(json!({ "name": "x", "start_date": "2026-13-01", "end_date": "2026-12-31" })),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["code"], "invalid");
        assert_eq!(body["error"]["field"], "start_date", "{body}");
        // The field is named once, not twice.
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("start_date: ") && !message.contains("start_date: start_date"), "{message}");
        let unknown = json!({ "name": "x", "start_date": "2026-10-01", "end_date": "2026-12-31", "stat": "active" });
        let (_, body) = h.call(Method::POST, "/api/v1/cycles", Some(&h.admin), Some(unknown)).await;
        assert_eq!(body["error"]["field"], "stat", "unknown fields are refused, not ignored: {body}");
        let (code, body) = h
            .call(
                Method::POST,
                "/api/v1/cycles",
                Some(&h.admin),
                Some(json!({ "name": "x", "start_date": "2026-12-31", "end_date": "2026-10-01" })),
            )
            .await;
        assert_eq!((code, body["error"]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("end_date")));
        let cycle = id(&h
            .post("/api/v1/cycles", json!({ "name": "Q", "start_date": "2026-10-01", "end_date": "2026-12-31" }))
            .await);
        let o = id(&h.post("/api/v1/objectives", json!({ "cycle_id": cycle, "title": "O", "level": "company" })).await);
        let (code, body) = h
            .call(Method::POST, "/api/v1/key-results", Some(&h.admin), Some(json!({ "objective_id": o, "title": "flat", "kind": "metric", "start_value": 5, "target_value": 5 })))
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["field"], "target_value");
        assert!(body["error"]["message"].as_str().unwrap().contains("threshold"));
        let (code, body) = h.call(Method::GET, "/api/v1/tasks/999999", Some(&h.admin), None).await;
        assert_eq!((code, body["error"]["code"].clone()), (StatusCode::NOT_FOUND, json!("not_found")));
        let (code, body) = h.call(Method::GET, "/api/v1/me", None, None).await;
        assert_eq!((code, body["error"]["code"].clone()), (StatusCode::UNAUTHORIZED, json!("unauthorized")));
        let (code, _) = h.call(Method::GET, "/api/v1/tasks?limit=100000", Some(&h.admin), None).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn text_of_any_script_survives_and_limits_count_characters() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let p = id(&h.post("/api/v1/projects", json!({ "key": "TXT", "name": "多语言 ✓" })).await);
        for title in ["提升用户留存率", "ユーザー維持率", "เพิ่มอัตราการรักษา", "🎯🚀 𝄞 emoji"]
        {
            let t = task(&h, p, title, json!({ "description": format!("{title}\n\n**{title}**") })).await;
            let back = h.get(&format!("/api/v1/tasks/{}", id(&t))).await;
            assert_eq!(back["title"].as_str().unwrap().as_bytes(), title.as_bytes(), "{backend:?}");
            assert_eq!(back["description"], json!(format!("{title}\n\n**{title}**")));
        }
        // 500 characters of 3-byte CJK and of 4-byte emoji fit; 501 do not.
        for ch in ["留", "🎯"] {
            task(&h, p, &ch.repeat(500), json!({})).await;
            let (code, body) = h
                .call(
                    Method::POST,
                    "/api/v1/tasks",
                    Some(&h.admin),
                    Some(json!({ "project_id": p, "title": ch.repeat(501) })),
                )
                .await;
            assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?}");
            assert_eq!(body["error"]["field"], "title");
        }
    }
}

#[tokio::test]
async fn dependency_cycles_are_refused_with_the_cycle_named() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let p = id(&h.post("/api/v1/projects", json!({ "key": "DEP", "name": "deps" })).await);
        let a = task(&h, p, "a", json!({})).await;
        let b = task(&h, p, "b", json!({ "depends_on": [id(&a)] })).await;
        task(&h, p, "c", json!({ "depends_on": [id(&b)] })).await;
        let (code, body) = h
            .call(
                Method::PATCH,
                &format!("/api/v1/tasks/{}", id(&a)),
                Some(&h.admin),
                Some(json!({ "depends_on": [3], "version": 1 })),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {body}");
        assert_eq!(body["error"]["field"], "depends_on");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("DEP-1 → DEP-3 → DEP-2 → DEP-1"), "{message}");
        let (code, _) = h
            .call(
                Method::PATCH,
                &format!("/api/v1/tasks/{}", id(&a)),
                Some(&h.admin),
                Some(json!({ "depends_on": [id(&a)], "version": 1 })),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn lists_are_paginated() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let p = id(&h.post("/api/v1/projects", json!({ "key": "PG", "name": "pages" })).await);
    for i in 1..=7 {
        task(&h, p, &format!("t{i}"), json!({})).await;
    }
    for path in ["/api/v1/projects", "/api/v1/users", "/api/v1/objectives", "/api/v1/cycles", "/api/v1/units"] {
        let listing = h.get(path).await;
        assert_eq!(listing["total"].as_u64(), Some(listing["items"].as_array().unwrap().len() as u64), "{path}");
    }
    let first = h.get("/api/v1/tasks?limit=3").await;
    assert_eq!(first["total"], 7);
    assert_eq!(first["next_offset"], 3);
    let last = h.get("/api/v1/tasks?limit=3&offset=6").await;
    assert_eq!(last["items"].as_array().unwrap().len(), 1);
    assert_eq!(last["items"][0]["key"], "PG-7");
    assert_eq!(last["next_offset"], Value::Null);
}

/// The document lists exactly the routes the server answers, and every
/// documented operation is answered by a handler (never the router's 404/405).
#[tokio::test]
async fn openapi_document_matches_the_real_routes() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let (code, doc) = h.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in
            item.as_object().unwrap().keys().filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
        {
            operations.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    operations.sort();
    let expected = [
        "GET /api/v1/cycles",
        "POST /api/v1/cycles",
        "GET /api/v1/cycles/{id}",
        "PATCH /api/v1/cycles/{id}",
        "GET /api/v1/cycles/{id}/tree",
        "GET /api/v1/objectives",
        "POST /api/v1/objectives",
        "GET /api/v1/objectives/{id}",
        "PATCH /api/v1/objectives/{id}",
        "GET /api/v1/key-results",
        "POST /api/v1/key-results",
        "GET /api/v1/key-results/{id}",
        "PATCH /api/v1/key-results/{id}",
        "GET /api/v1/key-results/{id}/check-ins",
        "POST /api/v1/key-results/{id}/check-ins",
        "POST /api/v1/key-results/{id}/items",
        "PATCH /api/v1/key-results/{id}/items/{item_id}",
        "GET /api/v1/units",
        "POST /api/v1/units",
        "GET /api/v1/units/{id}",
        "PATCH /api/v1/units/{id}",
        "GET /api/v1/users",
        "POST /api/v1/users",
        "GET /api/v1/users/{id}",
        "PATCH /api/v1/users/{id}",
        "GET /api/v1/me",
        "GET /api/v1/me/home",
        "GET /api/v1/search",
        "GET /api/v1/projects",
        "POST /api/v1/projects",
        "GET /api/v1/projects/{id}",
        "PATCH /api/v1/projects/{id}",
        "GET /api/v1/tasks",
        "POST /api/v1/tasks",
        "GET /api/v1/tasks/{id}",
        "PATCH /api/v1/tasks/{id}",
        "GET /api/v1/tasks/{id}/comments",
        "POST /api/v1/tasks/{id}/comments",
        "POST /api/v1/tasks/{id}/worklogs",
        "GET /api/v1/tasks/{id}/history",
        "GET /api/v1/me/settings",
        "PUT /api/v1/me/settings",
        "GET /api/v1/key-results/{id}/comments",
        "POST /api/v1/key-results/{id}/comments",
        "GET /api/v1/projects/{id}/fields",
        "POST /api/v1/projects/{id}/fields",
        "PATCH /api/v1/projects/{id}/fields/{field_id}",
        "DELETE /api/v1/projects/{id}/fields/{field_id}",
        "PUT /api/v1/tasks/{id}/fields/{field_id}",
        "GET /api/v1/projects/{id}/views",
        "POST /api/v1/projects/{id}/views",
        "PATCH /api/v1/projects/{id}/views/{view_id}",
        "DELETE /api/v1/projects/{id}/views/{view_id}",
        "GET /api/v1/projects/{id}/table",
    ];
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(operations, expected);
    for op in &operations {
        let (method, path) = op.split_once(' ').unwrap();
        let path = path
            .replace("{id}", "424242")
            .replace("{item_id}", "1")
            .replace("{field_id}", "1")
            .replace("{view_id}", "1");
        let body = (method != "GET").then(|| json!({}));
        let (code, body) = h.call(method.parse().unwrap(), &path, Some(&h.admin), body).await;
        assert_ne!(code, StatusCode::METHOD_NOT_ALLOWED, "{op}");
        // A handler's 404 says not_found; the router's says unknown_route.
        assert_ne!(body["error"]["code"], "unknown_route", "{op} is documented but not routed");
    }
    // An undocumented path or method really is not served, and says so in JSON.
    let (code, body) = h.call(Method::GET, "/api/v1/nothing-here", Some(&h.admin), None).await;
    assert_eq!((code, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_route")));
    let (code, body) = h.call(Method::DELETE, "/api/v1/cycles", Some(&h.admin), None).await;
    assert_eq!((code, body["error"]["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed")));
    let (code, body) = h.call(Method::GET, "/api/v1/tasks/abc", Some(&h.admin), None).await;
    assert_eq!((code, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("path")));
}

#[tokio::test]
async fn the_setup_link_creates_one_admin_and_survives_a_bad_attempt() {
    for backend in BACKENDS {
        let db = keel_testkit::fresh(backend).await;
        let app = keel_app::App::new(db.store.clone(), Default::default());
        let token = app.setup_token_if_needed().await.unwrap().expect("nobody can log in yet");
        let short = app.complete_setup(&token, "root", "管理员", "short").await;
        assert!(
            matches!(short, Err(keel_app::AppError::Invalid { ref field, .. }) if field == "password"),
            "{backend:?}"
        );
        let admin = app.complete_setup(&token, "root", "管理员", "long enough password").await.unwrap();
        assert_eq!(admin.role, Role::Admin);
        assert!(matches!(
            app.complete_setup(&token, "root2", "x", "long enough password").await,
            Err(keel_app::AppError::Forbidden(_))
        ));
        assert!(app.setup_token_if_needed().await.unwrap().is_none(), "{backend:?}");
        assert!(app.login("root", "long enough password").await.is_ok());
        assert!(app.login("root", "wrong password!").await.is_err());
    }
}

#[tokio::test]
async fn project_health_follows_schedule_overdue_and_blocked_work() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let today = shanghai_today();
        // 20 whole days, 10 of them elapsed: half the work should be done.
        let p = id(&h
            .post("/api/v1/projects", json!({ "key": "HLT", "name": "健康度", "start_date": today - Duration::days(10), "target_date": today + Duration::days(9) }))
            .await);
        let sub = id(&h.post("/api/v1/projects", json!({ "key": "HLT2", "name": "子项目", "parent_id": p })).await);
        task(&h, p, "A", json!({ "estimate": 2.0, "status": "Done", "due_date": today - Duration::days(5) })).await;
        task(
            &h,
            p,
            "B",
            json!({ "estimate": 2.0, "status": "In progress", "progress": 0.5, "due_date": today - Duration::days(1) }),
        )
        .await;
        task(&h, p, "C", json!({ "estimate": 4.0, "blocked": true, "blocked_reason": "等待法务审核" })).await;
        task(&h, sub, "D", json!({ "estimate": 2.0, "status": "Done" })).await;
        for name in ["E", "F", "G", "H"] {
            task(&h, p, name, json!({ "due_date": today })).await;
        }
        let archived = task(&h, p, "old", json!({ "due_date": today - Duration::days(30) })).await;
        h.patch(&format!("/api/v1/tasks/{}", id(&archived)), json!({ "archived": true, "version": 1 })).await;

        let view = h.get(&format!("/api/v1/projects/{p}")).await;
        // Weights 2, 2, 4, 2 and 1 × 4 unestimated (the archived task is not work any more
        // for counts, but still weighs in progress as a to-do): done 2 + 1 + 2 = 5.
        let weights = 2.0 + 2.0 + 4.0 + 2.0 + 4.0 + 1.0;
        assert!(close(f(&view["progress"]), 5.0 / weights), "{backend:?} {}", view["progress"]);
        assert_eq!((view["open_tasks"].clone(), view["done_tasks"].clone()), (json!(6), json!(2)), "{backend:?}");
        assert_eq!((view["overdue_tasks"].clone(), view["blocked_tasks"].clone()), (json!(1), json!(1)), "{backend:?}");
        // Gap 0.5 − 5/15 = 0.17: behind (> 0.10) but not red (≤ 0.25); 1 of 6 open overdue is not over 20 %.
        assert_eq!(view["health"]["health"], "yellow", "{backend:?} {}", view["health"]);
        let kinds: Vec<&str> =
            view["health"]["reasons"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["behind", "overdue", "blocked"]);
        assert!(close(f(&view["health"]["expected"]), 0.5));
        // A sub-project is measured on its own.
        let sub_view = h.get(&format!("/api/v1/projects/{sub}")).await;
        assert_eq!(f(&sub_view["progress"]), 1.0);
    }
}

#[tokio::test]
async fn the_okr_coach_flags_what_is_hard_to_steer_by() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let today = shanghai_today();
    let cycle = id(&h
        .post(
            "/api/v1/cycles",
            json!({ "name": "Q", "start_date": today - Duration::days(40), "end_date": today + Duration::days(50) }),
        )
        .await);
    let o = id(&h
        .post("/api/v1/objectives", json!({ "cycle_id": cycle, "title": "提升客户满意度", "level": "company" }))
        .await);
    let activity = id(&h
        .post(
            "/api/v1/key-results",
            json!({ "objective_id": o, "title": "完成用户调研", "kind": "milestone", "items": [{ "title": "访谈" }] }),
        )
        .await);
    let tree = h.get(&format!("/api/v1/cycles/{cycle}/tree")).await;
    let objective = &tree["objectives"][0];
    let kinds = |v: &Value| {
        v["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    // One KR (fewer than 2); created today, so no check-in is overdue yet.
    assert_eq!(kinds(objective), ["too_few_key_results"]);
    assert_eq!(objective["warnings"][0]["count"], 1);
    let kr = &objective["key_results"][0];
    assert_eq!(id(kr), activity);
    assert_eq!(kinds(kr), ["no_number", "no_due_date", "activity"]);
    assert_eq!(kr["warnings"][2]["word"], "完成");
    // A measurable KR with a due date passes; six projects on it is too many.
    let good = id(&h
        .post("/api/v1/key-results", json!({ "objective_id": o, "title": "NPS 从 30 提升到 45", "kind": "metric", "start_value": 30, "target_value": 45, "due_date": today + Duration::days(50) }))
        .await);
    for i in 0..6 {
        h.post(
            "/api/v1/projects",
            json!({ "key": format!("P{i}X"), "name": format!("项目{i}"), "key_result_ids": [good] }),
        )
        .await;
    }
    let view = h.get(&format!("/api/v1/key-results/{good}")).await;
    assert_eq!(kinds(&view), ["too_many_projects"]);
    let objective = h.get(&format!("/api/v1/objectives/{o}")).await;
    assert!(kinds(&objective).is_empty(), "two KRs now: {objective}");
}

/// Home for two demo people, checked against the tree and the task list
/// read through other endpoints.
#[tokio::test]
async fn home_shows_my_key_results_tasks_and_what_waits_for_me() {
    let h = Harness::new(keel_testkit::Backend::Sqlite).await;
    let today = shanghai_today();
    h.app.load_demo(today).await.unwrap();
    let mut seen_krs = 0;
    let mut seen_overdue = 0;
    for login in ["lina", "liuyang"] {
        let token = h.app.create_token(login, "tests").await.unwrap();
        let me = h.call(Method::GET, "/api/v1/me", Some(&token), None).await.1;
        let (code, home) = h.call(Method::GET, "/api/v1/me/home", Some(&token), None).await;
        assert_eq!(code, StatusCode::OK, "{home}");
        let tree = h.get(&format!("/api/v1/cycles/{}/tree", home["cycle_id"])).await;
        let objectives = tree["objectives"].as_array().unwrap();
        let ids = |v: &Value| -> Vec<i64> {
            let mut ids: Vec<i64> = v.as_array().unwrap().iter().map(id).collect();
            ids.sort();
            ids
        };
        let mut mine: Vec<i64> = objectives
            .iter()
            .flat_map(|o| o["key_results"].as_array().unwrap())
            .filter(|k| k["owner_id"] == me["id"])
            .map(id)
            .collect();
        mine.sort();
        assert_eq!(ids(&home["my_key_results"]), mine, "{login}");
        seen_krs += mine.len();
        // Their units' objectives hold the at-risk and off-track KRs listed.
        let units = me["units"].as_array().unwrap();
        let mut risky: Vec<i64> = objectives
            .iter()
            .filter(|o| units.contains(&o["unit_id"]))
            .flat_map(|o| o["key_results"].as_array().unwrap())
            .filter(|k| k["status"] == "at_risk" || k["status"] == "off_track")
            .map(id)
            .collect();
        risky.sort();
        assert_eq!(ids(&home["at_risk_in_my_units"]), risky, "{login}");
        // Tasks: open ones assigned to them, split around today and this Sunday.
        let tasks = h.get(&format!("/api/v1/tasks?assignee_id={}&limit=500", me["id"])).await;
        let open: Vec<&Value> = tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["category"] != "done" && t["cancelled"] == false)
            .collect();
        let due = |t: &Value| t["due_date"].as_str().map(|d| d.parse::<NaiveDate>().unwrap());
        let sunday = today + Duration::days(6 - i64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
        let mut overdue: Vec<i64> = open.iter().filter(|t| due(t).is_some_and(|d| d < today)).map(|t| id(t)).collect();
        let mut week: Vec<i64> =
            open.iter().filter(|t| due(t).is_some_and(|d| d >= today && d <= sunday)).map(|t| id(t)).collect();
        overdue.sort();
        week.sort();
        assert_eq!((ids(&home["overdue_tasks"]), ids(&home["due_this_week"])), (overdue.clone(), week), "{login}");
        seen_overdue += overdue.len();
        for kr in home["waiting_for_check_in"].as_array().unwrap() {
            assert!(kr["owner_id"] == me["id"] && ["metric", "threshold"].contains(&kr["kind"].as_str().unwrap()));
        }
    }
    assert!(seen_krs > 0 && seen_overdue > 0, "the demo gives these two key results and overdue tasks");
}

#[tokio::test]
async fn search_finds_what_you_may_see_and_nothing_else() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let today = shanghai_today();
        let cycle = id(&h
            .post("/api/v1/cycles", json!({ "name": "Q", "start_date": today, "end_date": today + Duration::days(90) }))
            .await);
        let saas = id(&h.post("/api/v1/units", json!({ "name": "SaaS" })).await);
        let (_, outsider) = h.person("outsider", Role::Member, vec![]).await;
        let open = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle, "title": "提升客户满意度", "level": "company" }))
            .await);
        let nps = id(&h
            .post("/api/v1/key-results", json!({ "objective_id": open, "title": "NPS 从 30 提升到 45", "kind": "metric", "start_value": 30, "target_value": 45 }))
            .await);
        let hidden = id(&h
            .post("/api/v1/objectives", json!({ "cycle_id": cycle, "title": "秘密：客户满意度专项", "level": "unit", "unit_id": saas, "private": true }))
            .await);
        let secret_project = id(&h
            .post(
                "/api/v1/projects",
                json!({ "key": "SEC", "name": "客户满意度秘密项目", "unit_id": saas, "private": true }),
            )
            .await);
        task(&h, secret_project, "客户满意度回访", json!({})).await;
        let public_project = id(&h.post("/api/v1/projects", json!({ "key": "CSAT", "name": "满意度提升" })).await);
        let visible_task = id(&task(&h, public_project, "客户满意度问卷 100% 覆盖", json!({})).await);

        let h = &h;
        let search = |token: String, q: &str| {
            let path = format!("/api/v1/search?q={}", percent(q));
            async move { h.call(Method::GET, &path, Some(&token), None).await }
        };
        let hits = |v: &Value| -> Vec<(String, i64)> {
            v.as_array().unwrap().iter().map(|x| (x["kind"].as_str().unwrap().to_string(), id(x))).collect()
        };
        let (_, admin_hits) = search(h.admin.clone(), "客户满意度").await;
        let admin_hits = hits(&admin_hits);
        for expected in
            [("objective", open), ("objective", hidden), ("project", secret_project), ("task", visible_task)]
        {
            assert!(admin_hits.contains(&(expected.0.to_string(), expected.1)), "{backend:?} admin sees {expected:?}");
        }
        let (_, outsider_hits) = search(outsider.clone(), "客户满意度").await;
        let outsider_hits = hits(&outsider_hits);
        assert!(outsider_hits.contains(&("objective".into(), open)));
        assert!(outsider_hits.contains(&("task".into(), visible_task)));
        assert!(
            !outsider_hits
                .iter()
                .any(|(k, i)| (k == "objective" && *i == hidden) || (k == "project" && *i == secret_project)),
            "{backend:?} {outsider_hits:?}"
        );
        assert_eq!(
            outsider_hits.iter().filter(|(k, _)| k == "task").count(),
            1,
            "the private project's task stays hidden"
        );
        // Case-insensitive for Latin letters, task keys, and % taken literally.
        assert_eq!(hits(&search(h.admin.clone(), "nps").await.1), vec![("key_result".into(), nps)]);
        assert_eq!(hits(&search(h.admin.clone(), "csat-1").await.1), vec![("task".into(), visible_task)]);
        assert_eq!(hits(&search(h.admin.clone(), "100%").await.1), vec![("task".into(), visible_task)]);
        assert!(hits(&search(h.admin.clone(), "0% 覆").await.1).len() == 1);
        assert!(hits(&search(h.admin.clone(), "%%").await.1).is_empty(), "{backend:?}: % is not a wildcard");
        assert_eq!(search(h.admin.clone(), " ").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

/// Percent-encodes a query value (UTF-8 bytes outside the unreserved set).
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
