//! What every reader produces before it becomes palisade packages: one
//! [`Raw`] per component, and the mapping from those to
//! [`Package`]s, shared by all formats.

use std::collections::BTreeMap;

use palisade_model::{purl as make_purl, Ecosystem, OsInfo, Package};
use serde::Deserialize;

use crate::purl::Purl;
use crate::{Sbom, SbomError, SbomFormat, Subject};

/// Notes listing names keep at most this many.
const NOTE_NAMES: usize = 5;

/// One component (CycloneDX) or package (SPDX), in format-neutral terms.
#[derive(Debug, Default, Clone)]
pub(crate) struct Raw {
    /// Where it is in the document, for notes (`components[3]`).
    pub place: String,
    /// CycloneDX `type`, or SPDX `primaryPackagePurpose`, lower-case with
    /// `_` as `-` (`library`, `operating-system`).
    pub kind: String,
    pub name: String,
    /// CycloneDX `group`.
    pub group: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub description: Option<String>,
    pub licenses: Vec<String>,
    /// CycloneDX properties; SPDX annotations of the form `Key: value`
    /// (Trivy's) as (`aquasecurity:trivy:Key`, value).
    pub props: Vec<(String, String)>,
    /// SPDX `sourceInfo`.
    pub source_info: Option<String>,
}

impl Raw {
    fn prop(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Everything a reader found, before mapping.
pub(crate) struct Found {
    pub format: SbomFormat,
    pub spec_version: String,
    pub subject: Option<Raw>,
    pub components: Vec<Raw>,
    pub notes: Vec<String>,
}

/// A JSON parse error, with serde_json's line and column.
pub(crate) fn json_error(file: &str, e: &serde_json::Error) -> SbomError {
    let mut message = e.to_string();
    // serde_json appends " at line L column C"; the variant says it.
    if let Some(i) = message.rfind(" at line ") {
        message.truncate(i);
    }
    if e.is_eof() {
        message.push_str(" (the document is truncated)");
    }
    SbomError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message,
    }
}

#[derive(Deserialize)]
struct ProbeDoc {
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde::de::IgnoredAny>,
    #[serde(rename = "specVersion")]
    spec_version: Option<serde::de::IgnoredAny>,
    #[serde(rename = "spdxVersion")]
    spdx_version: Option<serde::de::IgnoredAny>,
    #[serde(rename = "@context")]
    context: Option<serde::de::IgnoredAny>,
}

pub(crate) struct Probe {
    pub is_cyclonedx: bool,
    pub is_spdx: bool,
    pub is_spdx3: bool,
}

/// Which JSON format a document is, from its top-level keys (the whole
/// document is checked to be well-formed JSON on the way).
pub(crate) fn probe_json(bytes: &[u8], file: &str) -> Result<Probe, SbomError> {
    let p: ProbeDoc = serde_json::from_slice(bytes).map_err(|e| json_error(file, &e))?;
    Ok(Probe {
        is_cyclonedx: p.bom_format.is_some()
            || (p.spec_version.is_some() && p.spdx_version.is_none()),
        is_spdx: p.spdx_version.is_some(),
        is_spdx3: p.context.is_some(),
    })
}

/// The palisade ecosystem of a purl type.
pub(crate) fn ecosystem_of_type(ty: &str) -> Option<Ecosystem> {
    Some(match ty {
        "deb" => Ecosystem::Deb,
        "apk" => Ecosystem::Apk,
        "rpm" => Ecosystem::Rpm,
        "pypi" => Ecosystem::PyPI,
        "npm" => Ecosystem::Npm,
        "cargo" => Ecosystem::Cargo,
        "golang" => Ecosystem::Go,
        "maven" => Ecosystem::Maven,
        "gem" => Ecosystem::RubyGems,
        "nuget" => Ecosystem::NuGet,
        "composer" => Ecosystem::Packagist,
        _ => return None,
    })
}

/// The purl type palisade writes for an ecosystem.
fn type_of(e: Ecosystem) -> &'static str {
    match e {
        Ecosystem::Deb => "deb",
        Ecosystem::Apk => "apk",
        Ecosystem::Rpm => "rpm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::Npm => "npm",
        Ecosystem::Cargo => "cargo",
        Ecosystem::Go => "golang",
        Ecosystem::Maven => "maven",
        Ecosystem::RubyGems => "gem",
        Ecosystem::NuGet => "nuget",
        Ecosystem::Packagist => "composer",
    }
}

