//! The upload page (`/import`): choose a format, upload a file, see what
//! importing it would do — a dry run of the very import, with the column
//! mapping to adjust for a CSV — then import it. Admins only, as with
//! `keel import`. An upload waits in a private folder under a random
//! token, readable only by the person who sent it, until it is imported.

use super::auth::PageActor;
use super::view::Chrome;
use super::work_forms::Pairs;
use super::{PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, t, tf};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use keel_app::AppError;
use keel_app::import::{Counts, ImportSummary};
use keel_domain::org::Lang;
use keel_import::csv_generic::Field;
use keel_import::{ImportError, Kind, Notice};
use std::path::PathBuf;

/// The largest file the page takes.
pub const UPLOAD_MAX: usize = 64 * 1024 * 1024;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    error: Option<String>,
    preview: Option<Preview>,
}

struct Preview {
    token: String,
    file: String,
    done: bool,
    /// (label, projects, tasks, comments, people) per created / updated / unchanged.
    counts: Vec<(String, usize, usize, usize, usize)>,
    /// (key, name, link once imported).
    projects: Vec<(String, String, Option<String>)>,
    notices: Vec<String>,
    /// CSV only: the header, every field with its label and chosen column, and the overrides in force.
    columns: Vec<String>,
    fields: Vec<(&'static str, &'static str, String)>,
    mapping: Vec<(String, String)>,
}

fn kind_label(lang: Lang, k: Kind) -> &'static str {
    t(
        lang,
        match k {
            Kind::Trello => Msg::ImportKindTrello,
            Kind::JiraCsv => Msg::ImportKindJiraCsv,
            Kind::JiraJson => Msg::ImportKindJiraJson,
            Kind::Github => Msg::ImportKindGithub,
            Kind::Asana => Msg::ImportKindAsana,
            Kind::Csv => Msg::ImportKindCsv,
            Kind::MsProject => Msg::ImportKindMsProject,
        },
    )
}

fn page_of(page: &PageActor, kind: &str, error: Option<String>, preview: Option<Preview>) -> ImportPage {
    let lang = page.lang;
    ImportPage {
        c: page.chrome(t(lang, Msg::ImportTitle)),
        kinds: Kind::ALL.iter().map(|k| (k.name(), kind_label(lang, *k))).collect(),
        kind: kind.to_string(),
        error,
        preview,
    }
}

fn admin_only(page: &PageActor) -> Result<(), PageError> {
    if page.actor.is_admin() {
        Ok(())
    } else {
        Err(PageError::app(page.lang, AppError::Forbidden("only an admin imports".into())))
    }
}

fn uploads() -> PathBuf {
    std::env::temp_dir().join("keel-uploads")
}

/// A token names a file only if it is what [`store`] makes: 32 hex digits.
fn upload_paths(token: &str) -> Option<(PathBuf, PathBuf)> {
    let ok = token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| (uploads().join(format!("{token}.bin")), uploads().join(format!("{token}.meta"))))
}

fn store(owner: i64, name: &str, bytes: &[u8]) -> std::io::Result<String> {
    let token: String = keel_app::auth::new_secret("").chars().filter(char::is_ascii_hexdigit).take(32).collect();
    let token = format!("{token:0>32}");
    std::fs::create_dir_all(uploads())?;
    let (data, meta) = upload_paths(&token).ok_or_else(|| std::io::Error::other("bad token"))?;
    std::fs::write(&data, bytes)?;
    std::fs::write(&meta, format!("{owner}\n{name}"))?;
    Ok(token)
}

/// The upload's file name and bytes, if it exists and is this person's.
fn load(token: &str, owner: i64) -> Option<(String, Vec<u8>)> {
    let (data, meta) = upload_paths(token)?;
    let meta = std::fs::read_to_string(meta).ok()?;
    let (who, name) = meta.split_once('\n')?;
    (who == owner.to_string()).then_some(())?;
    Some((name.to_string(), std::fs::read(data).ok()?))
}

fn forget(token: &str) {
    if let Some((data, meta)) = upload_paths(token) {
        let _ = std::fs::remove_file(data);
        let _ = std::fs::remove_file(meta);
    }
}

fn notice_text(n: &Notice) -> String {
    let place: Vec<String> = [n.record.clone(), n.field.clone()].into_iter().flatten().collect();
    if place.is_empty() { n.message.clone() } else { format!("{}: {}", place.join(", "), n.message) }
}

fn import_error(lang: Lang, e: &ImportError) -> String {
    tf(lang, Msg::ImportRefused, &[&e.describe()])
}

pub async fn form(page: PageActor) -> PageResult {
    admin_only(&page)?;
    Ok(render(StatusCode::OK, &page_of(&page, "trello", None, None)))
}

