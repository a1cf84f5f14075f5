//! Times the parts of vulnerability matching separately, for
//! `scripts/bench-vulns`:
//!
//! ```text
//! match_bench import DB_DIR SOURCE...          # import OSV sources
//! match_bench match DB_DIR INVENTORY.tsv OS_ID OS_VERSION
//! ```
//!
//! The inventory has one package a line: `ecosystem<TAB>name<TAB>version`
//! with an optional `<TAB>source_name` (ecosystems as palisade prints
//! them: `PyPI`, `crates.io`, `rpm`, `deb`, `apk`, `npm`, ...).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use palisade_model::{Ecosystem, OsInfo, Package};

/// The allocator of the palisade binary, so that the numbers are the ones
/// users get (`MATCH_BENCH_SYSTEM_ALLOC` is not read: build without this
/// line to compare).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use palisade_vuln::update::{update, SourceSpec, UpdateOptions};
use palisade_vuln::{match_packages, Database, MatchOptions};

fn eco(s: &str) -> Option<Ecosystem> {
    Some(match s {
        "deb" => Ecosystem::Deb,
        "apk" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "PyPI" => Ecosystem::PyPI,
        "npm" => Ecosystem::Npm,
        "crates.io" => Ecosystem::Cargo,
        "Go" => Ecosystem::Go,
        "Maven" => Ecosystem::Maven,
        _ => return None,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("import") => {
            let dir = PathBuf::from(&args[1]);
            let specs: Vec<SourceSpec> = args[2..].iter().map(|s| SourceSpec::parse(s)).collect();
            let t = Instant::now();
            let r = update(&dir, &specs, &UpdateOptions::default()).expect("import");
            assert!(!r.failed(), "{r:?}");
            println!("import_ms {:.1}", t.elapsed().as_secs_f64() * 1e3);
        }
        Some("match") => {
            let dir = PathBuf::from(&args[1]);
            let text = std::fs::read_to_string(&args[2]).expect("inventory");
            let packages: Vec<Package> = text
                .lines()
                .filter_map(|l| {
                    let f: Vec<&str> = l.split('\t').collect();
                    let e = eco(f.first()?)?;
                    Some(Package {
                        name: f.get(1)?.to_string(),
                        version: f.get(2)?.to_string(),
                        ecosystem: e,
                        purl: String::new(),
                        source_name: f.get(3).filter(|s| !s.is_empty()).map(|s| s.to_string()),
                        source_version: None,
                        arch: None,
                        licenses: vec![],
                        layer: String::new(),
                        path: String::new(),
                    })
                })
                .collect();
            let os = OsInfo {
                id: args[3].clone(),
                version_id: args[4].clone(),
                ..OsInfo::default()
            };
            let t = Instant::now();
            let db = Database::open(&dir).expect("open");
            let open = t.elapsed();
            // MATCH_THREADS=N pins the number of threads (default: every core).
            let threads: Option<usize> = std::env::var("MATCH_THREADS")
                .ok()
                .and_then(|t| t.parse().ok());
            let run = || {
                match threads {
                    Some(n) => palisade_vuln::matcher::match_packages_on(
                        &db,
                        Some(&os),
                        &packages,
                        &MatchOptions::default(),
                        n,
                    ),
                    None => match_packages(&db, Some(&os), &packages, &MatchOptions::default()),
                }
                .expect("match")
            };
            let t = Instant::now();
            let r = run();
            let first = t.elapsed();
            let t = Instant::now();
            let r2 = run();
            let second = t.elapsed();
            assert_eq!(r.matches.len(), r2.matches.len());
            println!("packages {}", packages.len());
            println!("matches {}", r.matches.len());
            println!("open_ms {:.2}", open.as_secs_f64() * 1e3);
            println!("match_ms {:.1}", first.as_secs_f64() * 1e3);
            println!("match_again_ms {:.1}", second.as_secs_f64() * 1e3);
        }
        _ => {
            eprintln!(
                "usage: match_bench import DB SOURCE... | match DB INVENTORY OS_ID OS_VERSION"
            );
            std::process::exit(2);
        }
    }
}
