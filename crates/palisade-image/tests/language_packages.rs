//! Language-package analyzers against real installed software, with the
//! ecosystem's own tool as the oracle where this machine has it (pip, npm,
//! trivy, the JDK's `jar`, `objcopy`), and hostile input for every parser.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_image::analyzers::{cargo, composer, dotnet, go_binary, java, npm, python, ruby};
use palisade_image::{scan_image, ImageInput, ImageInventory, ScanOptions};
use palisade_model::{Ecosystem, Package};

fn scan_dir(dir: &Path) -> ImageInventory {
    scan_image(&ImageInput::Dir(dir.to_path_buf()), &ScanOptions::default()).unwrap()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (CI must install it): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn of(inv: &ImageInventory, eco: Ecosystem) -> Vec<&Package> {
    inv.packages.iter().filter(|p| p.ecosystem == eco).collect()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

// ---------------------------------------------------------------- Go

/// Real Go binaries on this machine: Debian's (GOPATH builds: only the Go
/// version and main package) and upstream releases with full module lists.
const GO_BINARIES: &[&str] = &[
    "/usr/bin/skopeo",
    "/usr/bin/umoci",
    "/usr/bin/docker-registry",
    "/usr/local/bin/docker",
    "/usr/local/bin/terraform",
];

fn go_binaries() -> Vec<PathBuf> {
    GO_BINARIES
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn go_binaries_match_go_version_strings() {
    let bins = go_binaries();
    assert!(bins.len() >= 3, "expected the Go binaries of the CI image");
    for bin in bins {
        let data = std::fs::read(&bin).unwrap();
        let info = go_binary::read_build_info(&data).unwrap().unwrap();
        assert!(info.go_version.starts_with("go1."), "{bin:?}: {info:?}");
        assert!(info.path.is_some(), "{bin:?}");
        // Oracle: the module lines as `strings` shows them (Go 1.18+ keeps
        // them as plain text inside the section).
        let lines: BTreeSet<&[u8]> = data.split(|&b| b == b'\n').collect();
        for dep in &info.deps {
            if !dep.version.is_empty() {
                let line = format!("dep\t{}\t{}\t", dep.path, dep.version);
                let repl = format!("=>\t{}\t{}\t", dep.path, dep.version);
                let found = lines
                    .iter()
                    .any(|l| l.starts_with(line.as_bytes()) || l.starts_with(repl.as_bytes()));
                assert!(found, "{bin:?}: {line:?} not in the binary");
            }
        }
    }
}

/// trivy is the peer compared against (issue 5: "a test that runs when the
/// peer is installed"); it has no Debian package, so CI may lack it.
#[test]
fn go_binaries_agree_with_trivy() {
    if Command::new("trivy").arg("--version").output().is_err() {
        eprintln!("SKIPPED: trivy is not installed; the Go comparison with trivy did not run");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut ours = BTreeSet::new();
    for bin in go_binaries() {
        let dest = tmp.path().join(bin.file_name().unwrap());
        std::fs::copy(&bin, &dest).unwrap();
        let data = std::fs::read(&bin).unwrap();
        let info = go_binary::read_build_info(&data).unwrap().unwrap();
        for p in info.packages("x") {
            if !p.version.is_empty() {
                ours.insert(p.purl);
            }
        }
    }
    let out = tmp.path().join("trivy.json");
    run(Command::new("trivy")
        .args([
            "rootfs",
            "--skip-db-update",
            "--offline-scan",
            "--skip-check-update",
            "--scanners",
            "license",
            "--quiet",
            "--format",
            "cyclonedx",
            "-o",
        ])
        .arg(&out)
        .arg(tmp.path()));
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let theirs: BTreeSet<String> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|p| p.starts_with("pkg:golang/") && p.contains('@'))
        .map(str::to_string)
        .collect();
    assert!(!theirs.is_empty(), "trivy found no Go module");
    assert_eq!(
        ours.difference(&theirs).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "we report, trivy does not"
    );
    assert_eq!(
        theirs.difference(&ours).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "trivy reports, we do not"
    );
}

#[test]
fn go_binary_through_the_pipeline() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("usr/bin")).unwrap();
    std::fs::copy("/usr/bin/umoci", tmp.path().join("usr/bin/umoci")).unwrap();
    // A non-executable copy is not read.
    std::fs::copy("/usr/bin/umoci", tmp.path().join("usr/bin/umoci.bak")).unwrap();
    let mut perms = std::fs::metadata(tmp.path().join("usr/bin/umoci.bak"))
        .unwrap()
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(tmp.path().join("usr/bin/umoci.bak"), perms).unwrap();
    let inv = scan_dir(tmp.path());
    let go = of(&inv, Ecosystem::Go);
    assert!(!go.is_empty());
    assert!(go.iter().all(|p| p.path == "usr/bin/umoci"), "{go:?}");
    assert!(go
        .iter()
        .any(|p| p.name == "stdlib" && p.version.starts_with("v1.")));
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
}

/// A minimal 64-bit little-endian ELF file with one named section holding
/// `payload` at virtual address `addr`, and a section name table.
fn tiny_elf(section: &str, payload: &[u8], addr: u64) -> Vec<u8> {
    let mut names = vec![0u8];
    let name_off = names.len() as u32;
    names.extend_from_slice(section.as_bytes());
    names.push(0);
    let shstr_off = names.len() as u32;
    names.extend_from_slice(b".shstrtab\0");
    let mut f = vec![0u8; 64];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2;
    f[5] = 1;
    f[6] = 1;
    let payload_off = f.len() as u64;
    f.extend_from_slice(payload);
    let names_off = f.len() as u64;
    f.extend_from_slice(&names);
    while f.len() % 8 != 0 {
        f.push(0);
    }
    let shoff = f.len() as u64;
    let mut sh = |name: u32, kind: u32, addr: u64, off: u64, size: u64| {
        let mut h = vec![0u8; 64];
        h[0..4].copy_from_slice(&name.to_le_bytes());
        h[4..8].copy_from_slice(&kind.to_le_bytes());
        h[0x10..0x18].copy_from_slice(&addr.to_le_bytes());
        h[0x18..0x20].copy_from_slice(&off.to_le_bytes());
        h[0x20..0x28].copy_from_slice(&size.to_le_bytes());
        f.extend_from_slice(&h);
    };
    sh(0, 0, 0, 0, 0);
    sh(name_off, 1, addr, payload_off, payload.len() as u64);
    sh(shstr_off, 3, 0, names_off, names.len() as u64);
    f[0x28..0x30].copy_from_slice(&shoff.to_le_bytes());
    f[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
    f[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
    f[0x3e..0x40].copy_from_slice(&2u16.to_le_bytes());
    f
}

#[test]
fn go_pre_1_18_pointer_format() {
    // Header with pointers at 16 and 24 to string headers (data, len) at
    // 0x1000+48 and +64, strings after them; all in the section itself.
    let base = 0x1000u64;
    let version = b"go1.16.15";
    let modinfo = {
        let mut m = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6".to_vec();
        m.extend_from_slice(
            b"path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgithub.com/pkg/errors\tv0.9.1\th1:x=\n",
        );
        m.extend_from_slice(b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2");
        m
    };
    let mut s = b"\xff Go buildinf:".to_vec();
    s.push(8);
    s.push(0);
    s.extend_from_slice(&(base + 32).to_le_bytes());
    s.extend_from_slice(&(base + 48).to_le_bytes());
    let vdata = base + 64;
    let mdata = vdata + version.len() as u64;
    s.extend_from_slice(&vdata.to_le_bytes());
    s.extend_from_slice(&(version.len() as u64).to_le_bytes());
    s.extend_from_slice(&mdata.to_le_bytes());
    s.extend_from_slice(&(modinfo.len() as u64).to_le_bytes());
    s.extend_from_slice(version);
    s.extend_from_slice(&modinfo);
    let elf = tiny_elf(".go.buildinfo", &s, base);
    let info = go_binary::read_build_info(&elf).unwrap().unwrap();
    assert_eq!(info.go_version, "go1.16.15");
    assert_eq!(info.deps[0].path, "github.com/pkg/errors");
    let purls: Vec<String> = info.packages("app").into_iter().map(|p| p.purl).collect();
    assert_eq!(
        purls,
        [
            "pkg:golang/example.com/app",
            "pkg:golang/github.com/pkg/errors@v0.9.1",
            "pkg:golang/stdlib@v1.16.15"
        ]
    );
    // A pointer outside every section is an error naming the address.
    let mut bad = s.clone();
    bad[16..24].copy_from_slice(&0xdead_0000u64.to_le_bytes());
    let err = go_binary::read_build_info(&tiny_elf(".go.buildinfo", &bad, base)).unwrap_err();
    assert!(err.message.contains("0xdead0000"), "{}", err.message);
    // A huge length is refused before anything is read.
    let mut bad = s.clone();
    bad[40..48].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = go_binary::read_build_info(&tiny_elf(".go.buildinfo", &bad, base)).unwrap_err();
    assert!(err.message.contains("more than"), "{}", err.message);
}

#[test]
fn go_hostile_build_info() {
    let real = std::fs::read("/usr/bin/umoci").unwrap();
    // Every truncation of a real binary's header and tail is an error or
    // nothing, never a panic.
    for cut in [0, 3, 16, 63, 64, 100, 4096, real.len() / 2, real.len() - 1] {
        let _ = go_binary::read_build_info(&real[..cut]);
    }
    // Inline format: a varint that never ends, and a length past the end.
    let mut s = b"\xff Go buildinf:".to_vec();
    s.extend_from_slice(&[8, 2]);
    s.resize(32, 0);
    let mut endless = s.clone();
    endless.extend_from_slice(&[0xff; 20]);
    let err = go_binary::read_build_info(&tiny_elf(".go.buildinfo", &endless, 0x1000)).unwrap_err();
    assert!(err.message.contains("offset"), "{}", err.message);
    let mut long = s.clone();
    long.extend_from_slice(&[0x7f, b'g', b'o']);
    let err = go_binary::read_build_info(&tiny_elf(".go.buildinfo", &long, 0x1000)).unwrap_err();
    assert!(err.message.contains("runs past the end"), "{}", err.message);
    // Wrong magic.
    let err =
        go_binary::read_build_info(&tiny_elf(".go.buildinfo", &[0u8; 40], 0x1000)).unwrap_err();
    assert!(err.message.contains("magic"), "{}", err.message);
    // A section that claims bytes beyond the file.
    let mut elf = tiny_elf(".go.buildinfo", &s, 0x1000);
    let shoff = u64::from_le_bytes(elf[0x28..0x30].try_into().unwrap()) as usize;
    elf[shoff + 64 + 0x20..shoff + 64 + 0x28].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = go_binary::read_build_info(&elf).unwrap_err();
    assert!(
        err.message.contains(".go.buildinfo") && err.message.contains("past the end"),
        "{}",
        err.message
    );
}

// ---------------------------------------------------------------- Rust

fn dep_v0_json() -> &'static str {
    r#"{"packages":[
        {"name":"myapp","version":"0.3.1","source":"local","dependencies":[1,2,3],"root":true},
        {"name":"serde","version":"1.0.197","source":"crates.io","dependencies":[]},
        {"name":"serde_json","version":"1.0.114","source":"crates.io","dependencies":[1]},
        {"name":"cc","version":"1.0.90","source":"crates.io","kind":"build"}
    ]}"#
}

/// A copy of a real binary with a `.dep-v0` section added by objcopy.
fn auditable_binary(dir: &Path, section: &[u8]) -> PathBuf {
    let sec = dir.join("dep-v0.bin");
    std::fs::write(&sec, section).unwrap();
    let bin = dir.join("myapp");
    run(Command::new("objcopy")
        .arg("--add-section")
        .arg(format!(".dep-v0={}", sec.display()))
        .arg("/bin/true")
        .arg(&bin));
    std::fs::remove_file(&sec).unwrap();
    bin
}

#[test]
fn cargo_auditable_binary_made_with_objcopy() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("usr/local/bin")).unwrap();
    let bin = auditable_binary(
        &tmp.path().join("usr/local/bin"),
        &zlib(dep_v0_json().as_bytes()),
    );
    let pkgs = cargo::read_auditable(&std::fs::read(&bin).unwrap(), "b")
        .unwrap()
        .unwrap();
    let purls: Vec<&str> = pkgs.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:cargo/myapp@0.3.1",
            "pkg:cargo/serde@1.0.197",
            "pkg:cargo/serde_json@1.0.114"
        ]
    );
    let inv = scan_dir(tmp.path());
    let rust = of(&inv, Ecosystem::Cargo);
    assert_eq!(rust.len(), 3, "{:?} {:?}", rust, inv.errors);
    assert!(rust.iter().all(|p| p.path == "usr/local/bin/myapp"));
    // A plain binary has no section and records nothing.
    assert!(
        cargo::read_auditable(&std::fs::read("/bin/true").unwrap(), "b")
            .unwrap()
            .is_none()
    );
}

