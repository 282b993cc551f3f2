//! Building a gadget crate for `wasm32-wasip1`, the way ig's builder does
//! (`cargo build --target wasm32-wasip1 --release --manifest-path ...`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::HostError;

/// The target ig builds Rust gadgets for.
pub const WASM_TARGET: &str = "wasm32-wasip1";

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run(cmd: &mut Command) -> Result<std::process::Output, String> {
    cmd.output().map_err(|e| format!("running {cmd:?}: {e}"))
}

/// Makes sure the `wasm32-wasip1` standard library is installed, running
/// `rustup target add wasm32-wasip1` if it is not.
pub fn ensure_wasm_target() -> Result<(), HostError> {
    let installed = || -> bool {
        Command::new("rustc")
            .args(["--print", "target-libdir", "--target", WASM_TARGET])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .is_some_and(|dir| {
                dir.is_dir() && std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some())
            })
    };
    if installed() {
        return Ok(());
    }
    let out = run(Command::new("rustup").args(["target", "add", WASM_TARGET])).map_err(|e| {
        HostError::Build(format!(
            "the {WASM_TARGET} target is missing and {e}; run `rustup target add {WASM_TARGET}`"
        ))
    })?;
    if !out.status.success() || !installed() {
        return Err(HostError::Build(format!(
            "the {WASM_TARGET} target is missing and `rustup target add {WASM_TARGET}` failed:\n{}\nrun `rustup target add {WASM_TARGET}` by hand",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Builds the gadget crate in `crate_dir` for `wasm32-wasip1` in release
/// mode and returns the path of its `.wasm` (in the crate's target
/// directory, which honours `CARGO_TARGET_DIR` and workspaces).
pub fn build_wasm(crate_dir: &Path) -> Result<PathBuf, HostError> {
    ensure_wasm_target()?;
    let manifest = crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(HostError::Build(format!(
            "no Cargo.toml in `{}`",
            crate_dir.display()
        )));
    }
    let meta = run(Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(&manifest))
    .map_err(HostError::Build)?;
    if !meta.status.success() {
        return Err(HostError::Build(format!(
            "`cargo metadata --manifest-path {}` failed:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&meta.stderr).trim()
        )));
    }
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout)
        .map_err(|e| HostError::Build(format!("reading cargo metadata: {e}")))?;
    let canonical = manifest.canonicalize().unwrap_or_else(|_| manifest.clone());
    let package = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| {
            p["manifest_path"]
                .as_str()
                .map(PathBuf::from)
                .is_some_and(|m| m == canonical || m == manifest)
        })
        .ok_or_else(|| {
            HostError::Build(format!(
                "cargo metadata does not list the package of `{}`",
                manifest.display()
            ))
        })?;
    let lib_name = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "cdylib"))
        })
        .and_then(|t| t["name"].as_str())
        .or_else(|| package["name"].as_str())
        .ok_or_else(|| HostError::Build("the package has no name".into()))?
        .replace('-', "_");
    let target_dir = meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| HostError::Build("cargo metadata has no target_directory".into()))?;
    let out = run(Command::new(cargo())
        .args([
            "build",
            "--target",
            WASM_TARGET,
            "--release",
            "--manifest-path",
        ])
        .arg(&manifest))
    .map_err(HostError::Build)?;
    if !out.status.success() {
        return Err(HostError::Build(format!(
            "`cargo build --target {WASM_TARGET} --release --manifest-path {}` failed:\n{}",
            manifest.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let wasm = target_dir
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{lib_name}.wasm"));
    if !wasm.is_file() {
        return Err(HostError::Build(format!(
            "the build succeeded but `{}` does not exist (is the crate a cdylib?)",
            wasm.display()
        )));
    }
    Ok(wasm)
}
