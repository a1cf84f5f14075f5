//! `palisade registry scan` and `palisade registry rescan`: continuous
//! rescans of what a registry holds (see docs/registry-rescans.md).
//!
//! `scan` lists repositories and tags, inventories each image once per
//! manifest digest, stores the inventory and its match result in the
//! inventory store; `rescan` re-matches every stored inventory against the
//! current database, without any registry access, and reports what changed
//! since the previous match.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use palisade_image::registry::catalog::{Catalog, ListLimits};
use palisade_image::{scan_image, BlobSource, ImageInput, Platform, RegistrySource, ScanOptions};
use palisade_model::{ImageRef, OsInfo, Package, Severity};
use palisade_vuln::inventory_store::{
    default_store_dir, diff_matches, InventoryStore, MatchDiff, MatchResult, StoredInventory,
    StoredOs, StoredPackage, StoredVuln, VulnPackage, FORMAT_VERSION,
};
use palisade_vuln::{match_packages, Database, MatchOptions};
use serde_json::{json, Value};

use crate::db::{db_dir, DbDir};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// Arguments of `palisade registry`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RegistryCommand,
}

/// `palisade registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// List a registry's repositories (or one repository) and tags, inventory each image once per manifest digest, store it and match it against the database.
    Scan(ScanArgs),
    /// Re-match every stored inventory against the current database (no registry access) and report new, fixed and still-open vulnerabilities per image.
    Rescan(RescanArgs),
}

/// `--store-dir`, shared by the subcommands.
#[derive(Debug, Args)]
pub struct StoreDir {
    /// The inventory store [default: $PALISADE_STORE_DIR, else $XDG_CACHE_HOME/palisade/inventories, else ~/.cache/palisade/inventories].
    #[arg(long, value_name = "DIR")]
    pub store_dir: Option<PathBuf>,
}

/// Arguments of `palisade registry scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The registry (`host[:port]`), or one repository in it (`host[:port]/repo`).
    #[arg(value_name = "REGISTRY[/REPO]")]
    pub target: String,
    #[command(flatten)]
    pub db: DbDir,
    #[command(flatten)]
    pub store: StoreDir,
    /// Platform to pick from multi-platform images, `os/arch[/variant]` [default: linux/amd64].
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,
    /// Output format: table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Exit with status 1 when an image has a vulnerability at or above this severity.
    #[arg(long, default_value = "low", value_parser = parse_severity, value_name = "low|medium|high|critical")]
    pub fail_on: Severity,
    #[command(flatten)]
    pub registry: crate::args::RegistryAccess,
    /// Entries asked for per page of the catalog and tag lists.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub page_size: u32,
}

/// Arguments of `palisade registry rescan`.
#[derive(Debug, Args)]
pub struct RescanArgs {
    #[command(flatten)]
    pub db: DbDir,
    #[command(flatten)]
    pub store: StoreDir,
    /// Output format: table or json.
    #[arg(long, short = 'f', default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Exit with status 1 when a NEW vulnerability (since the previous scan or rescan) is at or above this severity.
    #[arg(long, default_value = "low", value_parser = parse_severity, value_name = "low|medium|high|critical")]
    pub fail_on: Severity,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::from_str(&s.to_ascii_lowercase())
        .map_err(|_| format!("invalid severity `{s}`: expected low, medium, high or critical"))
}

