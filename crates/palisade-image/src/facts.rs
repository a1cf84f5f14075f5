//! From what a scan learnt ([`ImageInventory`]) to what the image rules
//! judge ([`ImageFacts`]): the config fields they read, the layers with
//! their build steps, and the files of interest in the merged tree
//! (set-id binaries, world-writable paths, package manager caches) and in
//! any layer (secrets).

use std::collections::BTreeMap;

use palisade_model::{
    CacheFacts, ConfigFacts, FileFacts, ImageFacts, ImageRef, LayerFacts, ReferenceKind,
    SecretFacts,
};

use crate::checks::secrets;
use crate::layer::{Entry, EntryKind};
use crate::scan::ImageInventory;

/// Paths whose world-writable entries are expected: temporary directories
/// and virtual file systems a runtime mounts over.
const SCRATCH_PATHS: &[&str] = &[
    "tmp", "var/tmp", "dev", "proc", "sys", "run", "var/run", "var/lock", "run/lock",
];

/// Builds the facts the image rules read. `reference` is how the user named
/// the image; `kind` how that reference names it (see [`reference_kind`]).
pub fn image_facts(inv: &ImageInventory, reference: &str, kind: ReferenceKind) -> ImageFacts {
    let config = (!inv.config.digest.is_empty()).then(|| ConfigFacts {
        user: inv.config.user.clone(),
        exposed_ports: inv.config.exposed_ports.clone(),
        env: inv.config.env.clone(),
        healthcheck: inv.config.healthcheck.clone(),
        created: inv.config.created.clone(),
    });
    // Docker and buildkit write one history entry per step, with
    // `empty_layer` on steps that made no layer; the rest match the layers
    // in order. When the counts disagree the mapping is unknown.
    let steps: Vec<Option<String>> = inv
        .config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone())
        .collect();
    let steps_match = steps.len() == inv.layers.len();
    let layers = inv
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| LayerFacts {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            digest: l.digest.clone(),
            created_by: if steps_match {
                steps.get(i).cloned().flatten()
            } else {
                None
            },
        })
        .collect();

    let mut setid_files = Vec::new();
    let mut world_writable = Vec::new();
    let mut caches: BTreeMap<String, CacheFacts> = BTreeMap::new();
    for entry in inv.tree.iter() {
        let is_file = entry.kind == EntryKind::File;
        let is_dir = entry.kind == EntryKind::Dir;
        if is_file && entry.mode & 0o6000 != 0 {
            setid_files.push(file_facts(entry));
        }
        if (is_file || (is_dir && entry.mode & 0o1000 == 0))
            && entry.mode & 0o002 != 0
            && !under_any(&entry.path, SCRATCH_PATHS)
        {
            world_writable.push(file_facts(entry));
        }
        if is_file && entry.size > 0 {
            if let Some((manager, dir)) = cache_of(&entry.path) {
                let c = caches.entry(dir.to_string()).or_insert_with(|| CacheFacts {
                    path: dir.to_string(),
                    manager: manager.to_string(),
                    ..CacheFacts::default()
                });
                c.files += 1;
                c.bytes = c.bytes.saturating_add(entry.size);
                c.layer = c.layer.max(entry.layer);
            }
        }
    }

    let mut secrets_found: Vec<SecretFacts> = inv
        .hits
        .iter()
        .filter_map(|hit| {
            let s = secrets::decode(hit)?;
            Some(SecretFacts {
                path: hit.path.clone(),
                line: hit.line,
                layer: hit.layer,
                hidden: hit.hidden,
                detector: s.detector,
                description: s.description,
                high_confidence: s.high_confidence,
                redacted: s.redacted,
            })
        })
        .collect();
    secrets_found.sort_by(|a, b| (a.layer, &a.path, a.line).cmp(&(b.layer, &b.path, b.line)));

    ImageFacts {
        reference: reference.to_string(),
        reference_kind: kind,
        manifest_digest: inv.manifest_digest.clone(),
        config,
        layers,
        os: inv.os.clone(),
        setid_files,
        world_writable,
        package_caches: caches.into_values().collect(),
        secrets: secrets_found,
    }
}

/// How a source reference names its image, for the tag rule:
/// `dir:PATH` has no tags; `oci:DIR[:tag]`, `oci-archive:FILE[:tag]` and
/// `docker-archive:FILE[:ref]` take the tag after the last `:` that follows
/// the last `/`; anything else is read as a registry reference
/// (`app`, `app:1.2`, `registry/app@sha256:...`).
pub fn reference_kind(reference: &str) -> ReferenceKind {
    if reference.starts_with("dir:") {
        return ReferenceKind::Untagged;
    }
    for scheme in ["oci:", "oci-archive:"] {
        if let Some(rest) = reference.strip_prefix(scheme) {
            let last = rest.rsplit('/').next().unwrap_or(rest);
            let tag = last
                .rsplit_once(':')
                .map(|(_, t)| t.to_string())
                .filter(|t| !t.is_empty());
            return ReferenceKind::Tagged { tag, digest: None };
        }
    }
    if let Some(rest) = reference.strip_prefix("docker-archive:") {
        let last = rest.rsplit('/').next().unwrap_or(rest);
        let named = last.split_once(':').map(|(_, r)| r);
        return match named.and_then(|r| ImageRef::parse(r).ok()) {
            Some(r) => ReferenceKind::Tagged {
                tag: r.tag().map(str::to_string),
                digest: r.digest().map(str::to_string),
            },
            // The archive's own tag decides; the reference pins nothing.
            None => ReferenceKind::Tagged {
                tag: None,
                digest: None,
            },
        };
    }
    let text = reference.strip_prefix("docker://").unwrap_or(reference);
    match ImageRef::parse(text) {
        Ok(r) => ReferenceKind::Tagged {
            tag: r.tag().map(str::to_string),
            digest: r.digest().map(str::to_string),
        },
        Err(_) => ReferenceKind::Tagged {
            tag: None,
            digest: None,
        },
    }
}

