//! Shared pieces of the pages: the frame around every page, progress bars,
//! the words for statuses and kinds, numbers and dates in the viewer's time
//! zone, and Markdown made safe to show.

use crate::i18n::{self, Msg};
use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::health::Health;
use keel_domain::okr::{KrKind, ObjectiveLevel};
use keel_domain::org::Lang;
use keel_domain::status::KrStatus;
use keel_domain::work::{Priority, ProjectStatus, StatusCategory};
use std::fmt;

/// What the frame of every page needs: language, title, who is logged in,
/// the CSRF token of its forms and where "back" is after a language switch.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub user: Option<String>,
    pub csrf: String,
    pub here: String,
    /// Topics the page follows for live updates ("task:12,project:3"); empty for none.
    pub watch: String,
    /// The latest change the page shows (see `PageActor`).
    pub seen: i64,
}

/// What a page at `path` shows, as change-feed topics: its task, project or
/// key result. Pages with more to follow set `watch` themselves.
pub fn watch_for(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let mut parts = path.trim_start_matches('/').split('/');
    let entity = match parts.next() {
        Some("tasks") => "task",
        Some("projects") => "project",
        Some("key-results") => "key_result",
        _ => return String::new(),
    };
    match parts.next().and_then(|id| id.parse::<i64>().ok()) {
        Some(id) => format!("{entity}:{id}"),
        None => String::new(),
    }
}

impl Chrome {
    pub fn t(&self, key: Msg) -> &'static str {
        i18n::t(self.lang, key)
    }
    /// A message with its one placeholder filled.
    pub fn tf1(&self, key: Msg, arg: &str) -> String {
        i18n::tf(self.lang, key, &[&arg])
    }
    pub fn is_zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    /// Chinese text takes the full-width colon, with no space after it.
    pub fn colon(&self) -> &'static str {
        if self.is_zh() { "：" } else { ": " }
    }
    /// The stylesheet's address carries a hash of its content, so it can be
    /// cached for a year and still change with each release.
    pub fn css_href(&self) -> String {
        format!("/assets/keel.css?v={:016x}", super::assets::CSS_HASH)
    }

    pub fn live_js_href(&self) -> String {
        format!("/assets/live.js?v={:016x}", super::assets::LIVE_JS_HASH)
    }

    /// The keyboard shortcuts and the input-method guard, on every page.
    pub fn keys_js_href(&self) -> String {
        format!("/assets/keys.js?v={:016x}", super::assets::KEYS_JS_HASH)
    }

    /// Whether the page is in the part of the site a nav link leads to
    /// ("/" only for the home page itself).
    pub fn nav_on(&self, section: &str) -> bool {
        let path = self.here.split(['?', '#']).next().unwrap_or_default();
        match section {
            "/" => path == "/",
            _ => path == section || path.strip_prefix(section).is_some_and(|rest| rest.starts_with('/')),
        }
    }
}

/// A progress bar as inline SVG: the Content-Security-Policy forbids style
/// attributes, and an SVG width is markup, not style. The percent is always
/// printed beside it, so the bar itself is hidden from screen readers.
pub struct Bar {
    width: i64,
    class: &'static str,
}

impl Bar {
    pub fn new(progress: f64, class: &'static str) -> Bar {
        Bar { width: keel_domain::progress::percent(progress).clamp(0, 100), class }
    }
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only a number and a class name from a fixed set go into this markup.
        write!(
            f,
            r#"<svg class="bar {}" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="track" width="100" height="6"/><rect class="fill" width="{}" height="6"/></svg>"#,
            self.class, self.width
        )
    }
}

/// A text cut into pieces, each marked whether it matches `query` (case
/// folded character by character), for a template to show the matches in
/// `<mark>`. The pieces are plain text: the template escapes them.
pub fn highlight(text: &str, query: &str) -> Vec<(String, bool)> {
    let fold = |c: char| c.to_lowercase().next().unwrap_or(c);
    let chars: Vec<char> = text.chars().collect();
    let needle: Vec<char> = query.trim().chars().map(fold).collect();
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: String, hit: bool| match pieces.last_mut() {
        Some((last, was)) if *was == hit => last.push_str(&piece),
        _ if piece.is_empty() => {}
        _ => pieces.push((piece, hit)),
    };
    let mut i = 0;
    while i < chars.len() {
        let found = !needle.is_empty()
            && i + needle.len() <= chars.len()
            && chars[i..i + needle.len()].iter().zip(&needle).all(|(c, n)| fold(*c) == *n);
        if found {
            push(chars[i..i + needle.len()].iter().collect(), true);
            i += needle.len();
        } else {
            push(chars[i].to_string(), false);
            i += 1;
        }
    }
    pieces
}

/// "45%": rounded, never truncated.
pub fn pct(progress: f64) -> String {
    format!("{}%", keel_domain::progress::percent(progress))
}

/// A number as a person writes it: 45, 41.6, 99.95.
pub fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A value with its unit: "41.6%", "133万", "12 h".
pub fn with_unit(v: f64, unit: Option<&str>) -> String {
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) if u.starts_with(|c: char| c.is_ascii_alphabetic()) => format!("{} {u}", num(v)),
        Some(u) => format!("{}{u}", num(v)),
        None => num(v),
    }
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "—".into())
}

