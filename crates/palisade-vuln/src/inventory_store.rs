//! Stored image inventories, for continuous registry rescans.
//!
//! `palisade registry scan` inventories each image once and keeps what it
//! found here, keyed by manifest digest: the packages, the operating
//! system, the references (`registry/repo:tag`) that point at the image,
//! when it was scanned, and the last match result. `palisade registry
//! rescan` re-matches every stored inventory against the current database
//! without pulling anything and diffs the result against the last one
//! ([`diff_matches`]).
//!
//! The store is a directory of one JSON file per manifest digest
//! (`sha256-<hex>.json`), written to a temporary file and renamed into
//! place, so a reader never sees half an entry. Every entry is validated
//! on read (size, JSON shape, format version, digest, counts, ecosystems);
//! an invalid entry is reported ([`EntryError`]) and the others are still
//! read.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use palisade_model::{Ecosystem, OsInfo, Package};
use serde::{Deserialize, Serialize};

/// The entry format written; entries of another format are reported, not
/// read.
pub const FORMAT_VERSION: u32 = 1;

/// Largest entry file read, in bytes.
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// Most packages in one entry.
pub const MAX_PACKAGES: usize = 500_000;

/// Most vulnerabilities in one match result.
pub const MAX_VULNS: usize = 1_000_000;

/// Most references (tags) recorded for one image.
pub const MAX_REFERENCES: usize = 10_000;

/// Most entries a store lists.
pub const MAX_ENTRIES: usize = 100_000;

/// Every ecosystem, to read names back.
const ECOSYSTEMS: [Ecosystem; 11] = [
    Ecosystem::Deb,
    Ecosystem::Apk,
    Ecosystem::Rpm,
    Ecosystem::PyPI,
    Ecosystem::Npm,
    Ecosystem::Cargo,
    Ecosystem::Go,
    Ecosystem::Maven,
    Ecosystem::RubyGems,
    Ecosystem::NuGet,
    Ecosystem::Packagist,
];

/// The ecosystem printed as `name` ([`Ecosystem::as_str`]).
pub fn ecosystem_from_str(name: &str) -> Option<Ecosystem> {
    ECOSYSTEMS.iter().copied().find(|e| e.as_str() == name)
}

/// The store directory used when none is given: `$PALISADE_STORE_DIR`,
/// else `$XDG_CACHE_HOME/palisade/inventories`, else
/// `~/.cache/palisade/inventories`.
pub fn default_store_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(d) = non_empty("PALISADE_STORE_DIR") {
        return Some(d);
    }
    if let Some(c) = non_empty("XDG_CACHE_HOME") {
        return Some(c.join("palisade").join("inventories"));
    }
    non_empty("HOME").map(|h| h.join(".cache").join("palisade").join("inventories"))
}

/// The operating system of a stored image ([`OsInfo`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredOs {
    /// `ID`.
    pub id: String,
    /// `VERSION_ID`.
    pub version_id: String,
    /// `PRETTY_NAME`.
    #[serde(default)]
    pub pretty_name: String,
    /// `VERSION_CODENAME`.
    #[serde(default)]
    pub codename: Option<String>,
    /// `ID_LIKE`.
    #[serde(default)]
    pub id_like: Vec<String>,
}

impl From<&OsInfo> for StoredOs {
    fn from(o: &OsInfo) -> Self {
        Self {
            id: o.id.clone(),
            version_id: o.version_id.clone(),
            pretty_name: o.pretty_name.clone(),
            codename: o.codename.clone(),
            id_like: o.id_like.clone(),
        }
    }
}

impl StoredOs {
    /// Back to the model's [`OsInfo`].
    pub fn to_os(&self) -> OsInfo {
        OsInfo {
            id: self.id.clone(),
            version_id: self.version_id.clone(),
            pretty_name: self.pretty_name.clone(),
            codename: self.codename.clone(),
            id_like: self.id_like.clone(),
        }
    }
}

/// A package of a stored image ([`Package`], with the ecosystem by name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredPackage {
    /// Name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Ecosystem, as [`Ecosystem::as_str`] prints it.
    pub ecosystem: String,
    /// Package URL.
    pub purl: String,
    /// Source package name.
    #[serde(default)]
    pub source_name: Option<String>,
    /// Source package version.
    #[serde(default)]
    pub source_version: Option<String>,
    /// Architecture.
    #[serde(default)]
    pub arch: Option<String>,
    /// Licenses.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// Layer digest that brought the package.
    #[serde(default)]
    pub layer: String,
    /// File that records the package.
    #[serde(default)]
    pub path: String,
}

