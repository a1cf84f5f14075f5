//! palisade's own rules beyond the Pod Security Standards.
//!
//! Ids follow one scheme: `PAL-K8S-NNN` (Kubernetes objects) and
//! `PAL-DF-NNN` (Dockerfiles), numbered in the order the rules were added;
//! a number is never reused. One file per rule, named after the
//! bad pattern, with its [`palisade_model::RuleMeta`] beside its check.

mod aci_common;
mod common;
pub mod docs;
mod images;
#[cfg(test)]
pub(crate) mod testkit;

pub mod aci_credential_in_env_value;
pub mod aci_git_repo_volume;
pub mod aci_log_analytics_key_literal;
pub mod aci_missing_resources;
pub mod aci_parameters_file_literal;
pub mod aci_plain_secret_parameter;
pub mod aci_privileged_container;
pub mod aci_public_ip_without_vnet;
pub mod aci_registry_password_literal;
pub mod aci_secret_volume_inline;
pub mod aci_secure_parameter_default;
pub mod aci_secure_value_literal;
pub mod aci_storage_key_literal;
pub mod added_capability;
pub mod automount_service_account_token;
pub mod credential_in_annotation;
pub mod credential_in_args;
pub mod credential_in_config_map;
pub mod credential_in_env;
pub mod default_namespace;
pub mod deprecated_profile_annotation;
mod dockerfile_common;
pub mod dockerfile_credential_in_env;
pub mod dockerfile_credential_in_run;
pub mod dockerfile_mutable_base_image;
pub mod dockerfile_package_cache;
pub mod dockerfile_remote_add;
pub mod dockerfile_root_user;
pub mod dockerfile_sudo;
pub mod dockerfile_unapproved_base_image;
pub mod forbidden_image_registry;
pub mod image_without_digest;
pub mod invalid_image_reference;
pub mod missing_apparmor_profile;
pub mod missing_cpu_limit;
pub mod missing_fs_group;
pub mod missing_memory_limit;
pub mod missing_resource_requests;
pub mod mutable_image_tag;
pub mod privileged_port_non_root;
pub mod public_registry_image;
pub mod run_as_root_group;
pub mod run_as_root_user;
pub mod secret_with_committed_data;
pub mod sensitive_host_path;
pub mod service_account_automount;
pub mod service_privileged_target_port;
pub mod share_process_namespace;
pub mod unapproved_image_registry;
pub mod writable_host_path;
pub mod writable_root_filesystem;

use crate::Rule;

/// Every rule of this module, one file each, in id order.
pub static RULES: &[&dyn Rule] = &[
    &run_as_root_user::RunAsRootUser,
    &run_as_root_group::RunAsRootGroup,
    &missing_fs_group::MissingFsGroup,
    &writable_root_filesystem::WritableRootFilesystem,
    &added_capability::AddedCapability,
    &missing_apparmor_profile::MissingAppArmorProfile,
    &deprecated_profile_annotation::DeprecatedProfileAnnotation,
    &automount_service_account_token::AutomountServiceAccountToken,
    &service_account_automount::ServiceAccountAutomount,
    &missing_resource_requests::MissingResourceRequests,
    &missing_memory_limit::MissingMemoryLimit,
    &missing_cpu_limit::MissingCpuLimit,
    &sensitive_host_path::SensitiveHostPath,
    &writable_host_path::WritableHostPath,
    &mutable_image_tag::MutableImageTag,
    &default_namespace::DefaultNamespace,
    &privileged_port_non_root::PrivilegedPortNonRoot,
    &service_privileged_target_port::ServicePrivilegedTargetPort,
    &share_process_namespace::ShareProcessNamespace,
    &credential_in_env::CredentialInEnv,
    &credential_in_args::CredentialInArgs,
    &credential_in_config_map::CredentialInConfigMap,
    &credential_in_annotation::CredentialInAnnotation,
    &secret_with_committed_data::SecretWithCommittedData,
    &dockerfile_root_user::DockerfileRootUser,
    &dockerfile_credential_in_env::DockerfileCredentialInEnv,
    &dockerfile_credential_in_run::DockerfileCredentialInRun,
    &dockerfile_remote_add::DockerfileRemoteAdd,
    &dockerfile_mutable_base_image::DockerfileMutableBaseImage,
    &dockerfile_sudo::DockerfileSudo,
    &dockerfile_package_cache::DockerfilePackageCache,
    &dockerfile_unapproved_base_image::DockerfileUnapprovedBaseImage,
    &invalid_image_reference::InvalidImageReference,
    &unapproved_image_registry::UnapprovedImageRegistry,
    &forbidden_image_registry::ForbiddenImageRegistry,
    &image_without_digest::ImageWithoutDigest,
    &public_registry_image::PublicRegistryImage,
    &aci_credential_in_env_value::AciCredentialInEnvValue,
    &aci_registry_password_literal::AciRegistryPasswordLiteral,
    &aci_storage_key_literal::AciStorageKeyLiteral,
    &aci_secret_volume_inline::AciSecretVolumeInline,
    &aci_log_analytics_key_literal::AciLogAnalyticsKeyLiteral,
    &aci_secure_parameter_default::AciSecureParameterDefault,
    &aci_plain_secret_parameter::AciPlainSecretParameter,
    &aci_public_ip_without_vnet::AciPublicIpWithoutVnet,
    &aci_privileged_container::AciPrivilegedContainer,
    &aci_git_repo_volume::AciGitRepoVolume,
    &aci_missing_resources::AciMissingResources,
    &aci_secure_value_literal::AciSecureValueLiteral,
    &aci_parameters_file_literal::AciParametersFileLiteral,
];
