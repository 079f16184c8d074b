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

/// Why typed text is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all ("abc", "1e5", "NaN", "1 000").
    NotANumber,
    /// A comma where only a thousands separator may be: "1,5" or "1,0000".
    /// "1,5" is 1.5 in much of Europe and 15 nowhere, so it is refused
    /// rather than guessed.
    Comma,
}

impl NumberError {
    /// Why, in the reader's language.
    pub fn reason(self, lang: Lang) -> &'static str {
        i18n::t(
            lang,
            match self {
                NumberError::NotANumber => Msg::NotANumber,
                NumberError::Comma => Msg::WhyComma,
            },
        )
    }
}

/// Typed text as a number, the one parser behind every number field of the
/// pages; blank is none.
///
/// Accepts a plain decimal ("1000", "-5", "+2", "99.9", ".5", "5."),
/// surrounding spaces, the full-width digits, sign, point and comma of a
/// Chinese keyboard ("１０００", "９９．９", "－５"; also "。", which a Chinese
/// keyboard types for "."), the minus sign "−", and a trailing "%", which is
/// dropped ("45%" is 45: the unit belongs to the key result). Commas are
/// thousands separators only in the strict form `^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`
/// ("1,000", "1,000,000.5"); any other comma is [`NumberError::Comma`].
/// No exponents, infinities or NaN.
pub fn parse_number(raw: &str) -> Result<Option<f64>, NumberError> {
    let text: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' | '。' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '＋' => '+',
            '％' => '%',
            c => c,
        })
        .collect();
    let text = match text.strip_suffix('%') {
        Some(rest) => rest.trim_end(),
        None => text.as_str(),
    };
    if text.is_empty() {
        // Blank is none; a lone "%" is not a number.
        return if raw.trim().is_empty() { Ok(None) } else { Err(NumberError::NotANumber) };
    }
    let plain: String;
    let text = if text.contains(',') {
        if !grouped(text) {
            return Err(NumberError::Comma);
        }
        plain = text.replace(',', "");
        plain.as_str()
    } else {
        text
    };
    if !decimal(text) {
        return Err(NumberError::NotANumber);
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(NumberError::NotANumber),
    }
}

/// `[+-]?` then digits with an optional fraction, or a fraction alone.
fn decimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac) && (!int.is_empty() || !frac.is_empty()) && s != "."
}

/// `^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`
fn grouped(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    let mut rest = 0;
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return false;
        }
        rest += 1;
    }
    (1..=3).contains(&first.len()) && digits(first) && rest > 0 && frac.is_none_or(digits)
}