impl From<&Package> for StoredPackage {
    fn from(p: &Package) -> Self {
        Self {
            name: p.name.clone(),
            version: p.version.clone(),
            ecosystem: p.ecosystem.as_str().to_string(),
            purl: p.purl.clone(),
            source_name: p.source_name.clone(),
            source_version: p.source_version.clone(),
            arch: p.arch.clone(),
            licenses: p.licenses.clone(),
            layer: p.layer.clone(),
            path: p.path.clone(),
        }
    }
}

impl StoredPackage {
    /// Back to the model's [`Package`]; `None` when the ecosystem is not
    /// one palisade knows.
    pub fn to_package(&self) -> Option<Package> {
        Some(Package {
            name: self.name.clone(),
            version: self.version.clone(),
            ecosystem: ecosystem_from_str(&self.ecosystem)?,
            purl: self.purl.clone(),
            source_name: self.source_name.clone(),
            source_version: self.source_version.clone(),
            arch: self.arch.clone(),
            licenses: self.licenses.clone(),
            layer: self.layer.clone(),
            path: self.path.clone(),
        })
    }
}

/// The package a stored vulnerability was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VulnPackage {
    /// Name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Ecosystem.
    pub ecosystem: String,
    /// Package URL.
    pub purl: String,
}

/// One vulnerability of a stored match result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredVuln {
    /// The OSV id.
    pub vulnerability_id: String,
    /// Other ids of the same vulnerability (CVE, GHSA...).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The affected package.
    pub package: VulnPackage,
    /// The version that fixes it, where one exists.
    #[serde(default)]
    pub fixed_version: Option<String>,
    /// `critical`, `high`, `medium` or `low` ([`palisade_model::Severity`]).
    pub severity: String,
    /// CVSS base score, where known.
    #[serde(default)]
    pub cvss_score: Option<f64>,
    /// Digest of the layer that brought the package.
    #[serde(default)]
    pub layer: String,
}

impl StoredVuln {
    /// The ids this vulnerability is known by: its id and aliases.
    fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability_id.as_str())
            .chain(self.aliases.iter().map(|a| a.as_str()))
    }
}

/// The vulnerabilities of an image at one point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchResult {
    /// When the match ran (seconds since the epoch).
    pub matched_at: u64,
    /// When the database matched against was built, where known.
    #[serde(default)]
    pub db_built_at: Option<u64>,
    /// What matched, sorted by package purl and id.
    pub vulns: Vec<StoredVuln>,
}

/// One stored image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredInventory {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// The image manifest's digest (`sha256:<hex>`): the key.
    pub manifest_digest: String,
    /// The references that pointed at this image when last scanned
    /// (`registry/repo:tag`), sorted.
    pub references: Vec<String>,
    /// The platform scanned (`linux/amd64`).
    #[serde(default)]
    pub platform: String,
    /// When the image was inventoried (seconds since the epoch).
    pub scanned_at: u64,
    /// The operating system.
    #[serde(default)]
    pub os: Option<StoredOs>,
    /// The packages.
    pub packages: Vec<StoredPackage>,
    /// The last match result, if the image was matched.
    #[serde(default)]
    pub last_match: Option<MatchResult>,
}

impl StoredInventory {
    /// The packages as the model's [`Package`]s (entries are validated on
    /// read, so every ecosystem is known; unknown ones are left out).
    pub fn model_packages(&self) -> Vec<Package> {
        self.packages
            .iter()
            .filter_map(StoredPackage::to_package)
            .collect()
    }

    /// Adds `reference` (kept sorted and unique). Returns whether it was new.
    pub fn add_reference(&mut self, reference: &str) -> bool {
        match self
            .references
            .binary_search_by(|r| r.as_str().cmp(reference))
        {
            Ok(_) => false,
            Err(i) => {
                if self.references.len() < MAX_REFERENCES {
                    self.references.insert(i, reference.to_string());
                }
                true
            }
        }
    }

