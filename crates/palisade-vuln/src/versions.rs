//! Version comparison, one scheme per file under `versions/`.
