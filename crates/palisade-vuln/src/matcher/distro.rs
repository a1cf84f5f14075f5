//! Which distribution release, ecosystem family and name a package is
//! looked up under.

use palisade_model::{Ecosystem, OsInfo, Package};

use crate::versions::Scheme;

/// The OSV ecosystem family and release an operating-system package of
/// this distribution is matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistroRelease {
    /// The OSV ecosystem family (`Debian`, `Ubuntu`, `Alpine`,
    /// `AlmaLinux`, `Rocky Linux`, `Red Hat`, ...).
    pub family: &'static str,
    /// The release as OSV writes it after the family (`12`, `22.04`,
    /// `v3.20`, `9`); empty for rolling distributions without releases.
    pub release: String,
}

impl DistroRelease {
    /// The ecosystem string of the standard archive (`Debian:12`,
    /// `Ubuntu:22.04:LTS` is also accepted, see [`DistroRelease::accepts`]).
    pub fn ecosystem(&self) -> String {
        if self.release.is_empty() {
            self.family.to_string()
        } else {
            format!("{}:{}", self.family, self.release)
        }
    }

    /// Whether an advisory's OSV ecosystem is this release. Ubuntu accepts
    /// `Ubuntu:R`, `Ubuntu:R:LTS`, `Ubuntu:Pro:R` and `Ubuntu:Pro:R:LTS`
    /// (Pro entries carry the fix from the paid archive; the standard entry
    /// wins when both match), never FIPS variants. Red Hat accepts
    /// `Red Hat:enterprise_linux:MAJOR[::repository]`.
    pub fn accepts(&self, ecosystem: &str) -> bool {
        let mut parts = ecosystem.split(':');
        if parts.next() != Some(self.family) {
            return false;
        }
        let rest: Vec<&str> = parts.collect();
        match self.family {
            "Ubuntu" => {
                let rest = rest.strip_prefix(&["Pro"]).unwrap_or(&rest);
                let rest = rest.strip_suffix(&["LTS"]).unwrap_or(rest);
                rest == [self.release.as_str()]
            }
            "Red Hat" => {
                rest.first() == Some(&"enterprise_linux")
                    && rest.get(1) == Some(&self.release.as_str())
            }
            _ if self.release.is_empty() => rest.is_empty(),
            _ => rest == [self.release.as_str()],
        }
    }
}

/// The distribution release an image's OS packages are matched against,
/// from `/etc/os-release`: Debian `12` → `Debian:12`; Ubuntu `22.04` →
/// `Ubuntu:22.04`; Alpine `3.20.3` → `Alpine:v3.20`; AlmaLinux `9.4` →
/// `AlmaLinux:9`; Rocky `9.4` → `Rocky Linux:9`; RHEL `9.4` → `Red
/// Hat:enterprise_linux:9`; Azure Linux `3.0` → `Azure Linux:3`; CBL-Mariner
/// `2.0` → `Mariner:2.0`; Photon `5.0` → `Photon OS:5.0`; openSUSE Leap
/// `15.5` → `openSUSE:Leap 15.5`; Wolfi → `Wolfi`; Chainguard →
/// `Chainguard`. `None` for a distribution without OSV data, or a release
/// that does not say its version (Debian testing).
pub fn distro_release(os: &OsInfo) -> Option<DistroRelease> {
    let v = os.version_id.trim();
    let major = v.split('.').next().unwrap_or("");
    let major_minor = || {
        let mut it = v.split('.');
        match (it.next(), it.next()) {
            (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => Some(format!("{a}.{b}")),
            _ => None,
        }
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (family, release) = match os.id.as_str() {
        "debian" if numeric(major) => ("Debian", major.to_string()),
        "ubuntu" => ("Ubuntu", major_minor()?),
        "alpine" => ("Alpine", format!("v{}", major_minor()?)),
        "almalinux" if numeric(major) => ("AlmaLinux", major.to_string()),
        "rocky" if numeric(major) => ("Rocky Linux", major.to_string()),
        "rhel" if numeric(major) => ("Red Hat", major.to_string()),
        "azurelinux" if numeric(major) => ("Azure Linux", major.to_string()),
        "mariner" => ("Mariner", major_minor()?),
        "photon" => ("Photon OS", major_minor()?),
        "opensuse-leap" => ("openSUSE", format!("Leap {}", major_minor()?)),
        "wolfi" => ("Wolfi", String::new()),
        "chainguard" => ("Chainguard", String::new()),
        _ => return None,
    };
    Some(DistroRelease { family, release })
}

/// Whether the package's ecosystem is served by this distribution's data.
fn distro_serves(release: &DistroRelease, ecosystem: Ecosystem) -> bool {
    let scheme = Scheme::for_ecosystem(release.family);
    scheme == Some(Scheme::for_model_ecosystem(ecosystem))
}

/// What one package is looked up as: OSV family, name and version.
pub(super) struct Lookup<'a> {
    pub(super) family: &'static str,
    pub(super) name: &'a str,
    pub(super) version: &'a str,
    pub(super) release: Option<&'a DistroRelease>,
    pub(super) scheme: Scheme,
}

pub(super) fn lookup_of<'a>(
    pkg: &'a Package,
    release: Option<&'a DistroRelease>,
) -> Result<Lookup<'a>, String> {
    let scheme = Scheme::for_package(pkg);
    let lang = |family| {
        Ok(Lookup {
            family,
            name: &pkg.name,
            version: &pkg.version,
            release: None,
            scheme,
        })
    };
    match pkg.ecosystem {
        Ecosystem::PyPI => lang("PyPI"),
        Ecosystem::Npm => lang("npm"),
        Ecosystem::Cargo => lang("crates.io"),
        Ecosystem::Go => lang("Go"),
        Ecosystem::Maven => lang("Maven"),
        Ecosystem::RubyGems => lang("RubyGems"),
        Ecosystem::NuGet => lang("NuGet"),
        Ecosystem::Packagist => lang("Packagist"),
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            let Some(release) = release else {
                return Err(format!(
                    "{} package {} {}: the image's distribution release is unknown or has no \
                     advisory data, so OS packages are not matched",
                    pkg.ecosystem, pkg.name, pkg.version
                ));
            };
            if !distro_serves(release, pkg.ecosystem) {
                return Err(format!(
                    "{} package {} {}: {} advisories cover another package type",
                    pkg.ecosystem, pkg.name, pkg.version, release.family
                ));
            }
            let by_source = matches!(pkg.ecosystem, Ecosystem::Deb | Ecosystem::Apk);
            let (name, version) = match (&pkg.source_name, by_source) {
                (Some(src), true) if !src.is_empty() => (
                    src.as_str(),
                    pkg.source_version.as_deref().unwrap_or(&pkg.version),
                ),
                _ => (pkg.name.as_str(), pkg.version.as_str()),
            };
            Ok(Lookup {
                family: release.family,
                name,
                version,
                release: Some(release),
                scheme,
            })
        }
    }
}
