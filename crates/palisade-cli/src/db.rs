//! `palisade db update` and `palisade db status`: the local vulnerability
//! database (see docs/vulnerabilities-db.md).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use palisade_vuln::update::{self, DownloadOptions, SourceResult, SourceSpec, UpdateOptions};
use palisade_vuln::{Database, DbError};

/// Arguments of `palisade db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DbCommand,
}

/// `palisade db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download and import advisories (OSV JSON/YAML files, directories, all.zip archives, Alpine secdb).
    Update(UpdateArgs),
    /// Show what the database holds and how old it is.
    Status(StatusArgs),
}

/// `--db-dir`, shared by the subcommands.
#[derive(Debug, Args)]
pub struct DbDir {
    /// The database directory [default: $PALISADE_DB_DIR, else $XDG_CACHE_HOME/palisade/db, else ~/.cache/palisade/db].
    #[arg(long, value_name = "DIR")]
    pub db_dir: Option<PathBuf>,
}

/// Arguments of `palisade db update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub dir: DbDir,
    /// A source: an https:// URL (http:// only on loopback) or a local directory, file or zip. Repeatable. Default: the sources already in the database, else OSV's all.zip per ecosystem.
    #[arg(long = "source", value_name = "URL|PATH")]
    pub sources: Vec<String>,
    /// The SHA-256 (hex) the one --source file must have.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Largest download accepted, in MiB.
    #[arg(long, default_value_t = 4096, value_name = "MIB")]
    pub max_download_mib: u64,
    /// Seconds to wait for a stalled server before giving up.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub read_timeout: u64,
}

/// Arguments of `palisade db status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub dir: DbDir,
    /// Output format: table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
}

/// The database directory: `--db-dir`, else the default.
pub fn db_dir(arg: &DbDir) -> std::io::Result<PathBuf> {
    arg.db_dir
        .clone()
        .or_else(palisade_vuln::store::default_db_dir)
        .ok_or_else(|| {
            std::io::Error::other(
                "no database directory: set --db-dir, PALISADE_DB_DIR, XDG_CACHE_HOME or HOME",
            )
        })
}

fn io_err(e: DbError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Runs `palisade db ...`; returns the exit code.
pub fn run(args: &DbArgs) -> std::io::Result<u8> {
    match &args.command {
        DbCommand::Update(a) => run_update(a),
        DbCommand::Status(a) => run_status(a),
    }
}

fn run_update(a: &UpdateArgs) -> std::io::Result<u8> {
    let dir = db_dir(&a.dir)?;
    let specs: Vec<SourceSpec> = a.sources.iter().map(|s| SourceSpec::parse(s)).collect();
    let options = UpdateOptions {
        sha256: a.sha256.clone(),
        download: DownloadOptions {
            max_bytes: a.max_download_mib.saturating_mul(1 << 20),
            read_timeout: Duration::from_secs(a.read_timeout.max(1)),
            ..Default::default()
        },
        ..Default::default()
    };
    let report = update::update(&dir, &specs, &options).map_err(io_err)?;
    let mut out = std::io::stdout().lock();
    for (location, result) in &report.sources {
        match result {
            SourceResult::NotModified => writeln!(out, "not modified  {location}")?,
            SourceResult::Imported(o) if o.unchanged => {
                writeln!(out, "unchanged     {location}: {} advisories", o.records)?
            }
            SourceResult::Imported(o) => writeln!(
                out,
                "imported      {location}: {} advisories ({} files parsed, {} unchanged, {} removed)",
                o.records, o.units_parsed, o.units_kept, o.units_removed
            )?,
            SourceResult::Failed(m) => {
                writeln!(out, "FAILED        {location}")?;
                eprintln!("palisade: error: {m}");
            }
        }
    }
    writeln!(
        out,
        "database: {}",
        dir.join(palisade_vuln::store::DB_FILE).display()
    )?;
    Ok(if report.failed() { 2 } else { 0 })
}

fn run_status(a: &StatusArgs) -> std::io::Result<u8> {
    let dir = db_dir(&a.dir)?;
    let db = Database::open(&dir).map_err(io_err)?;
    let status = db.status().map_err(io_err)?;
    let mut out = std::io::stdout().lock();
    if a.format == "json" {
        serde_json::to_writer_pretty(&mut out, &status).map_err(std::io::Error::other)?;
        writeln!(out)?;
        return Ok(0);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    writeln!(out, "database:   {}", status.path.display())?;
    writeln!(
        out,
        "built:      {} ({})",
        utc(status.built_at),
        age(now, status.built_at)
    )?;
    writeln!(
        out,
        "advisories: {} ({} affected packages)",
        status.advisories, status.affected
    )?;
    for s in &status.sources {
        writeln!(out, "\nsource:     {} ({})", s.location, s.kind)?;
        writeln!(out, "  advisories: {}", s.records)?;
        writeln!(
            out,
            "  imported:   {} ({})",
            utc(s.imported_at),
            age(now, s.imported_at)
        )?;
        writeln!(
            out,
            "  checked:    {} ({})",
            utc(s.checked_at),
            age(now, s.checked_at)
        )?;
        writeln!(out, "  sha256:     {}", s.sha256)?;
        if let Some(e) = &s.etag {
            writeln!(out, "  etag:       {e}")?;
        }
        if let Some(lm) = &s.last_modified {
            writeln!(out, "  modified:   {lm}")?;
        }
    }
    Ok(0)
}

fn age(now: u64, then: u64) -> String {
    let d = now.saturating_sub(then);
    match d {
        0..=119 => format!("{d} s ago"),
        120..=7199 => format!("{} min ago", d / 60),
        7200..=172_799 => format!("{} h ago", d / 3600),
        _ => format!("{} days ago", d / 86_400),
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(age(1000, 990), "10 s ago");
    }
}
