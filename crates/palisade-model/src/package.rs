//! Packages found in an image (or read from an SBOM): the inventory that
//! vulnerability matching and SBOM output work on.

use std::fmt;

use serde::Serialize;

/// The package ecosystem a package belongs to. Names follow OSV's
/// ecosystem names where OSV has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ecosystem {
    /// Debian and Ubuntu `.deb` packages (dpkg).
    Deb,
    /// Alpine and Wolfi `.apk` packages.
    Apk,
    /// RPM packages (RHEL, Fedora, Alma, Rocky, Azure Linux, SUSE).
    Rpm,
    /// Python distributions.
    PyPI,
    /// npm packages.
    Npm,
    /// Rust crates.
    Cargo,
    /// Go modules.
    Go,
    /// Java artifacts.
    Maven,
    /// Ruby gems.
    RubyGems,
    /// .NET packages.
    NuGet,
    /// PHP Composer packages.
    Packagist,
}

impl Ecosystem {
    /// The ecosystem's name as palisade prints it (OSV's spelling for the
    /// language ecosystems).
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
        }
    }

    /// Whether this is an operating-system package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl Serialize for Ecosystem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The operating system an image is built on, from `/etc/os-release`
/// (or the distribution's older release files).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsInfo {
    /// `ID`: `debian`, `ubuntu`, `alpine`, `rhel`, `azurelinux`, ...
    pub id: String,
    /// `VERSION_ID`: `12`, `22.04`, `3.20.3`, `9.4`; empty for rolling
    /// releases that do not set it.
    pub version_id: String,
    /// `PRETTY_NAME`, for display.
    pub pretty_name: String,
    /// `VERSION_CODENAME` where set (`bookworm`, `jammy`).
    pub codename: Option<String>,
    /// `ID_LIKE`, split on spaces.
    pub id_like: Vec<String>,
}

/// One package found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The package's name as its ecosystem spells it (Maven:
    /// `group:artifact`; Go: the module path).
    pub name: String,
    /// The installed version exactly as the package database records it
    /// (dpkg: `[epoch:]upstream[-revision]`; rpm: `[epoch:]version-release`).
    pub version: String,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The package URL (<https://github.com/package-url/purl-spec>).
    pub purl: String,
    /// The source package it was built from, where the database records
    /// one (dpkg `Source:`, apk `o:`, rpm `SOURCERPM`).
    pub source_name: Option<String>,
    /// The source package's version, when it differs from `version`.
    pub source_version: Option<String>,
    /// CPU architecture, where recorded.
    pub arch: Option<String>,
    /// Licenses as declared (SPDX expressions where the package gives one).
    pub licenses: Vec<String>,
    /// Digest of the layer that brought the package (the file that records
    /// it was last written there); empty for a directory source.
    pub layer: String,
    /// Path of the file that records the package, relative to the image
    /// root, `/`-separated (`var/lib/dpkg/status`,
    /// `usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA`).
    pub path: String,
}

/// Percent-encodes a purl component (name, namespace segment, version or
/// qualifier value) as the purl specification asks: everything except
/// ASCII alphanumerics and `.-_~` is encoded. `:` is kept, as the purl
/// specification allows it unencoded in versions (`1:2.3-4`).
pub fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Builds a purl: `pkg:TYPE/[NAMESPACE/]NAME@VERSION[?k=v&...]`. Namespace
/// segments are separated by `/`; qualifiers are sorted by key, and empty
/// values are dropped, as the specification's canonical form asks.
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        for seg in ns.split('/').filter(|s| !s.is_empty()) {
            out.push_str(&purl_encode(seg));
            out.push('/');
        }
    }
    out.push_str(&purl_encode(name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&purl_encode(version));
    }
    let mut quals: Vec<&(&str, &str)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    quals.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in quals.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&purl_encode(v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_the_spec_examples() {
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "curl",
                "7.50.3-1",
                &[("arch", "i386"), ("distro", "jessie")]
            ),
            "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"
        );
        assert_eq!(
            purl("npm", Some("@angular"), "animation", "12.3.1", &[]),
            "pkg:npm/%40angular/animation@12.3.1"
        );
        assert_eq!(
            purl(
                "golang",
                Some("github.com/gorilla"),
                "context",
                "v1.1.1",
                &[]
            ),
            "pkg:golang/github.com/gorilla/context@v1.1.1"
        );
        assert_eq!(
            purl(
                "rpm",
                Some("fedora"),
                "curl",
                "7.50.3-1.fc25",
                &[("arch", "i386"), ("distro", "fedora-25")]
            ),
            "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25"
        );
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "dpkg",
                "1:1.19.0.4",
                &[("epoch", "")]
            ),
            "pkg:deb/debian/dpkg@1:1.19.0.4"
        );
    }
}
