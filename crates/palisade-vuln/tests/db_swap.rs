//! The update swap: a reader holding the database open keeps working while
//! updates replace it; an update killed mid-way (SIGKILL) or failing
//! half-way leaves the old database whole and readable; reading and
//! importing local sources work with no network at all (`unshare -n`).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_vuln::update::{update, SourceResult, SourceSpec, UpdateOptions};
use palisade_vuln::Database;

fn spec(p: PathBuf) -> Vec<SourceSpec> {
    vec![SourceSpec::Path(p)]
}

fn ok(db: &Path, sources: &[SourceSpec]) {
    let r = update(db, sources, &UpdateOptions::default()).unwrap();
    for (l, res) in &r.sources {
        assert!(matches!(res, SourceResult::Imported(_)), "{l}: {res:?}");
    }
}

#[test]
fn reader_keeps_its_database_while_updates_swap() {
    let osv = common::conformance();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(&db, &spec(osv.join("rustsec/osv/crates")));
    let reader = Arc::new(Database::open(&db).unwrap());
    assert_eq!(reader.status().unwrap().advisories, 1206);

    // Lookups on another thread all through the updates.
    let stop = Arc::new(AtomicBool::new(false));
    let (r2, s2) = (reader.clone(), stop.clone());
    let looker = std::thread::spawn(move || {
        let mut n = 0u64;
        while !s2.load(Ordering::Relaxed) {
            let hits = r2.advisories_for("crates.io", "openssl").unwrap();
            assert!(hits.iter().any(|h| h.advisory.id == "RUSTSEC-2016-0001"));
            assert_eq!(r2.status().unwrap().advisories, 1206);
            n += 1;
        }
        n
    });
    // Two updates swap new files in under the reader.
    ok(&db, &spec(osv.join("almalinux/advisories")));
    ok(&db, &spec(osv.join("ubuntu/osv")));
    stop.store(true, Ordering::Relaxed);
    let lookups = looker.join().unwrap();
    assert!(lookups > 0);
    // The old reader still sees its generation; a new one sees the update.
    assert_eq!(reader.status().unwrap().advisories, 1206);
    let fresh = Database::open(&db).unwrap();
    assert_eq!(fresh.status().unwrap().advisories, 1206 + 1783 + 3);
}

#[test]
fn failing_half_way_keeps_the_old_records() {
    let osv = common::conformance();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let files = common::walk_files(&osv.join("rustsec/osv/crates"), "json");
    for p in files.iter().take(100) {
        std::fs::copy(p, src.join(p.file_name().unwrap())).unwrap();
    }
    let db = tmp.path().join("db");
    ok(&db, &spec(src.clone()));
    let before = std::fs::read(db.join("vulns.db")).unwrap();
    // Change a record early in the walk, then break one late in it.
    let first = src.join(files[0].file_name().unwrap());
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replacen("\"summary\": \"", "\"summary\": \"CHANGED ", 1),
    )
    .unwrap();
    std::fs::write(src.join("ZZZZ-bad.json"), b"{\"id\": 5}").unwrap();
    let r = update(&db, &spec(src.clone()), &UpdateOptions::default()).unwrap();
    let SourceResult::Failed(m) = &r.sources[0].1 else {
        panic!("{r:?}")
    };
    assert!(
        m.contains("ZZZZ-bad.json: at id: expected a string, found a number"),
        "{m}"
    );
    let database = Database::open(&db).unwrap();
    assert_eq!(database.status().unwrap().advisories, 100);
    let id = files[0].file_stem().unwrap().to_string_lossy().to_string();
    let adv = &database.advisories_by_id(&id).unwrap()[0];
    assert!(!adv.summary.as_deref().unwrap_or("").starts_with("CHANGED"));
    // The same content as before (the file was rewritten, the data not).
    drop(database);
    let after = std::fs::read(db.join("vulns.db")).unwrap();
    assert!(after.len().abs_diff(before.len()) < 64 << 10);
}

/// Run by `killed_update_leaves_the_old_database` in a child process.
#[test]
fn child_long_update() {
    let Ok(dir) = std::env::var("PALISADE_TEST_CHILD_DB") else {
        return;
    };
    let osv = common::conformance();
    let _ = update(
        Path::new(&dir),
        &[
            SourceSpec::Path(osv.join("pypa/vulns")),
            SourceSpec::Path(osv.join("almalinux/advisories")),
        ],
        &UpdateOptions::default(),
    );
}