/// An ecosystem named by palisade's `palisade:ecosystem` property (its
/// printed name) or Trivy's `aquasecurity:trivy:PkgType`.
fn ecosystem_named(s: &str) -> Option<Ecosystem> {
    Some(match s {
        "deb" | "debian" | "ubuntu" => Ecosystem::Deb,
        "apk" | "alpine" | "wolfi" | "chainguard" => Ecosystem::Apk,
        "rpm" | "redhat" | "centos" | "rocky" | "alma" | "amazon" | "oracle" | "fedora"
        | "photon" | "suse" | "opensuse" | "opensuse.leap" | "sles" | "azurelinux"
        | "cbl-mariner" => Ecosystem::Rpm,
        "PyPI" | "pypi" | "python-pkg" | "pip" | "pipenv" | "poetry" | "uv" => Ecosystem::PyPI,
        "npm" | "node-pkg" | "yarn" | "pnpm" | "bun" => Ecosystem::Npm,
        "crates.io" | "cargo" | "rust-binary" => Ecosystem::Cargo,
        "Go" | "gomod" | "gobinary" => Ecosystem::Go,
        "Maven" | "jar" | "pom" | "gradle" | "sbt" => Ecosystem::Maven,
        "RubyGems" | "gemspec" | "bundler" => Ecosystem::RubyGems,
        "NuGet" | "nuget" | "dotnet-core" | "packages-props" => Ecosystem::NuGet,
        "Packagist" | "composer" | "composer-vendor" => Ecosystem::Packagist,
        _ => return None,
    })
}

/// The full package name a purl spells, in palisade's form: Maven
/// `group:artifact`, npm `@scope/name`, Go and Composer `namespace/name`.
fn purl_full_name(p: &Purl, eco: Ecosystem) -> String {
    match (&p.namespace, eco) {
        (Some(ns), Ecosystem::Maven) => format!("{ns}:{}", p.name),
        (Some(ns), Ecosystem::Npm | Ecosystem::Go | Ecosystem::Packagist) => {
            format!("{ns}/{}", p.name)
        }
        _ => p.name.clone(),
    }
}

/// The full name the document gives (CycloneDX `group` joined to `name`).
fn doc_full_name(r: &Raw, eco: Ecosystem) -> String {
    match r.group.as_deref().filter(|g| !g.is_empty()) {
        Some(g) if !r.name.starts_with(g) => match eco {
            Ecosystem::Maven => format!("{g}:{}", r.name),
            _ => format!("{g}/{}", r.name),
        },
        _ => r.name.clone(),
    }
}

