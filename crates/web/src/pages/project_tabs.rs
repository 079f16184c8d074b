//! The tab bar over a project's page and its views (overview, list, board,
//! Gantt, table, calendar), the current one marked with `aria-current`.
//! Templates include `project_tabs.html`, which reads a `project_tabs` field.

use crate::i18n::{self, Msg};
use keel_domain::org::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectTab {
    Overview,
    List,
    Board,
    Gantt,
    Table,
    Calendar,
}

pub struct TabLink {
    pub id: &'static str,
    pub href: String,
    pub label: &'static str,
    pub on: bool,
}

pub struct ProjectTabs {
    pub label: &'static str,
    pub links: Vec<TabLink>,
}

impl ProjectTabs {
    pub fn new(lang: Lang, project: i64, active: ProjectTab) -> ProjectTabs {
        let all = [
            (ProjectTab::Overview, "tab-overview", "", Msg::TabOverview),
            (ProjectTab::List, "tab-list", "/list", Msg::TabList),
            (ProjectTab::Board, "tab-board", "/board", Msg::TabBoard),
            (ProjectTab::Gantt, "tab-gantt", "/gantt", Msg::TabGantt),
            (ProjectTab::Table, "tab-table", "/table", Msg::TabTable),
            (ProjectTab::Calendar, "tab-calendar", "/calendar", Msg::TabCalendar),
        ];
        ProjectTabs {
            label: i18n::t(lang, Msg::ProjectViews),
            links: all
                .into_iter()
                .map(|(tab, id, path, msg)| TabLink {
                    id,
                    href: format!("/projects/{project}{path}"),
                    label: i18n::t(lang, msg),
                    on: tab == active,
                })
                .collect(),
        }
    }
}
