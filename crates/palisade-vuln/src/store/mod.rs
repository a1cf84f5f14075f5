//! The local advisory store: one SQLite file, `vulns.db`, in the database
//! directory, never modified in place.
//!
//! An update copies the current file to a temporary file in the same
//! directory, changes the copy, flushes it to disk and renames it over
//! `vulns.db` (then flushes the directory). A reader opens the file
//! read-only and immutable: it keeps reading the file it opened, even while
//! an update replaces it, and it never sees a half-written database. Only
//! one update runs at a time (a lock file holding the updater's process id;
//! a lock left by a dead process is taken over).
//!
//! Lookups go by (ecosystem family, package name): the family is the OSV
//! ecosystem before its first `:` (`Debian:12` → `Debian`), compared
//! without regard to case; PyPI names are compared normalised as PEP 503
//! says. See [`lookup_key`].

mod schema;
pub(crate) mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::osv::{Event, EventKind, Range, RangeKind, Reference, Severity};

pub use write::ImportOutcome;

/// The database file's name inside the database directory.
pub const DB_FILE: &str = "vulns.db";

/// Why the database could not be opened, read or written.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No database in the directory yet.
    #[error("no vulnerability database in {dir} (run `palisade db update` first)")]
    Missing {
        /// The database directory.
        dir: PathBuf,
    },
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// SQLite failed, or the file is not a palisade database.
    #[error("{path}: {message}")]
    Store {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Another update holds the lock.
    #[error(
        "another `palisade db update` (process {pid}) is updating {dir}; wait for it to finish"
    )]
    Busy {
        /// The database directory.
        dir: PathBuf,
        /// The process holding the lock.
        pid: u32,
    },
}

pub(crate) fn store_err(path: &Path) -> impl Fn(rusqlite::Error) -> DbError + '_ {
    move |e| DbError::Store {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The database directory used when none is given: `$PALISADE_DB_DIR`,
/// else `$XDG_CACHE_HOME/palisade/db`, else `~/.cache/palisade/db`.
pub fn default_db_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = non_empty("PALISADE_DB_DIR") {
        return Some(d);
    }
    if let Some(c) = non_empty("XDG_CACHE_HOME") {
        return Some(c.join("palisade").join("db"));
    }
    non_empty("HOME").map(|h| h.join(".cache").join("palisade").join("db"))
}

/// The ecosystem family of an OSV ecosystem: the part before the first
/// `:` (`Ubuntu:22.04:LTS` → `Ubuntu`, `PyPI` → `PyPI`).
pub fn ecosystem_family(ecosystem: &str) -> &str {
    ecosystem.split(':').next().unwrap_or(ecosystem)
}

/// The key a package is stored and looked up under: the family in lower
/// case, and the name as written, except PyPI names normalised (lower case,
/// runs of `-`, `_`, `.` as one `-`).
pub fn lookup_key(family: &str, name: &str) -> (String, String) {
    let family = ecosystem_family(family).to_ascii_lowercase();
    let name = if family == "pypi" {
        let mut out = String::with_capacity(name.len());
        let mut sep = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                sep = true;
            } else {
                if sep && !out.is_empty() {
                    out.push('-');
                }
                sep = false;
                out.extend(c.to_lowercase());
            }
        }
        out
    } else {
        name.to_string()
    };
    (family, name)
}

/// What the store keeps of an advisory, for matching and reporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    /// The OSV id.
    pub id: String,
    /// Other ids (CVE, GHSA, ...).
    pub aliases: Vec<String>,
    /// One-line summary (for records without one: the first line of `details`, cut at 200 characters).
    pub summary: Option<String>,
    /// When the record last changed (RFC 3339).
    pub modified: Option<String>,
    /// When it was published (RFC 3339).
    pub published: Option<String>,
    /// When it was withdrawn; a withdrawn advisory should match nothing.
    pub withdrawn: Option<String>,
    /// Severity vectors of the record (`CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...).
    pub severity: Vec<Severity>,
    /// The record's `database_specific.severity` word, when it has one (`HIGH`, `moderate`).
    pub database_severity: Option<String>,
    /// The first few references (at most [`write::MAX_REFERENCES`]).
    pub references: Vec<Reference>,
    /// The source it was imported from (URL or path).
    pub source: String,
}

