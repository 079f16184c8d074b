//! A person's notification preferences: which events reach them on which
//! channel, how email is batched, and when they must not be disturbed.
//!
//! The automation reads this type to decide whether (and when) to deliver a
//! notification; the settings page and `/api/v1/me/settings` write it. It is
//! stored as one JSON document per person, so fields added later need a
//! `#[serde(default)]` to keep old documents readable.
//!
//! Times are civil times in the person's own time zone (their `time_zone`):
//! a daily digest at 09:00 means 09:00 where they are, and quiet hours
//! 22:00–07:00 wrap past midnight.

use crate::DomainError;
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// What happened, from the person's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotifyEvent {
    /// A task or key result was assigned to me.
    Assigned,
    /// Someone commented on, or mentioned me in, one of my items.
    Comment,
    /// One of my tasks is due soon or overdue.
    Due,
    /// A key result I own waits for its check-in.
    CheckIn,
    /// Scheduled reports (weekly progress, cycle summary).
    Reports,
}

impl NotifyEvent {
    pub const ALL: [NotifyEvent; 5] =
        [NotifyEvent::Assigned, NotifyEvent::Comment, NotifyEvent::Due, NotifyEvent::CheckIn, NotifyEvent::Reports];

    pub fn as_str(self) -> &'static str {
        match self {
            NotifyEvent::Assigned => "assigned",
            NotifyEvent::Comment => "comment",
            NotifyEvent::Due => "due",
            NotifyEvent::CheckIn => "check_in",
            NotifyEvent::Reports => "reports",
        }
    }
}

/// Where a notification is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NotifyChannel {
    /// The bell in Keel itself.
    InApp,
    Email,
    /// A chat webhook (WeCom, DingTalk, Feishu, Slack …).
    Chat,
}

impl NotifyChannel {
    pub const ALL: [NotifyChannel; 3] = [NotifyChannel::InApp, NotifyChannel::Email, NotifyChannel::Chat];

    pub fn as_str(self) -> &'static str {
        match self {
            NotifyChannel::InApp => "in_app",
            NotifyChannel::Email => "email",
            NotifyChannel::Chat => "chat",
        }
    }
}

/// One event's switches, one per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelSwitches {
    pub in_app: bool,
    pub email: bool,
    pub chat: bool,
}

impl ChannelSwitches {
    pub fn get(&self, channel: NotifyChannel) -> bool {
        match channel {
            NotifyChannel::InApp => self.in_app,
            NotifyChannel::Email => self.email,
            NotifyChannel::Chat => self.chat,
        }
    }
    pub fn set(&mut self, channel: NotifyChannel, on: bool) {
        match channel {
            NotifyChannel::InApp => self.in_app = on,
            NotifyChannel::Email => self.email = on,
            NotifyChannel::Chat => self.chat = on,
        }
    }
}

/// How email notifications are batched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EmailDigest {
    /// No digest: email only for events switched on for email, none batched.
    Off,
    /// One email per event, as it happens (outside quiet hours).
    Immediate,
    /// One email a day with everything since the last, at this local time.
    Daily {
        #[cfg_attr(feature = "openapi", schema(value_type = String, example = "09:00:00"))]
        at: NaiveTime,
    },
}

/// A span of local time with no notifications pushed (in-app ones still
/// collect). `start > end` wraps past midnight (22:00–07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuietHours {
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "22:00:00"))]
    pub start: NaiveTime,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "07:00:00"))]
    pub end: NaiveTime,
}

impl QuietHours {
    /// Whether the local time `t` falls in the quiet span (start inclusive, end exclusive).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end { self.start <= t && t < self.end } else { t >= self.start || t < self.end }
    }
}

/// A person's notification preferences. [`NotificationPrefs::default`] is
/// what someone who never opened the settings gets: everything in-app,
/// assignments, comments, due dates and check-in reminders by email too,
/// chat off, no digest, no quiet hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPrefs {
    #[serde(default = "on_all_but_chat")]
    pub assigned: ChannelSwitches,
    #[serde(default = "on_all_but_chat")]
    pub comment: ChannelSwitches,
    #[serde(default = "on_all_but_chat")]
    pub due: ChannelSwitches,
    #[serde(default = "on_all_but_chat")]
    pub check_in: ChannelSwitches,
    #[serde(default = "in_app_only")]
    pub reports: ChannelSwitches,
    #[serde(default = "digest_off")]
    pub email_digest: EmailDigest,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

fn on_all_but_chat() -> ChannelSwitches {
    ChannelSwitches { in_app: true, email: true, chat: false }
}
fn in_app_only() -> ChannelSwitches {
    ChannelSwitches { in_app: true, email: false, chat: false }
}
fn digest_off() -> EmailDigest {
    EmailDigest::Off
}