/// Runs `palisade registry ...`; returns the exit code.
pub fn run(args: &RegistryArgs) -> std::io::Result<u8> {
    match &args.command {
        RegistryCommand::Scan(a) => run_scan(a),
        RegistryCommand::Rescan(a) => run_rescan(a),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn store_dir(arg: &StoreDir) -> std::io::Result<PathBuf> {
    arg.store_dir.clone().or_else(default_store_dir).ok_or_else(|| {
        std::io::Error::other(
            "no inventory store directory: set --store-dir, PALISADE_STORE_DIR, XDG_CACHE_HOME or HOME",
        )
    })
}

fn open_db(arg: &DbDir) -> std::io::Result<(Database, Option<u64>)> {
    let dir = db_dir(arg)?;
    let db = Database::open(&dir).map_err(|e| std::io::Error::other(e.to_string()))?;
    let built = db.status().ok().map(|s| s.built_at);
    Ok((db, built))
}

/// Matches one inventory against the database: the one place the
/// matcher is called.
fn match_inventory(
    db: &Database,
    os: Option<&OsInfo>,
    packages: &[Package],
) -> Result<(Vec<StoredVuln>, Vec<String>), String> {
    let report =
        match_packages(db, os, packages, &MatchOptions::default()).map_err(|e| e.to_string())?;
    let mut vulns: Vec<StoredVuln> = report
        .matches
        .iter()
        .filter_map(|m| {
            let p = packages.get(m.package)?;
            Some(StoredVuln {
                vulnerability_id: m.id.to_string(),
                aliases: m.aliases.iter().map(ToString::to_string).collect(),
                package: VulnPackage {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    ecosystem: p.ecosystem.as_str().to_string(),
                    purl: p.purl.clone(),
                },
                fixed_version: m.fixed_version.as_deref().map(str::to_string),
                severity: m.severity.as_str().to_string(),
                cvss_score: m.cvss.as_ref().map(|c| c.score),
                layer: p.layer.clone(),
            })
        })
        .collect();
    vulns.sort_by(|a, b| {
        (&a.package.purl, &a.vulnerability_id).cmp(&(&b.package.purl, &b.vulnerability_id))
    });
    let warnings = report.warnings.into_iter().map(|w| w.message).collect();
    Ok((vulns, warnings))
}

fn severity_of(v: &StoredVuln) -> Severity {
    Severity::from_str(&v.severity).unwrap_or(Severity::Medium)
}

/// Counts by severity, highest first: `[critical, high, medium, low]`.
fn counts(vulns: &[StoredVuln]) -> [usize; 4] {
    let mut c = [0; 4];
    for v in vulns {
        let i = match severity_of(v) {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
        };
        c[i] += 1;
    }
    c
}

fn counts_json(vulns: &[StoredVuln]) -> Value {
    let [c, h, m, l] = counts(vulns);
    json!({"critical": c, "high": h, "medium": m, "low": l, "total": vulns.len()})
}

fn counts_text(vulns: &[StoredVuln]) -> String {
    let [c, h, m, l] = counts(vulns);
    format!(
        "{} vulnerabilities (critical {c}, high {h}, medium {m}, low {l})",
        vulns.len()
    )
}

/// A finding in the JSON contract of docs/output-formats.md.
fn finding_json(v: &StoredVuln) -> Value {
    let fixed = v
        .fixed_version
        .as_deref()
        .map_or_else(String::new, |f| format!("; fixed in {f}"));
    json!({
        "rule_id": "PAL-VULN",
        "severity": v.severity,
        "message": format!("{} {} is affected by {}{fixed}", v.package.name, v.package.version, v.vulnerability_id),
        "vulnerability_id": v.vulnerability_id,
        "aliases": v.aliases,
        "package": {
            "name": v.package.name,
            "version": v.package.version,
            "ecosystem": v.package.ecosystem,
            "purl": v.package.purl,
        },
        "fixed_version": v.fixed_version,
        "cvss_score": v.cvss_score,
        "layer": v.layer,
    })
}

fn vuln_line(v: &StoredVuln) -> String {
    let aliases = if v.aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", v.aliases.join(", "))
    };
    let fixed = v
        .fixed_version
        .as_deref()
        .map_or_else(|| "no fix".to_string(), |f| format!("fixed in {f}"));
    format!(
        "{}{aliases}  {} {} [{}]  {}  {fixed}",
        v.vulnerability_id, v.package.name, v.package.version, v.package.ecosystem, v.severity
    )
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// One image found in the registry: a manifest digest and the references
/// pointing at it.
struct Found {
    references: Vec<String>,
    source: RegistrySource,
}

/// `host[:port]` and an optional repository.
fn split_target(target: &str) -> (&str, Option<&str>) {
    let t = target.strip_prefix("docker://").unwrap_or(target);
    let t = t.trim_end_matches('/');
    match t.split_once('/') {
        Some((reg, repo)) if !repo.is_empty() => (reg, Some(repo)),
        Some((reg, _)) => (reg, None),
        None => (t, None),
    }
}

fn run_scan(a: &ScanArgs) -> std::io::Result<u8> {
    let err = |m: String| {
        eprintln!("palisade: error: {m}");
        Ok(EXIT_ERROR)
    };
    let platform = match a.platform.as_deref().map(Platform::parse) {
        None => Platform::default(),
        Some(Ok(p)) => p,
        Some(Err(e)) => return err(e.to_string()),
    };
    let platform_text = a.platform.clone().unwrap_or_else(|| "linux/amd64".into());
    let sources = a.registry.source_options()?;
    // The database and the store first: no pulling when they are unusable.
    let (db, db_built) = open_db(&a.db)?;
    let store = InventoryStore::open(&store_dir(&a.store)?)?;

    let (registry, repo) = split_target(&a.target);
    let catalog = match Catalog::new(registry, &sources) {
        Ok(c) => c,
        Err(e) => return err(e.to_string()),
    };
    let limits = ListLimits {
        page_size: a.page_size.max(1),
        ..ListLimits::default()
    };
    let repos = match repo {
        Some(r) => vec![r.to_string()],
        None => match catalog.repositories(&limits) {
            Ok(r) => r,
            Err(e) => return err(format!("listing the repositories of {registry}: {e}")),
        },
    };
    let mut errors: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    // Resolve every tag to its manifest digest (manifests only, no layers).
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    for repo in &repos {
        let tags = match catalog.tags(repo, &limits) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("listing the tags of {registry}/{repo}: {e}"));
                continue;
            }
        };
        if tags.is_empty() {
            notes.push(format!("{registry}/{repo} has no tags"));
        }
        for tag in tags {
            let reference = format!("{registry}/{repo}:{tag}");
            let parsed = match ImageRef::parse(&reference) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(format!("{reference}: {e}"));
                    continue;
                }
            };
            let source = match RegistrySource::new(parsed, &sources) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(format!("{reference}: {e}"));
                    continue;
                }
            };
            let digest = match source.resolve(&platform) {
                Ok(r) => r.manifest_digest.as_str().to_string(),
                Err(e) => {
                    errors.push(format!("{reference}: {e}"));
                    continue;
                }
            };
            match found.get_mut(&digest) {
                Some(f) => f.references.push(reference),
                None => {
                    found.insert(
                        digest,
                        Found {
                            references: vec![reference],
                            source,
                        },
                    );
                }
            }
        }
    }

    let mut images: Vec<(StoredInventory, bool, Vec<String>)> = Vec::new();
    let mut failing = false;
    let scope_prefix = match repo {
        Some(r) => format!("{registry}/{r}:"),
        None => format!("{registry}/"),
    };
    for (digest, f) in found {
        let existing = match store.get(&digest) {
            Ok(e) => e.filter(|e| e.platform == platform_text),
            Err(e) => {
                notes.push(format!("{e}; inventorying the image again"));
                None
            }
        };
        let (mut inv, inventoried) = match existing {
            Some(inv) => (inv, false),
            None => {
                let input = ImageInput::Blobs(Box::new(f.source));
                let opts = ScanOptions {
                    platform: platform.clone(),
                    ..ScanOptions::default()
                };
                let scanned = match scan_image(&input, &opts) {
                    Ok(i) => i,
                    Err(e) => {
                        errors.push(format!("{}: {e}", f.references.join(", ")));
                        continue;
                    }
                };
                for e in &scanned.errors {
                    notes.push(format!(
                        "{}: {}: {} (analyzer {})",
                        f.references.join(", "),
                        e.path,
                        e.message,
                        e.analyzer
                    ));
                }
                let inv = StoredInventory {
                    format: FORMAT_VERSION,
                    manifest_digest: scanned.manifest_digest.clone().unwrap_or(digest.clone()),
                    references: Vec::new(),
                    platform: platform_text.clone(),
                    scanned_at: now(),
                    os: scanned.os.as_ref().map(StoredOs::from),
                    packages: scanned.packages.iter().map(StoredPackage::from).collect(),
                    last_match: None,
                };
                (inv, true)
            }
        };
        // References under what was listed now are replaced by what points
        // at the image now; others (another registry or repository) stay.
        inv.references.retain(|r| !r.starts_with(&scope_prefix));
        for r in &f.references {
            inv.add_reference(r);
        }
        let os = inv.os.as_ref().map(StoredOs::to_os);
        let (vulns, warnings) = match match_inventory(&db, os.as_ref(), &inv.model_packages()) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("{}: matching: {e}", inv.manifest_digest));
                continue;
            }
        };
        failing |= vulns.iter().any(|v| severity_of(v) >= a.fail_on);
        inv.last_match = Some(MatchResult {
            matched_at: now(),
            db_built_at: db_built,
            vulns,
        });
        if let Err(e) = store.put(&inv) {
            errors.push(e.to_string());
        }
        images.push((inv, inventoried, warnings));
    }

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if a.format == "json" {
        let list: Vec<Value> = images
            .iter()
            .map(|(inv, inventoried, warnings)| {
                let vulns = inv.last_match.as_ref().map_or(&[][..], |m| &m.vulns[..]);
                json!({
                    "manifest_digest": inv.manifest_digest,
                    "references": inv.references,
                    "inventoried": inventoried,
                    "scanned_at": inv.scanned_at,
                    "os": inv.os,
                    "packages": inv.packages.len(),
                    "vulnerabilities": counts_json(vulns),
                    "findings": vulns.iter().map(finding_json).collect::<Vec<_>>(),
                    "warnings": warnings,
                })
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({
                "registry": registry,
                "repositories": repos,
                "images": list,
                "notes": notes,
                "errors": errors,
                "store": store.dir(),
            }),
        )
        .map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{registry}: {} repositories, {} images",
            repos.len(),
            images.len()
        )?;
        for (inv, inventoried, warnings) in &images {
            let vulns = inv.last_match.as_ref().map_or(&[][..], |m| &m.vulns[..]);
            writeln!(
                out,
                "\n{}  {} packages, {}  {}",
                short(&inv.manifest_digest),
                inv.packages.len(),
                counts_text(vulns),
                if *inventoried {
                    "inventoried"
                } else {
                    "already stored, not pulled"
                }
            )?;
            for r in &inv.references {
                writeln!(out, "  {r}")?;
            }
            for v in vulns {
                writeln!(out, "    {}", vuln_line(v))?;
            }
            for w in warnings {
                writeln!(out, "    warning: {w}")?;
            }
        }
        for n in &notes {
            writeln!(out, "note: {n}")?;
        }
        writeln!(out, "store: {}", store.dir().display())?;
    }
    out.flush()?;
    drop(out);
    for e in &errors {
        eprintln!("palisade: error: {e}");
    }
    Ok(if !errors.is_empty() {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// What a rescan learnt about one stored image.
struct Rescanned {
    digest: String,
    references: Vec<String>,
    scanned_at: u64,
    previous_at: Option<u64>,
    packages: usize,
    diff: MatchDiff,
    warnings: Vec<String>,
}

/// Rescans the stored entry `digest`: read, match, diff, store.
fn rescan_one(
    store: &InventoryStore,
    db: &Database,
    db_built: Option<u64>,
    digest: &str,
) -> Result<Option<Rescanned>, String> {
    let Some(mut inv) = store
        .get(digest)
        .map_err(|e| format!("skipped a stored inventory: {e}"))?
    else {
        // Removed since listed.
        return Ok(None);
    };
    let os = inv.os.as_ref().map(StoredOs::to_os);
    let (vulns, warnings) = match_inventory(db, os.as_ref(), &inv.model_packages())
        .map_err(|e| format!("{}: matching: {e}", inv.manifest_digest))?;
    let previous_at = inv.last_match.as_ref().map(|m| m.matched_at);
    let diff = diff_matches(inv.last_match.as_ref(), &vulns);
    inv.last_match = Some(MatchResult {
        matched_at: now(),
        db_built_at: db_built,
        vulns,
    });
    store.put(&inv).map_err(|e| e.to_string())?;
    Ok(Some(Rescanned {
        digest: inv.manifest_digest,
        references: inv.references,
        scanned_at: inv.scanned_at,
        previous_at,
        packages: inv.packages.len(),
        diff,
        warnings,
    }))
}

/// Writes one rescanned image as a JSON object, finding by finding (an
/// image may hold thousands).
fn write_rescanned_json(out: &mut impl Write, r: &Rescanned) -> std::io::Result<()> {
    let d = &r.diff;
    let all: Vec<StoredVuln> = d.new.iter().chain(&d.still_open).cloned().collect();
    let head = json!({
        "manifest_digest": r.digest,
        "references": r.references,
        "scanned_at": r.scanned_at,
        "previous_match_at": r.previous_at,
        "packages": r.packages,
        "changed": !d.new.is_empty() || !d.fixed.is_empty(),
        "vulnerabilities": counts_json(&all),
        "warnings": r.warnings,
    });
    let head = serde_json::to_string(&head).map_err(std::io::Error::other)?;
    out.write_all(head.trim_end_matches('}').as_bytes())?;
    for (name, list) in [
        ("new", &d.new),
        ("fixed", &d.fixed),
        ("still_open", &d.still_open),
    ] {
        write!(out, ",\"{name}\":[")?;
        for (i, v) in list.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &finding_json(v)).map_err(std::io::Error::other)?;
        }
        out.write_all(b"]")?;
    }
    out.write_all(b"}")
}

