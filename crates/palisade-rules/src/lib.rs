//! palisade rules: Pod Security Standards by version and the hardening rules beyond them
