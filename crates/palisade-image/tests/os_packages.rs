//! Operating-system package analyzers against databases written by the real
//! package managers: this machine's own dpkg database (with `dpkg-query` as
//! the oracle), rpm databases made by `rpmbuild` and `rpm -i --justdb` (with
//! `rpm -qa` as the oracle), the same headers in a Berkeley DB hash file made
//! by `db5.3_load` (read back by rpm's own `bdb_ro` backend), and apk records
//! following the documented format (Debian 12 has no apk-tools).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use palisade_image::analyzers::{analyzer, rpm};
use palisade_image::{scan_image, Entry, EntryKind, FileRef, Found, ImageInput, ScanOptions};
use palisade_model::{Ecosystem, Package};

fn entry(path: &str, size: usize) -> Entry {
    Entry {
        path: path.to_string(),
        kind: EntryKind::File,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: size as u64,
        link_target: None,
        contents: None,
        layer: 0,
    }
}

/// Runs one analyzer on bytes as if they were the file at `path`; an error
/// reads `path: message`, as the pipeline's `InventoryError` reports it.
fn analyze(id: &str, path: &str, bytes: &[u8]) -> Result<Vec<Package>, String> {
    let a = analyzer(id).unwrap();
    let e = entry(path, bytes.len());
    assert!(a.wants(&e), "{id} should want {path}");
    let mut out = Found::default();
    a.analyze(
        &FileRef {
            entry: &e,
            contents: bytes,
        },
        &mut out,
    )
    .map_err(|e| format!("{path}: {}", e.message))?;
    Ok(out.packages)
}

/// Runs a tool that CI installs; a missing tool fails the test loudly.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e} (CI installs it in .ci/run)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ---------------------------------------------------------------- dpkg