/// One `affected` entry of an advisory, as a lookup returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct AffectedPackage {
    /// The advisory (shared by its entries).
    pub advisory: Arc<Advisory>,
    /// The OSV ecosystem with its suffix (`Debian:12`, `Alpine:v3.11`, `PyPI`).
    pub ecosystem: String,
    /// The package name as the advisory writes it.
    pub name: String,
    /// The package URL, when given.
    pub purl: Option<String>,
    /// The ranges, events as written (GIT ranges are not kept).
    pub ranges: Vec<Range>,
    /// Explicit affected versions.
    pub versions: Vec<String>,
    /// A severity word of this package: its `ecosystem_specific.severity`
    /// or `database_specific.severity`, or `severity[]` vectors (first one).
    pub severity: Option<String>,
}

impl AffectedPackage {
    /// The `fixed` versions of the ranges, in the order written.
    pub fn fixed_versions(&self) -> Vec<&str> {
        self.ranges
            .iter()
            .flat_map(|r| r.events.iter())
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// What the database holds about one source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    /// The URL or the path as given.
    pub location: String,
    /// `directory`, `file` or `zip`.
    pub kind: String,
    /// When its content was last imported (seconds since the Unix epoch).
    pub imported_at: u64,
    /// When it was last checked for changes (seconds since the Unix epoch).
    pub checked_at: u64,
    /// SHA-256 of its content (hex).
    pub sha256: String,
    /// Advisories imported from it.
    pub records: u64,
    /// Bytes of the downloaded file or zip, or of the directory's files.
    pub bytes: u64,
    /// The `ETag` the server sent, for conditional updates.
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// What `palisade db status` shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DbStatus {
    /// The database file.
    pub path: PathBuf,
    /// When this file was written (seconds since the Unix epoch).
    pub built_at: u64,
    /// Advisories in total.
    pub advisories: u64,
    /// Affected-package entries in total.
    pub affected: u64,
    /// The sources, in the order first imported.
    pub sources: Vec<SourceInfo>,
}

struct Inner {
    conn: Connection,
    cache: HashMap<i64, Arc<Advisory>>,
}

/// A read-only view of the database as it was when opened.
///
/// Opening reads nothing but the file header; lookups read the index
/// pages they need. The view does not change when an update replaces the
/// file: open again to see the update.
pub struct Database {
    path: PathBuf,
    inner: Mutex<Inner>,
    /// The device and inode of the file opened, so that extra readers
    /// open the same file (never one an update has swapped in since).
    file: Option<(u64, u64)>,
    /// Extra read-only connections to the same file, for lookups from
    /// several threads at once ([`Database::with_reader`]).
    readers: Mutex<Vec<Connection>>,
}

/// The device and inode of a file (`None` where the platform has none).
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A read-only connection to a database file, checked to be this format.
fn connect(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        file_uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(store_err(path))?;
    schema::check(&conn, path)?;
    // A page cache large enough for the hot index and records (grown
    // only as pages are read), and SQLite's own read-only memory map.
    conn.execute_batch("PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;")
        .map_err(store_err(path))?;
    Ok(conn)
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish()
    }
}

/// `file:` URI of a path, for SQLite's `immutable` parameter.
fn file_uri(path: &Path) -> String {
    let mut out = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str("?immutable=1");
    out
}