#[test]
fn cargo_auditable_hostile_sections() {
    let tmp = tempfile::tempdir().unwrap();
    // Not zlib.
    let bin = auditable_binary(tmp.path(), b"this is not zlib at all");
    let err = cargo::read_auditable(&std::fs::read(&bin).unwrap(), "b").unwrap_err();
    assert!(
        err.message.contains(".dep-v0") && err.message.contains("zlib"),
        "{}",
        err.message
    );
    // A decompression bomb: 64 MiB of spaces (valid JSON whitespace) in
    // about 64 KiB.
    let bomb = zlib(&vec![b' '; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    let bin = auditable_binary(tmp.path(), &bomb);
    let err = cargo::read_auditable(&std::fs::read(&bin).unwrap(), "b").unwrap_err();
    assert!(err.message.contains("more than"), "{}", err.message);
    // Wrong types name the place.
    let bin = auditable_binary(
        tmp.path(),
        &zlib(br#"{"packages":[{"name":"a","version":1}]}"#),
    );
    let err = cargo::read_auditable(&std::fs::read(&bin).unwrap(), "b").unwrap_err();
    assert!(err.message.contains("line 1 column"), "{}", err.message);
    // Truncated zlib stream.
    let full = zlib(dep_v0_json().as_bytes());
    let err = cargo::parse_dep_v0(&full[..full.len() / 2], "b").unwrap_err();
    assert!(err.message.contains(".dep-v0"), "{}", err.message);
}

#[test]
fn cargo_lock_of_this_repository_matches_tomllib() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    let pkgs = cargo::parse_lock(&text, "Cargo.lock").unwrap();
    let oracle = run(Command::new("python3").arg("-c").arg(
        "import sys,tomllib; d=tomllib.load(open(sys.argv[1],'rb')); print('\\n'.join(sorted(p['name']+'@'+p['version'] for p in d['package'])))",
    ).arg(&lock));
    let mut ours: Vec<String> = pkgs
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    ours.sort();
    assert_eq!(ours, oracle.lines().collect::<Vec<_>>());
    assert!(pkgs
        .iter()
        .any(|p| p.purl.starts_with("pkg:cargo/serde@1.")));
}

// ---------------------------------------------------------------- Python

fn pip_list(dir: &Path) -> BTreeSet<(String, String)> {
    let out = run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "list",
            "--format=json",
            "--disable-pip-version-check",
            "--path",
        ])
        .arg(dir));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                python::normalize(p["name"].as_str().unwrap()),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn site_packages() -> PathBuf {
    let out = run(Command::new("python3")
        .arg("-c")
        .arg("import sysconfig; print(sysconfig.get_paths()['purelib'])"));
    PathBuf::from(out.trim())
}