/// Names compared the way the ecosystem compares them.
fn same_name(a: &str, b: &str, eco: Ecosystem) -> bool {
    match eco {
        Ecosystem::PyPI => {
            let n = |s: &str| -> String {
                s.to_lowercase()
                    .chars()
                    .map(|c| if c == '_' || c == '.' { '-' } else { c })
                    .collect()
            };
            n(a) == n(b)
        }
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Packagist => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

/// A source package from a purl `upstream` qualifier: `name`,
/// `name@version`, or for rpm a source rpm file name
/// (`openssl-3.0.7-27.el9.src.rpm`).
fn upstream(q: &str, eco: Ecosystem) -> (String, Option<String>) {
    if let Some((n, v)) = q.split_once('@') {
        return (n.to_string(), Some(v.to_string()).filter(|v| !v.is_empty()));
    }
    if eco == Ecosystem::Rpm {
        if let Some(stem) = q.strip_suffix(".src.rpm") {
            let mut parts = stem.rsplitn(3, '-');
            if let (Some(rel), Some(ver), Some(name)) = (parts.next(), parts.next(), parts.next()) {
                return (name.to_string(), Some(format!("{ver}-{rel}")));
            }
        }
    }
    (q.to_string(), None)
}

/// `built package from: NAME VERSION` (Trivy) or `built from source
/// package NAME VERSION` (palisade) in an SPDX `sourceInfo`.
fn source_from_info(info: &str) -> Option<(String, Option<String>)> {
    for part in info.split(';') {
        let part = part.trim();
        let Some(rest) = part
            .strip_prefix("built package from:")
            .or_else(|| part.strip_prefix("built from source package"))
        else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let name = words.next()?.to_string();
        return Some((name, words.next().map(str::to_string)));
    }
    None
}

/// palisade's `recorded in PATH of layer DIGEST`, or Syft's `acquired
/// package info from KIND: PATH[, PATH...]`, in an SPDX `sourceInfo`.
fn place_from_info(info: &str) -> (Option<String>, Option<String>) {
    if let Some(rest) = info.trim().strip_prefix("acquired package info from ") {
        let path = rest
            .split_once(": ")
            .and_then(|(_, paths)| paths.split(", ").next())
            .map(|p| p.trim().trim_start_matches('/').to_string())
            .filter(|p| !p.is_empty());
        return (path, None);
    }
    for part in info.split(';') {
        if let Some(rest) = part.trim().strip_prefix("recorded in ") {
            return match rest.rsplit_once(" of layer ") {
                Some((p, l)) => (Some(p.to_string()), Some(l.to_string())),
                None => (Some(rest.to_string()), None),
            };
        }
    }
    (None, None)
}

/// Trivy's source version: `[SrcEpoch:]SrcVersion[-SrcRelease]`.
fn trivy_source_version(r: &Raw) -> Option<String> {
    let v = r.prop("aquasecurity:trivy:SrcVersion")?;
    let mut s = String::new();
    if let Some(e) = r.prop("aquasecurity:trivy:SrcEpoch").filter(|e| *e != "0") {
        s.push_str(e);
        s.push(':');
    }
    s.push_str(v);
    if let Some(rel) = r.prop("aquasecurity:trivy:SrcRelease") {
        s.push('-');
        s.push_str(rel);
    }
    Some(s)
}

/// Why a component gave no package, for the notes.
enum Skip {
    NoEcosystem,
    OtherType(String),
    BadPurl(String),
    NoVersion,
}

fn to_package(r: &Raw) -> Result<Package, Skip> {
    let parsed = match r.purl.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => Some(Purl::parse(text).map_err(|e| Skip::BadPurl(e.to_string()))?),
        None => None,
    };
    let (eco, purl_name) = match &parsed {
        Some(p) => {
            let eco = ecosystem_of_type(&p.ty).ok_or_else(|| Skip::OtherType(p.ty.clone()))?;
            (eco, Some(purl_full_name(p, eco)))
        }
        None => {
            let eco = r
                .prop("palisade:ecosystem")
                .or_else(|| r.prop("aquasecurity:trivy:PkgType"))
                .and_then(ecosystem_named)
                .ok_or(Skip::NoEcosystem)?;
            (eco, None)
        }
    };
    let doc_name = doc_full_name(r, eco);
    let name = match purl_name {
        Some(pn) if doc_name.is_empty() || !same_name(&doc_name, &pn, eco) => pn,
        _ => doc_name,
    };
    if name.is_empty() {
        return Err(Skip::NoEcosystem);
    }
    let mut version = match parsed.as_ref().and_then(|p| p.version.clone()) {
        Some(v) => v,
        None => r.version.clone().unwrap_or_default(),
    };
    if version.is_empty() {
        return Err(Skip::NoVersion);
    }
    if matches!(eco, Ecosystem::Deb | Ecosystem::Rpm) && !version.contains(':') {
        if let Some(epoch) = parsed
            .as_ref()
            .and_then(|p| p.qualifier("epoch"))
            .filter(|e| *e != "0" && e.bytes().all(|b| b.is_ascii_digit()))
        {
            version = format!("{epoch}:{version}");
        }
    }
    let purl = match (&parsed, r.purl.as_deref()) {
        (Some(_), Some(text)) => text.trim().to_string(),
        _ => make_purl(type_of(eco), None, &name, &version, &[]),
    };

    // Source package.
    let source: Option<(String, Option<String>)> = if let Some(n) = r.prop("palisade:source:name") {
        Some((
            n.to_string(),
            r.prop("palisade:source:version").map(str::to_string),
        ))
    } else if let Some(n) = r.prop("aquasecurity:trivy:SrcName") {
        Some((n.to_string(), trivy_source_version(r)))
    } else if let Some(n) = r.prop("syft:metadata:originPackage") {
        // Syft's apk origin; its version is the package's own.
        Some((n.to_string(), None))
    } else {
        // SPDX `sourceInfo` and the purl's `upstream` qualifier; the
        // qualifier often names the source package without its version.
        let info = r.source_info.as_deref().and_then(source_from_info);
        let up = parsed
            .as_ref()
            .and_then(|p| p.qualifier("upstream"))
            .map(|q| upstream(q, eco));
        match (info, up) {
            (Some((n, v)), Some((un, uv))) if n == un => Some((n, v.or(uv))),
            (Some(i), _) => Some(i),
            (None, u) => u,
        }
    };
    let from_palisade = r.prop("palisade:source:name").is_some();
    let (source_name, source_version) = match source {
        Some((n, v)) if from_palisade => (Some(n), v),
        Some((n, v)) => {
            let v = v.filter(|v| *v != version);
            if n == name && v.is_none() {
                (None, None)
            } else {
                (Some(n), v)
            }
        }
        None => (None, None),
    };

    let arch = parsed
        .as_ref()
        .and_then(|p| p.qualifier("arch"))
        .or_else(|| r.prop("palisade:arch"))
        .map(str::to_string);
    let (info_path, info_layer) = r
        .source_info
        .as_deref()
        .map(place_from_info)
        .unwrap_or((None, None));
    let layer = r
        .prop("palisade:layer:digest")
        .or_else(|| r.prop("aquasecurity:trivy:LayerDigest"))
        .or_else(|| r.prop("syft:location:0:layerID"))
        .map(str::to_string)
        .or(info_layer)
        .unwrap_or_default();
    let path = r
        .prop("palisade:path")
        .or_else(|| r.prop("aquasecurity:trivy:FilePath"))
        .or_else(|| r.prop("syft:location:0:path"))
        .map(|p| p.trim_start_matches('/').to_string())
        .or(info_path)
        .or_else(|| r.prop("spdx:contains:file").map(str::to_string))
        .unwrap_or_default();
    Ok(Package {
        name,
        version,
        ecosystem: eco,
        purl,
        source_name,
        source_version,
        arch,
        licenses: r.licenses.clone(),
        layer,
        path,
    })
}

fn os_from(r: &Raw) -> OsInfo {
    let id = r.name.trim().to_lowercase();
    let version_id = r.version.clone().unwrap_or_default();
    let pretty_name = r
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| format!("{} {}", r.name, version_id).trim().to_string());
    OsInfo {
        id,
        version_id,
        pretty_name,
        codename: None,
        id_like: Vec::new(),
    }
}

