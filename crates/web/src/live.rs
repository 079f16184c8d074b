//! Live pages: `GET /events?watch=task:12,project:3` streams server-sent
//! events when something a page shows changes. One poller per process reads
//! the change record (so it works the same with several instances on one
//! PostgreSQL) and fans changes out; each stream passes on only the topics
//! its page asked for and its viewer may see.

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiActor, ApiQuery};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use keel_app::App;
use keel_app::feed::{FOLLOWABLE, FeedItem, Topic};
use serde::Deserialize;
use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the change record is read for new entries.
const POLL_EVERY: Duration = Duration::from_millis(500);
/// At most this many topics per page.
const MAX_TOPICS: usize = 500;

/// Fans recorded changes out to every open stream.
pub struct FeedHub {
    sender: broadcast::Sender<Arc<FeedItem>>,
    poller: OnceLock<()>,
}

impl FeedHub {
    pub fn new() -> Arc<FeedHub> {
        Arc::new(FeedHub { sender: broadcast::channel(1024).0, poller: OnceLock::new() })
    }

    /// A receiver of changes; the poller starts with the first one.
    fn subscribe(&self, app: &App) -> broadcast::Receiver<Arc<FeedItem>> {
        let receiver = self.sender.subscribe();
        self.poller.get_or_init(|| {
            tokio::spawn(poll(app.clone(), self.sender.clone()));
        });
        receiver
    }
}

async fn poll(app: App, sender: broadcast::Sender<Arc<FeedItem>>) {
    let mut after = app.latest_change_id().await.unwrap_or(0);
    loop {
        tokio::time::sleep(POLL_EVERY).await;
        match app.feed_after(after, 500).await {
            Ok(items) => {
                for item in items {
                    after = item.change_id;
                    // No receiver at the moment is fine: nobody is watching.
                    let _ = sender.send(Arc::new(item));
                }
            }
            Err(e) => tracing::warn!(error.message = %e, "reading the change feed"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct WatchQuery {
    /// Comma-separated `entity:id` pairs, e.g. `task:12,project:3`.
    pub watch: String,
    /// The latest change the page already shows: older ones are not sent,
    /// newer ones are even if they were recorded before the stream opened.
    #[serde(default)]
    pub after: Option<i64>,
}

/// Changes read back from the record for a page that joins late.
const BACKLOG_MAX: i64 = 500;

fn parse_topics(text: &str) -> Result<Vec<Topic>, ApiError> {
    let mut topics = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parsed = part.split_once(':').and_then(|(entity, id)| Some((entity.to_string(), id.parse::<i64>().ok()?)));
        match parsed {
            Some(topic) if FOLLOWABLE.contains(&topic.0.as_str()) => topics.push(topic),
            _ => {
                return Err(ApiError::invalid(
                    "watch",
                    format!("{part:?} is not entity:id with entity one of {FOLLOWABLE:?}"),
                ));
            }
        }
    }
    if topics.is_empty() || topics.len() > MAX_TOPICS {
        return Err(ApiError::invalid("watch", format!("give 1 to {MAX_TOPICS} topics")));
    }
    Ok(topics)
}

pub async fn events(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(query): ApiQuery<WatchQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let mut watched: HashSet<Topic> = HashSet::new();
    for topic in parse_topics(&query.watch)? {
        // Topics the viewer may not see are dropped, never confirmed or denied.
        if state.app.may_follow(&actor, &topic).await? {
            watched.insert(topic);
        }
    }
    let receiver = state.feed.subscribe(&state.app);
    // What was recorded between drawing the page and this stream joining.
    let (backlog, lagged) = match query.after {
        Some(after) => {
            let items = state.app.feed_after(after, BACKLOG_MAX).await?;
            let lagged = items.len() as i64 >= BACKLOG_MAX;
            (items.into_iter().map(Arc::new).collect::<VecDeque<_>>(), lagged)
        }
        None => (VecDeque::new(), false),
    };
    let me = actor.id();
    let feed = Feed { receiver, backlog, lagged, last: query.after.unwrap_or(0) };
    let stream = futures_util::stream::unfold((feed, watched), move |(mut feed, watched)| async move {
        loop {
            match feed.next().await {
                // A person's own changes are already on their page (the form
                // redirected, the board moved the card): no reload for them.
                Ok(item) if item.actor_id.is_some() && item.actor_id == me => {}
                Ok(item) => {
                    if let Some(topic) = item.topics.iter().find(|t| watched.contains(*t)) {
                        let data =
                            format!("{{\"change_id\":{},\"topic\":\"{}:{}\"}}", item.change_id, topic.0, topic.1);
                        return Some((Ok(Event::default().event("change").data(data)), (feed, watched)));
                    }
                }
                // Fell behind: tell the page to reload rather than miss a change.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("change").data("{\"lagged\":true}")), (feed, watched)));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// One stream's changes in order: first those read back from the record,
/// then those the poller passes on, each once and only after `last`.
struct Feed {
    receiver: broadcast::Receiver<Arc<FeedItem>>,
    backlog: VecDeque<Arc<FeedItem>>,
    /// More happened since the page was drawn than was read back.
    lagged: bool,
    last: i64,
}

impl Feed {
    async fn next(&mut self) -> Result<Arc<FeedItem>, broadcast::error::RecvError> {
        if std::mem::take(&mut self.lagged) {
            return Err(broadcast::error::RecvError::Lagged(0));
        }
        loop {
            let item = match self.backlog.pop_front() {
                Some(item) => item,
                None => self.receiver.recv().await?,
            };
            if item.change_id > self.last {
                self.last = item.change_id;
                return Ok(item);
            }
        }
    }
}