#[test]
fn dpkg_status_matches_dpkg_query() {
    let status = fs::read("/var/lib/dpkg/status").unwrap();
    let oracle = run(Command::new("dpkg-query").args([
        "-W",
        "-f",
        "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n",
    ]));
    let want: BTreeSet<(String, String, String, String, String)> = oracle
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if matches!(f[0], "not-installed" | "config-files") {
                return None;
            }
            Some((
                f[1].to_string(),
                f[2].to_string(),
                f[3].to_string(),
                f[4].to_string(),
                f[5].to_string(),
            ))
        })
        .collect();
    assert!(want.len() > 100, "this machine has a real dpkg database");
    let got: BTreeSet<_> = analyze("dpkg", "var/lib/dpkg/status", &status)
        .unwrap()
        .into_iter()
        .map(|p| {
            assert_eq!(p.ecosystem, Ecosystem::Deb);
            assert_eq!(p.path, "var/lib/dpkg/status");
            let source = p.source_name.clone().unwrap_or_else(|| p.name.clone());
            let source_version = p
                .source_version
                .clone()
                .unwrap_or_else(|| p.version.clone());
            (
                p.name,
                p.version,
                p.arch.unwrap_or_default(),
                source,
                source_version,
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// A distroless-style image: one status file per package in
/// `var/lib/dpkg/status.d/`, with md5sums beside them, from this machine's
/// real records; scanned end to end as a `dir:` image.
#[test]
fn distroless_status_d_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let status_d = root.join("var/lib/dpkg/status.d");
    fs::create_dir_all(&status_d).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::copy("/etc/os-release", root.join("etc/os-release")).unwrap();
    let names = ["base-files", "dpkg", "libc6", "tzdata"];
    let mut want = BTreeSet::new();
    for name in names {
        let record = run(Command::new("dpkg-query").args(["-s", name]));
        fs::write(status_d.join(name), &record).unwrap();
        let md5 = format!("/var/lib/dpkg/info/{name}.md5sums");
        let md5 = if Path::new(&md5).exists() {
            md5
        } else {
            format!("/var/lib/dpkg/info/{name}:amd64.md5sums")
        };
        fs::copy(&md5, status_d.join(format!("{name}.md5sums"))).unwrap();
        let line = run(Command::new("dpkg-query").args([
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${source:Package}",
            name,
        ]));
        want.insert(line);
    }
    let inv = scan_image(
        &ImageInput::Dir(root.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let os = inv.os.clone().unwrap();
    assert_eq!(os.id, "debian");
    let debs: Vec<&Package> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb)
        .collect();
    let got: BTreeSet<String> = debs
        .iter()
        .map(|p| {
            format!(
                "{}\t{}\t{}\t{}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or(""),
                p.source_name.as_deref().unwrap_or(&p.name)
            )
        })
        .collect();
    assert_eq!(got, want);
    let libc = debs.iter().find(|p| p.name == "libc6").unwrap();
    assert_eq!(libc.path, "var/lib/dpkg/status.d/libc6");
    assert_eq!(
        libc.purl,
        format!(
            "pkg:deb/debian/libc6@{}?arch=amd64&distro=debian-{}&upstream=glibc",
            libc.version.replace('+', "%2B"),
            os.version_id
        )
    );
}

#[test]
fn dpkg_hostile_inputs_name_file_and_line() {
    let e = analyze("dpkg", "var/lib/dpkg/status", b"\x00\x01\x02binary\n").unwrap_err();
    assert!(
        e.starts_with("var/lib/dpkg/status: line 1: expected 'Field: value'"),
        "{e}"
    );
    // A real record cut in the middle of a field name.
    let record = run(Command::new("dpkg-query").args(["-s", "dpkg"]));
    let cut = record.find("Version").unwrap() + 3;
    let e = analyze("dpkg", "var/lib/dpkg/status", &record.as_bytes()[..cut]).unwrap_err();
    assert!(e.contains("expected 'Field: value'"), "{e}");
    let e = analyze(
        "dpkg",
        "var/lib/dpkg/status.d/x",
        b"Package: x\nVersion: 1\xc3\x28\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with("var/lib/dpkg/status.d/x: line 2: Version is not UTF-8"),
        "{e}"
    );
    assert!(!analyzer("dpkg")
        .unwrap()
        .wants(&entry("var/lib/dpkg/status.d/x.md5sums", 10)));

    // Through the pipeline: the error names the analyzer and the file, the
    // message the line; the scan goes on.
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("var/lib/dpkg")).unwrap();
    fs::write(
        dir.path().join("var/lib/dpkg/status"),
        "Package: a\nStatus: install ok installed\n",
    )
    .unwrap();
    let inv = scan_image(
        &ImageInput::Dir(dir.path().to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert_eq!(inv.errors[0].analyzer, "dpkg");
    assert_eq!(inv.errors[0].path, "var/lib/dpkg/status");
    assert_eq!(
        inv.errors[0].message,
        "line 1: package a has no Version field"
    );
}

// ---------------------------------------------------------------- rpm

const SPEC: &str = r#"Name: greet
Version: 1.2.3
Release: 4.el9
Epoch: 2
Summary: a source package with two binaries
License: MIT AND (Apache-2.0 OR BSD-3-Clause)
%description
test
%package -n greet-tools
Summary: tools from greet
License: GPL-2.0-or-later
%description -n greet-tools
tools
%files
%files -n greet-tools
"#;

const SPEC_NOARCH: &str = r#"Name: plain-data
Version: 20240101
Release: 1
Summary: no epoch, noarch
License: CC0-1.0
BuildArch: noarch
%description
test
%files
"#;

/// Builds the test rpms and installs them into a fresh sqlite rpmdb;
/// returns the rpm files and the dbpath.
fn rpm_db(work: &Path) -> (Vec<std::path::PathBuf>, std::path::PathBuf) {
    let top = work.join("top");
    for (name, spec) in [("greet.spec", SPEC), ("plain.spec", SPEC_NOARCH)] {
        let path = work.join(name);
        fs::write(&path, spec).unwrap();
        run(Command::new("rpmbuild").arg("-bb").arg(&path).args([
            "--define",
            &format!("_topdir {}", top.display()),
            "--define",
            "_build_id_links none",
            "--quiet",
        ]));
    }
    let mut rpms = Vec::new();
    for arch in ["x86_64", "noarch"] {
        if let Ok(rd) = fs::read_dir(top.join("RPMS").join(arch)) {
            rpms.extend(rd.map(|e| e.unwrap().path()));
        }
    }
    rpms.sort();
    assert_eq!(rpms.len(), 3, "{rpms:?}");
    let db = work.join("db");
    fs::create_dir_all(&db).unwrap();
    run(Command::new("rpm").arg("--initdb").arg("--dbpath").arg(&db));
    run(Command::new("rpm")
        .args([
            "-i",
            "--justdb",
            "--nodeps",
            "--ignorearch",
            "--ignoreos",
            "--dbpath",
        ])
        .arg(&db)
        .args(&rpms));
    (rpms, db)
}

/// `rpm -qa` over a database, in the fields the inventory keeps.
fn rpm_oracle(db: &Path, backend: &str) -> BTreeSet<String> {
    run(Command::new("rpm").args(["-qa", "--dbpath"]).arg(db).args([
        "--define",
        &format!("_db_backend {backend}"),
        "--qf",
        "%{NAME}\t%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n",
    ]))
    .lines()
    .map(str::to_string)
    .collect()
}

fn rpm_rows(pkgs: &[Package]) -> BTreeSet<String> {
    pkgs.iter()
        .map(|p| {
            let src = match (&p.source_name, &p.source_version) {
                (Some(n), v) => {
                    let v = v.as_deref().unwrap_or(&p.version);
                    let vr = v.split_once(':').map_or(v, |(_, r)| r);
                    format!("{n}-{vr}.src.rpm")
                }
                (None, _) => "(none)".to_string(),
            };
            format!(
                "{}\t{}\t{}\t{}\t{}",
                p.name,
                p.version,
                p.arch.as_deref().unwrap_or("(none)"),
                src,
                p.licenses.join(" ")
            )
        })
        .collect()
}

#[test]
fn rpm_sqlite_matches_rpm_qa() {
    let work = tempfile::tempdir().unwrap();
    let (_, db) = rpm_db(work.path());
    let bytes = fs::read(db.join("rpmdb.sqlite")).unwrap();
    let want = rpm_oracle(&db, "sqlite");
    assert_eq!(want.len(), 3, "{want:?}");
    for path in rpm::SQLITE_PATHS {
        let got = analyze("rpm", path, &bytes).unwrap();
        assert_eq!(rpm_rows(&got), want);
        assert!(got.iter().all(|p| p.path == path));
    }
    let got = analyze("rpm", "var/lib/rpm/rpmdb.sqlite", &bytes).unwrap();
    let tools = got.iter().find(|p| p.name == "greet-tools").unwrap();
    assert_eq!(tools.version, "2:1.2.3-4.el9");
    assert_eq!(tools.source_name.as_deref(), Some("greet"));
    assert_eq!(tools.source_version, None, "same EVR as the binary");
    assert_eq!(tools.licenses, ["GPL-2.0-or-later"]);
    let plain = got.iter().find(|p| p.name == "plain-data").unwrap();
    assert_eq!(plain.version, "20240101-1");
    assert_eq!(plain.arch.as_deref(), Some("noarch"));
}

/// The same database through the pipeline, with an os-release naming the
/// distribution: purls carry the epoch as a qualifier.
#[test]
fn rpm_sqlite_through_the_pipeline() {
    let work = tempfile::tempdir().unwrap();
    let (_, db) = rpm_db(work.path());
    let root = work.path().join("root");
    fs::create_dir_all(root.join("usr/lib/sysimage/rpm")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::copy(
        db.join("rpmdb.sqlite"),
        root.join("usr/lib/sysimage/rpm/rpmdb.sqlite"),
    )
    .unwrap();
    fs::write(
        root.join("etc/os-release"),
        "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n",
    )
    .unwrap();
    let inv = scan_image(&ImageInput::Dir(root), &ScanOptions::default()).unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let purls: BTreeSet<&str> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Rpm)
        .map(|p| p.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        BTreeSet::from([
            "pkg:rpm/rocky/greet@1.2.3-4.el9?arch=x86_64&distro=rocky-9.4&epoch=2",
            "pkg:rpm/rocky/greet-tools@1.2.3-4.el9?arch=x86_64&distro=rocky-9.4&epoch=2&upstream=greet",
            "pkg:rpm/rocky/plain-data@20240101-1?arch=noarch&distro=rocky-9.4",
        ])
    );
}

/// The headers of the sqlite database, loaded by Berkeley DB's own
/// `db5.3_load` into a hash `Packages` file, in both byte orders and with
/// pages small enough to spill headers onto overflow pages and large
/// enough to keep them inline; rpm's read-only BDB backend is the oracle.
#[test]
fn rpm_berkeley_db_matches_rpm_qa() {
    let work = tempfile::tempdir().unwrap();
    let (_, db) = rpm_db(work.path());
    let want = rpm_oracle(&db, "sqlite");
    let rows = run(Command::new("sqlite3")
        .arg(db.join("rpmdb.sqlite"))
        .arg("SELECT hnum || ' ' || hex(blob) FROM Packages ORDER BY hnum"));
    for (page_size, lorder) in [(512, 1234), (4096, 1234), (65536, 1234), (512, 4321)] {
        let mut dump = format!(
            "VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize={page_size}\ndb_lorder={lorder}\nHEADER=END\n"
        );
        // rpm's counter record, key 0, as rpm itself keeps it.
        dump.push_str(" 00000000\n 04000000\n");
        for line in rows.lines() {
            let (hnum, hex) = line.split_once(' ').unwrap();
            let hnum: u32 = hnum.parse().unwrap();
            let key = if lorder == 1234 {
                hnum.to_le_bytes()
            } else {
                hnum.to_be_bytes()
            };
            let key: String = key.iter().map(|b| format!("{b:02x}")).collect();
            dump.push_str(&format!(" {key}\n {}\n", hex.to_ascii_lowercase()));
        }
        dump.push_str("DATA=END\n");
        let bdb = work.path().join(format!("bdb-{page_size}-{lorder}"));
        fs::create_dir_all(&bdb).unwrap();
        let dump_path = bdb.join("dump.txt");
        fs::write(&dump_path, dump).unwrap();
        run(Command::new("db5.3_load")
            .arg("-f")
            .arg(&dump_path)
            .arg(bdb.join("Packages")));
        if lorder == 1234 {
            assert_eq!(rpm_oracle(&bdb, "bdb_ro"), want, "rpm reads the BDB file");
        }
        let bytes = fs::read(bdb.join("Packages")).unwrap();
        let got = analyze("rpm", "var/lib/rpm/Packages", &bytes).unwrap();
        assert_eq!(
            rpm_rows(&got),
            want,
            "page size {page_size}, lorder {lorder}"
        );

        // Every truncation and a spread of corrupted bytes: errors, never
        // a panic or a hang.
        for n in (0..bytes.len()).step_by(97) {
            let _ = analyze("rpm", "var/lib/rpm/Packages", &bytes[..n]);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..300 {
            let mut b = bytes.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state as usize) % b.len();
                b[i] = (state >> 32) as u8;
            }
            if let Err(e) = analyze("rpm", "var/lib/rpm/Packages", &b) {
                assert!(e.starts_with("var/lib/rpm/Packages: "), "{e}");
            }
        }
    }
}

#[test]
fn rpm_hostile_databases() {
    let work = tempfile::tempdir().unwrap();
    let (_, db) = rpm_db(work.path());
    let good = fs::read(db.join("rpmdb.sqlite")).unwrap();
    let path = "var/lib/rpm/rpmdb.sqlite";

    let e = analyze("rpm", path, b"garbage, not a database").unwrap_err();
    assert!(e.starts_with("var/lib/rpm/rpmdb.sqlite: neither"), "{e}");
    let mut junk = good[..100].to_vec();
    junk.extend(std::iter::repeat_n(0xa5u8, 8192));
    let e = analyze("rpm", path, &junk).unwrap_err();
    assert!(e.starts_with("var/lib/rpm/rpmdb.sqlite: SQLite"), "{e}");
    for n in [100, 1000, 4096, good.len() / 2] {
        assert!(analyze("rpm", path, &good[..n]).is_err(), "prefix {n}");
    }
    // Random byte flips anywhere in the file: an error or a result, never
    // a panic or a hang.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let mut b = good.clone();
        for _ in 0..8 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = 100 + (state as usize) % (b.len() - 100);
            b[i] = (state >> 40) as u8;
        }
        if let Err(e) = analyze("rpm", path, &b) {
            assert!(e.starts_with("var/lib/rpm/rpmdb.sqlite: "), "{e}");
        }
    }

    // Databases edited with the real sqlite3: a corrupted header blob, a
    // truncated one, a view standing in for the table, no table at all.
    let edit = |name: &str, sql: &str| -> Vec<u8> {
        let p = work.path().join(name);
        fs::copy(db.join("rpmdb.sqlite"), &p).unwrap();
        run(Command::new("sqlite3").arg(&p).arg(sql));
        fs::read(&p).unwrap()
    };
    let huge = edit(
        "huge.sqlite",
        "UPDATE Packages SET blob = CAST(X'7FFFFFFF00000010' || substr(blob, 9) AS BLOB) WHERE hnum = (SELECT min(hnum) FROM Packages)",
    );
    let e = analyze("rpm", path, &huge).unwrap_err();
    assert!(
        e.contains("package header 1: offset 0: index entry count 2147483647"),
        "{e}"
    );
    let cut = edit(
        "cut.sqlite",
        "UPDATE Packages SET blob = CAST(substr(blob, 1, 200) AS BLOB) WHERE hnum = 2",
    );
    let e = analyze("rpm", path, &cut).unwrap_err();
    assert!(
        e.contains("package header 2: offset 200: header is truncated"),
        "{e}"
    );
    let view = edit(
        "view.sqlite",
        "ALTER TABLE Packages RENAME TO P2; CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x AS hnum, zeroblob(8) AS blob FROM c",
    );
    let e = analyze("rpm", path, &view).unwrap_err();
    assert!(e.contains("Packages is view, expected one table"), "{e}");
    let none = edit("none.sqlite", "DROP TABLE Packages");
    let e = analyze("rpm", path, &none).unwrap_err();
    assert!(e.contains("has no Packages table"), "{e}");

    let e = analyze("rpm", "var/lib/rpm/Packages.db", b"RpmP\0\0\0\0").unwrap_err();
    assert!(e.contains("ndb"), "{e}");
}

// ---------------------------------------------------------------- apk

/// Two records in the format of the Apk spec, with keys this analyzer
/// does not read (checksums, file lists) between the ones it does.
const APK_INSTALLED: &str = "C:Q1mCfOWT0n5UxvUPNRl5HGVzLOUbg=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:411323\nI:662528\nT:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:1712253405\nc:36ca4e3d3a5bf2fdd4386e66a44d6ab1a4f4c2d1\np:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:Q1o5mKTDoC+fpYoF/uGXWmAtp8U0k=\nR:libc.musl-x86_64.so.1\na:0:0:777\nZ:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=\n\nC:Q1VZs0VNA5mGvcpxQ6xkPGnbUDGu4=\nP:libcrypto3\nV:3.3.2-r0\nA:x86_64\nS:1768590\nL:Apache-2.0\no:openssl\nD:so:libc.musl-x86_64.so.1\nY:a key letter this analyzer does not read\n\n";

#[test]
fn apk_installed_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(root.join("lib/apk/db/installed"), APK_INSTALLED).unwrap();
    fs::write(
        root.join("etc/os-release"),
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n",
    )
    .unwrap();
    let inv = scan_image(
        &ImageInput::Dir(root.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let apks: Vec<&Package> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Apk)
        .collect();
    assert_eq!(apks.len(), 2);
    let ssl = apks.iter().find(|p| p.name == "libcrypto3").unwrap();
    assert_eq!(ssl.version, "3.3.2-r0");
    assert_eq!(ssl.source_name.as_deref(), Some("openssl"));
    assert_eq!(ssl.licenses, ["Apache-2.0"]);
    assert_eq!(ssl.path, "lib/apk/db/installed");
    assert_eq!(
        ssl.purl,
        "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl"
    );
    let musl = apks.iter().find(|p| p.name == "musl").unwrap();
    assert_eq!(
        musl.purl,
        "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"
    );
}

#[test]
fn apk_hostile_inputs_name_file_and_line() {
    let path = "lib/apk/db/installed";
    let e = analyze("apk", path, b"P:a\nV:1\n\nP:b\nA:x86_64\n").unwrap_err();
    assert_eq!(
        e,
        "lib/apk/db/installed: line 4: package record has no V: (version)"
    );
    let e = analyze("apk", path, b"P:a\nV:1\nP:b\nV:2\n").unwrap_err();
    assert!(e.contains("line 3: second P:"), "{e}");
    let e = analyze("apk", path, b"P:a\nversion 1\n").unwrap_err();
    assert!(e.contains("line 2: expected 'K:value'"), "{e}");
    let e = analyze("apk", path, b"P:a\nV:1\xff\n").unwrap_err();
    assert!(e.contains("line 2: V: value is not UTF-8"), "{e}");
    let mut long = b"P:a\nV:1\nT:".to_vec();
    long.extend(std::iter::repeat_n(b'x', 70_000));
    let e = analyze("apk", path, &long).unwrap_err();
    assert!(e.contains("line 3: line of 70002 bytes"), "{e}");
    // CRLF and a file cut in the middle of a record.
    let crlf = APK_INSTALLED.replace('\n', "\r\n");
    assert_eq!(analyze("apk", path, crlf.as_bytes()).unwrap().len(), 2);
    let cut = &APK_INSTALLED.as_bytes()[..APK_INSTALLED.find("V:3.3").unwrap()];
    let e = analyze("apk", path, cut).unwrap_err();
    assert!(e.contains("line 23: package record has no V:"), "{e}");
    assert!(analyze("apk", path, b"").unwrap().is_empty());
}

/// Without os-release, the older release file names the distribution; with
/// both, os-release wins.
#[test]
fn older_release_files_name_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("lib/apk/db")).unwrap();
    fs::create_dir_all(root.join("etc")).unwrap();
    fs::write(root.join("lib/apk/db/installed"), APK_INSTALLED).unwrap();
    fs::write(root.join("etc/alpine-release"), "3.19.1\n").unwrap();
    let inv = scan_image(
        &ImageInput::Dir(root.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert_eq!(inv.os.as_ref().unwrap().id, "alpine");
    assert!(inv
        .packages
        .iter()
        .any(|p| p.purl == "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.19.1"));

    fs::copy("/etc/debian_version", root.join("etc/debian_version")).unwrap();
    fs::write(
        root.join("etc/os-release"),
        "ID=wolfi\nVERSION_ID=20230201\n",
    )
    .unwrap();
    let inv = scan_image(
        &ImageInput::Dir(root.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap();
    assert_eq!(inv.os.as_ref().unwrap().id, "wolfi");
}
