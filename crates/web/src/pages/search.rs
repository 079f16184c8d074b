//! The search page (GET /search?q=…): everything the person may see whose
//! title (or key) contains the text, grouped by kind, each a link to the
//! item. Privacy is applied by the application's query, so a hidden item is
//! neither listed nor counted. The header of every page has a GET form that
//! lands here, so searching works without JavaScript.

use super::auth::PageActor;
use super::view::{self, Chrome};
use super::{PageError, PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, tf};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use keel_app::AppError;
use keel_app::search::{MAX_CHARS, PER_KIND};
use keel_app::store::SearchHit;
use keel_domain::ObjectiveId;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub struct Hit {
    href: String,
    /// The title cut into pieces, the matching ones marked.
    title: Vec<(String, bool)>,
    /// A task's or project's key, the matching part marked.
    key: Option<Vec<(String, bool)>>,
    /// The objective a key result belongs to.
    context: Option<String>,
}

pub struct Group {
    kind: &'static str,
    heading: &'static str,
    hits: Vec<Hit>,
    /// Said when the group may have been cut at the limit.
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    groups: Vec<Group>,
    /// "“推送”的搜索结果：12 条", or why nothing was searched or found.
    summary: Option<String>,
    error: Option<String>,
}

const KINDS: [(&str, Msg); 4] = [
    ("objective", Msg::SearchObjectives),
    ("key_result", Msg::KeyResults),
    ("project", Msg::ProjectsTitle),
    ("task", Msg::Tasks),
];

pub async fn search(State(state): State<AppState>, page: PageActor, Query(query): Query<SearchQuery>) -> PageResult {
    let lang = page.lang;
    let q = query.q.trim().to_string();
    let title = if q.is_empty() {
        page.t(Msg::SearchTitle).to_string()
    } else {
        format!("{q} · {}", page.t(Msg::SearchTitle))
    };
    let mut out = SearchPage { c: page.chrome(title), q: q.clone(), groups: vec![], summary: None, error: None };
    if q.is_empty() {
        out.summary = Some(page.t(Msg::SearchStart).to_string());
        return Ok(render(StatusCode::OK, &out));
    }
    let hits = match state.app.search(&page.actor, &q).await {
        Ok(hits) => hits,
        Err(AppError::Invalid { .. }) => {
            out.error = Some(tf(lang, Msg::SearchTooLong, &[&MAX_CHARS]));
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &out));
        }
        Err(e) => return Err(PageError::app(lang, e)),
    };
    out.summary = Some(if hits.is_empty() {
        tf(lang, Msg::SearchNothing, &[&q])
    } else {
        tf(lang, Msg::SearchResultsFor, &[&q, &hits.len()])
    });
    for (kind, heading) in KINDS {
        let mut group = Vec::new();
        for hit in hits.iter().filter(|h| h.kind == kind) {
            group.push(link(&state, &page, &q, hit).await);
        }
        if group.is_empty() {
            continue;
        }
        let more = (group.len() as i64 >= PER_KIND).then(|| tf(lang, Msg::SearchMore, &[&PER_KIND]));
        out.groups.push(Group { kind, heading: page.t(heading), hits: group, more });
    }
    Ok(render(StatusCode::OK, &out))
}

/// Where a hit leads: an objective to its place on its cycle's OKR tree, the
/// others to their own pages.
async fn link(state: &AppState, page: &PageActor, q: &str, hit: &SearchHit) -> Hit {
    let context = Some(hit.context.clone()).filter(|c| !c.is_empty());
    let (href, key, context) = match hit.kind.as_str() {
        "objective" => {
            // One objective per hit, at most PER_KIND of them; should it have
            // gone since the search, the OKR page still answers.
            let href = match state.app.get_objective(&page.actor, ObjectiveId(hit.id)).await {
                Ok(o) => format!("/okrs?cycle={}#obj-{}", o.cycle_id.0, hit.id),
                Err(_) => "/okrs".to_string(),
            };
            (href, None, None)
        }
        "key_result" => (format!("/key-results/{}", hit.id), None, context),
        "project" => (format!("/projects/{}", hit.id), context, None),
        _ => (format!("/tasks/{}", hit.id), context, None),
    };
    Hit { href, title: view::highlight(&hit.title, q), key: key.map(|k| view::highlight(&k, q)), context }
}
