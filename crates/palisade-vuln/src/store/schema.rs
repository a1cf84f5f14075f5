//! The SQLite schema of `vulns.db`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::{store_err, DbError};

/// Bumped whenever the schema changes; an older or newer file is refused
/// (run `palisade db update` to rebuild).
pub(crate) const FORMAT: &str = "palisade-vulns-4";

pub(crate) const CREATE: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources(
  id INTEGER PRIMARY KEY, location TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  imported_at INTEGER NOT NULL, checked_at INTEGER NOT NULL, sha256 TEXT NOT NULL,
  records INTEGER NOT NULL, bytes INTEGER NOT NULL, etag TEXT, last_modified TEXT);
CREATE TABLE units(
  id INTEGER PRIMARY KEY, source INTEGER NOT NULL, path TEXT NOT NULL, sha256 BLOB NOT NULL,
  UNIQUE(source, path));
CREATE TABLE advisories(
  id INTEGER PRIMARY KEY, card BLOB NOT NULL, unit INTEGER NOT NULL, osv_id TEXT NOT NULL,
  modified TEXT, published TEXT, withdrawn TEXT, summary TEXT,
  aliases TEXT NOT NULL, severity TEXT NOT NULL, db_severity TEXT, refs TEXT NOT NULL);
CREATE INDEX advisories_unit ON advisories(unit);
CREATE INDEX advisories_osv_id ON advisories(osv_id);
CREATE TABLE affected(
  advisory INTEGER NOT NULL, family TEXT NOT NULL, name TEXT NOT NULL,
  ecosystem TEXT NOT NULL, package_name TEXT NOT NULL, purl TEXT,
  ranges TEXT NOT NULL, versions TEXT NOT NULL, severity TEXT);
CREATE INDEX affected_key ON affected(family, name, ecosystem);
CREATE INDEX affected_advisory ON affected(advisory);
CREATE TABLE package_entries(
  family TEXT NOT NULL, name TEXT NOT NULL, entries BLOB NOT NULL,
  PRIMARY KEY(family, name)) WITHOUT ROWID;
";

/// Checks that `conn` is a palisade database of this format.
pub(crate) fn check(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let format: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| DbError::Store {
            path: path.to_path_buf(),
            message: format!("not a palisade vulnerability database ({e})"),
        })?;
    match format.as_deref() {
        Some(FORMAT) => Ok(()),
        other => Err(DbError::Store {
            path: path.to_path_buf(),
            message: format!(
                "database format {} is not {FORMAT} (delete the file and run `palisade db update` to rebuild)",
                other.unwrap_or("(none)")
            ),
        }),
    }
}

/// Creates the tables in an empty database.
pub(crate) fn create(conn: &Connection, path: &Path) -> Result<(), DbError> {
    conn.execute_batch(CREATE).map_err(store_err(path))?;
    conn.execute(
        "INSERT INTO meta(key, value) VALUES('format', ?1)",
        [FORMAT],
    )
    .map_err(store_err(path))?;
    Ok(())
}