impl Database {
    /// Opens the database in `dir` (the file [`DB_FILE`]).
    pub fn open(dir: &Path) -> Result<Database, DbError> {
        let path = dir.join(DB_FILE);
        Database::open_file(&path).map_err(|e| match e {
            DbError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                DbError::Missing {
                    dir: dir.to_path_buf(),
                }
            }
            e => e,
        })
    }

    /// Opens a database file directly.
    pub fn open_file(path: &Path) -> Result<Database, DbError> {
        // Fail plainly when the file is absent (SQLite would say "unable to open").
        std::fs::metadata(path).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let before = file_id(path);
        let conn = connect(path)?;
        // Extra readers are used only if the file did not change while
        // this one opened it.
        let file = before.filter(|id| file_id(path) == Some(*id));
        Ok(Database {
            path: path.to_path_buf(),
            inner: Mutex::new(Inner {
                conn,
                cache: HashMap::new(),
            }),
            file,
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on a connection of its own, so that several threads can
    /// read at once: a pooled one, or a new one opened on the same file
    /// (the same device and inode before and after opening it, so never a
    /// file an update has swapped in since). Where no such connection can
    /// be had, `f` runs on the main connection, one thread at a time.
    fn with_reader<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, DbError>,
    ) -> Result<R, DbError> {
        let pool = || self.readers.lock().unwrap_or_else(|p| p.into_inner());
        let pooled = pool().pop();
        let reader = pooled.or_else(|| {
            let id = self.file?;
            (file_id(&self.path) == Some(id)).then_some(())?;
            let conn = connect(&self.path).ok()?;
            (file_id(&self.path) == Some(id)).then_some(conn)
        });
        match reader {
            Some(conn) => {
                let r = f(&conn);
                pool().push(conn);
                r
            }
            None => f(&self.lock().conn),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every affected entry stored for `name` in ecosystem `family` (an
    /// OSV ecosystem, with or without suffix: `Debian`, `Debian:12`, `PyPI`),
    /// across all releases of that family: the caller filters by
    /// [`AffectedPackage::ecosystem`] (e.g. `Debian:12`). Debian and Ubuntu
    /// advisories name source packages.
    pub fn advisories_for(
        &self,
        family: &str,
        name: &str,
    ) -> Result<Vec<AffectedPackage>, DbError> {
        self.lookup(family, name, None)
    }

    /// Like [`Database::advisories_for`], but only the entries whose
    /// ecosystem is exactly `ecosystem` (`Debian:12`, `Ubuntu:22.04:LTS`,
    /// `PyPI`); the other releases' entries are skipped while reading the
    /// key's blob, before their ranges are decoded or their advisories
    /// read.
    pub fn advisories_for_ecosystem(
        &self,
        ecosystem: &str,
        name: &str,
    ) -> Result<Vec<AffectedPackage>, DbError> {
        self.lookup(ecosystem, name, Some(ecosystem))
    }

    fn lookup(
        &self,
        family: &str,
        name: &str,
        ecosystem: Option<&str>,
    ) -> Result<Vec<AffectedPackage>, DbError> {
        let (family, name) = lookup_key(family, name);
        let key = [(family.as_str(), name.as_str())];
        let Some(blob) = self.entries_blobs(&key)?.pop().flatten() else {
            return Ok(Vec::new());
        };
        let entries = RawEntries::new(&blob)
            .map_err(|at| self.corrupt_entries(&family, &name, at))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|at| self.corrupt_entries(&family, &name, at))?;
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            if ecosystem.is_some_and(|want| want != e.ecosystem) {
                continue;
            }
            let advisory = self.advisory(e.advisory)?;
            out.push(AffectedPackage {
                advisory,
                ecosystem: e.ecosystem.to_string(),
                name: e.name.to_string(),
                purl: e.purl.map(str::to_string),
                ranges: decode_ranges(&self.path, e.ranges)?,
                versions: decode_versions(&self.path, e.versions)?,
                severity: e.severity.map(str::to_string),
            });
        }
        Ok(out)
    }

    /// The blobs of these keys (as [`lookup_key`] gives them), in the
    /// same order, read with one statement on a connection of the calling
    /// thread's own ([`Database::with_reader`]).
    pub(crate) fn entries_blobs(
        &self,
        keys: &[(&str, &str)],
    ) -> Result<Vec<Option<Vec<u8>>>, DbError> {
        let err = store_err(&self.path);
        self.with_reader(|conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT entries FROM package_entries WHERE family = ?1 AND name = ?2",
                )
                .map_err(&err)?;
            keys.iter()
                .map(|(family, name)| {
                    stmt.query_row(rusqlite::params![family, name], |r| r.get(0))
                        .optional()
                        .map_err(&err)
                })
                .collect()
        })
    }

    /// The error for a `package_entries` blob that cannot be read at byte `at`.
    pub(crate) fn corrupt_entries(&self, family: &str, name: &str, at: usize) -> DbError {
        DbError::Store {
            path: self.path.clone(),
            message: format!(
                "corrupt stored entries of {family} {name:?} at byte {at} (run `palisade db update` after deleting the file)"
            ),
        }
    }

    /// The cards ([`decode_card`]) of these advisories, in the same order,
    /// read on a connection of the calling thread's own.
    pub(crate) fn cards(&self, rowids: &[i64]) -> Result<Vec<Vec<u8>>, DbError> {
        let err = store_err(&self.path);
        self.with_reader(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT card FROM advisories WHERE id = ?1")
                .map_err(&err)?;
            rowids
                .iter()
                .map(|id| stmt.query_row([id], |r| r.get(0)).map_err(&err))
                .collect()
        })
    }

    /// The error for a card that cannot be read.
    pub(crate) fn corrupt_card(&self, rowid: i64) -> DbError {
        DbError::Store {
            path: self.path.clone(),
            message: format!(
                "corrupt stored advisory {rowid} (run `palisade db update` after deleting the file)"
            ),
        }
    }

    /// The advisory with row id `rowid`, read once per open database.
    fn advisory(&self, rowid: i64) -> Result<Arc<Advisory>, DbError> {
        let mut guard = self.lock();
        let Inner { conn, cache } = &mut *guard;
        if let Some(a) = cache.get(&rowid) {
            return Ok(a.clone());
        }
        let a = Arc::new(read_advisory(conn, &self.path, rowid)?);
        cache.insert(rowid, a.clone());
        Ok(a)
    }

    /// The advisories stored under `id` (an OSV id; several when several
    /// sources hold it).
    pub fn advisories_by_id(&self, id: &str) -> Result<Vec<Advisory>, DbError> {
        let guard = self.lock();
        let err = store_err(&self.path);
        let ids: Vec<i64> = guard
            .conn
            .prepare_cached("SELECT id FROM advisories WHERE osv_id = ?1 ORDER BY id")
            .map_err(&err)?
            .query_map([id], |r| r.get(0))
            .map_err(&err)?
            .collect::<Result<_, _>>()
            .map_err(&err)?;
        ids.into_iter()
            .map(|i| read_advisory(&guard.conn, &self.path, i))
            .collect()
    }

    /// What the database holds: sources, counts and ages.
    pub fn status(&self) -> Result<DbStatus, DbError> {
        let guard = self.lock();
        let conn = &guard.conn;
        let err = store_err(&self.path);
        let built_at: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'built_at'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&err)?
            .unwrap_or_default();
        let count = |sql: &str| -> Result<u64, DbError> {
            conn.query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n.max(0) as u64)
                .map_err(&err)
        };
        Ok(DbStatus {
            path: self.path.clone(),
            built_at: built_at.parse().unwrap_or(0),
            advisories: count("SELECT count(*) FROM advisories")?,
            affected: count("SELECT count(*) FROM affected")?,
            sources: write::read_sources(conn, &self.path)?,
        })
    }
}

