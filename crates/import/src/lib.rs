//! Parsers that turn other tools' exports into one neutral [`ImportBatch`].
//!
//! Parsing is pure: bytes in, a batch (or an error naming file, line/record
//! and field) out. Writing the batch into Keel is the application layer's job,
//! in one transaction.

pub mod asana;
pub mod csv_generic;
pub mod github;
pub mod jira_csv;
pub mod jira_json;
pub mod model;
pub mod mspdi;
mod text;
pub mod trello;

pub use model::*;

/// The formats Keel reads, as the command line and the upload page name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trello,
    JiraCsv,
    JiraJson,
    Github,
    Asana,
    Csv,
    MsProject,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::Trello, Kind::JiraCsv, Kind::JiraJson, Kind::Github, Kind::Asana, Kind::Csv, Kind::MsProject];

    /// The name `keel import NAME FILE` and the upload form use.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Trello => "trello",
            Kind::JiraCsv => "jira-csv",
            Kind::JiraJson => "jira-json",
            Kind::Github => "github",
            Kind::Asana => "asana",
            Kind::Csv => "csv",
            Kind::MsProject => "ms-project",
        }
    }

    pub fn parse_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Parses a file of this kind; `map` ("title" → "Name") only matters to CSV.
    pub fn parse(self, file_name: &str, bytes: &[u8], map: &[(String, String)]) -> Result<ImportBatch, ImportError> {
        match self {
            Kind::Trello => trello::parse(file_name, bytes),
            Kind::JiraCsv => jira_csv::parse(file_name, bytes),
            Kind::JiraJson => jira_json::parse(file_name, bytes),
            Kind::Github => github::parse(file_name, bytes),
            Kind::Asana => asana::parse(file_name, bytes),
            Kind::Csv => csv_generic::parse(file_name, bytes, map),
            Kind::MsProject => mspdi::parse(file_name, bytes),
        }
    }
}