impl Default for NotificationPrefs {
    fn default() -> Self {
        NotificationPrefs {
            assigned: on_all_but_chat(),
            comment: on_all_but_chat(),
            due: on_all_but_chat(),
            check_in: on_all_but_chat(),
            reports: in_app_only(),
            email_digest: digest_off(),
            quiet_hours: None,
        }
    }
}

impl NotificationPrefs {
    pub fn switches(&self, event: NotifyEvent) -> &ChannelSwitches {
        match event {
            NotifyEvent::Assigned => &self.assigned,
            NotifyEvent::Comment => &self.comment,
            NotifyEvent::Due => &self.due,
            NotifyEvent::CheckIn => &self.check_in,
            NotifyEvent::Reports => &self.reports,
        }
    }
    pub fn switches_mut(&mut self, event: NotifyEvent) -> &mut ChannelSwitches {
        match event {
            NotifyEvent::Assigned => &mut self.assigned,
            NotifyEvent::Comment => &mut self.comment,
            NotifyEvent::Due => &mut self.due,
            NotifyEvent::CheckIn => &mut self.check_in,
            NotifyEvent::Reports => &mut self.reports,
        }
    }

    /// Whether `event` goes out on `channel` at all (before quiet hours and digest).
    pub fn wants(&self, event: NotifyEvent, channel: NotifyChannel) -> bool {
        self.switches(event).get(channel)
    }

    /// Whether a push on `channel` may be sent at local time `t`: in-app
    /// notifications always collect; email and chat wait out quiet hours.
    pub fn may_push_at(&self, channel: NotifyChannel, t: NaiveTime) -> bool {
        channel == NotifyChannel::InApp || !self.quiet_hours.is_some_and(|q| q.contains(t))
    }

    /// Refuses preferences that cannot be meant: quiet hours of no length,
    /// and a daily digest while every event's email is off.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.quiet_hours.is_some_and(|q| q.start == q.end) {
            return Err(DomainError::invalid("quiet_hours", "quiet hours must start and end at different times"));
        }
        if matches!(self.email_digest, EmailDigest::Daily { .. })
            && !NotifyEvent::ALL.iter().any(|e| self.wants(*e, NotifyChannel::Email))
        {
            return Err(DomainError::invalid(
                "email_digest",
                "a daily digest needs at least one event switched on for email",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_past_midnight() {
        let q = QuietHours { start: t(22, 0), end: t(7, 0) };
        assert!(q.contains(t(23, 30)) && q.contains(t(0, 0)) && q.contains(t(6, 59)));
        assert!(!q.contains(t(7, 0)) && !q.contains(t(12, 0)) && !q.contains(t(21, 59)));
        let day = QuietHours { start: t(12, 0), end: t(13, 0) };
        assert!(day.contains(t(12, 30)) && !day.contains(t(13, 0)) && !day.contains(t(11, 0)));
    }

    #[test]
    fn in_app_ignores_quiet_hours() {
        let prefs =
            NotificationPrefs { quiet_hours: Some(QuietHours { start: t(22, 0), end: t(7, 0) }), ..Default::default() };
        assert!(prefs.may_push_at(NotifyChannel::InApp, t(23, 0)));
        assert!(!prefs.may_push_at(NotifyChannel::Email, t(23, 0)));
        assert!(prefs.may_push_at(NotifyChannel::Chat, t(8, 0)));
    }

    #[test]
    fn an_old_document_reads_with_defaults_and_unknown_fields_are_refused() {
        let prefs: NotificationPrefs =
            serde_json::from_str(r#"{"reports":{"in_app":false,"email":true,"chat":true}}"#).unwrap();
        assert!(prefs.wants(NotifyEvent::Reports, NotifyChannel::Chat));
        assert_eq!(prefs.assigned, NotificationPrefs::default().assigned);
        assert!(serde_json::from_str::<NotificationPrefs>(r#"{"sms":true}"#).is_err());
        let daily: NotificationPrefs =
            serde_json::from_str(r#"{"email_digest":{"mode":"daily","at":"09:30:00"}}"#).unwrap();
        assert_eq!(daily.email_digest, EmailDigest::Daily { at: t(9, 30) });
        let back: NotificationPrefs = serde_json::from_str(&serde_json::to_string(&daily).unwrap()).unwrap();
        assert_eq!(back, daily);
    }

    #[test]
    fn validation_names_the_field() {
        let empty =
            NotificationPrefs { quiet_hours: Some(QuietHours { start: t(8, 0), end: t(8, 0) }), ..Default::default() };
        assert_eq!(empty.validate().unwrap_err().field(), "quiet_hours");
        let mut no_email = NotificationPrefs { email_digest: EmailDigest::Daily { at: t(9, 0) }, ..Default::default() };
        assert!(no_email.validate().is_ok());
        for e in NotifyEvent::ALL {
            no_email.switches_mut(e).set(NotifyChannel::Email, false);
        }
        assert_eq!(no_email.validate().unwrap_err().field(), "email_digest");
        assert!(NotificationPrefs::default().validate().is_ok());
    }
}