/// The OS the OS packages' purls name (`pkg:deb/debian/x@1?distro=debian-12`),
/// when they all name the same one.
fn os_from_purls(components: &[Raw]) -> Option<OsInfo> {
    let mut seen: Option<(String, String)> = None;
    for r in components {
        let Some(p) = r.purl.as_deref().and_then(|t| Purl::parse(t).ok()) else {
            continue;
        };
        if !matches!(p.ty.as_str(), "deb" | "rpm" | "apk") {
            continue;
        }
        let (Some(ns), Some(distro)) = (p.namespace.clone(), p.qualifier("distro")) else {
            continue;
        };
        let this = (ns, distro.to_string());
        match &seen {
            None => seen = Some(this),
            Some(s) if *s == this => {}
            Some(_) => return None,
        }
    }
    let (ns, distro) = seen?;
    let rest = distro
        .strip_prefix(&format!("{ns}-"))
        .unwrap_or(&distro)
        .to_string();
    let numeric = rest.starts_with(|c: char| c.is_ascii_digit());
    Some(OsInfo {
        id: ns.clone(),
        version_id: if numeric { rest.clone() } else { String::new() },
        pretty_name: format!("{ns} {rest}"),
        codename: if numeric { None } else { Some(rest) },
        id_like: Vec::new(),
    })
}

/// The digest in a subject: its version when that is a digest, or the
/// version of its `pkg:oci`/`pkg:docker` purl.
fn subject_from(r: &Raw) -> Subject {
    let is_digest = |v: &str| v.starts_with("sha256:") || v.starts_with("sha512:");
    let mut digest = r.version.clone().filter(|v| is_digest(v));
    if digest.is_none() {
        digest = r
            .purl
            .as_deref()
            .and_then(|t| Purl::parse(t).ok())
            .and_then(|p| p.version)
            .filter(|v| is_digest(v));
    }
    if digest.is_none() {
        digest = r
            .prop("aquasecurity:trivy:RepoDigest")
            .and_then(|d| d.rsplit_once('@'))
            .map(|(_, d)| d.to_string());
    }
    Subject {
        name: r.name.clone(),
        digest,
        purl: r.purl.clone(),
    }
}

