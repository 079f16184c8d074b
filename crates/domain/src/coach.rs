//! The OKR coach (PRODUCT.md §2): flags objectives and key results that are
//! hard to steer by — too few or too many KRs, a KR without a number or a
//! due date, an activity written as a KR, a KR spread over too many
//! projects, an objective nobody has checked in on for two weeks. Pages say
//! each warning in Chinese or English with a suggestion.

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Warning {
    TooFewKeyResults {
        count: usize,
    },
    TooManyKeyResults {
        count: usize,
    },
    /// Nothing in the KR can be counted: no target and no number in its text.
    NoNumber,
    NoDueDate,
    /// Written as something to do ("完成…", "Launch …") rather than a result.
    Activity {
        word: String,
    },
    TooManyProjects {
        count: usize,
    },
    /// Days since the last check-in on any of the objective's KRs (or since it was created).
    NoRecentCheckIn {
        days: i64,
    },
}

pub const MIN_KRS: usize = 2;
pub const MAX_KRS: usize = 5;
pub const MAX_PROJECTS: usize = 5;
pub const CHECK_IN_DAYS: i64 = 14;

/// What the coach looks at in an objective.
pub struct ObjectiveFacts {
    pub key_results: usize,
    pub last_check_in: Option<NaiveDate>,
    pub created: NaiveDate,
}

pub fn objective_warnings(facts: &ObjectiveFacts, today: NaiveDate) -> Vec<Warning> {
    let mut out = Vec::new();
    if facts.key_results < MIN_KRS {
        out.push(Warning::TooFewKeyResults { count: facts.key_results });
    } else if facts.key_results > MAX_KRS {
        out.push(Warning::TooManyKeyResults { count: facts.key_results });
    }
    let since = facts.last_check_in.unwrap_or(facts.created);
    let days = (today - since).num_days();
    if days >= CHECK_IN_DAYS {
        out.push(Warning::NoRecentCheckIn { days });
    }
    out
}

/// What the coach looks at in a key result.
pub struct KeyResultFacts<'a> {
    pub title: &'a str,
    /// Measured: a metric's target, a threshold's line, or a kind whose
    /// number Keel computes (work, children).
    pub has_target: bool,
    pub due_date: Option<NaiveDate>,
    pub projects: usize,
}

pub fn key_result_warnings(facts: &KeyResultFacts<'_>) -> Vec<Warning> {
    let mut out = Vec::new();
    let counted = facts.has_target || has_number(facts.title);
    if !counted {
        out.push(Warning::NoNumber);
    }
    if facts.due_date.is_none() {
        out.push(Warning::NoDueDate);
    }
    if !counted && let Some(word) = activity_word(facts.title) {
        out.push(Warning::Activity { word: word.to_string() });
    }
    if facts.projects > MAX_PROJECTS {
        out.push(Warning::TooManyProjects { count: facts.projects });
    }
    out
}

/// Digits of any script, or Chinese numerals (三个子项目 counts).
pub fn has_number(text: &str) -> bool {
    text.chars().any(|c| c.is_numeric() || "一二两三四五六七八九十百千万亿半".contains(c))
}

const ACTIVITY_ZH: &[&str] =
    &["完成", "上线", "开展", "举办", "组织", "推进", "落地", "实施", "开发", "建设", "搭建", "做"];
const ACTIVITY_EN: &[&str] = &[
    "do",
    "complete",
    "finish",
    "launch",
    "release",
    "ship",
    "implement",
    "build",
    "deliver",
    "hold",
    "conduct",
    "create",
    "write",
    "develop",
    "organize",
    "organise",
    "run",
    "start",
    "set",
];

/// The activity verb a KR is written with, if it is one: Chinese verbs
/// anywhere, English ones as the first word.
pub fn activity_word(title: &str) -> Option<&'static str> {
    if let Some(word) = ACTIVITY_ZH.iter().find(|w| title.contains(**w)) {
        return Some(word);
    }
    let first = title.split(|c: char| !c.is_alphabetic()).find(|w| !w.is_empty())?.to_lowercase();
    ACTIVITY_EN.iter().find(|w| **w == first).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn objectives_need_two_to_five_krs_and_recent_check_ins() {
        let facts = |key_results, last: Option<u32>| ObjectiveFacts {
            key_results,
            last_check_in: last.map(day),
            created: day(1),
        };
        assert_eq!(objective_warnings(&facts(1, Some(20)), day(20)), vec![Warning::TooFewKeyResults { count: 1 }]);
        assert_eq!(objective_warnings(&facts(6, Some(20)), day(20)), vec![Warning::TooManyKeyResults { count: 6 }]);
        assert!(objective_warnings(&facts(3, Some(7)), day(20)).is_empty(), "13 days is still recent");
        assert_eq!(objective_warnings(&facts(3, Some(6)), day(20)), vec![Warning::NoRecentCheckIn { days: 14 }]);
        // Never checked in: counted from creation.
        assert_eq!(objective_warnings(&facts(2, None), day(15)), vec![Warning::NoRecentCheckIn { days: 14 }]);
    }

    #[test]
    fn key_results_need_a_number_a_due_date_and_an_outcome() {
        let kr = |title, has_target, projects| KeyResultFacts { title, has_target, due_date: Some(day(31)), projects };
        assert!(key_result_warnings(&kr("留存率提升至45%", true, 1)).is_empty());
        assert!(key_result_warnings(&kr("三个子项目按里程碑上线", false, 0)).is_empty(), "三 is a number");
        assert_eq!(
            key_result_warnings(&kr("完成用户调研", false, 0)),
            vec![Warning::NoNumber, Warning::Activity { word: "完成".into() }]
        );
        assert_eq!(
            key_result_warnings(&kr("Launch the new onboarding", false, 0)),
            vec![Warning::NoNumber, Warning::Activity { word: "launch".into() }]
        );
        // An outcome that happens to use the verb, with a number, is fine.
        assert!(key_result_warnings(&kr("完成率从60%提升到80%", false, 0)).is_empty());
        assert_eq!(key_result_warnings(&kr("NPS 30 → 45", true, 6)), vec![Warning::TooManyProjects { count: 6 }]);
        let undated = KeyResultFacts { title: "NPS 30 → 45", has_target: true, due_date: None, projects: 0 };
        assert_eq!(key_result_warnings(&undated), vec![Warning::NoDueDate]);
    }
}