#[test]
fn python_site_packages_match_pip_list() {
    let dir = site_packages();
    let inv = scan_dir(&dir);
    let ours: BTreeSet<(String, String)> = of(&inv, Ecosystem::PyPI)
        .iter()
        .map(|p| (python::normalize(&p.name), p.version.clone()))
        .collect();
    let theirs = pip_list(&dir);
    assert!(theirs.len() >= 3, "{theirs:?}");
    assert_eq!(ours, theirs);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let pip = of(&inv, Ecosystem::PyPI)
        .into_iter()
        .find(|p| p.name == "pip")
        .unwrap();
    assert!(pip.path.ends_with(".dist-info/METADATA"), "{}", pip.path);
    assert!(pip.purl.starts_with("pkg:pypi/pip@"));
}

#[test]
fn python_egg_info_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let sp = tmp.path().join("usr/lib/python3/dist-packages");
    std::fs::create_dir_all(sp.join("Foo_Bar-1.0.egg-info")).unwrap();
    std::fs::write(
        sp.join("Foo_Bar-1.0.egg-info/PKG-INFO"),
        "Metadata-Version: 1.1\nName: Foo_Bar\nVersion: 1.0\nLicense: BSD\n\nlong text\n",
    )
    .unwrap();
    std::fs::write(
        sp.join("single-2.0.egg-info"),
        "Metadata-Version: 1.0\nName: single\nVersion: 2.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n",
    )
    .unwrap();
    std::fs::create_dir_all(sp.join("broken-1.dist-info")).unwrap();
    std::fs::write(sp.join("broken-1.dist-info/METADATA"), "Name: broken\n").unwrap();
    // Near misses: not metadata files.
    std::fs::write(sp.join("METADATA"), "Name: no\nVersion: 1\n").unwrap();
    std::fs::create_dir_all(sp.join("x.dist-info")).unwrap();
    std::fs::write(sp.join("x.dist-info/RECORD"), "Name: no\nVersion: 1\n").unwrap();
    let inv = scan_dir(tmp.path());
    let py: Vec<(&str, &str, &str)> = of(&inv, Ecosystem::PyPI)
        .iter()
        .map(|p| {
            (
                p.purl.as_str(),
                p.licenses.first().map_or("", |s| s.as_str()),
                p.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        py,
        [
            (
                "pkg:pypi/foo-bar@1.0",
                "BSD",
                "usr/lib/python3/dist-packages/Foo_Bar-1.0.egg-info/PKG-INFO"
            ),
            (
                "pkg:pypi/single@2.0",
                "MIT License",
                "usr/lib/python3/dist-packages/single-2.0.egg-info"
            ),
        ]
    );
    assert_eq!(inv.errors.len(), 1);
    assert!(inv.errors[0].path.ends_with("broken-1.dist-info/METADATA"));
    assert!(
        inv.errors[0].message.contains("Version"),
        "{:?}",
        inv.errors
    );
}

// ---------------------------------------------------------------- npm

fn npm_ls_all(v: &serde_json::Value, out: &mut BTreeSet<(String, String)>) {
    if let Some(deps) = v.get("dependencies").and_then(|d| d.as_object()) {
        for (name, d) in deps {
            if let Some(ver) = d.get("version").and_then(|v| v.as_str()) {
                out.insert((name.clone(), ver.to_string()));
            }
            npm_ls_all(d, out);
        }
    }
}

/// npm's own package directory (`.../node_modules/npm` from upstream
/// installs, `/usr/share/nodejs/npm` on Debian), found from the `npm`
/// executable, which is `bin/npm-cli.js` inside it.
fn npm_package_dir() -> PathBuf {
    let which = run(Command::new("sh").args(["-c", "command -v npm"]));
    let cli = std::fs::canonicalize(which.trim()).unwrap();
    let dir = cli.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(dir.join("package.json").exists(), "{dir:?}");
    dir
}

#[test]
fn npm_bundled_node_modules_match_npm_ls() {
    let root = npm_package_dir();
    let ls = run(Command::new("npm")
        .args(["ls", "--all", "--json", "--omit=dev"])
        .current_dir(&root));
    let mut theirs = BTreeSet::new();
    npm_ls_all(&serde_json::from_str(&ls).unwrap(), &mut theirs);
    assert!(!theirs.is_empty(), "npm ls in {root:?} lists nothing");
    // Scan npm's package directory as an image root: its node_modules.
    let inv = scan_dir(&root);
    let ours: BTreeSet<(String, String)> = of(&inv, Ecosystem::Npm)
        .iter()
        .filter(|p| p.path.starts_with("node_modules/"))
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(
        theirs.difference(&ours).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "npm ls lists, we do not"
    );
    // npm ls omits packages nothing depends on (extraneous ones it prints
    // only with problems); we report every installed package.
    let extra: Vec<_> = ours.difference(&theirs).collect();
    assert!(extra.len() <= ours.len() / 10, "{extra:?}");
}

#[test]
fn npm_lock_and_installed_in_one_image() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("node_modules/@scope/pkg/test/fixture")).unwrap();
    std::fs::write(
        app.join("package-lock.json"),
        r#"{"name":"app","lockfileVersion":2,"packages":{"":{"name":"app"},"node_modules/@scope/pkg":{"version":"1.2.3","license":"ISC"},"node_modules/jest":{"version":"29.0.0","dev":true}},"dependencies":{"ignored":{"version":"0"}}}"#,
    )
    .unwrap();
    std::fs::write(
        app.join("node_modules/@scope/pkg/package.json"),
        r#"{"name":"@scope/pkg","version":"1.2.3","license":{"type":"ISC"}}"#,
    )
    .unwrap();
    std::fs::write(
        app.join("node_modules/@scope/pkg/test/fixture/package.json"),
        r#"{"name":"fixture","version":"0.0.1"}"#,
    )
    .unwrap();
    std::fs::create_dir_all(app.join("node_modules/bad")).unwrap();
    std::fs::write(app.join("node_modules/bad/package.json"), "[1,2").unwrap();
    std::fs::create_dir_all(app.join("node_modules/noversion")).unwrap();
    std::fs::write(
        app.join("node_modules/noversion/package.json"),
        r#"{"name":"noversion"}"#,
    )
    .unwrap();
    let inv = scan_dir(tmp.path());
    let npm: Vec<(&str, &str)> = of(&inv, Ecosystem::Npm)
        .iter()
        .map(|p| (p.purl.as_str(), p.path.as_str()))
        .collect();
    assert_eq!(
        npm,
        [
            (
                "pkg:npm/%40scope/pkg@1.2.3",
                "app/node_modules/@scope/pkg/package.json"
            ),
            ("pkg:npm/%40scope/pkg@1.2.3", "app/package-lock.json"),
        ]
    );
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert_eq!(inv.errors[0].path, "app/node_modules/bad/package.json");
    assert!(
        inv.errors[0].message.contains("line 1 column"),
        "{:?}",
        inv.errors
    );
}

