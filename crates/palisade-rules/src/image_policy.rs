//! The image policy the image rules (`PAL-K8S-025` to `PAL-K8S-029`) read:
//! which registries images may come from, which they must not come from,
//! which images must be pinned by digest, and which registries count as
//! public; and which base images a Dockerfile's shipped image may be
//! built on (`PAL-DF-008`).
//!
//! Patterns are globs (`*` matches any run of characters, `/` included; `?`
//! one character; `[abc]`, `{a,b}`), compared without regard to case. A
//! pattern without `/` is matched against the image's registry
//! (`*.azurecr.io`, `localhost:5000`); a pattern with `/` against its
//! fully-qualified repository name `registry/path`
//! (`registry.example.com/team/*`, `docker.io/library/*`). Names are
//! normalised first, so `nginx` is `docker.io/library/nginx`.

use globset::{GlobBuilder, GlobMatcher};
use palisade_model::ImageRef;

/// Registries that [`ImagePolicy::default`] treats as public: internet
/// registries run by third parties, where anyone who can push to a
/// repository (or take over its account) changes what the cluster pulls.
pub const PUBLIC_REGISTRIES: &[&str] = &[
    "docker.io",
    "ghcr.io",
    "quay.io",
    "gcr.io",
    "*.gcr.io",
    "registry.k8s.io",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "registry.gitlab.com",
    "nvcr.io",
    "cgr.dev",
];

/// What part of an image a [`RegistryPattern`] is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The registry (a pattern without `/`).
    Registry,
    /// `registry/path` (a pattern with `/`).
    Name,
    /// `registry/path:tag` (a base image pattern whose last `/`-separated
    /// part holds a `:`).
    Tagged,
}

/// A glob over an image's registry or its `registry/path` (for base image
/// patterns, also `registry/path:tag`).
#[derive(Debug, Clone)]
pub struct RegistryPattern {
    text: String,
    target: Target,
    matcher: GlobMatcher,
}

impl RegistryPattern {
    /// Compiles a pattern; the error says why the glob is invalid.
    pub fn new(text: &str) -> Result<RegistryPattern, String> {
        let target = if text.contains('/') {
            Target::Name
        } else {
            Target::Registry
        };
        RegistryPattern::compile(text, target)
    }

    /// Compiles a pattern of `images.approved_base_images`: as [`new`]
    /// (registry, or `registry/path` with a `/`), except that a pattern
    /// whose part after the last `/` holds a `:` also matches the tag,
    /// against `registry/path:tag` (`docker.io/library/debian:12*`). An
    /// image without a tag or digest is compared with the `latest` the
    /// build pulls; one with a digest but no tag matches no tag pattern.
    ///
    /// [`new`]: RegistryPattern::new
    pub fn base_image(text: &str) -> Result<RegistryPattern, String> {
        let target = match text.rsplit_once('/') {
            Some((_, last)) if last.contains(':') => Target::Tagged,
            Some(_) => Target::Name,
            None => Target::Registry,
        };
        RegistryPattern::compile(text, target)
    }

    fn compile(text: &str, target: Target) -> Result<RegistryPattern, String> {
        let glob = GlobBuilder::new(text)
            .backslash_escape(true)
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("invalid registry pattern `{text}`: {}", e.kind()))?;
        Ok(RegistryPattern {
            text: text.to_string(),
            target,
            matcher: glob.compile_matcher(),
        })
    }

    /// The pattern as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the image's registry (or `registry/path`, for a pattern
    /// with `/`; `registry/path:tag` for a base image pattern with a tag)
    /// matches.
    pub fn matches(&self, image: &ImageRef) -> bool {
        match self.target {
            Target::Registry => self.matcher.is_match(image.registry()),
            Target::Name => self.matcher.is_match(image.name()),
            Target::Tagged => {
                tagged_name(image).is_some_and(|tagged| self.matcher.is_match(tagged))
            }
        }
    }
}

/// `registry/path:tag`, with the implied `latest` for an image named by
/// neither tag nor digest; `None` for an image named by digest alone.
pub fn tagged_name(image: &ImageRef) -> Option<String> {
    match (image.tag(), image.digest()) {
        (Some(tag), _) => Some(format!("{}:{tag}", image.name())),
        (None, None) => Some(format!("{}:latest", image.name())),
        (None, Some(_)) => None,
    }
}