    /// Checks what serde cannot: format, digest, counts, ecosystems.
    fn validate(&self, expected_digest: Option<&str>) -> Result<(), String> {
        if self.format != FORMAT_VERSION {
            return Err(format!(
                "field `format`: expected {FORMAT_VERSION}, found {}",
                self.format
            ));
        }
        check_digest(&self.manifest_digest).map_err(|e| format!("field `manifest_digest`: {e}"))?;
        if let Some(d) = expected_digest {
            if d != self.manifest_digest {
                return Err(format!(
                    "field `manifest_digest`: expected {d} (the file name), found {}",
                    self.manifest_digest
                ));
            }
        }
        if self.references.len() > MAX_REFERENCES {
            return Err(format!(
                "field `references`: {} entries, at most {MAX_REFERENCES} expected",
                self.references.len()
            ));
        }
        if self.packages.len() > MAX_PACKAGES {
            return Err(format!(
                "field `packages`: {} entries, at most {MAX_PACKAGES} expected",
                self.packages.len()
            ));
        }
        for (i, p) in self.packages.iter().enumerate() {
            if ecosystem_from_str(&p.ecosystem).is_none() {
                return Err(format!(
                    "field `packages[{i}].ecosystem`: unknown ecosystem {:?}",
                    p.ecosystem.chars().take(60).collect::<String>()
                ));
            }
        }
        if let Some(m) = &self.last_match {
            if m.vulns.len() > MAX_VULNS {
                return Err(format!(
                    "field `last_match.vulns`: {} entries, at most {MAX_VULNS} expected",
                    m.vulns.len()
                ));
            }
        }
        Ok(())
    }
}

/// Why a stored entry could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The entry file.
    pub path: PathBuf,
    /// What is wrong, naming the place (line/column or field).
    pub message: String,
}

impl std::fmt::Display for EntryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for EntryError {}

/// Checks `sha256:<64 lower-case hex>` (also sha384/sha512).
fn check_digest(d: &str) -> Result<(), String> {
    let Some((algo, hex)) = d.split_once(':') else {
        return Err(format!(
            "expected ALGORITHM:HEX, found {:?}",
            d.chars().take(80).collect::<String>()
        ));
    };
    let len = match algo {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(format!(
                "unsupported digest algorithm {:?} (expected sha256, sha384 or sha512)",
                algo.chars().take(20).collect::<String>()
            ))
        }
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "expected {len} lower-case hex digits after {algo}:"
        ));
    }
    Ok(())
}

/// The store: a directory of entries.
#[derive(Debug, Clone)]
pub struct InventoryStore {
    dir: PathBuf,
}

/// What [`InventoryStore::list`] read.
#[derive(Debug, Default)]
pub struct Listing {
    /// The valid entries, sorted by manifest digest.
    pub entries: Vec<StoredInventory>,
    /// Entries that could not be read, each with the reason.
    pub errors: Vec<EntryError>,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl InventoryStore {
    /// Opens (creating if needed) the store at `dir`.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("creating the inventory store {}: {e}", dir.display()),
            )
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry file for `digest`; an error when it is not a digest.
    pub fn path_for(&self, digest: &str) -> Result<PathBuf, String> {
        check_digest(digest)?;
        Ok(self
            .dir
            .join(format!("{}.json", digest.replacen(':', "-", 1))))
    }

    /// Reads the entry for `digest`: `Ok(None)` when there is none.
    pub fn get(&self, digest: &str) -> Result<Option<StoredInventory>, EntryError> {
        let path = self.path_for(digest).map_err(|message| EntryError {
            path: self.dir.join(digest.chars().take(200).collect::<String>()),
            message,
        })?;
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            _ => read_entry(&path, Some(digest)).map(Some),
        }
    }

    /// Writes `inv` (validated) through a temporary file and a rename.
    pub fn put(&self, inv: &StoredInventory) -> Result<PathBuf, EntryError> {
        let path = self
            .path_for(&inv.manifest_digest)
            .map_err(|message| EntryError {
                path: self.dir.clone(),
                message,
            })?;
        let fail = |message: String| EntryError {
            path: path.clone(),
            message,
        };
        inv.validate(None).map_err(&fail)?;
        let bytes = serde_json::to_vec(inv).map_err(|e| fail(format!("encoding: {e}")))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(fail(format!(
                "entry is {} bytes, more than the {MAX_ENTRY_BYTES} a store entry may hold",
                bytes.len()
            )));
        }
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}.json",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(format!("writing: {e}"))
        })?;
        Ok(path)
    }

    /// The digests of the entries, sorted, without reading them; files
    /// whose names are not `ALGORITHM-HEX.json` are reported. An
    /// unreadable directory, or more than [`MAX_ENTRIES`] entries, is an
    /// error.
    pub fn digests(&self) -> std::io::Result<(Vec<String>, Vec<EntryError>)> {
        let mut digests = Vec::new();
        let mut errors = Vec::new();
        for item in std::fs::read_dir(&self.dir)? {
            let item = item?;
            let name = item.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let Some(stem) = name.strip_suffix(".json") else {
                continue;
            };
            let digest = stem.replacen('-', ":", 1);
            if check_digest(&digest).is_err() {
                errors.push(EntryError {
                    path: item.path(),
                    message: "file name is not ALGORITHM-HEX.json of a manifest digest".into(),
                });
                continue;
            }
            if digests.len() >= MAX_ENTRIES {
                return Err(std::io::Error::other(format!(
                    "the inventory store {} holds more than {MAX_ENTRIES} entries",
                    self.dir.display()
                )));
            }
            digests.push(digest);
        }
        digests.sort();
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((digests, errors))
    }

    /// Reads every entry. Invalid entries are reported in
    /// [`Listing::errors`] and skipped; an unreadable directory is an
    /// error.
    pub fn list(&self) -> std::io::Result<Listing> {
        let (digests, errors) = self.digests()?;
        let mut listing = Listing {
            entries: Vec::new(),
            errors,
        };
        for digest in digests {
            match self.get(&digest) {
                Ok(Some(e)) => listing.entries.push(e),
                Ok(None) => {}
                Err(e) => listing.errors.push(e),
            }
        }
        Ok(listing)
    }
}

