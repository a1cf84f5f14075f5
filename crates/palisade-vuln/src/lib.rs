//! Vulnerabilities for palisade: OSV advisories imported into a local
//! store, exact version comparison per ecosystem, matching of an inventory
//! against the store, CVSS scoring and VEX suppression.
//!
//! Each part lives in its own module with a small public API:
//! - [`versions`]: one comparator per versioning scheme (dpkg, rpm, apk,
//!   PEP 440, SemVer, Maven, RubyGems, NuGet), each proven against its
//!   reference implementation.
//! - [`cvss`]: CVSS v3.0, v3.1 and v4.0 vectors parsed and scored per the
//!   FIRST specifications.
//! - [`osv`], [`import`], [`store`], [`update`]: the OSV model and parser,
//!   reading sources (directories, files, `all.zip`, Alpine secdb), the
//!   local store ([`Database`]) and `palisade db update`.
//! - [`inventory_store`]: stored image inventories and match results, for
//!   registry rescans.
//! - [`matcher`]: an inventory matched against the store with OSV range
//!   semantics ([`match_packages`]).
#![forbid(unsafe_code)]

pub mod cvss;
pub mod import;
pub mod inventory_store;
pub mod matcher;
pub mod osv;
pub mod store;
pub mod update;
pub mod versions;
pub mod vex;

pub use matcher::{match_packages, MatchOptions, MatchReport, Text, VulnMatch};
pub use store::{Advisory, AffectedPackage, Database, DbError, DbStatus, SourceInfo};