/// Length written for an absent string in a `package_entries` blob.
const ABSENT: u32 = u32::MAX;

/// Appends one `affected` entry to a `package_entries` blob: the
/// advisory's row id (8 bytes, little-endian), then the ecosystem, the
/// package name, the purl, the ranges and versions (as `affected` stores
/// them) and the severity word, each as a 4-byte little-endian length and
/// UTF-8 bytes (length `0xFFFFFFFF` for an absent purl or severity):
/// `texts` in that order. The blob starts with the number of entries
/// (4 bytes).
pub(crate) fn encode_entry(out: &mut Vec<u8>, advisory: i64, texts: [Option<&str>; 6]) {
    out.extend_from_slice(&advisory.to_le_bytes());
    for s in texts {
        put_str(out, s);
    }
}

/// Appends a string as a 4-byte little-endian length and its UTF-8 bytes,
/// or the length `0xFFFFFFFF` alone for an absent one; [`BlobReader::str`]
/// reads it back.
fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        // Stored texts are far below 4 GiB (bounded by the importer).
        Some(s) => {
            let len = u32::try_from(s.len()).unwrap_or(ABSENT - 1);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(s.as_bytes().get(..len as usize).unwrap_or_default());
        }
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
    }
}

/// What the matcher reads of an advisory, stored beside it (the
/// `advisories.card` column) so that a lookup decodes neither JSON nor
/// joins the source tables: the texts a match reports and what decides its
/// severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Card<'a> {
    pub(crate) withdrawn: bool,
    pub(crate) id: &'a str,
    pub(crate) aliases: Vec<&'a str>,
    pub(crate) summary: Option<&'a str>,
    /// The first reference.
    pub(crate) url: Option<&'a str>,
    /// `database_specific.severity` (or Ubuntu priority).
    pub(crate) database_severity: Option<&'a str>,
    /// `severity[]` as (type, score).
    pub(crate) severity: Vec<(&'a str, &'a str)>,
}