fn rescanned_text(out: &mut impl Write, r: &Rescanned) -> std::io::Result<()> {
    let d = &r.diff;
    let refs = if r.references.is_empty() {
        "(no reference)".to_string()
    } else {
        r.references.join(", ")
    };
    let state = if d.new.is_empty() && d.fixed.is_empty() {
        "unchanged"
    } else {
        "changed"
    };
    writeln!(
        out,
        "{}  {refs}  {state}: {} new, {} fixed, {} still open",
        short(&r.digest),
        d.new.len(),
        d.fixed.len(),
        d.still_open.len()
    )?;
    for v in &d.new {
        writeln!(out, "  new    {}", vuln_line(v))?;
    }
    for v in &d.fixed {
        writeln!(out, "  fixed  {}", vuln_line(v))?;
    }
    for w in &r.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}

/// Worker threads for a rescan: matching is CPU-bound and each worker has
/// its own database handle.
fn rescan_workers(images: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
        .min(images.max(1))
}

fn run_rescan(a: &RescanArgs) -> std::io::Result<u8> {
    let store_path = store_dir(&a.store)?;
    if !store_path.is_dir() {
        eprintln!(
            "palisade: error: the inventory store {} does not exist: run `palisade registry scan REGISTRY` first (or pass the --store-dir it used)",
            store_path.display()
        );
        return Ok(EXIT_ERROR);
    }
    let store = InventoryStore::open(&store_path)?;
    let (digests, bad_names) = store.digests()?;
    if digests.is_empty() && bad_names.is_empty() {
        eprintln!(
            "palisade: error: the inventory store {} is empty: nothing to rescan; run `palisade registry scan REGISTRY` first (or pass the --store-dir it used)",
            store_path.display()
        );
        return Ok(EXIT_ERROR);
    }
    let db_path = db_dir(&a.db)?;
    let (first_db, db_built) = open_db(&a.db)?;
    let mut errors: Vec<String> = bad_names
        .iter()
        .map(|e| format!("skipped a stored inventory: {e}"))
        .collect();

    let json_out = a.format == "json";
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json_out {
        write!(out, "{{\n  \"images\": [")?;
    }
    let (mut images, mut changed, mut new, mut fixed, mut open) = (0usize, 0, 0, 0, 0);
    let mut failing = false;
    let mut emit = |r: Rescanned, out: &mut std::io::BufWriter<std::io::StdoutLock<'_>>| {
        let d = &r.diff;
        failing |= d.new.iter().any(|v| severity_of(v) >= a.fail_on);
        changed += usize::from(!d.new.is_empty() || !d.fixed.is_empty());
        new += d.new.len();
        fixed += d.fixed.len();
        open += d.still_open.len();
        images += 1;
        if json_out {
            let sep = if images == 1 { "\n" } else { ",\n" };
            write!(out, "{sep}    ")?;
            write_rescanned_json(out, &r)
        } else {
            rescanned_text(out, &r)
        }
    };

    // Workers take digests in order; results are written in digest order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = rescan_workers(digests.len());
    let (tx, rx) =
        std::sync::mpsc::sync_channel::<(usize, Result<Option<Rescanned>, String>)>(workers * 4);
    let mut io_result = Ok(());
    std::thread::scope(|scope| {
        for w in 0..workers {
            let tx = tx.clone();
            let (next, digests, store, db_path) = (&next, &digests, &store, &db_path);
            let first_db = if w == 0 { Some(&first_db) } else { None };
            scope.spawn(move || {
                let own;
                let db = match first_db {
                    Some(db) => db,
                    None => match Database::open(db_path) {
                        Ok(db) => {
                            own = db;
                            &own
                        }
                        Err(e) => {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i < digests.len() {
                                let _ = tx.send((i, Err(e.to_string())));
                            }
                            return;
                        }
                    },
                };
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(digest) = digests.get(i) else {
                        return;
                    };
                    if tx
                        .send((i, rescan_one(store, db, db_built, digest)))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Result<Option<Rescanned>, String>> = BTreeMap::new();
        let mut want = 0usize;
        for (i, result) in rx {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&want) {
                want += 1;
                match result {
                    Ok(Some(r)) => {
                        if io_result.is_ok() {
                            io_result = emit(r, &mut out);
                        }
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
        // Only a worker that died leaves a gap: report it, emit the rest.
        if want < digests.len() {
            errors.push(format!(
                "{} stored inventories were not rescanned",
                digests.len() - want - pending.len()
            ));
        }
        for (_, result) in std::mem::take(&mut pending) {
            match result {
                Ok(Some(r)) if io_result.is_ok() => io_result = emit(r, &mut out),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
    });
    io_result?;

    if json_out {
        let tail = json!({
            "summary": {
                "images": images,
                "changed": changed,
                "new": new,
                "fixed": fixed,
                "still_open": open,
            },
            "errors": errors,
            "store": store.dir(),
        });
        let tail = serde_json::to_string_pretty(&tail).map_err(std::io::Error::other)?;
        // The tail's members, after the images array.
        let members = tail
            .trim()
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or_default()
            .trim_end();
        writeln!(out, "\n  ],{members}\n}}")?;
    } else {
        writeln!(
            out,
            "\n{images} images rescanned, {changed} changed: {new} new, {fixed} fixed, {open} still open"
        )?;
    }
    out.flush()?;
    drop(out);
    for e in &errors {
        eprintln!("palisade: error: {e}");
    }
    Ok(if !errors.is_empty() {
        EXIT_ERROR
    } else if failing {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(split_target("localhost:5000"), ("localhost:5000", None));
        assert_eq!(split_target("localhost:5000/"), ("localhost:5000", None));
        assert_eq!(
            split_target("docker://r.example/team/app"),
            ("r.example", Some("team/app"))
        );
    }
}
