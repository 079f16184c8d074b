//! `/settings`: one's own language, time zone and notification preferences,
//! saved together with a version check (a stale form is a 409, never a
//! silent overwrite). The language is remembered like the header's switch.

use super::auth::{PageActor, remember_lang};
use super::view::Chrome;
use super::{PageResult, render};
use crate::AppState;
use crate::i18n::{Msg, t};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveTime;
use keel_app::AppError;
use keel_app::people::{MySettings, SettingsInput};
use keel_domain::notify::{EmailDigest, NotificationPrefs, NotifyChannel, NotifyEvent, QuietHours};
use keel_domain::org::Lang;
use serde::Deserialize;

/// One row of the notification matrix: an event and its switch per channel.
pub struct MatrixRow {
    label: &'static str,
    cells: Vec<MatrixCell>,
}

pub struct MatrixCell {
    /// The checkbox's name and id: `n-assigned-email`.
    name: String,
    /// "Assigned to me: Email", for screen readers.
    label: String,
    on: bool,
}

fn event_msg(e: NotifyEvent) -> Msg {
    match e {
        NotifyEvent::Assigned => Msg::EvAssigned,
        NotifyEvent::Comment => Msg::EvComment,
        NotifyEvent::Due => Msg::EvDue,
        NotifyEvent::CheckIn => Msg::EvCheckIn,
        NotifyEvent::Reports => Msg::EvReports,
    }
}

fn channel_msg(c: NotifyChannel) -> Msg {
    match c {
        NotifyChannel::InApp => Msg::ChInApp,
        NotifyChannel::Email => Msg::ChEmail,
        NotifyChannel::Chat => Msg::ChChat,
    }
}

fn switch_name(e: NotifyEvent, c: NotifyChannel) -> String {
    format!("n-{}-{}", e.as_str(), c.as_str())
}

fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// What the form shows: the stored settings, or the refused form as typed.
struct Shown {
    lang: String,
    time_zone: String,
    prefs: NotificationPrefs,
    digest: &'static str,
    digest_at: String,
    quiet: bool,
    quiet_from: String,
    quiet_until: String,
    version: i64,
    notifications_version: i64,
}

impl Shown {
    fn stored(s: MySettings) -> Shown {
        let (digest, digest_at) = match s.notifications.email_digest {
            EmailDigest::Off => ("off", "09:00".to_string()),
            EmailDigest::Immediate => ("immediate", "09:00".to_string()),
            EmailDigest::Daily { at } => ("daily", hm(at)),
        };
        let quiet = s.notifications.quiet_hours;
        Shown {
            lang: s.lang.map(|l| l.as_str().to_string()).unwrap_or_default(),
            time_zone: s.time_zone,
            digest,
            digest_at,
            quiet: quiet.is_some(),
            quiet_from: quiet.map(|q| hm(q.start)).unwrap_or_else(|| "22:00".into()),
            quiet_until: quiet.map(|q| hm(q.end)).unwrap_or_else(|| "07:00".into()),
            prefs: s.notifications,
            version: s.version,
            notifications_version: s.notifications_version,
        }
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    lang: String,
    time_zone: String,
    zones: &'static [&'static str],
    events: Vec<MatrixRow>,
    channels: Vec<&'static str>,
    digest: &'static str,
    digest_at: String,
    quiet: bool,
    quiet_from: String,
    quiet_until: String,
    version: i64,
    notifications_version: i64,
    saved: bool,
    error: Option<String>,
    conflict: bool,
}

/// Every IANA zone name chrono-tz knows, sorted, built once.
fn zone_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
        names.sort_unstable();
        names
    })
}

fn settings_page(page: &PageActor, shown: Shown, saved: bool, error: Option<String>, conflict: bool) -> SettingsPage {
    let lang = page.lang;
    SettingsPage {
        c: page.chrome(page.t(Msg::SettingsTitle)),
        lang: shown.lang,
        time_zone: shown.time_zone,
        zones: zone_names(),
        events: NotifyEvent::ALL
            .iter()
            .map(|e| MatrixRow {
                label: t(lang, event_msg(*e)),
                cells: NotifyChannel::ALL
                    .iter()
                    .map(|ch| MatrixCell {
                        name: switch_name(*e, *ch),
                        label: format!("{}{}{}", t(lang, event_msg(*e)), colon(lang), t(lang, channel_msg(*ch))),
                        on: shown.prefs.wants(*e, *ch),
                    })
                    .collect(),
            })
            .collect(),
        channels: NotifyChannel::ALL.iter().map(|ch| t(lang, channel_msg(*ch))).collect(),
        digest: shown.digest,
        digest_at: shown.digest_at,
        quiet: shown.quiet,
        quiet_from: shown.quiet_from,
        quiet_until: shown.quiet_until,
        version: shown.version,
        notifications_version: shown.notifications_version,
        saved,
        error,
        conflict,
    }
}