/// Writes a card: a flags byte (1 = withdrawn), the id, the number of
/// aliases (4 bytes) and each alias, the summary, URL and database
/// severity (absent as length `0xFFFFFFFF`), the number of severities and
/// each type and score; strings as in [`encode_entry`].
pub(crate) fn encode_card(card: &Card<'_>) -> Vec<u8> {
    let mut out = vec![u8::from(card.withdrawn)];
    let count = |n: usize| u32::try_from(n).unwrap_or(0).to_le_bytes();
    put_str(&mut out, Some(card.id));
    out.extend_from_slice(&count(card.aliases.len()));
    for a in &card.aliases {
        put_str(&mut out, Some(a));
    }
    put_str(&mut out, card.summary);
    put_str(&mut out, card.url);
    put_str(&mut out, card.database_severity);
    out.extend_from_slice(&count(card.severity.len()));
    for (kind, score) in &card.severity {
        put_str(&mut out, Some(kind));
        put_str(&mut out, Some(score));
    }
    out
}

/// Reads a card; `None` when it is malformed.
pub(crate) fn decode_card(buf: &[u8]) -> Option<Card<'_>> {
    let mut r = BlobReader { buf, pos: 0 };
    let withdrawn = match r.take(1)? {
        [0] => false,
        [1] => true,
        _ => return None,
    };
    let id = r.str()??;
    // Each alias takes at least 4 bytes, each severity 8.
    let n = r.u32()? as usize;
    if n > buf.len() / 4 {
        return None;
    }
    let aliases = (0..n).map(|_| r.str()?).collect::<Option<Vec<_>>>()?;
    let (summary, url, database_severity) = (r.str()?, r.str()?, r.str()?);
    let n = r.u32()? as usize;
    if n > buf.len() / 8 {
        return None;
    }
    let severity = (0..n)
        .map(|_| Some((r.str()??, r.str()??)))
        .collect::<Option<Vec<_>>>()?;
    (r.pos == buf.len()).then_some(Card {
        withdrawn,
        id,
        aliases,
        summary,
        url,
        database_severity,
        severity,
    })
}

/// Reads a `package_entries` blob; `None` when it ends early or holds
/// invalid UTF-8.
struct BlobReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> BlobReader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let b = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(b)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// `Some(None)` for an absent string.
    fn str(&mut self) -> Option<Option<&'a str>> {
        match self.u32()? {
            ABSENT => Some(None),
            n => Some(Some(std::str::from_utf8(self.take(n as usize)?).ok()?)),
        }
    }
}

/// One entry of a `package_entries` blob, borrowed from it (see
/// [`encode_entry`]): still encoded ranges and versions, for
/// [`decode_ranges`] and [`decode_versions`] or the matcher's own reader.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawEntry<'a> {
    pub(crate) advisory: i64,
    pub(crate) ecosystem: &'a str,
    pub(crate) name: &'a str,
    pub(crate) purl: Option<&'a str>,
    pub(crate) ranges: &'a str,
    pub(crate) versions: &'a str,
    pub(crate) severity: Option<&'a str>,
}

/// The entries of a `package_entries` blob, in the order stored. A blob
/// that ends early, holds invalid UTF-8 or has bytes after its last entry
/// yields `Err(byte offset)` once, then nothing.
pub(crate) struct RawEntries<'a> {
    r: BlobReader<'a>,
    left: usize,
    failed: bool,
}

