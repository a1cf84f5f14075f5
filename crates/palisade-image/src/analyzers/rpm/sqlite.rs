//! `rpmdb.sqlite`, rpm's database since 4.16: one table
//! `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)` with a header blob per
//! installed package.
//!
//! The bytes are handed to SQLite in memory (never written to disk),
//! read-only, with SQLite's defensive mode on and untrusted schema; the
//! file must hold a real table named `Packages` (not a view, which could run
//! arbitrary queries).

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

/// The SQLite file header's first 16 bytes.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Most rows read from `Packages` (an image with a million packages is not
/// real).
pub const MAX_ROWS: usize = 1_000_000;

/// The `(hnum, blob)` rows of the `Packages` table.
pub fn read_blobs(bytes: &[u8]) -> Result<Vec<(i64, Vec<u8>)>, String> {
    if bytes.len() < 100 || !bytes.starts_with(SQLITE_MAGIC) {
        return Err("not an SQLite 3 database (no 'SQLite format 3' header)".to_string());
    }
    // rpm writes its database in WAL mode (file format versions 2 at bytes
    // 18 and 19). The write-ahead log is a separate file this analyzer
    // never sees (rpm checkpoints it on close), and an in-memory database
    // cannot use WAL: read the file as a rollback-journal database.
    let mut copy = bytes.to_vec();
    for b in &mut copy[18..20] {
        if *b == 2 {
            *b = 1;
        }
    }
    let sql = |e: rusqlite::Error| format!("SQLite: {e}");
    let mut conn = Connection::open_with_flags(
        ":memory:",
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(sql)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)
        .map_err(sql)?;
    let len = copy.len();
    conn.deserialize_read_exact("main", copy.as_slice(), len, true)
        .map_err(sql)?;
    conn.pragma_update(None, "cell_size_check", true)
        .map_err(sql)?;
    let kinds: Vec<String> = {
        let mut stmt = conn
            .prepare("SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE")
            .map_err(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    match kinds.as_slice() {
        [] => return Err("SQLite database has no Packages table".to_string()),
        [k] if k == "table" => {}
        _ => {
            return Err(format!(
                "SQLite object named Packages is {}, expected one table",
                kinds.join(", ")
            ))
        }
    }
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        if out.len() >= MAX_ROWS {
            return Err(format!("Packages table has more than {MAX_ROWS} rows"));
        }
        let hnum: i64 = row
            .get(0)
            .map_err(|e| format!("Packages row {}: hnum: {e}", out.len() + 1))?;
        let blob: Vec<u8> = row
            .get(1)
            .map_err(|e| format!("Packages row hnum {hnum}: blob: {e}"))?;
        out.push((hnum, blob));
    }
    Ok(out)
}
