//! The committed standard template data must be what the generator makes of the reference.
//!
//! The reference (`shared/reference/oob-maps.json`) lives beside the repository, not in it:
//! the test looks for it in `../shared/reference` relative to the crate, and in the same place
//! further up (a worktree such as `wt/NAME` sits one level deeper than the main checkout).
//! Without the reference it prints a note and checks nothing else.
//!
//! `UPDATE_TEMPLATES=1 cargo test --test template_data` rewrites the committed file.

use std::path::{Path, PathBuf};

use dualwrite::templates::{standard_maps_from_reference, StandardMapsFile, STANDARD_MAPS_JSON};

fn reference_file() -> Option<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared/reference/oob-maps.json"))
        .find(|candidate| candidate.is_file())
}

fn committed_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/templates/standard_maps.json")
}

#[test]
fn committed_standard_maps_match_the_reference() {
    let Some(reference) = reference_file() else {
        println!(
            "note: shared/reference/oob-maps.json not found above {}; drift check skipped",
            env!("CARGO_MANIFEST_DIR")
        );
        return;
    };
    let oob = std::fs::read_to_string(&reference).unwrap();
    let generated = standard_maps_from_reference(&oob).unwrap();
    let committed = std::fs::read_to_string(committed_file()).unwrap();
    if std::env::var_os("UPDATE_TEMPLATES").is_some() {
        if generated != committed {
            std::fs::write(committed_file(), &generated).unwrap();
            println!("rewrote {}", committed_file().display());
        }
        return;
    }
    assert!(
        generated == committed,
        "src/templates/standard_maps.json differs from what {} generates; \
         run `UPDATE_TEMPLATES=1 cargo test --test template_data` and review the diff",
        reference.display()
    );
}

#[test]
fn the_binary_embeds_the_committed_file() {
    if std::env::var_os("UPDATE_TEMPLATES").is_some() {
        return; // this build embeds the file as it was before the rewrite
    }
    let committed = std::fs::read_to_string(committed_file()).unwrap();
    assert_eq!(STANDARD_MAPS_JSON, committed, "rebuild after regenerating");
}

#[test]
fn the_data_file_has_every_reference_map_and_sources_for_each() {
    let file: StandardMapsFile = serde_json::from_str(STANDARD_MAPS_JSON).unwrap();
    assert_eq!(file.maps.len(), 93);
    for map in &file.maps {
        assert!(!map.provenance.is_empty(), "{} has no provenance", map.id);
        for source in &map.provenance {
            assert!(
                file.sources.contains_key(source),
                "{} cites {source}, which the file does not describe",
                map.id
            );
        }
    }
}
