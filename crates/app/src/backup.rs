//! Everything an instance holds as one JSON document, and back: `keel
//! export` and `keel import keel-json`. The document lists every table
//! (sessions aside) with its columns and rows, values written the same way
//! on SQLite and PostgreSQL, so exporting, restoring on either backend and
//! exporting again gives the same bytes. docs/EXPORT.md describes it.

use crate::access::require;
use crate::auth::Actor;
use crate::store::ExportedTable;
use crate::{App, AppError, AppResult};
use serde::{Deserialize, Serialize};

/// What the document says it is.
pub const FORMAT: &str = "keel-export";
/// The document's own version; the rows follow the schema version beside it.
pub const VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub format: String,
    pub version: i64,
    /// The newest schema migration of the instance the rows come from.
    pub schema: i64,
    pub tables: Vec<ExportedTable>,
}

/// Rows restored, per table, in load order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestoreSummary {
    pub tables: Vec<(String, usize)>,
}

impl App {
    /// The whole instance. Only an admin (or the command line) may: the
    /// document holds every private item and every password hash.
    pub async fn export_all(&self, actor: &Actor) -> AppResult<Export> {
        require(actor.is_admin(), "only an admin may export the whole instance")?;
        let mut tx = self.store.read().await?;
        let tables = tx.export_tables().await?;
        Ok(Export { format: FORMAT.into(), version: VERSION, schema: tx.schema_version().await?, tables })
    }

    /// Loads an export into a new, empty instance in one transaction:
    /// all of it, or (on any error) nothing; `dry_run` checks it all and
    /// rolls back.
    pub async fn restore(&self, actor: &Actor, export: &Export, dry_run: bool) -> AppResult<RestoreSummary> {
        require(actor.is_admin(), "only an admin may restore an instance")?;
        if export.format != FORMAT {
            return Err(AppError::invalid("format", format!("{:?} is not a Keel export ({FORMAT:?})", export.format)));
        }
        if export.version != VERSION {
            return Err(AppError::invalid(
                "version",
                format!("export version {} is not the {VERSION} this Keel reads", export.version),
            ));
        }
        let mut tx = self.store.write().await?;
        let schema = tx.schema_version().await?;
        if export.schema != schema {
            return Err(AppError::invalid(
                "schema",
                format!(
                    "the export follows schema {} and this database schema {schema}; restore with the Keel \
                     version that made it",
                    export.schema
                ),
            ));
        }
        // What the store refuses is the file's fault (a value of the wrong kind,
        // a row pointing nowhere, a database that is not empty), not Keel's.
        tx.import_tables(&export.tables).await.map_err(|e| match e {
            crate::StoreError::Other(message) => AppError::invalid("tables", message),
            e => e.into(),
        })?;
        if !dry_run {
            tx.commit().await?;
        }
        Ok(RestoreSummary { tables: export.tables.iter().map(|t| (t.name.clone(), t.rows.len())).collect() })
    }
}

impl Export {
    /// The document as text: one line per row, so that two exports can be
    /// compared with diff and a large one is written as it goes.
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        write!(
            out,
            "{{\"format\":{},\"version\":{},\"schema\":{},\"tables\":[",
            json(&self.format),
            self.version,
            self.schema
        )?;
        for (i, table) in self.tables.iter().enumerate() {
            if i > 0 {
                write!(out, ",")?;
            }
            write!(out, "\n{{\"name\":{},\"columns\":{},\"rows\":[", json(&table.name), json(&table.columns))?;
            for (j, row) in table.rows.iter().enumerate() {
                write!(out, "{}\n{}", if j > 0 { "," } else { "" }, json(row))?;
            }
            write!(out, "{}]}}", if table.rows.is_empty() { "" } else { "\n" })?;
        }
        writeln!(out, "\n]}}")
    }
}

/// serde_json text of a value (strings, numbers, arrays of them cannot fail).
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