impl PartialEq for RegistryPattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// Compiles a list of patterns, stopping at the first invalid one.
pub fn patterns<S: AsRef<str>>(list: &[S]) -> Result<Vec<RegistryPattern>, String> {
    list.iter()
        .map(|p| RegistryPattern::new(p.as_ref()))
        .collect()
}

/// Compiles a list of base image patterns ([`RegistryPattern::base_image`]),
/// stopping at the first invalid one.
pub fn base_image_patterns<S: AsRef<str>>(list: &[S]) -> Result<Vec<RegistryPattern>, String> {
    list.iter()
        .map(|p| RegistryPattern::base_image(p.as_ref()))
        .collect()
}

/// Which images must be pinned by digest (`images.require_digest`).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub enum DigestRequirement {
    /// No image needs a digest (`false`, the default).
    #[default]
    Never,
    /// Every image needs a digest (`true`).
    Always,
    /// Images matching any of these patterns need a digest (a list).
    Matching(Vec<RegistryPattern>),
}

impl DigestRequirement {
    /// The pattern that makes `image` need a digest: `Some(None)` when every
    /// image does, `Some(Some(pattern))` when a pattern does, `None` when
    /// the image needs none.
    pub fn requiring(&self, image: &ImageRef) -> Option<Option<&RegistryPattern>> {
        match self {
            DigestRequirement::Never => None,
            DigestRequirement::Always => Some(None),
            DigestRequirement::Matching(list) => list.iter().find(|p| p.matches(image)).map(Some),
        }
    }
}

/// The image policy (`images:` of the configuration file).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImagePolicy {
    /// `images.allowed_registries`: images must match one of these;
    /// `None` (the default) allows every registry. `PAL-K8S-026`.
    pub allowed_registries: Option<Vec<RegistryPattern>>,
    /// `images.forbidden_registries`: images must match none of these.
    /// Default: empty. `PAL-K8S-027`.
    pub forbidden_registries: Vec<RegistryPattern>,
    /// `images.require_digest`: which images must be pinned by digest.
    /// Default: [`DigestRequirement::Never`]. `PAL-K8S-028`.
    pub require_digest: DigestRequirement,
    /// Registries `PAL-K8S-029` reports when no allow list is configured.
    /// Default: [`PUBLIC_REGISTRIES`].
    pub public_registries: Vec<RegistryPattern>,
    /// `images.approved_base_images`: the images a Dockerfile's shipped
    /// image may be built on ([`RegistryPattern::base_image`]); `None` (the
    /// default) approves every base image. `PAL-DF-008`.
    pub approved_base_images: Option<Vec<RegistryPattern>>,
}

impl ImagePolicy {
    /// A policy from configured patterns, with the default public
    /// registries.
    pub fn new(
        allowed_registries: Option<Vec<RegistryPattern>>,
        forbidden_registries: Vec<RegistryPattern>,
        require_digest: DigestRequirement,
    ) -> ImagePolicy {
        ImagePolicy {
            allowed_registries,
            forbidden_registries,
            require_digest,
            ..ImagePolicy::default()
        }
    }

    /// A policy from the pattern lists of the configuration file:
    /// `allowed_registries` (`None` when unset), `forbidden_registries`,
    /// `require_digest: true` (`require_all`) or a list (`require_for`).
    /// The error names the first invalid pattern.
    pub fn from_lists<S: AsRef<str>>(
        allowed_registries: Option<&[S]>,
        forbidden_registries: &[S],
        require_all: bool,
        require_for: &[S],
    ) -> Result<ImagePolicy, String> {
        let require_digest = if require_all {
            DigestRequirement::Always
        } else if require_for.is_empty() {
            DigestRequirement::Never
        } else {
            DigestRequirement::Matching(patterns(require_for)?)
        };
        Ok(ImagePolicy::new(
            allowed_registries.map(patterns).transpose()?,
            patterns(forbidden_registries)?,
            require_digest,
        ))
    }