#[test]
fn npm_hostile_locks() {
    let deep = format!(
        "{{\"dependencies\":{}{}}}",
        "{\"a\":{\"version\":\"1\",\"dependencies\":".repeat(100),
        "{}}}".repeat(100)
    );
    let err = npm::parse_lock(deep.as_bytes(), "p").unwrap_err();
    assert!(
        err.message.contains("nested") || err.message.contains("recursion"),
        "{}",
        err.message
    );
    let err = npm::parse_lock(b"\"just a string\"", "p").unwrap_err();
    assert!(
        err.message.contains("expected an object"),
        "{}",
        err.message
    );
    let err = npm::parse_lock(br#"{"packages":[]}"#, "p").unwrap_err();
    assert!(err.message.contains("`packages`"), "{}", err.message);
    let err = npm::parse_lock(
        b"{\"packages\":{\"node_modules/a\":{\"version\":\"1\"}",
        "p",
    )
    .unwrap_err();
    assert!(err.message.contains("line 1 column"), "{}", err.message);
}

// ---------------------------------------------------------------- Java

fn pom_properties_oracle(jar: &Path) -> BTreeSet<String> {
    let out = run(Command::new("python3").arg("-c").arg(
        "import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n  if n.startswith('META-INF/maven/') and n.endswith('/pom.properties'):\n    d={}\n    for l in z.read(n).decode('latin-1').splitlines():\n      if '=' in l and not l.startswith('#'):\n        k,v=l.split('=',1); d[k.strip()]=v.strip()\n    if d.get('groupId') and d.get('artifactId') and d.get('version'): print(d['groupId']+':'+d['artifactId']+'@'+d['version'])",
    ).arg(jar));
    out.lines().map(str::to_string).collect()
}

fn maven_jars() -> Vec<PathBuf> {
    let mut jars: Vec<PathBuf> = std::fs::read_dir("/usr/share/maven/lib")
        .expect("maven is installed in CI")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jar"))
        .map(|p| std::fs::canonicalize(p).unwrap())
        .collect();
    jars.sort();
    jars.dedup();
    jars
}

#[test]
fn maven_jars_match_their_pom_properties() {
    let jars = maven_jars();
    assert!(jars.len() > 20);
    let mut with_pom = 0;
    for jar in &jars {
        let data = std::fs::read(jar).unwrap();
        let name = jar.to_str().unwrap();
        let pkgs = java::read_archive(&data, name, &java::JarLimits::default()).unwrap();
        let oracle = pom_properties_oracle(jar);
        if oracle.is_empty() {
            // Manifest or file name: one package with a version.
            assert_eq!(pkgs.len(), 1, "{jar:?}: {pkgs:?}");
            assert!(!pkgs[0].version.is_empty(), "{jar:?}");
            continue;
        }
        with_pom += 1;
        let ours: BTreeSet<String> = pkgs
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(ours, oracle, "{jar:?}");
        for p in &pkgs {
            let (g, a) = p.name.split_once(':').unwrap();
            assert_eq!(p.purl, format!("pkg:maven/{g}/{a}@{}", p.version));
        }
    }
    assert!(with_pom > 10);
}

#[test]
fn nested_fat_jar_built_with_the_jdk_jar_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let jars = maven_jars();
    // inner.war: WEB-INF/lib/ holds three real jars; app.jar: BOOT-INF/lib/
    // holds two real jars and the war (two levels of nesting).
    let war_dir = tmp.path().join("war");
    std::fs::create_dir_all(war_dir.join("WEB-INF/lib")).unwrap();
    let mut expected = BTreeSet::new();
    for jar in &jars[..3] {
        std::fs::copy(
            jar,
            war_dir.join("WEB-INF/lib").join(jar.file_name().unwrap()),
        )
        .unwrap();
        expected.extend(pom_properties_oracle(jar));
    }
    let war = tmp.path().join("inner.war");
    run(Command::new("jar")
        .arg("cf")
        .arg(&war)
        .arg("-C")
        .arg(&war_dir)
        .arg("."));
    let boot = tmp.path().join("boot");
    std::fs::create_dir_all(boot.join("BOOT-INF/lib")).unwrap();
    for jar in &jars[3..5] {
        std::fs::copy(
            jar,
            boot.join("BOOT-INF/lib").join(jar.file_name().unwrap()),
        )
        .unwrap();
        expected.extend(pom_properties_oracle(jar));
    }
    std::fs::copy(&war, boot.join("BOOT-INF/lib/inner.war")).unwrap();
    let image = tmp.path().join("image/app");
    std::fs::create_dir_all(&image).unwrap();
    run(Command::new("jar")
        .arg("cf")
        .arg(image.join("app.jar"))
        .arg("-C")
        .arg(&boot)
        .arg("."));
    let inv = scan_dir(&tmp.path().join("image"));
    let ours: BTreeSet<String> = of(&inv, Ecosystem::Maven)
        .iter()
        .filter(|p| p.name.contains(':'))
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    assert!(!expected.is_empty());
    assert!(
        expected.is_subset(&ours),
        "missing {:?}",
        expected.difference(&ours).collect::<Vec<_>>()
    );
    assert!(of(&inv, Ecosystem::Maven)
        .iter()
        .all(|p| p.path == "app/app.jar"));
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    // Depth 0 reads only the outer archive.
    let data = std::fs::read(image.join("app.jar")).unwrap();
    let shallow = java::read_archive(
        &data,
        "app.jar",
        &java::JarLimits {
            max_depth: 0,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(shallow.len() <= 1, "{shallow:?}");
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(false);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn jar_bombs_and_garbage() {
    let limits = java::JarLimits::default();
    // A nested "jar" of 300 MiB of zeros: stopped by max_total_bytes.
    let zeros = vec![0u8; 300 << 20];
    let bomb = zip_with(
        &[("BOOT-INF/lib/x.jar", &zeros)],
        zip::CompressionMethod::Deflated,
    );
    drop(zeros);
    assert!(bomb.len() < 1 << 20);
    let err = java::read_archive(&bomb, "bomb.jar", &limits).unwrap_err();
    assert!(
        err.message.contains("bomb.jar!/BOOT-INF/lib/x.jar")
            && err.message.contains("max_total_bytes"),
        "{}",
        err.message
    );
    // A jar nested in itself many times: the depth limit stops the walk.
    let mut nested = zip_with(
        &[(
            "META-INF/maven/g/a/pom.properties",
            b"groupId=g\nartifactId=a\nversion=1\n",
        )],
        zip::CompressionMethod::Stored,
    );
    for _ in 0..10 {
        nested = zip_with(&[("lib/n.jar", &nested)], zip::CompressionMethod::Stored);
    }
    let pkgs = java::read_archive(&nested, "n.jar", &limits).unwrap();
    assert!(pkgs.iter().all(|p| p.name != "g:a"), "{pkgs:?}");
    // Too many entries.
    let names: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
    let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    let err = java::read_archive(
        &zip_with(&many, zip::CompressionMethod::Stored),
        "many.jar",
        &java::JarLimits {
            max_entries: 10,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        err.message.contains("many.jar") && err.message.contains("max_entries"),
        "{}",
        err.message
    );
    // An oversized pom.properties.
    let big = vec![b'#'; 2 << 20];
    let err = java::read_archive(
        &zip_with(
            &[("META-INF/maven/g/a/pom.properties", &big)],
            zip::CompressionMethod::Deflated,
        ),
        "p.jar",
        &limits,
    )
    .unwrap_err();
    assert!(err.message.contains("max_metadata_size"), "{}", err.message);
    // Garbage and truncation name the archive.
    let err = java::read_archive(b"PK\x03\x04garbage", "g.jar", &limits).unwrap_err();
    assert!(
        err.message.starts_with("g.jar: not a readable zip"),
        "{}",
        err.message
    );
    let real = std::fs::read(&maven_jars()[0]).unwrap();
    for cut in [10, real.len() / 2, real.len() - 10] {
        assert!(
            java::read_archive(&real[..cut], "t.jar", &limits).is_err(),
            "cut {cut}"
        );
    }
    // A nested garbage jar names the outer and inner archive.
    let outer = zip_with(
        &[("WEB-INF/lib/bad.jar", b"not a zip")],
        zip::CompressionMethod::Stored,
    );
    let err = java::read_archive(&outer, "app.war", &limits).unwrap_err();
    assert!(
        err.message.starts_with("app.war!/WEB-INF/lib/bad.jar:"),
        "{}",
        err.message
    );
}

// ---------------------------------------------------------------- Ruby, .NET, PHP

/// An installed gemspec as RubyGems 3.x writes it (`Gem::Specification#to_ruby`).
const RAKE_GEMSPEC: &str = r#"# -*- encoding: utf-8 -*-
# stub: rake 13.0.6 ruby lib

Gem::Specification.new do |s|
  s.name = "rake".freeze
  s.version = "13.0.6"

  s.required_rubygems_version = Gem::Requirement.new(">= 1.3.2".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://github.com/ruby/rake/issues" } if s.respond_to? :metadata=
  s.require_paths = ["lib".freeze]
  s.authors = ["Hiroshi SHIBATA".freeze, "Eric Hodel".freeze]
  s.bindir = "exe".freeze
  s.date = "2021-07-09"
  s.licenses = ["MIT".freeze]
  s.rubygems_version = "3.3.5".freeze
  s.summary = "Rake is a Make-like program implemented in Ruby".freeze

  s.installed_by_version = "3.3.5" if s.respond_to? :installed_by_version
end
"#;

#[test]
fn ruby_dotnet_composer_in_one_image() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    let specs = r.join("usr/lib/ruby/gems/3.1.0/specifications");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::write(specs.join("rake-13.0.6.gemspec"), RAKE_GEMSPEC).unwrap();
    std::fs::write(
        specs.join("json-2.6.1.gemspec"),
        "# stub: json 2.6.1 ruby lib\nGem::Specification.new do |s|\n  s.name = \"json\".freeze\n  s.version = \"2.6.1\"\n  s.license = \"Ruby\".freeze\nend\n",
    )
    .unwrap();
    // A gemspec in a gem's own source tree is not an installed gem.
    std::fs::create_dir_all(r.join("usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6")).unwrap();
    std::fs::write(
        r.join("usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec"),
        RAKE_GEMSPEC,
    )
    .unwrap();
    std::fs::create_dir_all(r.join("app")).unwrap();
    std::fs::write(
        r.join("app/web.deps.json"),
        r#"{"runtimeTarget":{"name":".NETCoreApp,Version=v8.0"},"targets":{},"libraries":{"web/1.0.0":{"type":"project","serviceable":false},"Newtonsoft.Json/13.0.3":{"type":"package","serviceable":true,"sha512":"sha512-x","path":"newtonsoft.json/13.0.3"}}}"#,
    )
    .unwrap();
    std::fs::create_dir_all(r.join("var/www/vendor/composer")).unwrap();
    std::fs::write(
        r.join("var/www/vendor/composer/installed.json"),
        r#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","version_normalized":"3.5.0.0","license":["MIT"]},{"name":"phpunit/phpunit","version":"10.5.0"}],"dev":true,"dev-package-names":["phpunit/phpunit"]}"#,
    )
    .unwrap();
    std::fs::write(
        r.join("var/www/composer.lock"),
        r#"{"packages":[{"name":"monolog/monolog","version":"3.5.0"}],"packages-dev":[{"name":"phpunit/phpunit","version":"10.5.0"}]}"#,
    )
    .unwrap();
    std::fs::create_dir_all(r.join("old/vendor/composer")).unwrap();
    std::fs::write(
        r.join("old/vendor/composer/installed.json"),
        r#"[{"name":"symfony/yaml","version":"v4.4.0"}]"#,
    )
    .unwrap();
    let inv = scan_dir(r);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let gems: Vec<(&str, &[String])> = of(&inv, Ecosystem::RubyGems)
        .iter()
        .map(|p| (p.purl.as_str(), p.licenses.as_slice()))
        .collect();
    assert_eq!(
        gems,
        [
            ("pkg:gem/json@2.6.1", &["Ruby".to_string()][..]),
            ("pkg:gem/rake@13.0.6", &["MIT".to_string()][..])
        ]
    );
    let nuget: Vec<&str> = of(&inv, Ecosystem::NuGet)
        .iter()
        .map(|p| p.purl.as_str())
        .collect();
    assert_eq!(nuget, ["pkg:nuget/Newtonsoft.Json@13.0.3"]);
    let php: Vec<(&str, &str)> = of(&inv, Ecosystem::Packagist)
        .iter()
        .map(|p| (p.purl.as_str(), p.path.as_str()))
        .collect();
    assert_eq!(
        php,
        [
            (
                "pkg:composer/monolog/monolog@3.5.0",
                "var/www/composer.lock"
            ),
            (
                "pkg:composer/monolog/monolog@3.5.0",
                "var/www/vendor/composer/installed.json"
            ),
            (
                "pkg:composer/symfony/yaml@v4.4.0",
                "old/vendor/composer/installed.json"
            ),
        ]
    );
}

#[test]
fn ruby_dotnet_composer_hostile() {
    assert!(ruby::parse("\u{0}\u{1}binary", "g").is_err());
    let err = dotnet::parse(br#"{"libraries":[]}"#, "d").unwrap_err();
    assert!(
        err.message.contains("`libraries`") && err.message.contains("an array"),
        "{}",
        err.message
    );
    let err = dotnet::parse(br#"{"libraries":{"NoSlash":{"type":"package"}}}"#, "d").unwrap_err();
    assert!(err.message.contains("libraries.NoSlash"), "{}", err.message);
    let err = dotnet::parse(b"{\n\n  \"libraries\": {", "d").unwrap_err();
    assert!(err.message.contains("line 3"), "{}", err.message);
    let err = composer::parse(
        br#"{"packages":[{"name":"a/b","version":3}]}"#,
        "installed.json",
        "p",
    )
    .unwrap_err();
    assert!(err.message.contains("packages[0]"), "{}", err.message);
    let err = composer::parse(b"42", "composer.lock", "p").unwrap_err();
    assert!(err.message.contains("found a number"), "{}", err.message);
    let err = composer::parse(br#"[{"name":"x"}]"#, "installed.json", "p").unwrap_err();
    assert!(err.message.contains("[0]"), "{}", err.message);
}
