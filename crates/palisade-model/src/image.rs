//! What the image checks know about one container image: a pure summary of
//! its config, its layers and the files of interest, built by
//! `palisade-image` and judged by the `PAL-IMG` rules of `palisade-rules`.
//! Nothing here reads an image; nothing here knows a rule.

use crate::OsInfo;

/// The resource kind of image findings (`Finding::resource.kind`).
pub const IMAGE_KIND: &str = "Image";

/// The separator between an image reference and a path inside the image in
/// a finding's file (`oci:build/app:1!/etc/shadow`), as in `jar:` URLs.
pub const IMAGE_PATH_SEPARATOR: &str = "!/";

/// The place of a file inside an image, as findings name it:
/// `REF!/path` (see [`IMAGE_PATH_SEPARATOR`]).
pub fn image_file(reference: &str, path: &str) -> String {
    format!(
        "{reference}{IMAGE_PATH_SEPARATOR}{}",
        path.trim_start_matches('/')
    )
}

/// Facts about one image. Built once per scan; every `PAL-IMG` rule reads
/// only this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFacts {
    /// The reference as the user gave it (`oci:build/layout:1`,
    /// `registry.example/app:1.2`, `dir:rootfs`).
    pub reference: String,
    /// How the reference names the image, for the tag rule.
    pub reference_kind: ReferenceKind,
    /// Digest of the image manifest, when the source has one.
    pub manifest_digest: Option<String>,
    /// The image config, when the source has one (`None` for `dir:`).
    pub config: Option<ConfigFacts>,
    /// The layers, bottom first.
    pub layers: Vec<LayerFacts>,
    /// The operating system the final image reports (`/etc/os-release`).
    pub os: Option<OsInfo>,
    /// Visible regular files with the setuid or setgid bit, by path.
    pub setid_files: Vec<FileFacts>,
    /// Visible world-writable files and directories (directories only
    /// without the sticky bit) outside temporary and virtual paths, by path.
    pub world_writable: Vec<FileFacts>,
    /// Package manager caches left in the final image, by path.
    pub package_caches: Vec<CacheFacts>,
    /// Credentials found in files of any layer, deleted ones included.
    pub secrets: Vec<SecretFacts>,
}

/// How an image reference names its image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ReferenceKind {
    /// A source with tags (a registry reference, an OCI layout, an archive).
    Tagged {
        /// The tag, when the reference gives one.
        tag: Option<String>,
        /// The digest, when the reference pins one (`@sha256:...`).
        digest: Option<String>,
    },
    /// A source without tags (a root filesystem directory).
    #[default]
    Untagged,
}

/// What the image config says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFacts {
    /// `User`; `None` when empty or absent.
    pub user: Option<String>,
    /// `ExposedPorts` keys (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// `Env` entries (`NAME=value`).
    pub env: Vec<String>,
    /// `Healthcheck.Test`: `None` when absent; `["NONE"]` when disabled.
    pub healthcheck: Option<Vec<String>>,
    /// `created` as written.
    pub created: Option<String>,
}

/// One layer of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerFacts {
    /// Position, 0 for the bottom layer.
    pub index: u32,
    /// The layer blob's digest (empty for a directory source).
    pub digest: String,
    /// The build step that made the layer (`history[].created_by` of the
    /// matching non-empty history entry), when the config records one.
    pub created_by: Option<String>,
}

/// One file of the final image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileFacts {
    /// Path relative to the image root (`usr/bin/passwd`).
    pub path: String,
    /// Permission bits with set-id and sticky bits (`0o7777`).
    pub mode: u32,
    /// Whether the entry is a directory.
    pub dir: bool,
    /// Owner.
    pub uid: u64,
    /// Index of the layer that wrote it.
    pub layer: u32,
}

/// A package manager cache left in the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheFacts {
    /// The cache directory (`var/lib/apt/lists`).
    pub path: String,
    /// Which package manager (`apt`, `apk`, `pip`...).
    pub manager: String,
    /// Regular files in it.
    pub files: u64,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The layer that wrote the most recent of those files.
    pub layer: u32,
}

/// A credential found in a file of some layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretFacts {
    /// Path relative to the image root.
    pub path: String,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// Index of the layer holding the file.
    pub layer: u32,
    /// The file is gone from the final image (deleted or replaced by a
    /// later layer), though its bytes remain in layer `layer`.
    pub hidden: bool,
    /// The detector's id (`private-key`, `aws-access-key-id`,
    /// `docker-config-auth`...).
    pub detector: String,
    /// What was found, for people.
    pub description: String,
    /// Whether the detector recognised a credential format (`true`) or
    /// only a credential name with a plausible value.
    pub high_confidence: bool,
    /// The secret, redacted.
    pub redacted: String,
}

impl ImageFacts {
    /// The layer with this index, if known.
    pub fn layer(&self, index: u32) -> Option<&LayerFacts> {
        self.layers.iter().find(|l| l.index == index)
    }

    /// How a finding names a layer, counting from 1 as people (and
    /// `docker history`, bottom up) do: `layer 2/5 sha256:ab12… (RUN
    /// apt-get install ...)`; the digest is shortened to 12 hex digits.
    pub fn describe_layer(&self, index: u32) -> String {
        let number = u64::from(index) + 1;
        let Some(layer) = self.layer(index) else {
            return format!("layer {number}");
        };
        let mut out = format!("layer {number}/{}", self.layers.len());
        if !layer.digest.is_empty() {
            out.push(' ');
            out.push_str(&short_digest(&layer.digest));
        }
        if let Some(step) = &layer.created_by {
            let step = step.trim();
            if !step.is_empty() {
                out.push_str(" (");
                out.push_str(&shorten(step, 80));
                out.push(')');
            }
        }
        out
    }
}

/// `sha256:` and the first 12 hex digits.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", hex.get(..12).unwrap_or(hex)),
        None => digest.chars().take(19).collect(),
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`; line
/// breaks and tabs become spaces.
pub fn shorten(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_described_with_short_digest_and_step() {
        let facts = ImageFacts {
            layers: vec![LayerFacts {
                index: 0,
                digest: format!("sha256:{}", "ab".repeat(32)),
                created_by: Some("/bin/sh -c echo hi\n".into()),
            }],
            ..ImageFacts::default()
        };
        assert_eq!(
            facts.describe_layer(0),
            "layer 1/1 sha256:abababababab (/bin/sh -c echo hi)"
        );
        assert_eq!(facts.describe_layer(7), "layer 8");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(short_digest("weird"), "weird");
        assert_eq!(image_file("oci:x:1", "/etc/shadow"), "oci:x:1!/etc/shadow");
    }
}
