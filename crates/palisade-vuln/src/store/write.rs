//! Writing a new generation of the database: lock, copy, change, swap.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{lookup_key, schema, store_err, DbError, SourceInfo, DB_FILE};
use crate::import::{for_each_unit, parse_unit, ImportError, ImportLimits, SourceKind};
use crate::osv::{Osv, Range, RangeKind};
use crate::versions::{Scheme, Version};

/// References kept per advisory.
pub const MAX_REFERENCES: usize = 5;

const LOCK_FILE: &str = ".update.lock";
const TMP_PREFIX: &str = ".vulns.db.tmp-";

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What importing one source did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportOutcome {
    /// The content hash equals the one imported before: nothing read again.
    pub unchanged: bool,
    /// Units (files, zip entries) parsed because they are new or changed.
    pub units_parsed: usize,
    /// Units whose records were dropped because they left the source.
    pub units_removed: usize,
    /// Units skipped because their hash did not change.
    pub units_kept: usize,
    /// Advisories the source holds now.
    pub records: u64,
}

/// The update lock: a file created exclusively, holding the process id.
pub(crate) struct UpdateLock {
    path: PathBuf,
}

impl UpdateLock {
    pub(crate) fn acquire(dir: &Path) -> Result<UpdateLock, DbError> {
        let path = dir.join(LOCK_FILE);
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(UpdateLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid: Option<u32> = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse().ok());
                    let alive = pid.is_some_and(|p| {
                        p == std::process::id() || Path::new(&format!("/proc/{p}")).exists()
                    });
                    // A lock with no readable pid may be mid-write; give it a moment.
                    if pid.is_none() {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                        if std::fs::read_to_string(&path).is_ok_and(|s| !s.trim().is_empty()) {
                            continue;
                        }
                    }
                    if alive && pid.is_some() {
                        return Err(DbError::Busy {
                            dir: dir.to_path_buf(),
                            pid: pid.unwrap_or(0),
                        });
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(source) => return Err(DbError::Io { path, source }),
            }
        }
        Err(DbError::Busy {
            dir: dir.to_path_buf(),
            pid: 0,
        })
    }
}

impl Drop for UpdateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A new generation of the database being written.
pub(crate) struct Writer {
    conn: Option<Connection>,
    dir: PathBuf,
    tmp: PathBuf,
    target: PathBuf,
    _lock: UpdateLock,
}

impl Writer {
    /// Takes the lock, removes temporary files of crashed updates, and
    /// starts from a copy of the current database (or an empty one).
    pub(crate) fn begin(dir: &Path) -> Result<Writer, DbError> {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let lock = UpdateLock::acquire(dir)?;
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let target = dir.join(DB_FILE);
        let tmp = dir.join(format!("{TMP_PREFIX}{}", std::process::id()));
        let mut fresh = true;
        if target.exists() {
            // Start from the current generation when it is readable and of this format.
            let usable = super::Database::open_file(&target).is_ok();
            if usable {
                std::fs::copy(&target, &tmp).map_err(|source| DbError::Io {
                    path: tmp.clone(),
                    source,
                })?;
                fresh = false;
            }
        }
        let conn = Connection::open(&tmp).map_err(store_err(&tmp))?;
        conn.execute_batch("PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;")
            .map_err(store_err(&tmp))?;
        if fresh {
            schema::create(&conn, &tmp)?;
        }
        Ok(Writer {
            conn: Some(conn),
            dir: dir.to_path_buf(),
            tmp,
            target,
            _lock: lock,
        })
    }

    fn conn(&self) -> &Connection {
        // Set from begin() until commit() consumes the writer.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("writer used after commit"))
    }

    /// The source recorded under `location`, if any.
    pub(crate) fn source(&self, location: &str) -> Result<Option<SourceInfo>, DbError> {
        Ok(read_sources(self.conn(), &self.tmp)?
            .into_iter()
            .find(|s| s.location == location))
    }

    /// Every source recorded so far.
    pub(crate) fn sources(&self) -> Result<Vec<SourceInfo>, DbError> {
        read_sources(self.conn(), &self.tmp)
    }

    /// Records that `location` was checked and found unchanged (HTTP 304).
    pub(crate) fn touch(&self, location: &str) -> Result<(), DbError> {
        self.conn()
            .execute(
                "UPDATE sources SET checked_at = ?1 WHERE location = ?2",
                params![now() as i64, location],
            )
            .map_err(store_err(&self.tmp))?;
        Ok(())
    }