fn push_names(notes: &mut Vec<String>, what: &str, names: &[String]) {
    if names.is_empty() {
        return;
    }
    let shown: Vec<&str> = names.iter().take(NOTE_NAMES).map(String::as_str).collect();
    let more = if names.len() > NOTE_NAMES {
        format!(", and {} more", names.len() - NOTE_NAMES)
    } else {
        String::new()
    };
    notes.push(format!(
        "{} {what}: {}{more}",
        names.len(),
        shown.join(", ")
    ));
}

/// Maps what a reader found to an [`Sbom`].
pub(crate) fn finish(found: Found) -> Sbom {
    let Found {
        format,
        spec_version,
        subject,
        components,
        mut notes,
    } = found;
    let mut os = None;
    let mut packages = Vec::with_capacity(components.len());
    let mut no_eco = Vec::new();
    let mut other: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bad = Vec::new();
    let mut no_version = Vec::new();
    let mut files = 0usize;
    for r in &components {
        match r.kind.as_str() {
            "operating-system" => {
                if os.is_none() {
                    os = Some(os_from(r));
                }
                continue;
            }
            "container" if r.purl.is_none() => continue,
            // Files (Syft lists each it looked at) are not packages.
            "file" if r.purl.is_none() => {
                files += 1;
                continue;
            }
            _ => {}
        }
        let label = if r.name.is_empty() {
            r.place.clone()
        } else {
            r.name.clone()
        };
        match to_package(r) {
            Ok(p) => packages.push(p),
            Err(Skip::NoEcosystem) => no_eco.push(label),
            Err(Skip::OtherType(t)) => other.entry(t).or_default().push(label),
            Err(Skip::BadPurl(e)) => bad.push(format!("{} ({e})", r.place)),
            Err(Skip::NoVersion) => no_version.push(label),
        }
    }
    if os.is_none() {
        os = os_from_purls(&components);
        if let Some(o) = &os {
            notes.push(format!(
                "the operating system ({}) is taken from the OS packages' purl `distro` qualifier",
                o.pretty_name
            ));
        }
    }
    push_names(
        &mut notes,
        "components skipped: no purl and no known ecosystem",
        &no_eco,
    );
    for (ty, names) in &other {
        push_names(
            &mut notes,
            &format!(
                "components skipped: purl type `{ty}` is not a package ecosystem palisade matches"
            ),
            names,
        );
    }
    push_names(&mut notes, "components skipped: invalid purl", &bad);
    if files > 0 {
        notes.push(format!(
            "{files} file components ignored (files, not packages)"
        ));
    }
    push_names(&mut notes, "components skipped: no version", &no_version);
    Sbom {
        format,
        spec_version,
        subject: subject.as_ref().map(subject_from),
        os,
        packages,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_qualifiers() {
        assert_eq!(
            upstream("openssl@3.0.11-1", Ecosystem::Deb),
            ("openssl".into(), Some("3.0.11-1".into()))
        );
        assert_eq!(
            upstream("openssl-3.0.7-27.el9.src.rpm", Ecosystem::Rpm),
            ("openssl".into(), Some("3.0.7-27.el9".into()))
        );
        assert_eq!(upstream("zlib", Ecosystem::Apk), ("zlib".into(), None));
    }

    #[test]
    fn source_info_forms() {
        assert_eq!(
            source_from_info("built package from: kmod 30+20221128-1"),
            Some(("kmod".into(), Some("30+20221128-1".into())))
        );
        assert_eq!(
            source_from_info(
                "recorded in var/lib/dpkg/status of layer sha256:ab; built from source package openssl 3.0.11-1~deb12u2"
            ),
            Some(("openssl".into(), Some("3.0.11-1~deb12u2".into())))
        );
        assert_eq!(
            place_from_info("recorded in var/lib/dpkg/status of layer sha256:ab"),
            (Some("var/lib/dpkg/status".into()), Some("sha256:ab".into()))
        );
    }
}
