//! ig's own Go gadgets, compiled to wasm (`../shared/ig-originals`, not part
//! of the repository). Tests that need one run when the folder exists and
//! skip with a printed reason otherwise.
#![allow(dead_code)]

use std::path::PathBuf;

/// The folder of the originals: `$IG_ORIGINALS`, else `../shared/ig-originals`
/// beside the workspace.
pub fn dir() -> PathBuf {
    match std::env::var_os("IG_ORIGINALS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ig-originals"),
    }
}

/// The folder when it exists; otherwise prints why `test` is skipped.
pub fn dir_or_skip(test: &str) -> Option<PathBuf> {
    let dir = dir();
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipping {test}: {} does not exist (set IG_ORIGINALS to the folder of ig's original gadgets)",
            dir.display()
        );
        None
    }
}

/// `name` in the folder when the folder exists; otherwise prints why `test`
/// is skipped. A folder without `name` fails the test: it is incomplete.
pub fn original_or_skip(test: &str, name: &str) -> Option<PathBuf> {
    let path = dir_or_skip(test)?.join(name);
    assert!(
        path.is_file(),
        "{} not found in the originals folder",
        path.display()
    );
    Some(path)
}
