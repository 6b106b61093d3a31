//! The shipped example project loads and is saved exactly as committed (stable format).

use std::path::PathBuf;

#[test]
fn the_example_project_round_trips_byte_for_byte() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.dwproj.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let project = dualwrite::project_file::parse(&text, &path).unwrap();
    assert_eq!(project.table_maps.len(), 7);
    assert_eq!(dualwrite::project_file::to_json(&project).unwrap(), text);
}
