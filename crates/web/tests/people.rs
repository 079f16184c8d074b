//! People and units, settings, and the key result's work and comments,
//! driven through the real router over fresh databases: pages logged in
//! through the login form, the JSON API with tokens. Expected values are
//! worked out here from the input.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::{Duration, NaiveDate, Utc};
use common::Harness;
use http_body_util::BodyExt;
use keel_app::Actor;
use keel_app::store::Page;
use keel_domain::org::Role;
use keel_testkit::{BACKENDS, Backend};
use serde_json::{Value, json};
use tower::ServiceExt;

const HOSTILE: [&str; 3] = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "<b>unclosed"];

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn cookie_value(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|line| line[name.len() + 1..].split(';').next().unwrap_or("").to_string())
    }
    fn field(&self, name: &str) -> Option<String> {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker)? + marker.len();
        Some(self.body[start..].split('"').next()?.to_string())
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// A logged-in browser: its session cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn send(h: &Harness, req: Request<Body>) -> Reply {
    let response = h.router.clone().oneshot(req).await.expect("router answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply { status, headers, body: String::from_utf8(bytes.to_vec()).expect("utf-8 body") }
}

async fn log_in(h: &Harness, login: &str, password: &str) -> Browser {
    let page = send(h, Request::get("/login").body(Body::empty()).unwrap()).await;
    let token = page.cookie_value("keel_csrf").expect("csrf cookie");
    let body = form(&[("csrf", &token), ("login", login), ("password", password), ("next", "")]);
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("keel_csrf={token}"));
    let done = send(h, req.body(Body::from(body)).unwrap()).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "log in as {login}");
    let cookie = format!("keel_session={}", done.cookie_value("keel_session").expect("session cookie"));
    let mut b = Browser { cookie, csrf: String::new() };
    b.csrf = get(h, &b, "/settings").await.field("csrf").expect("csrf field");
    b
}

async fn get(h: &Harness, b: &Browser, uri: &str) -> Reply {
    send(h, Request::get(uri).header(header::COOKIE, &b.cookie).body(Body::empty()).unwrap()).await
}

async fn post(h: &Harness, b: &Browser, uri: &str, pairs: &[(&str, &str)]) -> Reply {
    let mut pairs = pairs.to_vec();
    pairs.push(("csrf", &b.csrf));
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &b.cookie);
    send(h, req.body(Body::from(form(&pairs))).unwrap()).await
}

async fn admin_browser(h: &Harness) -> Browser {
    log_in(h, "admin", "correct horse battery").await
}

/// Creates a unit through the API; returns its id.
async fn unit(h: &Harness, name: &str, parent: Option<i64>, region: Option<&str>, lead: Option<i64>) -> i64 {
    let out =
        h.post("/api/v1/units", json!({"name": name, "parent_id": parent, "region": region, "lead_id": lead})).await;
    out["id"].as_i64().unwrap()
}

fn today_in(zone: &str) -> NaiveDate {
    keel_app::clock::today_in(zone, Utc::now())
}

/// An active cycle around today, an objective and one work KR; returns (cycle, objective, kr).
async fn okr(h: &Harness, title: &str, owner: i64, unit: Option<i64>, private: bool) -> (i64, i64, i64) {
    let today = today_in("Asia/Shanghai");
    let cycles = h.get("/api/v1/cycles").await;
    let cycle = match cycles["items"].as_array().unwrap().first() {
        Some(c) => c["id"].as_i64().unwrap(),
        None => {
            let c = h
                .post(
                    "/api/v1/cycles",
                    json!({"name": "本季度", "start_date": today - Duration::days(30), "end_date": today + Duration::days(60), "state": "active"}),
                )
                .await;
            c["id"].as_i64().unwrap()
        }
    };
    let o = h
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": cycle, "title": title, "level": if unit.is_some() { "unit" } else { "company" }, "unit_id": unit, "owner_id": owner, "private": private}),
        )
        .await;
    let o = o["id"].as_i64().unwrap();
    let kr = h
        .post(
            "/api/v1/key-results",
            json!({"objective_id": o, "title": format!("{title} KR"), "kind": "work", "owner_id": owner}),
        )
        .await;
    (cycle, o, kr["id"].as_i64().unwrap())
}

async fn project(h: &Harness, key: &str, name: &str, krs: Vec<i64>, private: bool, owner: Option<i64>) -> i64 {
    let p = h
        .post(
            "/api/v1/projects",
            json!({"key": key, "name": name, "key_result_ids": krs, "private": private, "owner_id": owner}),
        )
        .await;
    p["id"].as_i64().unwrap()
}

