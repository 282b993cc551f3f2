//! Builds a gadget crate for `wasm32-wasip1` in release mode, as ig's image
//! builder does, and returns the `.wasm` path; [`Interface`] then says
//! whether the module is what ig's host accepts.
//!
//! Tests and tools share it so that every `.wasm` of the workspace is built
//! the same way: into `target/wasm-gadgets` (a target directory of its own,
//! so a build started from inside `cargo test` never waits for the lock of
//! the test's own build), installing the wasm target with rustup when it is
//! missing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

mod interface;

pub use interface::{ABI_TABLE, AbiEntry, AbiTable, Export, Interface, Signature};

/// The target ig builds gadgets for.
pub const TARGET: &str = "wasm32-wasip1";

/// Why a gadget could not be built.
#[derive(Debug)]
pub enum BuildError {
    /// The wasm target is missing and could not be installed.
    TargetMissing(String),
    /// The crate's Cargo.toml could not be read or has no package name.
    Manifest(PathBuf, String),
    /// cargo ran and failed; its output is included.
    Cargo(PathBuf, String),
    /// cargo succeeded but the `.wasm` is not where it should be.
    NoWasm(PathBuf),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TargetMissing(why) => write!(
                f,
                "the {TARGET} target is missing and could not be installed ({why}); run `rustup target add {TARGET}`"
            ),
            Self::Manifest(path, why) => write!(f, "{}: {why}", path.display()),
            Self::Cargo(dir, output) => {
                write!(
                    f,
                    "building {} for {TARGET} failed:\n{output}",
                    dir.display()
                )
            }
            Self::NoWasm(path) => write!(f, "cargo finished but {} does not exist", path.display()),
        }
    }
}

impl std::error::Error for BuildError {}

/// The workspace root (the directory above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where gadget builds go: `<workspace>/target/wasm-gadgets`.
pub fn target_dir() -> PathBuf {
    workspace_root().join("target").join("wasm-gadgets")
}

/// Installs the wasm target with rustup if the active toolchain lacks it.
pub fn ensure_target() -> Result<(), BuildError> {
    static CHECKED: Mutex<bool> = Mutex::new(false);
    let mut checked = CHECKED.lock().unwrap_or_else(|e| e.into_inner());
    if *checked {
        return Ok(());
    }
    if !target_installed() {
        let status = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .map_err(|e| BuildError::TargetMissing(format!("cannot run rustup: {e}")))?;
        if !status.success() || !target_installed() {
            return Err(BuildError::TargetMissing(format!(
                "rustup exited with {status}"
            )));
        }
    }
    *checked = true;
    Ok(())
}

fn target_installed() -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|dir| dir.exists())
}

/// The package name as ig's builder reads it: the first `name =` line of
/// Cargo.toml (cargo then writes `-` as `_` in the file name).
pub fn package_name(crate_dir: &Path) -> Result<String, BuildError> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|e| BuildError::Manifest(manifest.clone(), e.to_string()))?;
    text.lines()
        .find_map(|line| {
            let rest = line.strip_prefix("name")?.trim_start().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| BuildError::Manifest(manifest, "no `name = \"...\"` line".into()))
}

/// Builds the gadget crate in `crate_dir` and returns its `.wasm`.
///
/// Builds run one at a time within a process (cargo would serialise them on
/// the target directory's lock anyway).
pub fn build_wasm(crate_dir: &Path) -> Result<PathBuf, BuildError> {
    build_wasm_with_features(crate_dir, &[])
}

/// Builds the gadget crate with cargo `features` (`feature` of the crate or
/// `dependency/feature`, e.g. `gadget-api/count-allocs`) and returns its
/// `.wasm`. With features, the module is copied to
/// `target/wasm-gadgets/features/<name>+<features>.wasm`, so that it does not
/// replace the plain build's (cargo writes both to the same file).
pub fn build_wasm_with_features(
    crate_dir: &Path,
    features: &[&str],
) -> Result<PathBuf, BuildError> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let target_dir = target_dir();
    let wasm = build_wasm_into(crate_dir, &target_dir, features)?;
    if features.is_empty() {
        return Ok(wasm);
    }
    let dir = target_dir.join("features");
    let copy = dir.join(format!(
        "{}+{}.wasm",
        wasm.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("gadget"),
        features.join("+").replace('/', "-")
    ));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::copy(&wasm, &copy))
        .map_err(|e| {
            BuildError::Cargo(crate_dir.into(), format!("copying {}: {e}", wasm.display()))
        })?;
    Ok(copy)
}

/// Builds the gadget crate with `features` into `target_dir` (for example an
/// empty one, to time a clean build) and returns the `.wasm` there.
pub fn build_wasm_into(
    crate_dir: &Path,
    target_dir: &Path,
    features: &[&str],
) -> Result<PathBuf, BuildError> {
    ensure_target()?;
    let name = package_name(crate_dir)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args([
        "build",
        "--quiet",
        "--release",
        "--target",
        TARGET,
        "--manifest-path",
    ]);
    command.arg(crate_dir.join("Cargo.toml"));
    if !features.is_empty() {
        command.arg("--features").arg(features.join(","));
    }
    let output = command
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .map_err(|e| BuildError::Cargo(crate_dir.into(), format!("cannot run cargo: {e}")))?;
    if !output.status.success() {
        return Err(BuildError::Cargo(
            crate_dir.into(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ));
    }
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    if wasm.exists() {
        Ok(wasm)
    } else {
        Err(BuildError::NoWasm(wasm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_is_the_first_name_line() {
        let dir = std::env::temp_dir().join(format!("gadget-build-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            "[package]\nname = \"my_gadget\"\n[dependencies]\nname = \"x\"\n",
        )
        .unwrap();
        assert_eq!(package_name(&dir).unwrap(), "my_gadget");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_manifest_names_the_file() {
        let e = package_name(Path::new("/nonexistent/x")).unwrap_err();
        assert!(
            e.to_string().starts_with("/nonexistent/x/Cargo.toml: "),
            "{e}"
        );
    }
}
