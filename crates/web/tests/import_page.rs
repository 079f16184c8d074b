//! The upload page: an admin uploads a real export, sees what importing it
//! would do (nothing is written yet), adjusts a CSV's columns, imports it,
//! and the upload is gone; others may not, and a token is its uploader's.

mod views_common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use keel_app::Actor;
use keel_app::store::Page;
use keel_domain::org::{Lang, Role};
use views_common::{Site, form};

/// A multipart body with the form's fields and one file.
fn multipart(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "keel-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..at + page[at..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn an_admin_previews_adjusts_and_imports_a_file() {
    let site = Site::new(keel_testkit::Backend::Sqlite).await;
    let admin = site.person("ada", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let other_admin = site.person("bo", Role::Admin, Lang::En, "Asia/Shanghai").await;
    let member = site.person("mia", Role::Member, Lang::Zh, "Asia/Shanghai").await;
    assert_eq!(site.get("/import", &member.cookie).await.status, StatusCode::FORBIDDEN);

    let page = site.page("/import", &admin).await;
    let csrf = csrf_of(&page);
    let file = keel_testkit::real_data("csv-other/plane-export-sample.csv");
    let bytes = std::fs::read(&file).unwrap();
    let rows = csv::Reader::from_reader(bytes.as_slice()).records().count();

    // A wrong token is refused before anything is kept.
    let (kind, body) = multipart(&[("csrf", "nope"), ("kind", "csv")], "plane.csv", &bytes);
    let req = Request::post("/import").header(header::COOKIE, &admin.cookie).header(header::CONTENT_TYPE, &kind);
    assert_eq!(site.send(req.body(Body::from(body)).unwrap()).await.status, StatusCode::FORBIDDEN);

    let (kind, body) = multipart(&[("csrf", &csrf), ("kind", "csv")], "plane.csv", &bytes);
    let req = Request::post("/import").header(header::COOKIE, &admin.cookie).header(header::CONTENT_TYPE, &kind);
    let sent = site.send(req.body(Body::from(body)).unwrap()).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let preview_uri = sent.headers[header::LOCATION].to_str().unwrap().to_string();
    assert!(preview_uri.starts_with("/import/") && preview_uri.ends_with("?kind=csv"), "{preview_uri}");

    // The preview: what would happen, and nothing written.
    let preview = site.page(&preview_uri, &admin).await;
    assert!(preview.contains("Importing would"), "{preview}");
    assert!(preview.contains(&format!("<th>Create</th><td>2</td><td>{rows}</td>")), "{preview}");
    assert!(preview.contains(r#"<option value="Name" selected>"#), "the title column is guessed");
    assert!(site.app.list_projects(&Actor::system(), Page::ALL).await.unwrap().is_empty(), "a preview writes nothing");
    // Someone else's upload is not theirs to see.
    assert_eq!(site.get(&preview_uri, &other_admin.cookie).await.status, StatusCode::NOT_FOUND);

    // Another column as the title, then import.
    let remapped = site.page(&format!("{preview_uri}&map.title=Identifier"), &admin).await;
    assert!(remapped.contains(r#"<option value="Identifier" selected>"#));
    assert!(remapped.contains(r#"name="map.title" value="Identifier""#));
    let token = preview_uri.trim_start_matches("/import/").split('?').next().unwrap().to_string();
    let body = form(&[("csrf", &csrf), ("kind", "csv"), ("map.title", "Identifier")]);
    let req = Request::post(format!("/import/{token}"))
        .header(header::COOKIE, &admin.cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let done = site.send(req.body(Body::from(body)).unwrap()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Imported") && done.body.contains("href=\"/projects/"), "{}", done.body);
    let projects = site.app.list_projects(&Actor::system(), Page::ALL).await.unwrap();
    assert_eq!(projects.len(), 2);
    let filter = keel_app::store::TaskFilter {
        project_ids: Some(projects.iter().map(|p| p.id).collect()),
        include_archived: true,
        ..Default::default()
    };
    let (tasks, _) = site.app.list_tasks(&Actor::system(), filter, Page::ALL).await.unwrap();
    assert_eq!(tasks.len(), rows);
    assert!(tasks.iter().any(|t| t.title == "TEST-1"), "titles from the column chosen");
    // The upload is gone once imported.
    assert_eq!(site.get(&preview_uri, &admin.cookie).await.status, StatusCode::NOT_FOUND);
}
