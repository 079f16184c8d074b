//! The key result page's lower half: the work behind the number (tasks
//! linked directly or through its projects: done / open / overdue and a
//! paged list of the open ones) and the comments on the key result, whose
//! Markdown is sanitised exactly like task comments.

use super::auth::PageActor;
use super::lookup::Names;
use super::view;
use super::{OrPage, PageResult};
use crate::AppState;
use crate::i18n::{Msg, tf};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use keel_app::store::Page;
use keel_app::{App, AppResult};
use keel_domain::KeyResultId;
use serde::Deserialize;

/// Open tasks shown per page under "the work behind the number".
pub const WORK_PAGE: i64 = 20;

pub struct OpenTask {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub status: String,
    pub status_class: &'static str,
    pub assignee: String,
    pub due: String,
    pub overdue: Option<String>,
}

pub struct CommentRow {
    pub author: String,
    pub at: String,
    /// Sanitised HTML.
    pub body: String,
}

pub struct KrMore {
    pub counts: String,
    pub open: Vec<OpenTask>,
    pub page_label: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub comments: Vec<CommentRow>,
}

impl KrMore {
    /// `work_page` counts from 1; the viewer sees only what they may.
    pub async fn load(
        app: &App,
        page: &PageActor,
        names: &Names,
        id: KeyResultId,
        work_page: i64,
    ) -> AppResult<KrMore> {
        let lang = page.lang;
        let work_page = work_page.max(1);
        let window = Page { limit: WORK_PAGE, offset: (work_page - 1).saturating_mul(WORK_PAGE) };
        let work = app.kr_work(&page.actor, id, window).await?;
        let (comments, _) = app.list_kr_comments(&page.actor, id, Page::ALL).await?;
        let today = keel_app::clock::today_in(page.zone(), Utc::now());
        let pages = ((work.counts.open + WORK_PAGE - 1) / WORK_PAGE).max(1);
        let href = |n: i64| format!("/key-results/{}?work={n}#work", id.0);
        Ok(KrMore {
            counts: tf(lang, Msg::KrWorkCounts, &[&work.counts.done, &work.counts.open, &work.counts.overdue]),
            open: work
                .open
                .iter()
                .map(|t| OpenTask {
                    id: t.id.0,
                    key: t.key.clone(),
                    title: t.title.clone(),
                    status: view::workflow_status(lang, &t.status),
                    status_class: view::category_class(t.category),
                    assignee: match t.assignee_id {
                        Some(a) => names.of(Some(a)),
                        None => page.t(Msg::Unassigned).to_string(),
                    },
                    due: t.due_date.map(view::date).unwrap_or_else(|| page.t(Msg::NoDueDate).into()),
                    // Overdue once the due day has ended where the viewer is.
                    overdue: t
                        .due_date
                        .filter(|due| today > *due)
                        .map(|due| tf(lang, Msg::OverdueDays, &[&(today - due).num_days()])),
                })
                .collect(),
            page_label: tf(lang, Msg::PageOf, &[&work_page, &pages]),
            prev: (work_page > 1).then(|| href(work_page - 1)),
            next: (work_page < pages).then(|| href(work_page + 1)),
            comments: comments
                .iter()
                .map(|c| CommentRow {
                    author: names.of(c.author_id),
                    at: view::datetime(c.created_at, page.zone()),
                    body: view::markdown(&c.body),
                })
                .collect(),
        })
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    page: PageActor,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> PageResult {
    page.check_csrf(&form.csrf)?;
    state.app.add_kr_comment(&page.actor, KeyResultId(id), &form.body).await.or_page(page.lang)?;
    Ok(Redirect::to(&format!("/key-results/{id}#comments")).into_response())
}
