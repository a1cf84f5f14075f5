//! rpm's package database: `rpmdb.sqlite` (rpm 4.16 and later: RHEL 9,
//! Fedora, Alma, Rocky, Azure Linux, CBL-Mariner 2) and the Berkeley DB
//! hash file `Packages` of older releases (RHEL/CentOS 7 and 8, Amazon
//! Linux 2). Each row holds one package's header blob, parsed by
//! [`header::parse_header`].

pub mod bdb;
pub mod header;
pub mod sqlite;

use palisade_model::{Ecosystem, Package};

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

pub use header::{parse_header, split_source_rpm, HeaderError, RpmHeader};

/// Reads rpm databases.
pub struct Rpm;

/// The sqlite databases: the classic path and the one Fedora and RHEL 9
/// moved to (`/var/lib/rpm` is often a symlink to it).
pub const SQLITE_PATHS: [&str; 2] = [
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];
/// The Berkeley DB databases.
pub const BDB_PATHS: [&str; 2] = ["var/lib/rpm/Packages", "usr/lib/sysimage/rpm/Packages"];
/// SUSE's ndb databases: not read yet, reported as an error so that an
/// incomplete inventory does not pass silently.
pub const NDB_PATHS: [&str; 2] = [
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages.db",
];

/// Pseudo-packages rpm uses to store imported signing keys: not software.
const GPG_PUBKEY: &str = "gpg-pubkey";

impl Analyzer for Rpm {
    fn id(&self) -> &'static str {
        "rpm"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        SQLITE_PATHS.contains(&p) || BDB_PATHS.contains(&p) || NDB_PATHS.contains(&p)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages.extend(packages(file.path(), file.contents)?);
        Ok(())
    }
}

/// The packages recorded in an rpm database file (sqlite or Berkeley DB
/// hash, told apart by their magic numbers), with `path` set to `path`.
pub fn packages(path: &str, bytes: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    let blobs = if bytes.starts_with(sqlite::SQLITE_MAGIC) {
        sqlite::read_blobs(bytes)
    } else if bdb::is_hash_db(bytes) {
        bdb::read_blobs(bytes)
    } else if path.ends_with("Packages.db") {
        Err("SUSE ndb databases (Packages.db) are not supported yet".to_string())
    } else {
        Err("neither an SQLite nor a Berkeley DB hash database".to_string())
    }
    .map_err(AnalyzeError::new)?;
    let mut out = Vec::with_capacity(blobs.len());
    for (hnum, blob) in blobs {
        let h = parse_header(&blob)
            .map_err(|e| AnalyzeError::new(format!("package header {hnum}: {e}")))?;
        if h.name == GPG_PUBKEY {
            continue;
        }
        out.push(to_package(h, path));
    }
    Ok(out)
}

/// The inventory's view of one header.
pub fn to_package(h: RpmHeader, path: &str) -> Package {
    let version = h.evr();
    let (source_name, source_version) = match h.source_rpm.as_deref().and_then(split_source_rpm) {
        Some((name, vr)) => {
            // SOURCERPM carries no epoch; the binary's is the source's.
            let sv = match h.epoch {
                Some(e) => format!("{e}:{vr}"),
                None => vr.to_string(),
            };
            let sv = (sv != version).then_some(sv);
            (Some(name.to_string()), sv)
        }
        None => (None, None),
    };
    let mut quals: Vec<(&str, String)> = Vec::new();
    if let Some(a) = &h.arch {
        quals.push(("arch", a.clone()));
    }
    if let Some(e) = h.epoch {
        quals.push(("epoch", e.to_string()));
    }
    let q: Vec<(&str, &str)> = quals.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let purl = palisade_model::purl(
        "rpm",
        None,
        &h.name,
        &format!("{}-{}", h.version, h.release),
        &q,
    );
    Package {
        name: h.name,
        version,
        ecosystem: Ecosystem::Rpm,
        purl,
        source_name,
        source_version,
        arch: h.arch,
        licenses: h.license.into_iter().filter(|l| !l.is_empty()).collect(),
        layer: String::new(),
        path: path.to_string(),
    }
}