async fn task(
    h: &Harness,
    project: i64,
    title: &str,
    due: Option<NaiveDate>,
    assignee: Option<i64>,
    krs: Vec<i64>,
) -> Value {
    h.post(
        "/api/v1/tasks",
        json!({"project_id": project, "title": title, "due_date": due, "assignee_id": assignee, "key_result_ids": krs}),
    )
    .await
}

/// Markup as it must never appear on a page: the hostile strings unescaped.
fn assert_escaped(body: &str, what: &str) {
    assert!(!body.contains("<img src=x onerror"), "{what}: raw <img>");
    assert!(!body.contains("<script>alert(1)"), "{what}: raw <script>");
    assert!(!body.contains("<b>unclosed"), "{what}: raw <b>");
}

#[tokio::test]
async fn people_page_shows_the_org_tree_and_a_paged_search() {
    let h = Harness::new(Backend::Sqlite).await;
    let (lead, _) = h.person("lead", Role::Member, vec![]).await;
    let company = unit(&h, "Keel Inc", None, Some("Shanghai"), Some(lead)).await;
    let sales = unit(&h, "Sales", Some(company), Some("Beijing"), None).await;
    let team = unit(&h, "Sales East", Some(sales), None, None).await;
    // 60 people without logins: 52 in Sales, 8 in the team, names sortable.
    for i in 0..60 {
        let units = if i < 52 { vec![sales] } else { vec![team] };
        h.post(
            "/api/v1/users",
            json!({"display_name": format!("Person {i:02}"), "units": units, "time_zone": "Europe/Berlin"}),
        )
        .await;
    }
    let b = admin_browser(&h).await;
    let page = get(&h, &b, "/people").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    // Nested: company at depth 0, Sales at 1, the team at 2, in that order.
    let at = |s: &str| body.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(
        at(&format!(r#"class="org-depth-0" id="unit-{company}""#))
            < at(&format!(r#"class="org-depth-1" id="unit-{sales}""#))
    );
    assert!(at(&format!(r#"id="unit-{sales}""#)) < at(&format!(r#"class="org-depth-2" id="unit-{team}""#)));
    assert!(body.contains("Region: Shanghai") && body.contains("Lead: lead"));
    assert!(body.contains("52 members") && body.contains("8 members"));
    // 62 people in all (admin, lead, 60): pages of 50.
    assert!(body.contains("62 people"), "total");
    assert!(body.contains("Page 1 of 2"));
    assert_eq!(body.matches(r#"<tr id="person-"#).count(), 50);
    let second = get(&h, &b, "/people?page=2").await;
    assert_eq!(second.body.matches(r#"<tr id="person-"#).count(), 12);
    // Search: "person 5" matches Person 50..59 (not Person 05), any case.
    let found = get(&h, &b, "/people?q=person%205").await;
    assert!(found.body.contains("10 people"), "search total");
    assert_eq!(found.body.matches(r#"<tr id="person-"#).count(), 10);
    assert!(found.body.contains("Europe/Berlin") && found.body.contains(r#"value="person 5""#));
    // The header links to People and Settings.
    assert!(body.contains(r#"<a href="/people" aria-current="page">People</a>"#));
    assert!(body.contains(r#"<a href="/settings">Settings</a>"#));
}

#[tokio::test]
async fn unit_and_person_pages_show_what_the_viewer_may_see() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let (owner, _) = h.person("owner", Role::Member, vec![]).await;
        let company = unit(&h, "Keel Inc", None, None, None).await;
        let growth = unit(&h, "Growth", Some(company), Some("Shenzhen"), Some(owner)).await;
        let sub = unit(&h, "Growth Ads", Some(growth), None, None).await;
        let (outsider, _) = h.person("outsider", Role::Member, vec![]).await;
        let (insider, _) = h.person("insider", Role::Member, vec![growth]).await;
        let (_, _, open_kr) = okr(&h, "Open growth goal", owner, Some(growth), false).await;
        let (_, _, secret_kr) = okr(&h, "Secret growth goal", owner, Some(growth), true).await;
        // Open tasks of the owner: one overdue by 3 days, one due later, one done (not shown).
        let p = project(&h, "GRO", "Growth work", vec![open_kr], false, None).await;
        let today = today_in("Asia/Shanghai");
        task(&h, p, "Late launch", Some(today - Duration::days(3)), Some(owner), vec![]).await;
        task(&h, p, "Later launch", Some(today + Duration::days(5)), Some(owner), vec![]).await;
        let done = task(&h, p, "Finished thing", None, Some(owner), vec![]).await;
        h.patch(&format!("/api/v1/tasks/{}", done["id"]), json!({"status": "Done", "version": done["version"]})).await;

        let out = log_in(&h, "outsider", "password-1234").await;
        let page = get(&h, &out, &format!("/units/{growth}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Open growth goal"));
        assert!(!page.body.contains("Secret growth goal"), "a private objective never shows on a unit page");
        assert!(page.body.contains("Growth Ads") && page.body.contains(&format!("/units/{sub}")));
        assert!(
            page.body.contains("Shenzhen") && page.body.contains(&format!(r#"<a href="/people/{owner}">owner</a>"#))
        );
        assert!(page.body.contains(&format!(r#"<a href="/people/{insider}">insider</a>"#)), "members listed");
        assert!(!page.body.contains(&format!(r#"<a href="/people/{outsider}">"#)), "not a member");
        // A member sees no admin forms.
        assert!(!page.body.contains(r#"action="/units/"#) && !page.body.contains("edit-unit"));

        let person = get(&h, &out, &format!("/people/{owner}")).await;
        assert!(person.body.contains("Open growth goal KR"));
        assert!(!person.body.contains("Secret growth goal"), "nor on a person page");
        assert!(person.body.contains("Key results they own (1)"), "not even counted");
        assert!(person.body.contains("Late launch") && person.body.contains("3 d overdue"));
        assert!(person.body.contains("Later launch") && !person.body.contains("Finished thing"));
        assert_eq!(person.body.matches("d overdue").count(), 1);
        // The insider (member of the unit) sees the private one, counted.
        let ins = log_in(&h, "insider", "password-1234").await;
        let person = get(&h, &ins, &format!("/people/{owner}")).await;
        assert!(person.body.contains("Secret growth goal KR") && person.body.contains("Key results they own (2)"));
        let _ = secret_kr;
    }
}

#[tokio::test]
async fn members_cannot_edit_units_or_roles() {
    let h = Harness::new(Backend::Sqlite).await;
    let company = unit(&h, "Keel Inc", None, None, None).await;
    let (member, _) = h.person("member", Role::Member, vec![company]).await;
    let b = log_in(&h, "member", "password-1234").await;
    let version = h.get(&format!("/api/v1/units/{company}")).await["version"].as_i64().unwrap().to_string();
    for (uri, pairs) in [
        ("/units".to_string(), vec![("name", "Rogue")]),
        (format!("/units/{company}/edit"), vec![("name", "Renamed"), ("version", version.as_str())]),
        (format!("/units/{company}/members"), vec![("person", "1"), ("action", "add"), ("version", version.as_str())]),
        (format!("/people/{member}/role"), vec![("role", "admin"), ("version", "1")]),
    ] {
        let reply = post(&h, &b, &uri, &pairs).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
    }
    assert_eq!(h.get(&format!("/api/v1/units/{company}")).await["name"], "Keel Inc");
    assert_eq!(h.get("/api/v1/units").await["total"], 1);
    let me = h.get(&format!("/api/v1/users/{member}")).await;
    assert_eq!(me["role"], "member");
    let people = get(&h, &b, "/people").await;
    assert!(!people.body.contains(r#"action="/units""#), "no create form for members");
    let person = get(&h, &b, &format!("/people/{member}")).await;
    assert!(!person.body.contains("/role"), "no role form for members");
}

#[tokio::test]
async fn admin_edits_units_members_and_roles_with_versions() {
    let h = Harness::new(Backend::Sqlite).await;
    let company = unit(&h, "Keel Inc", None, None, None).await;
    let sales = unit(&h, "Sales", Some(company), None, None).await;
    let team = unit(&h, "Sales East", Some(sales), None, None).await;
    let (li, _) = h.person("li", Role::Member, vec![]).await;
    let b = admin_browser(&h).await;

    // Create through the form.
    let made = post(
        &h,
        &b,
        "/units",
        &[("name", "Support"), ("parent", &company.to_string()), ("region", "Chengdu"), ("lead", &li.to_string())],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let units = h.get("/api/v1/units").await;
    let support = units["items"].as_array().unwrap().iter().find(|u| u["name"] == "Support").unwrap().clone();
    assert_eq!(support["parent_id"], company);
    assert_eq!(support["region"], "Chengdu");
    assert_eq!(support["lead_id"], li);

    // Moving Sales under its own team is a cycle, refused naming both.
    let v = h.get(&format!("/api/v1/units/{sales}")).await["version"].as_i64().unwrap();
    let refused = post(
        &h,
        &b,
        &format!("/units/{sales}/edit"),
        &[("name", "Sales"), ("parent", &team.to_string()), ("version", &v.to_string())],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("“Sales” cannot move under “Sales East”, which sits inside it."), "{}", refused.body);
    assert_eq!(h.get(&format!("/api/v1/units/{sales}")).await["parent_id"], company);

    // Rename and set region with the right version, then the same stale form is a 409.
    let ok = post(
        &h,
        &b,
        &format!("/units/{sales}/edit"),
        &[("name", "Sales CN"), ("parent", &company.to_string()), ("region", "Beijing"), ("version", &v.to_string())],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let stale = post(
        &h,
        &b,
        &format!("/units/{sales}/edit"),
        &[("name", "Sales stale"), ("parent", ""), ("version", &v.to_string())],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let now = h.get(&format!("/api/v1/units/{sales}")).await;
    assert_eq!(
        (now["name"].as_str(), now["region"].as_str()),
        (Some("Sales CN"), Some("Beijing")),
        "never overwritten"
    );

    // Members: add li, then a stale membership form is refused, then remove.
    let v = now["version"].as_i64().unwrap().to_string();
    let added = post(
        &h,
        &b,
        &format!("/units/{sales}/members"),
        &[("person", &li.to_string()), ("action", "add"), ("version", &v)],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(h.get(&format!("/api/v1/users/{li}")).await["units"], json!([sales]));
    let stale = post(
        &h,
        &b,
        &format!("/units/{sales}/members"),
        &[("person", &li.to_string()), ("action", "remove"), ("version", &v)],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(h.get(&format!("/api/v1/users/{li}")).await["units"], json!([sales]));
    let v = h.get(&format!("/api/v1/units/{sales}")).await["version"].as_i64().unwrap().to_string();
    let removed = post(
        &h,
        &b,
        &format!("/units/{sales}/members"),
        &[("person", &li.to_string()), ("action", "remove"), ("version", &v)],
    )
    .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(h.get(&format!("/api/v1/users/{li}")).await["units"], json!([]));
    // Each membership change is in the change record of the person.
    let changes = h.app.store.read().await.unwrap().list_changes("user", li).await.unwrap();
    assert_eq!(changes.iter().filter(|c| c.action == "update").count(), 2);

    // Roles: li becomes admin; the admin may then step down; li, now the last admin, may not.
    let admin_id = h.get("/api/v1/me").await["id"].as_i64().unwrap();
    let lv = h.get(&format!("/api/v1/users/{li}")).await["version"].as_i64().unwrap().to_string();
    assert_eq!(
        post(&h, &b, &format!("/people/{li}/role"), &[("role", "admin"), ("version", &lv)]).await.status,
        StatusCode::SEE_OTHER
    );
    let stale = post(&h, &b, &format!("/people/{li}/role"), &[("role", "viewer"), ("version", &lv)]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let av = h.get(&format!("/api/v1/users/{admin_id}")).await["version"].as_i64().unwrap().to_string();
    assert_eq!(
        post(&h, &b, &format!("/people/{admin_id}/role"), &[("role", "member"), ("version", &av)]).await.status,
        StatusCode::SEE_OTHER
    );
    let li_browser = log_in(&h, "li", "password-1234").await;
    let lv = h.app.get_user(&Actor::system(), keel_domain::UserId(li)).await.unwrap().version.to_string();
    let last = post(&h, &li_browser, &format!("/people/{li}/role"), &[("role", "member"), ("version", &lv)]).await;
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.body.contains("The last admin cannot be demoted"));
    assert_eq!(h.app.get_user(&Actor::system(), keel_domain::UserId(li)).await.unwrap().role, Role::Admin);
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_through_the_api_either() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let me = h.get("/api/v1/me").await;
        let (code, body) = h
            .call(
                Method::PATCH,
                &format!("/api/v1/users/{}", me["id"]),
                Some(&h.admin),
                Some(json!({"role": "viewer", "version": me["version"]})),
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{backend:?} {body}");
        assert_eq!(body["error"]["field"], "role");
        assert_eq!(h.get("/api/v1/me").await["role"], "admin");
    }
}

fn default_prefs() -> Value {
    serde_json::to_value(keel_domain::notify::NotificationPrefs::default()).unwrap()
}

#[tokio::test]
async fn settings_api_round_trips_with_versions() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let (_, token) = h.person("wang", Role::Member, vec![]).await;
        let call = |m: Method, body: Option<Value>| {
            let token = token.clone();
            let h = &h;
            async move { h.call(m, "/api/v1/me/settings", Some(&token), body).await }
        };
        let (code, s) = call(Method::GET, None).await;
        assert_eq!(code, StatusCode::OK);
        assert_eq!(s["time_zone"], "Asia/Shanghai");
        assert_eq!(s["lang"], Value::Null);
        assert_eq!(s["notifications"], default_prefs());
        assert_eq!(s["notifications_version"], 0);
        let mut prefs = default_prefs();
        prefs["reports"]["chat"] = json!(true);
        prefs["email_digest"] = json!({"mode": "daily", "at": "08:30:00"});
        prefs["quiet_hours"] = json!({"start": "22:00:00", "end": "07:00:00"});
        let input = json!({"lang": "zh-CN", "time_zone": "Europe/London", "notifications": prefs, "version": s["version"], "notifications_version": 0});
        let (code, saved) = call(Method::PUT, Some(input.clone())).await;
        assert_eq!(code, StatusCode::OK, "{backend:?} {saved}");
        assert_eq!(saved["lang"], "zh-CN");
        assert_eq!(saved["notifications"], prefs);
        assert_eq!(saved["notifications_version"], 1);
        assert_eq!(saved["version"], s["version"].as_i64().unwrap() + 1);
        let (_, again) = call(Method::GET, None).await;
        assert_eq!(again, saved);
        // The same input again is stale: 409, nothing changes.
        let (code, body) = call(Method::PUT, Some(input.clone())).await;
        assert_eq!(code, StatusCode::CONFLICT, "{body}");
        // A stale preferences version alone is a 409 too, and the zone is not saved.
        let mut half = input.clone();
        half["version"] = saved["version"].clone();
        half["time_zone"] = json!("America/New_York");
        let (code, _) = call(Method::PUT, Some(half)).await;
        assert_eq!(code, StatusCode::CONFLICT);
        assert_eq!(call(Method::GET, None).await.1["time_zone"], "Europe/London");
        // Invalid: a made-up zone, empty quiet hours, an unknown field.
        let fresh = |zone: &str, prefs: Value| json!({"time_zone": zone, "notifications": prefs, "version": saved["version"], "notifications_version": 1});
        let (code, body) = call(Method::PUT, Some(fresh("Mars/Olympus", default_prefs()))).await;
        assert_eq!((code, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("time_zone")));
        let mut bad = default_prefs();
        bad["quiet_hours"] = json!({"start": "08:00:00", "end": "08:00:00"});
        let (code, body) = call(Method::PUT, Some(fresh("UTC", bad))).await;
        assert_eq!((code, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("quiet_hours")));
        let mut unknown = fresh("UTC", default_prefs());
        unknown["sms"] = json!(true);
        assert_eq!(call(Method::PUT, Some(unknown)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        // Without credentials: 401.
        assert_eq!(h.call(Method::GET, "/api/v1/me/settings", None, None).await.0, StatusCode::UNAUTHORIZED);
    }
}

/// Every switch of the settings form as the page shows it, plus the given fields.
fn settings_form(page: &Reply, lang: &str, zone: &str) -> Vec<(String, String)> {
    let mut pairs = vec![
        ("version".to_string(), page.field("version").unwrap()),
        ("notifications_version".to_string(), page.field("notifications_version").unwrap()),
        ("lang".to_string(), lang.to_string()),
        ("time_zone".to_string(), zone.to_string()),
        ("digest".to_string(), "off".to_string()),
    ];
    for chunk in page.body.split(r#"type="checkbox" id=""#).skip(1) {
        let name = chunk.split('"').next().unwrap().to_string();
        if chunk.split('>').next().unwrap().contains(" checked") {
            pairs.push((name, "on".into()));
        }
    }
    pairs
}

async fn post_owned(h: &Harness, b: &Browser, uri: &str, pairs: &[(String, String)]) -> Reply {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post(h, b, uri, &borrowed).await
}

#[tokio::test]
async fn the_time_zone_in_settings_moves_overdue_and_the_language_is_remembered() {
    let h = Harness::new(Backend::Sqlite).await;
    let (me, _) = h.person("zhou", Role::Member, vec![]).await;
    let (_, _, kr) = okr(&h, "Ship it", me, None, false).await;
    let p = project(&h, "SHIP", "Shipping", vec![kr], false, None).await;
    // Due "today" in Pago Pago (UTC−11): in Kiritimati (UTC+14) that day is
    // always over already; in Pago Pago it is not.
    let due = today_in("Pacific/Pago_Pago");
    assert!(today_in("Pacific/Kiritimati") > due);
    task(&h, p, "Due today over there", Some(due), Some(me), vec![]).await;
    let b = log_in(&h, "zhou", "password-1234").await;

    let overdue_days = |page: &Reply| page.body.contains("d overdue");
    for (zone, overdue) in [("Pacific/Kiritimati", true), ("Pacific/Pago_Pago", false)] {
        let page = get(&h, &b, "/settings").await;
        let saved = post_owned(&h, &b, "/settings", &settings_form(&page, "", zone)).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{zone}: {}", saved.body);
        // "Follow the browser" drops a language the header switch remembered.
        assert_eq!(saved.cookie_value("keel_lang").as_deref(), Some(""), "{zone}");
        let shown = get(&h, &b, "/settings?saved=1").await;
        assert!(shown.body.contains(&format!(r#"<option value="{zone}" selected>"#)), "{zone} remembered");
        let person = get(&h, &b, &format!("/people/{me}")).await;
        assert_eq!(overdue_days(&person), overdue, "person page in {zone}");
        let krp = get(&h, &b, &format!("/key-results/{kr}")).await;
        let expected_overdue = if overdue { 1 } else { 0 };
        assert!(krp.body.contains(&format!("0 done · 1 open · {expected_overdue} overdue")), "KR page in {zone}");
    }

    // The language: saved, remembered in a cookie and shown on the next page.
    let page = get(&h, &b, "/settings").await;
    let mut pairs = settings_form(&page, "zh-CN", "Asia/Shanghai");
    pairs.retain(|(k, _)| k != "n-reports-in_app");
    pairs.push(("quiet".into(), "on".into()));
    pairs.push(("quiet_from".into(), "22:30".into()));
    pairs.push(("quiet_until".into(), "06:45".into()));
    let saved = post_owned(&h, &b, "/settings", &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.cookie_value("keel_lang").as_deref(), Some("zh-CN"));
    let shown = get(&h, &b, "/settings?saved=1").await;
    assert!(shown.body.contains(r#"<html lang="zh-CN">"#) && shown.body.contains("设置已保存。"));
    let prefs = h.app.notification_prefs(&Actor::system(), keel_domain::UserId(me)).await.unwrap();
    assert!(!prefs.reports.in_app, "the unticked box is saved");
    let q = prefs.quiet_hours.expect("quiet hours");
    assert_eq!((q.start.to_string(), q.end.to_string()), ("22:30:00".into(), "06:45:00".into()));

    // A stale form is a 409, and the page says so.
    let stale = post_owned(&h, &b, "/settings", &settings_form(&page, "en", "UTC")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("该条目刚被他人修改"));
    // A bad zone or a bad time is a 422 naming it.
    let page = get(&h, &b, "/settings").await;
    let bad = post_owned(&h, &b, "/settings", &settings_form(&page, "zh-CN", "Mars/Olympus")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Mars/Olympus"));
    let mut pairs = settings_form(&page, "zh-CN", "UTC");
    pairs.push(("digest".into(), "daily".into()));
    pairs.retain(|(k, v)| !(k == "digest" && v == "off"));
    pairs.push(("digest_at".into(), "25:99".into()));
    let bad = post_owned(&h, &b, "/settings", &pairs).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请输入时间"));
    let stored = h.app.get_user(&Actor::system(), keel_domain::UserId(me)).await.unwrap();
    assert_eq!((stored.time_zone.as_str(), stored.lang), ("Asia/Shanghai", Some(keel_domain::org::Lang::Zh)));
}

#[tokio::test]
async fn key_result_page_shows_linked_projects_and_the_work_behind_the_number() {
    for backend in BACKENDS {
        let h = Harness::new(backend).await;
        let (viewer, _) = h.person("viewer", Role::Member, vec![]).await;
        let (owner, _) = h.person("owner", Role::Member, vec![]).await;
        let (_, _, kr) = okr(&h, "Grow", owner, None, false).await;
        let today = today_in("Asia/Shanghai");
        let open = project(&h, "OPEN", "Open project", vec![kr], false, Some(owner)).await;
        let secret = project(&h, "SECRET", "Secret project", vec![kr], true, Some(owner)).await;
        let other = project(&h, "OTHER", "Other project", vec![], false, None).await;
        // 23 open tasks in the open project, 2 of them overdue; one done.
        for i in 0..23 {
            let due = if i < 2 { today - Duration::days(2) } else { today + Duration::days(i) };
            task(&h, open, &format!("Open task {i:02}"), Some(due), Some(owner), vec![]).await;
        }
        let done = task(&h, open, "Done task", None, None, vec![]).await;
        h.patch(&format!("/api/v1/tasks/{}", done["id"]), json!({"status": "Done", "version": done["version"]})).await;
        // One linked directly from an unlinked project, overdue; hidden ones in the private project.
        task(&h, other, "Direct task", Some(today - Duration::days(1)), None, vec![kr]).await;
        task(&h, secret, "Hidden task", Some(today - Duration::days(9)), None, vec![]).await;
        task(&h, other, "Unrelated task", None, None, vec![]).await;

        let b = log_in(&h, "viewer", "password-1234").await;
        let page = get(&h, &b, &format!("/key-results/{kr}")).await;
        assert_eq!(page.status, StatusCode::OK);
        // Counted by hand: done 1; open 23 + 1 direct = 24; overdue 2 + 1 = 3. Nothing of SECRET.
        assert!(page.body.contains("1 done · 24 open · 3 overdue"), "{}", page.body);
        assert!(
            page.body.contains("Open project")
                && !page.body.contains("Secret project")
                && !page.body.contains("Hidden task")
        );
        assert!(page.body.contains("Owner: owner"), "project owner shown");
        // Pages of 20 open tasks, by due date: the three overdue first.
        assert_eq!(page.body.matches(r#"<tr><td><a href="/tasks/"#).count(), 20);
        assert!(page.body.contains("Page 1 of 2"));
        let work = &page.body[page.body.find(r#"id="work""#).unwrap()..];
        let at = |s: &str| work.find(s).unwrap_or_else(|| panic!("{s} missing"));
        assert!(at("Open task 00") < at("Direct task") && at("Direct task") < at("Open task 02"));
        let second = get(&h, &b, &format!("/key-results/{kr}?work=2")).await;
        assert_eq!(second.body.matches(r#"<tr><td><a href="/tasks/"#).count(), 4);
        assert!(second.body.contains("Open task 22") && !second.body.contains("Unrelated task"));
        // The owner of the private project sees it, and its task is counted.
        let o = log_in(&h, "owner", "password-1234").await;
        let page = get(&h, &o, &format!("/key-results/{kr}")).await;
        assert!(page.body.contains("1 done · 25 open · 4 overdue") && page.body.contains("Secret project"));
        let _ = viewer;
    }
}

#[tokio::test]
async fn kr_comments_are_sanitised_on_the_page_and_kept_as_written_in_the_api() {
    let h = Harness::new(Backend::Sqlite).await;
    let (owner, _) = h.person("owner", Role::Member, vec![]).await;
    let (_, viewer_token) = h.person("reader", Role::Viewer, vec![]).await;
    let (_, outsider_token) = h.person("outsider", Role::Member, vec![]).await;
    let (_, _, kr) = okr(&h, "Commented", owner, None, false).await;
    let (_, _, secret) = okr(&h, "Private one", owner, None, true).await;
    let body = "**bold** <img src=x onerror=alert(1)> [click](javascript:alert(1)) <b>unclosed\n\n```\n<script>alert(1)</script>\n```\n";
    let b = log_in(&h, "owner", "password-1234").await;
    let reply = post(&h, &b, &format!("/key-results/{kr}/comments"), &[("body", body)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = get(&h, &b, &format!("/key-results/{kr}")).await;
    let comments = &page.body[page.body.find(r#"id="comments""#).unwrap()..];
    assert!(comments.contains("<strong>bold</strong>"));
    assert!(!comments.contains("onerror") && !comments.contains("javascript:"), "nothing runs");
    assert!(!comments.contains("<script>alert(1)"), "no live script");
    assert!(comments.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "fenced code shown literally");
    // The unclosed tag is closed by the sanitiser.
    assert_eq!(comments.matches("<b>").count(), comments.matches("</b>").count(), "tags balanced");
    // The API keeps the Markdown as written, oldest first, paged.
    h.post(&format!("/api/v1/key-results/{kr}/comments"), json!({"body": "second"})).await;
    let list = h.get(&format!("/api/v1/key-results/{kr}/comments?limit=1")).await;
    assert_eq!(list["items"][0]["body"], body.trim_end(), "as written (trimmed)");
    assert_eq!(list["items"][0]["author_id"], owner);
    assert_eq!((list["total"].as_i64(), list["next_offset"].as_i64()), (Some(2), Some(1)));
    // A viewer may read but not write; the private KR is not found for an outsider.
    let (code, _) = h
        .call(
            Method::POST,
            &format!("/api/v1/key-results/{kr}/comments"),
            Some(&viewer_token),
            Some(json!({"body": "x"})),
        )
        .await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = h.call(Method::GET, &format!("/api/v1/key-results/{kr}/comments"), Some(&viewer_token), None).await;
    assert_eq!(code, StatusCode::OK);
    for method in [Method::GET, Method::POST] {
        let body = (method == Method::POST).then(|| json!({"body": "peek"}));
        let (code, _) =
            h.call(method, &format!("/api/v1/key-results/{secret}/comments"), Some(&outsider_token), body).await;
        assert_eq!(code, StatusCode::NOT_FOUND);
    }
    // Empty bodies are refused; unknown fields too.
    let (code, _) = h
        .call(Method::POST, &format!("/api/v1/key-results/{kr}/comments"), Some(&h.admin), Some(json!({"body": "  "})))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let (code, _) = h
        .call(
            Method::POST,
            &format!("/api/v1/key-results/{kr}/comments"),
            Some(&h.admin),
            Some(json!({"body": "x", "html": true})),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    let (all, total) = h.app.list_kr_comments(&Actor::system(), keel_domain::KeyResultId(kr), Page::ALL).await.unwrap();
    assert_eq!((all.len(), total), (2, 2));
}

#[tokio::test]
async fn hostile_names_are_escaped_on_every_new_page() {
    let h = Harness::new(Backend::Sqlite).await;
    let long: String = "😀".repeat(255);
    assert_eq!(long.len(), 255 * 4);
    let mut units = Vec::new();
    let mut parent = None;
    for name in HOSTILE.iter().map(|s| s.to_string()).chain([long.chars().take(200).collect::<String>()]) {
        let id = unit(&h, &name, parent, Some(&name), None).await;
        units.push(id);
        parent = Some(id);
    }
    let mut people = Vec::new();
    for (i, name) in HOSTILE.iter().enumerate() {
        let p = h.post("/api/v1/users", json!({"display_name": name, "units": [units[i]]})).await;
        people.push(p["id"].as_i64().unwrap());
    }
    let (owner, _) = h.person("owner", Role::Member, vec![units[0]]).await;
    let mut krs = Vec::new();
    for title in HOSTILE.iter().map(|s| s.to_string()).chain([long.clone()]) {
        let (_, _, kr) = okr(&h, &title, owner, Some(units[0]), false).await;
        krs.push(kr);
        let name: String = title.chars().take(200).collect();
        let p = project(&h, &format!("P{}", krs.len()), &name, vec![kr], false, Some(people[0])).await;
        task(&h, p, &title, Some(today_in("UTC")), Some(owner), vec![]).await;
    }
    let b = admin_browser(&h).await;
    let mut uris = vec![
        "/people".to_string(),
        "/people?q=%3Cscript".to_string(),
        "/settings".to_string(),
        format!("/people/{owner}"),
    ];
    uris.extend(units.iter().map(|u| format!("/units/{u}")));
    uris.extend(people.iter().map(|p| format!("/people/{p}")));
    uris.extend(krs.iter().map(|k| format!("/key-results/{k}")));
    for uri in &uris {
        let page = get(&h, &b, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_escaped(&page.body, uri);
    }
    let unit_page = get(&h, &b, &format!("/units/{}", units[0])).await;
    assert!(unit_page.body.contains("&#60;img src=x onerror=alert(1)&#62;"));
    let kr_page = get(&h, &b, &format!("/key-results/{}", krs[3])).await;
    assert!(kr_page.body.contains(&long), "255 four-byte characters intact");
    let owner_page = get(&h, &b, &format!("/people/{owner}")).await;
    assert!(owner_page.body.contains(&long) && owner_page.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}