    /// Imports the source at `path` under the name `location`, re-reading
    /// only what changed. On error the database is left as it was before
    /// this source.
    pub(crate) fn import_source(
        &mut self,
        location: &str,
        path: &Path,
        limits: &ImportLimits,
        http: (Option<&str>, Option<&str>),
    ) -> Result<ImportOutcome, ImportOrDb> {
        let kind = SourceKind::detect(path)?;
        let previous = self.source(location)?;
        let tmp = self.tmp.clone();
        let err = store_err(&tmp);
        // A file or zip whose bytes did not change is not read again.
        let mut file_sha = None;
        if kind != SourceKind::Directory {
            let sha = file_sha256(path)?;
            if previous.as_ref().is_some_and(|p| p.sha256 == hex(&sha)) {
                self.conn()
                    .execute(
                        "UPDATE sources SET checked_at = ?1, etag = ?2, last_modified = ?3 WHERE location = ?4",
                        params![now() as i64, http.0, http.1, location],
                    )
                    .map_err(&err)?;
                return Ok(ImportOutcome {
                    unchanged: true,
                    records: previous.map_or(0, |p| p.records),
                    ..Default::default()
                });
            }
            file_sha = Some(sha);
        }
        let conn = self
            .conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("writer used after commit"));
        let sp = conn.savepoint().map_err(&err)?;
        let source_id: i64 = match sp
            .query_row(
                "SELECT id FROM sources WHERE location = ?1",
                [location],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?
        {
            Some(id) => id,
            None => {
                sp.execute(
                    "INSERT INTO sources(location, kind, imported_at, checked_at, sha256, records, bytes) \
                     VALUES(?1, ?2, 0, 0, '', 0, 0)",
                    params![location, kind.as_str()],
                )
                .map_err(&err)?;
                sp.last_insert_rowid()
            }
        };
        let mut existing: HashMap<String, (i64, Vec<u8>)> = HashMap::new();
        {
            let mut stmt = sp
                .prepare("SELECT id, path, sha256 FROM units WHERE source = ?1")
                .map_err(&err)?;
            let rows = stmt
                .query_map([source_id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                    ))
                })
                .map_err(&err)?;
            for row in rows {
                let (id, p, sha) = row.map_err(&err)?;
                existing.insert(p, (id, sha));
            }
        }
        let mut outcome = ImportOutcome::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut bytes_total = 0u64;
        let shown = path.display().to_string();
        let mut db_error: Option<DbError> = None;
        let whole = for_each_unit(path, kind, limits, &mut |unit| {
            bytes_total += unit.bytes.len() as u64;
            if !seen.insert(unit.path.to_string()) {
                return Err(ImportError::Invalid {
                    path: format!("{shown}!{}", unit.path),
                    message: "the archive holds this name twice".into(),
                });
            }
            if let Some((_, sha)) = existing.get(unit.path) {
                if sha.as_slice() == unit.sha256 {
                    outcome.units_kept += 1;
                    return Ok(());
                }
            }
            let name = match kind {
                SourceKind::Directory => format!("{shown}/{}", unit.path),
                SourceKind::Zip => format!("{shown}!{}", unit.path),
                SourceKind::File => shown.clone(),
            };
            let records = parse_unit(&name, unit.bytes)?;
            let r = (|| -> Result<(), DbError> {
                if let Some((old, _)) = existing.get(unit.path) {
                    delete_unit(&sp, &tmp, *old)?;
                }
                sp.execute(
                    "INSERT INTO units(source, path, sha256) VALUES(?1, ?2, ?3)",
                    params![source_id, unit.path, unit.sha256.as_slice()],
                )
                .map_err(store_err(&tmp))?;
                let unit_id = sp.last_insert_rowid();
                for rec in &records {
                    insert_record(&sp, &tmp, unit_id, rec)?;
                }
                Ok(())
            })();
            if let Err(e) = r {
                let msg = e.to_string();
                db_error = Some(e);
                return Err(ImportError::Invalid {
                    path: name,
                    message: msg,
                });
            }
            outcome.units_parsed += 1;
            Ok(())
        });
        let whole = match whole {
            Ok(w) => w,
            Err(e) => {
                drop(sp); // rolls back to before this source
                return Err(match db_error {
                    Some(d) => ImportOrDb::Db(d),
                    None => ImportOrDb::Import(e),
                });
            }
        };
        for (p, (id, _)) in &existing {
            if !seen.contains(p) {
                delete_unit(&sp, &tmp, *id)?;
                outcome.units_removed += 1;
            }
        }
        let records: i64 = sp
            .query_row(
                "SELECT count(*) FROM advisories a JOIN units u ON u.id = a.unit WHERE u.source = ?1",
                [source_id],
                |r| r.get(0),
            )
            .map_err(&err)?;
        outcome.records = records.max(0) as u64;
        outcome.unchanged =
            outcome.units_parsed == 0 && outcome.units_removed == 0 && previous.is_some();
        let sha = hex(&file_sha.unwrap_or(whole));
        let t = now() as i64;
        let imported_at = match (&previous, outcome.unchanged) {
            (Some(p), true) => p.imported_at as i64,
            _ => t,
        };
        sp.execute(
            "UPDATE sources SET kind = ?1, imported_at = ?2, checked_at = ?3, sha256 = ?4, records = ?5, \
             bytes = ?6, etag = ?7, last_modified = ?8 WHERE id = ?9",
            params![kind.as_str(), imported_at, t, sha, records, bytes_total as i64, http.0, http.1, source_id],
        )
        .map_err(&err)?;
        sp.commit().map_err(&err)?;
        Ok(outcome)
    }

    /// Finishes the new generation and swaps it in atomically.
    pub(crate) fn commit(mut self) -> Result<(), DbError> {
        let tmp = self.tmp.clone();
        let err = store_err(&tmp);
        if let Some(conn) = self.conn.take() {
            rebuild_package_entries(&conn, &tmp)?;
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('built_at', ?1)",
                [now().to_string()],
            )
            .map_err(&err)?;
            // Reclaim space when many records were replaced.
            let free: i64 = conn
                .query_row("PRAGMA freelist_count", [], |r| r.get(0))
                .map_err(&err)?;
            let pages: i64 = conn
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .map_err(&err)?;
            if free * 4 > pages {
                conn.execute_batch("VACUUM").map_err(&err)?;
            }
            conn.close().map_err(|(_, e)| err(e))?;
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DbError::Io { path, source }
        };
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io(&tmp))?;
        std::fs::rename(&tmp, &self.target).map_err(io(&self.target))?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn);
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// An error of [`Writer::import_source`]: in the source, or in the store.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ImportOrDb {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn file_sha256(path: &Path) -> Result<[u8; 32], ImportError> {
    use std::io::Read;
    let io = |source| ImportError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut f = File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().into())
}