fn colon(lang: Lang) -> &'static str {
    if lang == Lang::Zh { "：" } else { ": " }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn show(State(state): State<AppState>, page: PageActor, Query(q): Query<SavedQuery>) -> PageResult {
    let stored = state.app.my_settings(&page.actor).await.map_err(|e| super::PageError::app(page.lang, e))?;
    Ok(render(StatusCode::OK, &settings_page(&page, Shown::stored(stored), q.saved.is_some(), None, false)))
}

/// Reads a "HH:MM" (or "HH:MM:SS") time input.
fn time(raw: &str) -> Option<NaiveTime> {
    let raw = raw.trim();
    NaiveTime::parse_from_str(raw, "%H:%M").or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S")).ok()
}

pub async fn save(
    State(state): State<AppState>,
    page: PageActor,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    page.check_csrf(get("csrf"))?;
    let lang = page.lang;
    let mut prefs = NotificationPrefs::default();
    for e in NotifyEvent::ALL {
        for ch in NotifyChannel::ALL {
            prefs.switches_mut(e).set(ch, !get(&switch_name(e, ch)).is_empty());
        }
    }
    let digest = match get("digest") {
        "immediate" => "immediate",
        "daily" => "daily",
        _ => "off",
    };
    let quiet = !get("quiet").is_empty();
    let typed = Shown {
        lang: get("lang").to_string(),
        time_zone: get("time_zone").trim().to_string(),
        prefs: prefs.clone(),
        digest,
        digest_at: get("digest_at").to_string(),
        quiet,
        quiet_from: get("quiet_from").to_string(),
        quiet_until: get("quiet_until").to_string(),
        version: get("version").trim().parse().unwrap_or(-1),
        notifications_version: get("notifications_version").trim().parse().unwrap_or(-1),
    };
    let refuse = |typed: Shown, text: String| {
        Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &settings_page(&page, typed, false, Some(text), false)))
    };
    prefs.email_digest = match digest {
        "immediate" => EmailDigest::Immediate,
        "daily" => match time(&typed.digest_at) {
            Some(at) => EmailDigest::Daily { at },
            None => {
                return refuse(typed, format!("{}{}{}", t(lang, Msg::DigestAt), colon(lang), t(lang, Msg::BadTime)));
            }
        },
        _ => EmailDigest::Off,
    };
    if quiet {
        match (time(&typed.quiet_from), time(&typed.quiet_until)) {
            (Some(start), Some(end)) => prefs.quiet_hours = Some(QuietHours { start, end }),
            _ => {
                return refuse(typed, format!("{}{}{}", t(lang, Msg::QuietHours), colon(lang), t(lang, Msg::BadTime)));
            }
        }
    }
    let chosen = Lang::parse(&typed.lang);
    let input = SettingsInput {
        lang: chosen,
        time_zone: typed.time_zone.clone(),
        notifications: prefs,
        version: typed.version,
        notifications_version: typed.notifications_version,
    };
    match state.app.update_my_settings(&page.actor, input).await {
        Ok(_) => {
            let mut response = Redirect::to("/settings?saved=1").into_response();
            match chosen {
                Some(l) => remember_lang(&state, &mut response, l),
                // "Follow the browser": a language remembered by the switch would overrule it.
                None => super::auth::forget_lang(&state, &mut response),
            }
            Ok(response)
        }
        Err(AppError::Conflict { .. }) => {
            Ok(render(StatusCode::CONFLICT, &settings_page(&page, typed, false, None, true)))
        }
        Err(AppError::Invalid { field, .. }) => {
            let text = match field.as_str() {
                "time_zone" => {
                    format!("{}{}“{}” {}", t(lang, Msg::TimeZone), colon(lang), typed.time_zone, t(lang, Msg::BadZone))
                }
                "quiet_hours" => t(lang, Msg::QuietSame).to_string(),
                "email_digest" => t(lang, Msg::DigestNoEmail).to_string(),
                _ => t(lang, Msg::ErrInvalid).to_string(),
            };
            refuse(typed, text)
        }
        Err(e) => Err(super::PageError::app(lang, e)),
    }
}