/// A typed number for a labelled field (see [`parse_number`]); blank is none.
pub fn number(lang: Lang, field: &'static str, label: Msg, raw: &str) -> Result<Option<f64>, FieldError> {
    parse_number(raw).map_err(|e| FieldError::new(lang, field, Some(label), e.reason(lang)))
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

    fn n(raw: &str) -> Result<Option<f64>, NumberError> {
        parse_number(raw)
    }

    #[test]
    fn plain_numbers_parse() {
        for (raw, want) in [
            ("1000", 1000.0),
            ("0", 0.0),
            ("-5", -5.0),
            ("+5", 5.0),
            ("99.9", 99.9),
            (".5", 0.5),
            ("-.5", -0.5),
            ("5.", 5.0),
            ("007", 7.0),
            ("0.000001", 0.000001),
            ("123456789", 123456789.0),
            ("1.000", 1.0),
        ] {
            assert_eq!(n(raw), Ok(Some(want)), "{raw:?}");
        }
    }

    #[test]
    fn blank_is_none() {
        for raw in ["", " ", "\t\n", "\u{3000}"] {
            assert_eq!(n(raw), Ok(None), "{raw:?}");
        }
    }

    #[test]
    fn surrounding_spaces_are_ignored() {
        assert_eq!(n("  42 "), Ok(Some(42.0)));
        assert_eq!(n("\t-3.5\n"), Ok(Some(-3.5)));
        // The ideographic space of a Chinese keyboard, and a no-break space.
        assert_eq!(n("\u{3000}８\u{3000}"), Ok(Some(8.0)));
        assert_eq!(n("\u{a0}12\u{a0}"), Ok(Some(12.0)));
    }

    #[test]
    fn full_width_input_from_a_chinese_keyboard() {
        assert_eq!(n("１０００"), Ok(Some(1000.0)));
        assert_eq!(n("９９．９"), Ok(Some(99.9)));
        assert_eq!(n("－５"), Ok(Some(-5.0)));
        assert_eq!(n("＋５"), Ok(Some(5.0)));
        assert_eq!(n("．５"), Ok(Some(0.5)));
        assert_eq!(n("９９。９"), Ok(Some(99.9)));
        assert_eq!(n("４５％"), Ok(Some(45.0)));
        assert_eq!(n("１，０００"), Ok(Some(1000.0)));
        assert_eq!(n("１，２３４，５６７．８９"), Ok(Some(1234567.89)));
        // Half and full width mixed, as happens when the IME is switched mid-way.
        assert_eq!(n("1０.５"), Ok(Some(10.5)));
        assert_eq!(n("−7"), Ok(Some(-7.0)));
        assert_eq!(n("１，５"), Err(NumberError::Comma));
    }

    #[test]
    fn a_trailing_percent_is_dropped() {
        assert_eq!(n("45%"), Ok(Some(45.0)));
        assert_eq!(n("45 %"), Ok(Some(45.0)));
        assert_eq!(n(" 12.5% "), Ok(Some(12.5)));
        assert_eq!(n("-3%"), Ok(Some(-3.0)));
        assert_eq!(n("1,000%"), Ok(Some(1000.0)));
        for raw in ["%", " % ", "%45", "45%%", "4%5"] {
            assert_eq!(n(raw), Err(NumberError::NotANumber), "{raw:?}");
        }
    }

    #[test]
    fn thousands_separators_in_groups_of_three() {
        for (raw, want) in [
            ("1,000", 1000.0),
            ("1,000,000", 1000000.0),
            ("12,345", 12345.0),
            ("123,456", 123456.0),
            ("-1,000", -1000.0),
            ("+1,000", 1000.0),
            ("1,234.5", 1234.5),
            ("1,234,567.891", 1234567.891),
            (" 1,000 ", 1000.0),
        ] {
            assert_eq!(n(raw), Ok(Some(want)), "{raw:?}");
        }
    }

    #[test]
    fn any_other_comma_is_refused_not_guessed() {
        for raw in [
            "1,5",
            "41,6",
            "1,0000",
            "1,00",
            "1234,567",
            "1,000,00",
            "1,000,0000",
            ",5",
            "1,",
            "1,,000",
            "1,000.",
            "1,000.5,5",
            "1.000,5",
            "1,000.000,000",
            ",",
            "-,5",
            "1,5%",
        ] {
            assert_eq!(n(raw), Err(NumberError::Comma), "{raw:?}");
        }
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        for raw in [
            "abc", "NaN", "nan", "inf", "-inf", "infinity", "1e5", "1E5", "0x10", "1 000", "1'000", "1_000", "-", "+",
            ".", "-.", "--5", "+-5", "5-", "1.2.3", "..5", "五", "1、000", "12abc", "$5",
        ] {
            assert_eq!(n(raw), Err(NumberError::NotANumber), "{raw:?}");
        }
        // Too large for a double.
        assert_eq!(n(&"9".repeat(400)), Err(NumberError::NotANumber));
    }

    #[test]
    fn refusals_explain_in_both_languages() {
        let zh = number(Lang::Zh, "value", Msg::Value, "1,5").err().unwrap();
        assert_eq!(zh.field, "value");
        assert!(zh.text.starts_with("“数值”有误：小数请用小数点"), "{}", zh.text);
        assert!(zh.text.contains("1,000,000"), "{}", zh.text);
        let en = number(Lang::En, "target", Msg::TargetValue, "1,0000").err().unwrap();
        assert_eq!(en.field, "target");
        assert!(en.text.starts_with("Target value: Use a point for decimals"), "{}", en.text);
        assert!(en.text.contains("groups of three digits"), "{}", en.text);
        let en = number(Lang::En, "target", Msg::TargetValue, "abc").err().unwrap();
        assert_eq!(en.text, "Target value: Enter a number.");
    }

    #[test]
    fn typed_values_parse_as_people_write_them() {
        assert_eq!(number(Lang::En, "x", Msg::Weight, " 41.6 ").ok(), Some(Some(41.6)));
        assert_eq!(number(Lang::En, "x", Msg::Weight, "").ok(), Some(None));
        assert!(number(Lang::En, "x", Msg::Weight, "NaN").is_err());
        assert!(date(Lang::En, "due", Msg::DueDate, "2026-02-30").is_err());
        assert_eq!(id(Lang::En, "owner", Msg::Owner, "12").ok(), Some(Some(12)));
        assert!(id(Lang::En, "owner", Msg::Owner, "x").is_err());
    }
}