pub async fn upload(State(_state): State<AppState>, page: PageActor, mut multipart: Multipart) -> PageResult {
    let lang = page.lang;
    let (mut csrf, mut kind, mut file) = (String::new(), String::new(), None::<(String, Vec<u8>)>);
    let too_big =
        || PageError::app(lang, AppError::invalid("file", format!("at most {} MB", UPLOAD_MAX / 1024 / 1024)));
    while let Some(field) = multipart.next_field().await.map_err(|_| too_big())? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|_| too_big())?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    page.check_csrf(&csrf)?;
    admin_only(&page)?;
    let Some(kind) = Kind::parse_name(&kind) else {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_of(&page, "trello", Some(t(lang, Msg::ImportChooseKind).into()), None),
        ));
    };
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page_of(&page, kind.name(), Some(t(lang, Msg::ImportNoFile).into()), None),
        ));
    };
    let owner = page.actor.id().map_or(0, |u| u.0);
    let token = store(owner, &name, &bytes)
        .map_err(|e| PageError::app(lang, AppError::Internal(format!("keeping the upload: {e}"))))?;
    Ok(Redirect::to(&format!("/import/{token}?kind={}", kind.name())).into_response())
}

/// `map.title=Name` pairs of a query or form.
fn overrides(pairs: &Pairs) -> Vec<(String, String)> {
    pairs
        .0
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("map.")?.to_string(), v.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

pub async fn preview(
    State(state): State<AppState>,
    page: PageActor,
    Path(token): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> PageResult {
    admin_only(&page)?;
    run(&state, &page, &token, &Pairs(query), true).await
}

pub async fn confirm(
    State(state): State<AppState>,
    page: PageActor,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> PageResult {
    let form = Pairs(form);
    page.check_csrf(&form.one("csrf"))?;
    admin_only(&page)?;
    run(&state, &page, &token, &form, false).await
}

/// Parses the stored upload and runs the import, as a dry run or for real.
async fn run(state: &AppState, page: &PageActor, token: &str, pairs: &Pairs, dry_run: bool) -> PageResult {
    let lang = page.lang;
    let owner = page.actor.id().map_or(0, |u| u.0);
    let Some((name, bytes)) = load(token, owner) else {
        return Ok(render(
            StatusCode::NOT_FOUND,
            &page_of(page, "trello", Some(t(lang, Msg::ImportGone).into()), None),
        ));
    };
    let kind = Kind::parse_name(&pairs.one("kind")).unwrap_or(Kind::Trello);
    let map = overrides(pairs);
    let batch = match kind.parse(&name, &bytes, &map) {
        Ok(batch) => batch,
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(render(status, &page_of(page, kind.name(), Some(import_error(lang, &e)), None)));
        }
    };
    let summary = match state.app.import(&page.actor, &batch, dry_run).await {
        Ok(summary) => summary,
        Err(e) => {
            let text = tf(lang, Msg::ImportRefused, &[&e.to_string()]);
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page_of(page, kind.name(), Some(text), None)));
        }
    };
    if !dry_run {
        forget(token);
    }
    let (columns, fields) = match kind {
        Kind::Csv => match keel_import::csv_generic::mapping_preview(&name, &bytes, &map) {
            Ok((columns, fields)) => (
                columns,
                fields.into_iter().map(|(f, col)| (f.name(), field_label(lang, f), col.unwrap_or_default())).collect(),
            ),
            Err(_) => (Vec::new(), Vec::new()),
        },
        _ => (Vec::new(), Vec::new()),
    };
    let preview = summary_view(lang, token, &summary, columns, fields, map);
    Ok(render(StatusCode::OK, &page_of(page, kind.name(), None, Some(preview))))
}

fn summary_view(
    lang: Lang,
    token: &str,
    s: &ImportSummary,
    columns: Vec<String>,
    fields: Vec<(&'static str, &'static str, String)>,
    mapping: Vec<(String, String)>,
) -> Preview {
    let row = |label: Msg, c: &Counts| (t(lang, label).to_string(), c.projects, c.tasks, c.comments, c.people);
    Preview {
        token: token.to_string(),
        file: s.file.rsplit(['/', '\\']).next().unwrap_or(&s.file).to_string(),
        done: !s.dry_run,
        counts: vec![
            row(Msg::ImportCreated, &s.created),
            row(Msg::ImportUpdated, &s.updated),
            row(Msg::ImportUnchanged, &s.unchanged),
        ],
        projects: s
            .projects
            .iter()
            .map(|p| {
                (p.key.clone(), p.name.clone(), (!s.dry_run && p.id.0 > 0).then(|| format!("/projects/{}", p.id.0)))
            })
            .collect(),
        notices: s.skipped.iter().chain(&s.warnings).map(notice_text).collect(),
        columns,
        fields,
        mapping,
    }
}

fn field_label(lang: Lang, f: Field) -> &'static str {
    t(
        lang,
        match f {
            Field::Id => Msg::MapId,
            Field::Title => Msg::MapTitle,
            Field::Description => Msg::MapDescription,
            Field::Status => Msg::MapStatus,
            Field::Priority => Msg::MapPriority,
            Field::Assignee => Msg::MapAssignee,
            Field::Reporter => Msg::MapReporter,
            Field::Labels => Msg::MapLabels,
            Field::StartDate => Msg::MapStart,
            Field::DueDate => Msg::MapDue,
            Field::Estimate => Msg::MapEstimate,
            Field::Parent => Msg::MapParent,
            Field::Project => Msg::MapProject,
            Field::Created => Msg::MapCreated,
            Field::Updated => Msg::MapUpdated,
            Field::Completed => Msg::MapCompleted,
            Field::Archived => Msg::MapArchived,
            Field::Comments => Msg::MapComments,
            Field::Milestone => Msg::MapMilestone,
        },
    )
}