/// An instant as the viewer's wall clock shows it.
pub fn datetime(at: DateTime<Utc>, zone: &str) -> String {
    at.with_timezone(&keel_app::clock::zone(zone)).format("%Y-%m-%d %H:%M").to_string()
}

pub fn kr_status(s: KrStatus) -> Msg {
    match s {
        KrStatus::NotStarted => Msg::StatusNotStarted,
        KrStatus::OnTrack => Msg::StatusOnTrack,
        KrStatus::AtRisk => Msg::StatusAtRisk,
        KrStatus::OffTrack => Msg::StatusOffTrack,
        KrStatus::Done => Msg::StatusDone,
    }
}

pub fn level(l: ObjectiveLevel) -> Msg {
    match l {
        ObjectiveLevel::Company => Msg::LevelCompany,
        ObjectiveLevel::Unit => Msg::LevelUnit,
        ObjectiveLevel::Individual => Msg::LevelIndividual,
    }
}

pub fn kind(k: KrKind) -> Msg {
    match k {
        KrKind::Metric => Msg::KindMetric,
        KrKind::Threshold => Msg::KindThreshold,
        KrKind::Milestone => Msg::KindMilestone,
        KrKind::Work => Msg::KindWork,
        KrKind::Children => Msg::KindChildren,
    }
}

pub fn health(h: Health) -> (Msg, &'static str) {
    match h {
        Health::Green => (Msg::HealthGreen, "green"),
        Health::Yellow => (Msg::HealthYellow, "yellow"),
        Health::Red => (Msg::HealthRed, "red"),
    }
}

pub fn project_status(s: ProjectStatus) -> Msg {
    match s {
        ProjectStatus::Planned => Msg::ProjectPlanned,
        ProjectStatus::Active => Msg::ProjectActive,
        ProjectStatus::OnHold => Msg::ProjectOnHold,
        ProjectStatus::Done => Msg::ProjectDone,
        ProjectStatus::Cancelled => Msg::ProjectCancelled,
    }
}

pub fn priority(p: Priority) -> Msg {
    match p {
        Priority::Lowest => Msg::PriorityLowest,
        Priority::Low => Msg::PriorityLow,
        Priority::Medium => Msg::PriorityMedium,
        Priority::High => Msg::PriorityHigh,
        Priority::Highest => Msg::PriorityHighest,
    }
}

/// A workflow status's name; the default workflow's names are translated,
/// names a team chose are shown as they wrote them.
pub fn workflow_status(lang: Lang, name: &str) -> String {
    let known = match name.trim().to_ascii_lowercase().as_str() {
        "to do" => Some(Msg::WfTodo),
        "in progress" => Some(Msg::WfInProgress),
        "in review" => Some(Msg::WfInReview),
        "done" => Some(Msg::WfDone),
        _ => None,
    };
    known.map(|m| i18n::t(lang, m).to_string()).unwrap_or_else(|| name.to_string())
}

pub fn category_class(c: StatusCategory) -> &'static str {
    c.as_str()
}

/// Markdown to HTML that cannot run anything: pulldown-cmark renders, then
/// ammonia keeps only harmless tags, attributes and URL schemes (no event
/// handlers, no `javascript:`), whatever raw HTML the author typed. Images
/// are dropped too: an `<img>` someone typed would make every reader's
/// browser fetch an address of the author's choosing (and the CSP would
/// block most of them anyway).
pub fn markdown(src: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut html = String::with_capacity(src.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(src, options));
    ammonia::Builder::default().rm_tags(["img"]).clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(num(45.0), "45");
        assert_eq!(num(41.6), "41.6");
        assert_eq!(num(99.95), "99.95");
        assert_eq!(with_unit(41.6, Some("%")), "41.6%");
        assert_eq!(with_unit(133.0, Some("万")), "133万");
        assert_eq!(with_unit(12.0, Some("h")), "12 h");
    }

    #[test]
    fn markdown_cannot_run_script() {
        let html = markdown("<img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n```\n<b>bold</b>\n```\n");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        let html = markdown("<img src=x onerror=alert(1)> ![pixel](https://example.com/p.png) <b>bold");
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("<b>").count(), html.matches("</b>").count(), "{html}");
    }

    #[test]
    fn matches_are_marked_whatever_their_case() {
        let pieces = highlight("Push RET-3 push", "push");
        assert_eq!(pieces, vec![("Push".into(), true), (" RET-3 ".into(), false), ("push".into(), true)]);
        assert_eq!(
            highlight("推送策略优化", "策略"),
            vec![("推送".into(), false), ("策略".into(), true), ("优化".into(), false)]
        );
        assert_eq!(highlight("<b>x</b>", ""), vec![("<b>x</b>".into(), false)]);
    }

    #[test]
    fn bars_stay_inside_their_track() {
        assert!(Bar::new(1.7, "done").to_string().contains(r#"class="fill" width="100""#));
        assert!(Bar::new(-0.2, "off_track").to_string().contains(r#"class="fill" width="0""#));
        assert!(Bar::new(0.285, "on_track").to_string().contains(r#"width="29""#));
    }
}
