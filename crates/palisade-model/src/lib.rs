//! The palisade workload model.
//!
//! Loaders produce [`Resource`]s (with a typed [`PodTemplate`] for workload
//! kinds and the raw [`Node`] tree for everything else); rules read them and
//! produce [`Finding`]s; reporters render findings. This crate knows nothing
//! of file formats, rules or output.
#![warn(missing_docs)]

mod dockerfile;
mod finding;
mod image;
mod image_ref;
mod node;
mod package;
mod pod;
mod resource;
mod rule;
mod span;

pub use dockerfile::{split_words, Dockerfile, Heredoc, Instruction, Stage};
pub use finding::{Finding, PssRef, ResourceRef, Severity, Suppression, SuppressionKind};
pub use image::{
    image_file, short_digest, shorten, CacheFacts, ConfigFacts, FileFacts, ImageFacts, LayerFacts,
    ReferenceKind, SecretFacts, IMAGE_KIND, IMAGE_PATH_SEPARATOR,
};
pub use image_ref::{ImageRef, ImageRefError, DOCKER_HUB};
pub use node::{Entry, Mapping, Node, Value};
pub use package::{purl, purl_encode, Ecosystem, OsInfo, Package};
pub use pod::{
    Capabilities, Container, ContainerKind, ContainerPort, Effective, EffectiveSecurityContext,
    EnvVar, Field, Handler, ObjectMeta, Origin, PodSecurityContext, PodSpec, PodTemplate, Profile,
    Resources, SeLinuxOptions, SecurityContext, Sysctl, Volume, VolumeMount, WindowsOptions,
    VOLUME_SOURCES,
};
pub use resource::{InputError, Resource, WORKLOAD_KINDS};
pub use rule::{FixAvailability, PssLevel, PssVersion, RuleMeta, RuleStatus};
pub use span::{Location, Pos, Span, Spanned};