fn delete_unit(conn: &Connection, path: &Path, unit: i64) -> Result<(), DbError> {
    let err = store_err(path);
    conn.execute(
        "DELETE FROM affected WHERE advisory IN (SELECT id FROM advisories WHERE unit = ?1)",
        [unit],
    )
    .map_err(&err)?;
    conn.execute("DELETE FROM advisories WHERE unit = ?1", [unit])
        .map_err(&err)?;
    conn.execute("DELETE FROM units WHERE id = ?1", [unit])
        .map_err(&err)?;
    Ok(())
}

/// A severity word from a `database_specific`/`ecosystem_specific` object.
/// The severity word of an `ecosystem_specific`/`database_specific` object:
/// `severity` (GHSA, AlmaLinux, ...), else Ubuntu's `ubuntu_priority`
/// (`negligible` .. `critical`; `untriaged` is no severity).
fn severity_word(v: Option<&Value>) -> Option<String> {
    let v = v?;
    ["severity", "ubuntu_priority"]
        .iter()
        .find_map(|key| match v.get(*key)? {
            Value::String(s) if !s.is_empty() && s != "untriaged" => Some(s.clone()),
            _ => None,
        })
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn insert_record(conn: &Connection, path: &Path, unit: i64, rec: &Osv) -> Result<(), DbError> {
    let err = store_err(path);
    let summary = rec.summary.clone().filter(|s| !s.is_empty()).or_else(|| {
        rec.details
            .as_deref()
            .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
            .map(|l| {
                let l = l.trim();
                match l.char_indices().nth(200) {
                    Some((i, _)) => format!("{}…", &l[..i]),
                    None => l.to_string(),
                }
            })
    });
    let refs: Vec<_> = rec.references.iter().take(MAX_REFERENCES).collect();
    conn.prepare_cached(
        "INSERT INTO advisories(unit, osv_id, modified, published, withdrawn, summary, aliases, severity, db_severity, refs, card) \
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .map_err(&err)?
    .execute(params![
        unit,
        rec.id,
        rec.modified,
        rec.published,
        rec.withdrawn,
        summary,
        to_json(&rec.aliases),
        to_json(&rec.severity),
        severity_word(rec.database_specific.as_ref()),
        to_json(&refs),
        super::encode_card(&super::Card {
            withdrawn: rec.withdrawn.is_some(),
            id: &rec.id,
            aliases: rec.aliases.iter().map(String::as_str).collect(),
            summary: summary.as_deref(),
            url: refs.first().map(|r| r.url.as_str()),
            database_severity: severity_word(rec.database_specific.as_ref()).as_deref(),
            severity: rec
                .severity
                .iter()
                .map(|s| (s.kind.as_str(), s.score.as_str()))
                .collect(),
        }),
    ])
    .map_err(&err)?;
    let adv = conn.last_insert_rowid();
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO affected(advisory, family, name, ecosystem, package_name, purl, ranges, versions, severity) \
             VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(&err)?;
    for a in &rec.affected {
        let Some(pkg) = &a.package else { continue };
        let (family, name) = lookup_key(&pkg.ecosystem, &pkg.name);
        let ranges: Vec<_> = a
            .ranges
            .iter()
            .filter(|r| r.kind != RangeKind::Git)
            .collect();
        let severity = severity_word(a.ecosystem_specific.as_ref())
            .or_else(|| severity_word(a.database_specific.as_ref()))
            .or_else(|| a.severity.first().map(|s| s.score.clone()));
        stmt.execute(params![
            adv,
            family,
            name,
            pkg.ecosystem,
            pkg.name,
            pkg.purl,
            encode_ranges(&ranges),
            encode_versions(&a.versions, &pkg.ecosystem),
            severity,
        ])
        .map_err(&err)?;
    }
    Ok(())
}

/// Rewrites `package_entries` from `affected`: one row per (family,
/// name) holding every entry of that key in one blob (see
/// [`super::encode_entry`]), in the order of the `affected_key` index
/// (ecosystem, then insertion order), so that a lookup reads one row.
fn rebuild_package_entries(conn: &Connection, path: &Path) -> Result<(), DbError> {
    let err = store_err(path);
    conn.execute("DELETE FROM package_entries", [])
        .map_err(&err)?;
    let mut read = conn
        .prepare(
            "SELECT family, name, advisory, ecosystem, package_name, purl, ranges, versions, severity \
             FROM affected INDEXED BY affected_key ORDER BY family, name, ecosystem, rowid",
        )
        .map_err(&err)?;
    let mut insert = conn
        .prepare("INSERT INTO package_entries(family, name, entries) VALUES(?1, ?2, ?3)")
        .map_err(&err)?;
    let mut rows = read.query([]).map_err(&err)?;
    let mut key: Option<(String, String)> = None;
    let mut count: u32 = 0;
    let mut blob: Vec<u8> = Vec::new();
    let mut flush = |key: &Option<(String, String)>, count: u32, blob: &mut Vec<u8>| {
        if let Some((f, n)) = key {
            let mut out = Vec::with_capacity(blob.len() + 4);
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(blob);
            insert.execute(params![f, n, out]).map_err(&err)?;
        }
        blob.clear();
        Ok::<(), DbError>(())
    };
    while let Some(r) = rows.next().map_err(&err)? {
        let family: String = r.get(0).map_err(&err)?;
        let name: String = r.get(1).map_err(&err)?;
        if key.as_ref().is_none_or(|(f, n)| *f != family || *n != name) {
            flush(&key, count, &mut blob)?;
            key = Some((family, name));
            count = 0;
        }
        count += 1;
        let text = |i: usize| r.get::<_, String>(i).map_err(&err);
        let opt = |i: usize| r.get::<_, Option<String>>(i).map_err(&err);
        let (purl, severity) = (opt(5)?, opt(8)?);
        let (eco, pname, ranges, versions) = (text(3)?, text(4)?, text(6)?, text(7)?);
        super::encode_entry(
            &mut blob,
            r.get(2).map_err(&err)?,
            [
                Some(eco.as_str()),
                Some(pname.as_str()),
                purl.as_deref(),
                Some(ranges.as_str()),
                Some(versions.as_str()),
                severity.as_deref(),
            ],
        );
    }
    flush(&key, count, &mut blob)?;
    Ok(())
}

/// Ranges as stored: `C` and one line per range, `TYPE` then the events
/// as `i`/`f`/`a`/`l` + version, tab-separated (split on every lookup
/// without a JSON parser); or `J` and JSON when a range has a `repo` or
/// `database_specific`, or a tab or newline appears in the text.
pub(crate) fn encode_ranges(ranges: &[&Range]) -> String {
    let bad = |t: &str| t.contains('\t') || t.contains('\n');
    let plain = ranges.iter().all(|r| {
        r.repo.is_none()
            && r.database_specific.is_none()
            && !bad(r.kind.as_str())
            && r.events.iter().all(|e| !bad(e.version()))
    });
    if !plain {
        return format!("J{}", to_json(&ranges));
    }
    let mut out = String::from("C");
    for (i, r) in ranges.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(r.kind.as_str());
        for e in &r.events {
            out.push('\t');
            out.push(e.kind().tag());
            out.push_str(e.version());
        }
    }
    out
}

/// Explicit versions as stored: `L` and the versions joined by newlines
/// (cheap to split on every lookup); or, when the ecosystem has a
/// transitive version order, `S`, the number of versions its scheme reads,
/// a newline, then one line per version as `INDEX<TAB>VERSION` (`INDEX` its
/// place in the list as written): first the ones the scheme reads, sorted by
/// version (equal ones in the order written), then the others in the order
/// written, so that a lookup can binary-search the list parsing only the
/// versions it probes; or `J` and a JSON array when a version is empty or
/// holds a newline. The `S` order depends on the comparators: changing one
/// means a new store format ([`super::schema::FORMAT`]).
pub(crate) fn encode_versions(versions: &[String], ecosystem: &str) -> String {
    if versions.iter().any(|v| v.contains('\n') || v.is_empty()) {
        return format!("J{}", to_json(&versions));
    }
    let scheme = Scheme::for_ecosystem(ecosystem).filter(|s| *s != Scheme::Maven);
    let Some(scheme) = scheme.filter(|_| versions.len() > 1) else {
        return format!("L{}", versions.join("\n"));
    };
    let parsed: Vec<Option<Version>> = versions.iter().map(|v| scheme.parse(v).ok()).collect();
    let mut order: Vec<usize> = (0..versions.len())
        .filter(|&i| parsed[i].is_some())
        .collect();
    let readable = order.len();
    let ordered =
        crate::versions::sort_versions(&mut order, |&a, &b| match (&parsed[a], &parsed[b]) {
            (Some(x), Some(y)) => x.compare(y).unwrap_or(std::cmp::Ordering::Equal),
            _ => std::cmp::Ordering::Equal,
        });
    if !ordered {
        // Not a total order on these versions: kept as written, scanned.
        return format!("L{}", versions.join("\n"));
    }
    order.extend((0..versions.len()).filter(|&i| parsed[i].is_none()));
    let mut out = format!("S{readable}");
    for i in order {
        out.push('\n');
        out.push_str(&i.to_string());
        out.push('\t');
        out.push_str(&versions[i]);
    }
    out
}

/// Every source row, in the order first imported.
pub(crate) fn read_sources(conn: &Connection, path: &Path) -> Result<Vec<SourceInfo>, DbError> {
    let err = store_err(path);
    let mut stmt = conn
        .prepare_cached(
            "SELECT location, kind, imported_at, checked_at, sha256, records, bytes, etag, last_modified \
             FROM sources WHERE sha256 != '' ORDER BY id",
        )
        .map_err(&err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(SourceInfo {
                location: r.get(0)?,
                kind: r.get(1)?,
                imported_at: r.get::<_, i64>(2)?.max(0) as u64,
                checked_at: r.get::<_, i64>(3)?.max(0) as u64,
                sha256: r.get(4)?,
                records: r.get::<_, i64>(5)?.max(0) as u64,
                bytes: r.get::<_, i64>(6)?.max(0) as u64,
                etag: r.get(7)?,
                last_modified: r.get(8)?,
            })
        })
        .map_err(&err)?;
    rows.collect::<Result<_, _>>().map_err(&err)
}
