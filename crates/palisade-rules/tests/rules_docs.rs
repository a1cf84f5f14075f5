//! `docs/rules.md` is rendered from the rule metadata; this test fails when
//! the file and the code disagree. Regenerate with
//! `UPDATE_DOCS=1 cargo test -p palisade-rules`.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;

#[test]
fn rules_page_matches_the_metadata() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let rendered = palisade_rules::rules::docs::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == rendered,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p palisade-rules` and commit the result"
    );
}