impl<'a> RawEntries<'a> {
    /// `Err(byte offset)` when the entry count cannot be right.
    pub(crate) fn new(blob: &'a [u8]) -> Result<RawEntries<'a>, usize> {
        let mut r = BlobReader { buf: blob, pos: 0 };
        let count = r.u32().ok_or(r.pos)? as usize;
        // Each entry takes at least 32 bytes; a larger count is corrupt.
        if count > blob.len() / 32 {
            return Err(0);
        }
        Ok(RawEntries {
            r,
            left: count,
            failed: false,
        })
    }
}

impl<'a> Iterator for RawEntries<'a> {
    type Item = Result<RawEntry<'a>, usize>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.left == 0 {
            if self.r.pos != self.r.buf.len() {
                self.failed = true;
                return Some(Err(self.r.pos));
            }
            return None;
        }
        self.left -= 1;
        let at = self.r.pos;
        let r = &mut self.r;
        let entry = (|| {
            Some(RawEntry {
                advisory: r.i64()?,
                ecosystem: r.str()??,
                name: r.str()??,
                purl: r.str()?,
                ranges: r.str()??,
                versions: r.str()??,
                severity: r.str()?,
            })
        })();
        match entry {
            Some(e) => Some(Ok(e)),
            None => {
                self.failed = true;
                Some(Err(at))
            }
        }
    }
}

/// Reads `data` as each encoding the store keeps in its blobs and texts
/// (a `package_entries` blob and the ranges and version lists of its
/// entries, an advisory card, a version list, a range list), the way a
/// lookup does; for the `store_blobs` fuzz target. Returns how many items
/// were read; never panics.
#[doc(hidden)]
pub fn fuzz_stored(data: &[u8]) -> usize {
    let path = Path::new("fuzz.db");
    let mut items = 0;
    let mut text = |t: &str| {
        items += decode_ranges(path, t).map_or(0, |r| r.len());
        items += decode_versions(path, t).map_or(0, |v| v.len());
        items += VersionItems::parse(t).map_or(0, |s| s.items.len());
    };
    if let Ok(entries) = RawEntries::new(data) {
        for e in entries.flatten() {
            text(e.ranges);
            text(e.versions);
        }
    }
    if let Ok(t) = std::str::from_utf8(data) {
        text(t);
    }
    items + decode_card(data).map_or(0, |c| c.aliases.len() + c.severity.len())
}

fn decode<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, DbError> {
    serde_json::from_str(text).map_err(|e| DbError::Store {
        path: path.to_path_buf(),
        message: format!("corrupt stored value: {e}"),
    })
}

/// One range of the stored `C` form, borrowed from the text: its type and
/// its events as written.
pub(crate) struct CompactRange<'a> {
    pub(crate) kind: RangeKind,
    pub(crate) events: Vec<(EventKind, &'a str)>,
}

/// The ranges of a stored range text in the `C` form (see
/// `write::encode_ranges`); `None` for the `J` form or anything else,
/// `Some(Err)` when the `C` form is malformed.
pub(crate) fn compact_ranges(text: &str) -> Option<Result<Vec<CompactRange<'_>>, ()>> {
    let rest = text.strip_prefix('C')?;
    if rest.is_empty() {
        return Some(Ok(Vec::new()));
    }
    Some(
        rest.split('\n')
            .map(|line| {
                let mut parts = line.split('\t');
                let kind = RangeKind::parse(parts.next().unwrap_or_default());
                let events = parts
                    .map(|p| {
                        let (tag, v) = p.split_at_checked(1).ok_or(())?;
                        Ok((EventKind::from_tag(tag).ok_or(())?, v))
                    })
                    .collect::<Result<_, ()>>()?;
                Ok(CompactRange { kind, events })
            })
            .collect(),
    )
}

/// The error for a stored range text that cannot be read.
pub(crate) fn corrupt_range(path: &Path) -> DbError {
    DbError::Store {
        path: path.to_path_buf(),
        message: "corrupt stored range".into(),
    }
}