fn file_facts(entry: &Entry) -> FileFacts {
    FileFacts {
        path: entry.path.clone(),
        mode: entry.mode & 0o7777,
        dir: entry.kind == EntryKind::Dir,
        uid: entry.uid,
        layer: entry.layer,
    }
}

fn under_any(path: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// Fixed cache directories, by package manager.
const CACHE_DIRS: &[(&str, &str)] = &[
    ("apt", "var/lib/apt/lists"),
    ("apt", "var/cache/apt"),
    ("apk", "var/cache/apk"),
    ("apk", "etc/apk/cache"),
    ("yum", "var/cache/yum"),
    ("dnf", "var/cache/dnf"),
    ("zypper", "var/cache/zypp"),
    ("pip", "root/.cache/pip"),
    ("npm", "root/.npm/_cacache"),
    ("yarn", "root/.cache/yarn"),
    ("yarn", "usr/local/share/.cache/yarn"),
];

/// Cache directories under each home directory (`home/<user>/...`).
const HOME_CACHE_DIRS: &[(&str, &str)] = &[
    ("pip", ".cache/pip"),
    ("npm", ".npm/_cacache"),
    ("yarn", ".cache/yarn"),
];

/// The cache a file belongs to: `(manager, cache directory)`. Lock files
/// and the `partial` download directories that package managers keep in
/// an emptied cache do not count.
fn cache_of(path: &str) -> Option<(&'static str, &str)> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == "lock" || path.contains("/partial/") {
        return None;
    }
    for (manager, dir) in CACHE_DIRS {
        if path.strip_prefix(dir).is_some_and(|r| r.starts_with('/')) {
            return Some((manager, dir));
        }
    }
    let rest = path.strip_prefix("home/")?;
    let user_end = rest.find('/')?;
    let after_user = rest.get(user_end + 1..)?;
    for (manager, dir) in HOME_CACHE_DIRS {
        if after_user
            .strip_prefix(dir)
            .is_some_and(|r| r.starts_with('/'))
        {
            let len = "home/".len() + user_end + 1 + dir.len();
            return Some((manager, path.get(..len)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_are_grouped_by_directory() {
        assert_eq!(
            cache_of("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease"),
            Some(("apt", "var/lib/apt/lists"))
        );
        assert_eq!(cache_of("var/lib/apt/lists/lock"), None);
        assert_eq!(cache_of("var/cache/apt/archives/partial/x.deb"), None);
        assert_eq!(
            cache_of("home/app/.cache/pip/http/a/b"),
            Some(("pip", "home/app/.cache/pip"))
        );
        assert_eq!(cache_of("var/cache/aptitude/x"), None);
        assert_eq!(cache_of("home/app/.cache/pipx/x"), None);
        assert_eq!(cache_of("var/lib/apt/listsx/y"), None);
    }

    #[test]
    fn scratch_paths() {
        assert!(under_any("tmp", SCRATCH_PATHS));
        assert!(under_any("var/tmp/x", SCRATCH_PATHS));
        assert!(!under_any("tmpfoo", SCRATCH_PATHS));
        assert!(!under_any("usr/tmp", SCRATCH_PATHS));
    }

    #[test]
    fn reference_kinds() {
        let tagged = |t: Option<&str>, d: Option<&str>| ReferenceKind::Tagged {
            tag: t.map(str::to_string),
            digest: d.map(str::to_string),
        };
        assert_eq!(reference_kind("dir:/x"), ReferenceKind::Untagged);
        assert_eq!(
            reference_kind("oci:build/lay:1.0"),
            tagged(Some("1.0"), None)
        );
        assert_eq!(reference_kind("oci:/a:b/lay"), tagged(None, None));
        assert_eq!(
            reference_kind("oci:lay:latest"),
            tagged(Some("latest"), None)
        );
        assert_eq!(reference_kind("nginx"), tagged(None, None));
        assert_eq!(reference_kind("nginx:1.27"), tagged(Some("1.27"), None));
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            reference_kind(&format!("registry.local:5000/app@{d}")),
            tagged(None, Some(&d))
        );
        assert_eq!(
            reference_kind("docker-archive:/tmp/a.tar:app:2"),
            tagged(Some("2"), None)
        );
        assert_eq!(
            reference_kind("docker-archive:/tmp/a.tar"),
            tagged(None, None)
        );
    }
}