/// Reads and validates one entry file.
fn read_entry(path: &Path, digest: Option<&str>) -> Result<StoredInventory, EntryError> {
    let fail = |message: String| EntryError {
        path: path.to_path_buf(),
        message,
    };
    let f = std::fs::File::open(path).map_err(|e| fail(format!("reading: {e}")))?;
    let mut bytes = Vec::new();
    f.take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(format!("reading: {e}")))?;
    if bytes.len() as u64 > MAX_ENTRY_BYTES {
        return Err(fail(format!(
            "larger than {MAX_ENTRY_BYTES} bytes, the most a store entry may hold"
        )));
    }
    let inv: StoredInventory = serde_json::from_slice(&bytes).map_err(|e| {
        fail(format!(
            "line {} column {}: expected a stored inventory (format {FORMAT_VERSION}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    inv.validate(digest).map_err(fail)?;
    Ok(inv)
}

/// What changed between two match results of one image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchDiff {
    /// Matching now, not before.
    pub new: Vec<StoredVuln>,
    /// Matched before, not now.
    pub fixed: Vec<StoredVuln>,
    /// Matching both times (as now reported).
    pub still_open: Vec<StoredVuln>,
}

/// Diffs `current` against `previous` (`None`: nothing was known, so all
/// is new). A vulnerability is the same when it is on the same package
/// (purl) and shares an id or alias, so a database that now names a
/// vulnerability by another of its ids does not show it as fixed and new.
pub fn diff_matches(previous: Option<&MatchResult>, current: &[StoredVuln]) -> MatchDiff {
    let empty = Vec::new();
    let prev = previous.map_or(&empty, |p| &p.vulns);
    // purl → (identifier → index into prev)
    let mut index: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for (i, v) in prev.iter().enumerate() {
        let ids = index.entry(v.package.purl.as_str()).or_default();
        for id in v.ids() {
            ids.entry(id).or_insert(i);
        }
    }
    let mut seen = BTreeSet::new();
    let mut diff = MatchDiff::default();
    for v in current {
        let found = index
            .get(v.package.purl.as_str())
            .and_then(|ids| v.ids().find_map(|id| ids.get(id).copied()));
        match found {
            Some(i) => {
                seen.insert(i);
                diff.still_open.push(v.clone());
            }
            None => diff.new.push(v.clone()),
        }
    }
    diff.fixed = prev
        .iter()
        .enumerate()
        .filter(|(i, _)| !seen.contains(i))
        .map(|(_, v)| v.clone())
        .collect();
    diff
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn vuln(id: &str, aliases: &[&str], purl: &str) -> StoredVuln {
        StoredVuln {
            vulnerability_id: id.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            package: VulnPackage {
                name: "p".into(),
                version: "1".into(),
                ecosystem: "PyPI".into(),
                purl: purl.into(),
            },
            fixed_version: None,
            severity: "medium".into(),
            cvss_score: None,
            layer: String::new(),
        }
    }

    fn inventory() -> StoredInventory {
        StoredInventory {
            format: FORMAT_VERSION,
            manifest_digest: D.into(),
            references: vec!["localhost:5000/a:1".into()],
            platform: "linux/amd64".into(),
            scanned_at: 1,
            os: None,
            packages: vec![StoredPackage {
                name: "requests".into(),
                version: "2.25.0".into(),
                ecosystem: "PyPI".into(),
                purl: "pkg:pypi/requests@2.25.0".into(),
                source_name: None,
                source_version: None,
                arch: None,
                licenses: vec![],
                layer: String::new(),
                path: String::new(),
            }],
            last_match: None,
        }
    }

    #[test]
    fn ecosystems_round_trip() {
        for e in ECOSYSTEMS {
            assert_eq!(ecosystem_from_str(e.as_str()), Some(e));
        }
        assert_eq!(ecosystem_from_str("pypi"), None);
    }

    #[test]
    fn put_get_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = InventoryStore::open(dir.path()).unwrap();
        assert!(store.get(D).unwrap().is_none());
        let mut inv = inventory();
        assert!(inv.add_reference("localhost:5000/a:0"));
        assert!(!inv.add_reference("localhost:5000/a:1"));
        store.put(&inv).unwrap();
        assert_eq!(store.get(D).unwrap().unwrap(), inv);
        let l = store.list().unwrap();
        assert_eq!(l.entries, vec![inv.clone()]);
        assert!(l.errors.is_empty());
        assert_eq!(inv.model_packages()[0].ecosystem, Ecosystem::PyPI);
        // No temporary file left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![format!("{}.json", D.replace(':', "-"))]);
        assert!(store.get("sha256:short").is_err());
        assert!(store.get("../../etc/passwd").is_err());
    }

    #[test]
    fn bad_entries_are_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let store = InventoryStore::open(dir.path()).unwrap();
        store.put(&inventory()).unwrap();
        let good = serde_json::to_string(&inventory()).unwrap();
        let other = |c: char| format!("sha256-{}.json", c.to_string().repeat(64));
        let cases: Vec<(String, String, &str)> = vec![
            (other('a'), "{not json".into(), "line 1 column 2"),
            (other('b'), good[..good.len() / 2].into(), "line 1"),
            (other('c'), "[]".into(), "expected a stored inventory"),
            (other('d'), good.clone(), "expected sha256:dddd"),
            (
                other('e'),
                good.replace("\"format\":1", "\"format\":9"),
                "field `format`",
            ),
            (
                other('f'),
                good.replace(D, &format!("sha256:{}", "f".repeat(64)))
                    .replace("\"PyPI\"", "\"Nope\""),
                "packages[0].ecosystem",
            ),
            ("sha256-XYZ.json".into(), good.clone(), "file name is not"),
            (
                other('0'),
                good.replace(D, &format!("sha256:{}", "0".repeat(64)))
                    .replace("\"packages\"", "\"pkgs\""),
                "unknown field `pkgs`",
            ),
        ];
        for (name, body, _) in &cases {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let l = store.list().unwrap();
        assert_eq!(l.entries.len(), 1, "{:?}", l.errors);
        assert_eq!(l.errors.len(), cases.len(), "{:?}", l.errors);
        for (name, _, want) in &cases {
            let e = l
                .errors
                .iter()
                .find(|e| e.path.ends_with(name))
                .unwrap_or_else(|| panic!("{name} not reported"));
            assert!(e.message.contains(want), "{name}: {}", e.message);
        }
        // Too big.
        let big = dir.path().join(other('9'));
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_ENTRY_BYTES + 10).unwrap();
        let l = store.list().unwrap();
        assert!(l
            .errors
            .iter()
            .any(|e| e.path == big && e.message.contains("larger than")));
        assert_eq!(l.entries.len(), 1);
    }

    #[test]
    fn diffs() {
        let prev = MatchResult {
            matched_at: 1,
            db_built_at: None,
            vulns: vec![
                vuln("PYSEC-1", &["CVE-1"], "pkg:pypi/a@1"),
                vuln("PYSEC-2", &[], "pkg:pypi/a@1"),
                vuln("PYSEC-3", &[], "pkg:pypi/b@1"),
            ],
        };
        let now = vec![
            // Same vulnerability, now under its GHSA id with the CVE alias.
            vuln("GHSA-x", &["CVE-1"], "pkg:pypi/a@1"),
            vuln("PYSEC-3", &[], "pkg:pypi/b@1"),
            // Same id on another package is another finding.
            vuln("PYSEC-2", &[], "pkg:pypi/c@1"),
        ];
        let d = diff_matches(Some(&prev), &now);
        let ids = |v: &[StoredVuln]| {
            v.iter()
                .map(|v| format!("{} {}", v.vulnerability_id, v.package.purl))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&d.new), ["PYSEC-2 pkg:pypi/c@1"]);
        assert_eq!(ids(&d.fixed), ["PYSEC-2 pkg:pypi/a@1"]);
        assert_eq!(
            ids(&d.still_open),
            ["GHSA-x pkg:pypi/a@1", "PYSEC-3 pkg:pypi/b@1"]
        );
        let first = diff_matches(None, &now);
        assert_eq!(first.new.len(), 3);
        assert!(first.fixed.is_empty());
    }
}