    /// This policy with `images.approved_base_images` (`None` when unset);
    /// the error names the first invalid pattern.
    pub fn with_approved_base_images<S: AsRef<str>>(
        mut self,
        approved: Option<&[S]>,
    ) -> Result<ImagePolicy, String> {
        self.approved_base_images = approved.map(base_image_patterns).transpose()?;
        Ok(self)
    }

    /// Whether the approved base images (when configured) admit `image`.
    pub fn approves_base(&self, image: &ImageRef) -> bool {
        self.approved_base_images
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| p.matches(image)))
    }

    /// The first forbidden pattern `image` matches.
    pub fn forbidding(&self, image: &ImageRef) -> Option<&RegistryPattern> {
        self.forbidden_registries.iter().find(|p| p.matches(image))
    }

    /// Whether the allow list (when there is one) admits `image`.
    pub fn allows(&self, image: &ImageRef) -> bool {
        self.allowed_registries
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| p.matches(image)))
    }

    /// Whether `image` comes from a public registry.
    pub fn is_public(&self, image: &ImageRef) -> bool {
        self.public_registries.iter().any(|p| p.matches(image))
    }
}

impl Default for ImagePolicy {
    fn default() -> Self {
        ImagePolicy {
            allowed_registries: None,
            forbidden_registries: Vec::new(),
            require_digest: DigestRequirement::Never,
            // The constants are valid globs (a test checks every one).
            public_registries: PUBLIC_REGISTRIES
                .iter()
                .filter_map(|p| RegistryPattern::new(p).ok())
                .collect(),
            approved_base_images: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn image(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap()
    }

    fn pattern(s: &str) -> RegistryPattern {
        RegistryPattern::new(s).unwrap()
    }

    #[test]
    fn every_public_registry_compiles() {
        assert_eq!(
            ImagePolicy::default().public_registries.len(),
            PUBLIC_REGISTRIES.len()
        );
    }

    #[test]
    fn patterns_without_a_slash_match_the_registry() {
        let p = pattern("*.azurecr.io");
        assert!(p.matches(&image("myregistry.azurecr.io/shop/api:1.4.2")));
        assert!(p.matches(&image("MyRegistry.AzureCR.io/shop/api")));
        assert!(!p.matches(&image("azurecr.io.evil.example/shop/api")));
        assert!(!p.matches(&image("evil.example/myregistry.azurecr.io")));
        assert!(!p.matches(&image("nginx")));
        let hub = pattern("docker.io");
        assert!(hub.matches(&image("nginx")));
        assert!(hub.matches(&image("index.docker.io/bitnami/redis")));
        assert!(!hub.matches(&image("docker.io.example/app")));
        let port = pattern("localhost:5000");
        assert!(port.matches(&image("localhost:5000/app")));
        assert!(!port.matches(&image("localhost/app")));
    }

    #[test]
    fn patterns_with_a_slash_match_the_qualified_name() {
        let team = pattern("registry.example.com/team/*");
        assert!(team.matches(&image("registry.example.com/team/app:1")));
        assert!(team.matches(&image("registry.example.com/team/sub/app")));
        assert!(!team.matches(&image("registry.example.com/other/app")));
        assert!(!team.matches(&image("registry.example.com:5000/team/app")));
        let official = pattern("docker.io/library/*");
        assert!(official.matches(&image("nginx:1.27")));
        assert!(!official.matches(&image("bitnami/redis")));
        assert!(pattern("docker.io/*").matches(&image("bitnami/redis")));
    }

    #[test]
    fn base_image_patterns_may_match_the_tag() {
        let tagged = RegistryPattern::base_image("docker.io/library/debian:12*").unwrap();
        assert!(tagged.matches(&image("debian:12-slim")));
        assert!(tagged.matches(&image(
            "debian:12.5@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
        )));
        assert!(!tagged.matches(&image("debian:11")));
        assert!(!tagged.matches(&image("debian")));
        assert!(!tagged.matches(&image(
            "debian@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
        )));
        let latest = RegistryPattern::base_image("docker.io/library/debian:latest").unwrap();
        assert!(latest.matches(&image("debian")));
        // A port is not a tag; without a tag part, patterns match as usual.
        let port = RegistryPattern::base_image("localhost:5000/base/*").unwrap();
        assert!(port.matches(&image("localhost:5000/base/app:1")));
        let registry = RegistryPattern::base_image("*.azurecr.io").unwrap();
        assert!(registry.matches(&image("myregistry.azurecr.io/base:1")));
        // The other lists never look at tags.
        assert!(!pattern("docker.io/library/debian:12*").matches(&image("debian:12")));
        assert_eq!(
            tagged_name(&image("nginx")).as_deref(),
            Some("docker.io/library/nginx:latest")
        );
    }

    #[test]
    fn approved_base_images_are_optional() {
        let policy = ImagePolicy::default();
        assert!(policy.approves_base(&image("anything:1")));
        let policy = policy
            .with_approved_base_images(Some(&["*.azurecr.io"][..]))
            .unwrap();
        assert!(policy.approves_base(&image("a.azurecr.io/base:1")));
        assert!(!policy.approves_base(&image("debian:12")));
        let none: Option<&[&str]> = None;
        assert_eq!(
            ImagePolicy::default()
                .with_approved_base_images(none)
                .unwrap(),
            ImagePolicy::default()
        );
        assert!(ImagePolicy::default()
            .with_approved_base_images(Some(&["{a,"][..]))
            .is_err());
    }

    #[test]
    fn invalid_globs_are_errors() {
        let err = RegistryPattern::new("registry.example.com/[team").unwrap_err();
        assert!(err.starts_with("invalid registry pattern `registry.example.com/[team`"));
        assert!(patterns(&["*.azurecr.io", "{a,"]).is_err());
        assert_eq!(patterns(&["*.azurecr.io"]).unwrap().len(), 1);
    }

    #[test]
    fn policies_build_from_configured_lists() {
        let none: &[&str] = &[];
        let p = ImagePolicy::from_lists(
            Some(&["*.azurecr.io"][..]),
            &["docker.io"],
            false,
            &["a.io"],
        )
        .unwrap();
        assert_eq!(p.allowed_registries.as_ref().map(Vec::len), Some(1));
        assert_eq!(p.forbidden_registries.len(), 1);
        assert!(matches!(p.require_digest, DigestRequirement::Matching(ref l) if l.len() == 1));
        let p = ImagePolicy::from_lists(None, none, true, none).unwrap();
        assert_eq!(p.require_digest, DigestRequirement::Always);
        assert!(p.allowed_registries.is_none());
        let p = ImagePolicy::from_lists(None, none, false, none).unwrap();
        assert_eq!(p, ImagePolicy::default());
        assert!(ImagePolicy::from_lists(None, &["[x"], false, none).is_err());
    }

    #[test]
    fn policy_questions() {
        let policy = ImagePolicy::new(
            Some(vec![pattern("*.azurecr.io")]),
            vec![pattern("docker.io/*")],
            DigestRequirement::Matching(vec![pattern("*.azurecr.io")]),
        );
        let acr = image("app.azurecr.io/api:1");
        let hub = image("nginx");
        assert!(policy.allows(&acr) && !policy.allows(&hub));
        assert_eq!(
            policy.forbidding(&hub).map(RegistryPattern::text),
            Some("docker.io/*")
        );
        assert!(policy.forbidding(&acr).is_none());
        assert_eq!(
            policy
                .require_digest
                .requiring(&acr)
                .map(|p| p.map(RegistryPattern::text)),
            Some(Some("*.azurecr.io"))
        );
        assert_eq!(policy.require_digest.requiring(&hub), None);
        assert_eq!(DigestRequirement::Always.requiring(&hub), Some(None));
        assert!(policy.is_public(&hub) && !policy.is_public(&acr));
        assert!(ImagePolicy::default().allows(&hub));
        let nothing = ImagePolicy::new(Some(Vec::new()), Vec::new(), DigestRequirement::Never);
        assert!(!nothing.allows(&acr));
        for public in [
            "ghcr.io/org/app",
            "eu.gcr.io/p/app",
            "quay.io/org/app",
            "mcr.microsoft.com/dotnet/runtime:8.0",
        ] {
            assert!(ImagePolicy::default().is_public(&image(public)), "{public}");
        }
    }
}