#[test]
fn killed_update_leaves_the_old_database() {
    let osv = common::conformance();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    ok(&db, &spec(osv.join("ubuntu/osv")));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_long_update",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PALISADE_TEST_CHILD_DB", &db)
        .spawn()
        .unwrap();
    // Wait until the child is writing its new generation, then kill it.
    let t = Instant::now();
    loop {
        let writing = std::fs::read_dir(&db).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".vulns.db.tmp-")
        });
        if writing {
            std::thread::sleep(Duration::from_millis(300));
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the child never started writing"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The lock and the temporary file of the dead update are left behind ...
    assert!(db.join(".update.lock").exists());
    // ... but the database is the old one, whole.
    let database = Database::open(&db).unwrap();
    let status = database.status().unwrap();
    assert_eq!((status.advisories, status.sources.len()), (3, 1));
    // The next update takes over the stale lock and cleans up.
    ok(&db, &spec(osv.join("rustsec/osv/crates")));
    assert_eq!(
        Database::open(&db).unwrap().status().unwrap().advisories,
        3 + 1206
    );
    let leftovers: Vec<_> = std::fs::read_dir(&db)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Run by `works_without_network` inside `unshare -n`.
#[test]
fn child_offline() {
    let Ok(dir) = std::env::var("PALISADE_TEST_OFFLINE_DB") else {
        return;
    };
    // No interface but a downed loopback: nothing can be reached.
    assert!(std::net::TcpStream::connect_timeout(
        &"1.1.1.1:443".parse().unwrap(),
        Duration::from_secs(2)
    )
    .is_err());
    let osv = common::conformance();
    let db = Path::new(&dir);
    ok(db, &spec(osv.join("pypa/vulns")));
    let database = Database::open(db).unwrap();
    assert_eq!(database.status().unwrap().advisories, 2661);
    assert!(!database
        .advisories_for("PyPI", "django")
        .unwrap()
        .is_empty());
    println!("OFFLINE-OK");
}

#[test]
fn works_without_network() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("unshare")
        .args(["-n", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_offline",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PALISADE_TEST_OFFLINE_DB", tmp.path().join("db"))
        .output()
        .expect("unshare (util-linux) is needed to run without network");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("OFFLINE-OK"),
        "{text}"
    );
}

#[test]
fn a_second_updater_is_refused_while_one_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    std::fs::create_dir_all(&db).unwrap();
    let mut holder = Command::new("sleep").arg("30").spawn().unwrap();
    std::fs::write(db.join(".update.lock"), holder.id().to_string()).unwrap();
    let osv = common::conformance();
    let e = update(
        &db,
        &spec(osv.join("ubuntu/osv")),
        &UpdateOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("(process {})", holder.id())),
        "{e}"
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
    // Its process gone, the lock is taken over.
    ok(&db, &spec(osv.join("ubuntu/osv")));
}

/// Matching on several threads opens extra connections to the database
/// file; after an update has swapped the file, those must not read the
/// new one: a database handle opened before the update matches exactly as
/// before it, on any number of threads, and one opened after sees the
/// update.
#[test]
fn parallel_matching_keeps_the_generation_it_opened() {
    use palisade_model::{Ecosystem, Package};
    use palisade_vuln::matcher::{match_packages_on, MatchOptions};
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let record = |id: &str, name: &str| {
        serde_json::json!({
            "id": id, "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]
        })
        .to_string()
    };
    for i in 0..400 {
        std::fs::write(
            src.join(format!("OLD-{i}.json")),
            record(&format!("OLD-{i}"), &format!("p{i}")),
        )
        .unwrap();
    }
    let db_dir = tmp.path().join("db");
    ok(&db_dir, &spec(src.clone()));
    let packages: Vec<Package> = (0..2000)
        .map(|i| common::package(Ecosystem::PyPI, &format!("p{}", i % 400), "1.0", None))
        .collect();
    // `old` reads nothing before the update: every extra connection it
    // opens for parallel matching is opened after the swap.
    let old = Database::open(&db_dir).unwrap();
    let before = {
        let first = Database::open(&db_dir).unwrap();
        match_packages_on(&first, None, &packages, &MatchOptions::default(), 1).unwrap()
    };
    assert_eq!(before.matches.len(), 2000);

    // The update adds a second advisory for every package.
    for i in 0..400 {
        std::fs::write(
            src.join(format!("NEW-{i}.json")),
            record(&format!("NEW-{i}"), &format!("p{i}")),
        )
        .unwrap();
    }
    ok(&db_dir, &spec(src));
    for threads in [1, 2, 4] {
        let r =
            match_packages_on(&old, None, &packages, &MatchOptions::default(), threads).unwrap();
        assert!(
            r == before,
            "old handle on {threads} threads: {} matches, {} before the update",
            r.matches.len(),
            before.matches.len()
        );
    }
    let new = Database::open(&db_dir).unwrap();
    let after = match_packages_on(&new, None, &packages, &MatchOptions::default(), 4).unwrap();
    assert_eq!(after.matches.len(), 4000);
}
