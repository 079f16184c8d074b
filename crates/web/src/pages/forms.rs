//! Pieces shared by the forms that plan OKRs and link work to them: choices
//! for selects, typed text turned into numbers, dates and ids, and the
//! application's validation errors told in the reader's language with the
//! field named as the form labels it.
//!
//! A form that fails is shown again with what was typed, so every value
//! travels as the string the person entered, never re-formatted.

use crate::i18n::{self, Msg, tf};
use chrono::NaiveDate;
use keel_domain::org::Lang;

/// One option of a select: the submitted value and what the reader sees.
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: impl ToString, label: impl Into<String>) -> Choice {
        Choice { value: value.to_string(), label: label.into() }
    }
}

/// Options under a heading (an `<optgroup>`).
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// Why a form was refused: the input at fault (its `name`, empty when the
/// problem is not one input's) and the sentence shown above the form.
pub struct FieldError {
    pub field: &'static str,
    pub text: String,
}

impl FieldError {
    /// "“目标值”有误：…" / "Target value: …"; without an input, just the reason.
    pub fn new(lang: Lang, field: &'static str, label: Option<Msg>, reason: &str) -> FieldError {
        let text = match label {
            Some(label) => tf(lang, Msg::FieldProblem, &[&i18n::t(lang, label), &reason]),
            None => reason.to_string(),
        };
        FieldError { field, text }
    }

    /// The application's `Invalid { message }` for an input the form labels.
    /// Known reasons are told in the reader's language; anything else asks
    /// to check the field, and English readers also get the app's own words.
    pub fn from_app(lang: Lang, field: &'static str, label: Option<Msg>, message: &str) -> FieldError {
        let reason = match reason(message) {
            Some(msg) => i18n::t(lang, msg).to_string(),
            None if lang == Lang::En => format!("{} ({message})", i18n::t(lang, Msg::WhyCheck)),
            None => i18n::t(lang, Msg::WhyCheck).to_string(),
        };
        FieldError::new(lang, field, label, &reason)
    }
}

/// The reason behind one of the application's validation messages.
fn reason(message: &str) -> Option<Msg> {
    const KNOWN: &[(&str, Msg)] = &[
        ("equals the start value", Msg::WhyStartEqualsTarget),
        ("must not be before", Msg::WhyEndBeforeStart),
        ("cannot align", Msg::WhyAlignLevel),
        ("loop", Msg::WhyAlignLoop),
        ("not both", Msg::WhyAlignOne),
        ("characters long", Msg::WhyTooLong),
        ("at least 0", Msg::WhyNotNegative),
        ("finite number", Msg::NotANumber),
        ("say why", Msg::WhyOverrideReason),
        ("no such", Msg::WhyNoSuch),
        ("no person", Msg::WhyNoSuch),
        ("no unit", Msg::WhyNoSuch),
        ("no key result", Msg::WhyNoSuch),
        ("must not be empty", Msg::WhyRequired),
        ("needs", Msg::WhyRequired),
    ];
    KNOWN.iter().find(|(words, _)| message.contains(words)).map(|(_, msg)| *msg)
}

/// A typed number: "41,6" as well as "41.6"; blank is none.
pub fn number(lang: Lang, field: &'static str, label: Msg, raw: &str) -> Result<Option<f64>, FieldError> {
    match raw.trim().replace(',', ".") {
        v if v.is_empty() => Ok(None),
        v => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::NotANumber))),
        },
    }
}

/// A date as a date input sends it (2026-03-31); blank is none.
pub fn date(lang: Lang, field: &'static str, label: Msg, raw: &str) -> Result<Option<NaiveDate>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::WhyDate))),
    }
}

/// The id picked in a select; blank is none, anything else not from the list is refused.
pub fn id(lang: Lang, field: &'static str, label: Msg, raw: &str) -> Result<Option<i64>, FieldError> {
    match raw.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| choose(lang, field, label)),
    }
}

pub fn choose(lang: Lang, field: &'static str, label: Msg) -> FieldError {
    FieldError::new(lang, field, Some(label), i18n::t(lang, Msg::WhyChoose))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_reasons_are_told_in_the_readers_language() {
        let msg = "equals the start value, so progress cannot be measured";
        let zh = FieldError::from_app(Lang::Zh, "target", Some(Msg::TargetValue), msg);
        assert_eq!(zh.field, "target");
        assert!(zh.text.starts_with("“目标值”有误：目标值与起始值相同"), "{}", zh.text);
        let en = FieldError::from_app(Lang::En, "title", Some(Msg::Title), "something new");
        assert_eq!(en.text, "Title: Please check this field. (something new)");
        let zh = FieldError::from_app(Lang::Zh, "title", Some(Msg::Title), "something new");
        assert!(!zh.text.contains("something"), "no English for Chinese readers");
    }

    #[test]
    fn typed_values_parse_as_people_write_them() {
        assert_eq!(number(Lang::En, "x", Msg::Weight, " 41,6 ").ok(), Some(Some(41.6)));
        assert_eq!(number(Lang::En, "x", Msg::Weight, "").ok(), Some(None));
        assert!(number(Lang::En, "x", Msg::Weight, "NaN").is_err());
        assert!(date(Lang::En, "due", Msg::DueDate, "2026-02-30").is_err());
        assert_eq!(id(Lang::En, "owner", Msg::Owner, "12").ok(), Some(Some(12)));
        assert!(id(Lang::En, "owner", Msg::Owner, "x").is_err());
    }
}
