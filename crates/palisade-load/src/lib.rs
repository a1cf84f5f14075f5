//! Loads Kubernetes manifests (YAML, JSON, Lists, helm and kustomize output) into the palisade model
