//! The OKR tree of a cycle as CSV and XLSX: one row per key result with its
//! objective beside it, the numbers as typed (checked against what this test
//! created), formulas defused, a unit filter honoured, and a private
//! objective out of the file of anyone who may not see it.

mod views_common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use http_body_util::BodyExt;
use keel_app::Actor;
use keel_domain::org::{Lang, Role};
use serde_json::{Value, json};
use tower::ServiceExt;
use views_common::Site;

fn input<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

async fn download(site: &Site, uri: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let response = site.router.clone().oneshot(req).await.unwrap();
    let status = response.status();
    let kind =
        response.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, kind, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    assert_eq!(&bytes[..3], "\u{feff}".as_bytes(), "UTF-8 with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[tokio::test]
async fn the_okr_tree_exports_what_the_viewer_sees() {
    let site = Site::new(keel_testkit::Backend::Sqlite).await;
    let sys = Actor::system();
    let admin = site.person("ada", Role::Admin, Lang::Zh, "Asia/Shanghai").await;
    let member = site.person("mia", Role::Member, Lang::En, "Asia/Shanghai").await;
    let today = keel_app::clock::today_in("Asia/Shanghai", chrono::Utc::now());
    let cycle = site
        .app
        .create_cycle(
            &sys,
            input(json!({"name": "2026-Q4", "start_date": today - Duration::days(30),
                         "end_date": today + Duration::days(60), "state": "active"})),
        )
        .await
        .unwrap();
    let unit = site.app.create_unit(&sys, input(json!({"name": "增长部"}))).await.unwrap();
    let objective = |title: &str, private: bool, unit_id: Option<i64>| {
        input::<keel_app::okr::ObjectiveInput>(json!({"cycle_id": cycle.id, "title": title, "level": "company",
            "owner_id": admin.id, "private": private, "unit_id": unit_id}))
    };
    let open = site.app.create_objective(&sys, objective("=SUM(A1) 提升留存", false, None)).await.unwrap();
    let hidden = site.app.create_objective(&sys, objective("秘密目标", true, Some(unit.id.0))).await.unwrap();
    let growth = site
        .app
        .create_objective(
            &sys,
            input(json!({"cycle_id": cycle.id, "title": "增长", "level": "unit",
            "unit_id": unit.id, "owner_id": admin.id})),
        )
        .await
        .unwrap();
    let kr = |objective: keel_domain::ObjectiveId, title: &str, extra: Value| {
        let mut v = json!({"objective_id": objective, "title": title, "owner_id": member.id, "due_date": today + Duration::days(60)});
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        input::<keel_app::okr::KeyResultInput>(v)
    };
    let retention = site
        .app
        .create_key_result(
            &sys,
            kr(
                open.id,
                "次月留存率",
                json!({"kind": "metric", "start_value": 40.0, "target_value": 60.0, "unit_label": "%"}),
            ),
        )
        .await
        .unwrap();
    site.app.check_in(&sys, retention.id, input(json!({"value": 50.0, "confidence": 7}))).await.unwrap();
    site.app
        .create_key_result(
            &sys,
            kr(open.id, "可用性", json!({"kind": "threshold", "direction": "at_least", "target_value": 99.9})),
        )
        .await
        .unwrap();
    site.app
        .create_key_result(
            &sys,
            kr(hidden.id, "秘密 KR", json!({"kind": "metric", "start_value": 0.0, "target_value": 1.0})),
        )
        .await
        .unwrap();
    site.app
        .create_key_result(
            &sys,
            kr(growth.id, "新用户", json!({"kind": "metric", "start_value": 0.0, "target_value": 1000.0})),
        )
        .await
        .unwrap();

    // The admin sees all four key results; the member not the private objective's.
    let uri = format!("/okrs/export.csv?cycle={}", cycle.id.0);
    let (status, kind, bytes) = download(&site, &uri, &admin.cookie).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/csv; charset=utf-8"));
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0][..6], ["目标", "层级", "单元", "目标负责人", "目标进度", "关键结果"]);
    assert_eq!(rows.len(), 1 + 4);
    let (_, _, bytes) = download(&site, &uri, &member.cookie).await;
    let rows = csv_rows(&bytes);
    assert_eq!(rows[0][5], "Key result", "in the member's language");
    assert_eq!(rows.len(), 1 + 3, "{rows:?}");
    assert!(!String::from_utf8_lossy(&bytes).contains("秘密"), "nothing of the private objective");
    // The metric row, value by value: 50 of 40 → 60 is 50 %.
    let row = rows.iter().find(|r| r[5] == "次月留存率").unwrap();
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    assert_eq!(row[col("Objective")], "'=SUM(A1) 提升留存", "a formula is defused");
    assert_eq!(
        (row[col("Start")].as_str(), row[col("Target")].as_str(), row[col("Current")].as_str()),
        ("40", "60", "50")
    );
    assert_eq!(row[col("Progress")], "50%");
    assert_eq!(row[col("Unit of measure")], "%");
    assert_eq!(row[col("Confidence (0–10)")], "7");
    assert_eq!(row[col("Owner")], "mia");
    // The threshold has no start.
    let row = rows.iter().find(|r| r[5] == "可用性").unwrap();
    assert_eq!((row[col("Start")].as_str(), row[col("Target")].as_str()), ("", "99.9"));

    // The unit filter: the unit's objectives only (the member still without the private one).
    let (_, _, bytes) = download(&site, &format!("{uri}&unit={}", unit.id.0), &member.cookie).await;
    let rows = csv_rows(&bytes);
    assert_eq!(rows.iter().skip(1).map(|r| r[0].as_str()).collect::<Vec<_>>(), ["增长"]);

    // XLSX: numbers are numbers, the percentage a fraction, the formula-looking title text.
    let (status, _, bytes) = download(&site, &uri.replace(".csv", ".xlsx"), &member.cookie).await;
    assert_eq!(status, StatusCode::OK);
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("OKR").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(rows.len(), 1 + 3);
    let row = rows.iter().find(|r| r[5] == Data::String("次月留存率".into())).unwrap();
    assert_eq!(row[0], Data::String("=SUM(A1) 提升留存".into()));
    assert_eq!(
        (row[9].clone(), row[10].clone(), row[13].clone()),
        (Data::Float(40.0), Data::Float(60.0), Data::Float(0.5))
    );
    // The page offers both, for this cycle.
    let page = site.page(&format!("/okrs?cycle={}", cycle.id.0), &member).await;
    assert!(page.contains(&format!(r#"href="/okrs/export.xlsx?cycle={}""#, cycle.id.0)), "{page}");
}
