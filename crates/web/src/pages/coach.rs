//! The OKR coach's warnings (PRODUCT.md §2) in words: what is wrong with an
//! objective or key result and what to do about it, in Chinese or English.
//! The application decides what is flagged (`keel_domain::coach`); the pages
//! only say it.

use crate::i18n::{self, Msg, tf};
use keel_domain::coach::{CHECK_IN_DAYS, MAX_KRS, MAX_PROJECTS, MIN_KRS, Warning};
use keel_domain::org::Lang;

/// One warning as shown: the problem and a suggestion.
pub struct CoachLine {
    pub problem: String,
    pub suggestion: String,
}

pub fn line(lang: Lang, warning: &Warning) -> CoachLine {
    let t = |m| i18n::t(lang, m).to_string();
    let (problem, suggestion) = match warning {
        Warning::TooFewKeyResults { count } => {
            (tf(lang, Msg::CoachTooFew, &[count, &MIN_KRS]), tf(lang, Msg::CoachTooFewHint, &[&MIN_KRS, &MAX_KRS]))
        }
        Warning::TooManyKeyResults { count } => {
            (tf(lang, Msg::CoachTooMany, &[count, &MAX_KRS]), tf(lang, Msg::CoachTooManyHint, &[&MAX_KRS]))
        }
        Warning::NoNumber => (t(Msg::CoachNoNumber), t(Msg::CoachNoNumberHint)),
        Warning::NoDueDate => (t(Msg::CoachNoDueDate), t(Msg::CoachNoDueDateHint)),
        Warning::Activity { word } => (tf(lang, Msg::CoachActivity, &[word]), t(Msg::CoachActivityHint)),
        Warning::TooManyProjects { count } => {
            (tf(lang, Msg::CoachTooManyProjects, &[count, &MAX_PROJECTS]), t(Msg::CoachTooManyProjectsHint))
        }
        Warning::NoRecentCheckIn { days } => {
            (tf(lang, Msg::CoachNoCheckIn, &[days]), tf(lang, Msg::CoachNoCheckInHint, &[&CHECK_IN_DAYS]))
        }
    };
    CoachLine { problem, suggestion }
}

pub fn lines(lang: Lang, warnings: &[Warning]) -> Vec<CoachLine> {
    warnings.iter().map(|w| line(lang, w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_warning_has_words_and_a_suggestion_in_both_languages() {
        let all = [
            Warning::TooFewKeyResults { count: 1 },
            Warning::TooManyKeyResults { count: 7 },
            Warning::NoNumber,
            Warning::NoDueDate,
            Warning::Activity { word: "完成".into() },
            Warning::TooManyProjects { count: 6 },
            Warning::NoRecentCheckIn { days: 20 },
        ];
        for w in &all {
            for lang in [Lang::Zh, Lang::En] {
                let l = line(lang, w);
                assert!(!l.problem.contains("{}") && !l.suggestion.contains("{}"), "{w:?}");
                assert!(!l.problem.is_empty() && !l.suggestion.is_empty(), "{w:?}");
            }
        }
        let zh = line(Lang::Zh, &Warning::Activity { word: "完成".into() });
        assert!(zh.problem.contains("“完成”"), "{}", zh.problem);
        assert!(zh.suggestion.contains("调研覆盖 50 位客户"), "{}", zh.suggestion);
        let en = line(Lang::En, &Warning::NoRecentCheckIn { days: 20 });
        assert_eq!(en.problem, "No check-in for 20 days");
        assert!(line(Lang::Zh, &Warning::TooFewKeyResults { count: 1 }).problem.contains("1 个"));
    }
}