pub(crate) fn decode_ranges(path: &Path, text: &str) -> Result<Vec<Range>, DbError> {
    if let Some(compact) = compact_ranges(text) {
        let ranges = compact.map_err(|()| corrupt_range(path))?;
        return Ok(ranges
            .into_iter()
            .map(|r| Range {
                kind: r.kind,
                repo: None,
                events: r
                    .events
                    .into_iter()
                    .map(|(k, v)| Event::new(k, v.to_string()))
                    .collect(),
                database_specific: None,
            })
            .collect());
    }
    match text.split_at_checked(1) {
        Some(("J", json)) => decode(path, json),
        _ => Err(corrupt_range(path)),
    }
}

pub(crate) fn decode_versions(path: &Path, text: &str) -> Result<Vec<String>, DbError> {
    let corrupt = || DbError::Store {
        path: path.to_path_buf(),
        message: "corrupt stored version list".into(),
    };
    if let Some(list) = VersionItems::parse(text) {
        // Back in the order written.
        let mut out = vec![None; list.items.len()];
        for (i, v) in list.items {
            match out.get_mut(i) {
                Some(slot @ None) => *slot = Some(v.to_string()),
                _ => return Err(corrupt()),
            }
        }
        return out.into_iter().map(|v| v.ok_or_else(corrupt)).collect();
    }
    match text.split_at_checked(1) {
        Some(("J", json)) => decode(path, json),
        _ => Err(corrupt()),
    }
}

/// A version list stored in the `L` or `S` form (see
/// `write::encode_versions`), borrowed from the text.
pub(crate) struct VersionItems<'a> {
    /// `S`: the first `readable` items are sorted by the ecosystem's order.
    pub(crate) sorted: bool,
    /// How many of `items`, from the first, are sorted by version (0 for `L`).
    pub(crate) readable: usize,
    /// (index as written, version), in the stored order.
    pub(crate) items: Vec<(usize, &'a str)>,
}

impl<'a> VersionItems<'a> {
    /// `None` when `text` is not a well-formed `L` or `S` list (the `J`
    /// form is decoded with [`decode_versions`]).
    pub(crate) fn parse(text: &'a str) -> Option<VersionItems<'a>> {
        if let Some(lines) = text.strip_prefix('L') {
            let items = match lines {
                "" => Vec::new(),
                _ => lines.split('\n').enumerate().collect(),
            };
            return Some(VersionItems {
                sorted: false,
                readable: 0,
                items,
            });
        }
        let mut lines = text.strip_prefix('S')?.split('\n');
        let readable: usize = lines.next()?.parse().ok()?;
        let items = lines
            .map(|l| {
                let (i, v) = l.split_once('\t')?;
                Some((i.parse().ok()?, v))
            })
            .collect::<Option<Vec<_>>>()?;
        (readable <= items.len()).then_some(VersionItems {
            sorted: true,
            readable,
            items,
        })
    }
}

fn read_advisory(conn: &Connection, path: &Path, rowid: i64) -> Result<Advisory, DbError> {
    let err = store_err(path);
    let row = conn
        .prepare_cached(
            "SELECT a.osv_id, a.aliases, a.summary, a.modified, a.published, a.withdrawn, \
             a.severity, a.db_severity, a.refs, s.location \
             FROM advisories a JOIN units u ON u.id = a.unit JOIN sources s ON s.id = u.source \
             WHERE a.id = ?1",
        )
        .map_err(&err)?
        .query_row([rowid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
            ))
        })
        .map_err(&err)?;
    Ok(Advisory {
        id: row.0,
        aliases: decode(path, &row.1)?,
        summary: row.2,
        modified: row.3,
        published: row.4,
        withdrawn: row.5,
        severity: decode(path, &row.6)?,
        database_severity: row.7,
        references: decode(path, &row.8)?,
        source: row.9,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(
            lookup_key("PyPI", "Zope.Interface__x"),
            ("pypi".into(), "zope-interface-x".into())
        );
        assert_eq!(
            lookup_key("Debian:12", "openssl"),
            ("debian".into(), "openssl".into())
        );
        assert_eq!(ecosystem_family("Ubuntu:22.04:LTS"), "Ubuntu");
        assert_eq!(
            file_uri(Path::new("/a b/c?.db")),
            "file:/a%20b/c%3F.db?immutable=1"
        );
    }
}
