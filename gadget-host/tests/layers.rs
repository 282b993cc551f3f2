//! gadget-host's modules form layers without cycles: the host functions
//! (`imports`) and emission (`emit`) never reach up into the lifecycle, the
//! test API or the runner. Checked on the source text: every `crate::` path
//! of a module may name only modules (and their re-exported items) of its
//! own layer or below.

use std::path::{Path, PathBuf};

/// Layers from the bottom; a module not listed is in layer 0 (state,
/// handles, maps, datasource, fuel, ...).
const LAYERS: [(&str, usize, &[&str]); 6] = [
    ("emit", 1, &[]),
    ("imports", 2, &[]),
    (
        "host",
        3,
        &["Host", "HostBuilder", "CompiledGadget", "RegisteredImport"],
    ),
    ("lifecycle", 4, &["Gadget"]),
    ("driver", 5, &["MapView", "ObserverId", "DataSourceInfo"]),
    ("runner", 6, &[]),
];

fn layer_of_file(rel: &Path) -> usize {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_owned();
    match first.as_str() {
        "main" | "lib" => usize::MAX,
        name => LAYERS
            .iter()
            .find(|(m, ..)| *m == name)
            .map_or(0, |(_, l, _)| *l),
    }
}

/// The layer an identifier of a `crate::` path belongs to, if it names a
/// layered module or item.
fn layer_of_ident(ident: &str) -> Option<usize> {
    LAYERS
        .iter()
        .find(|(m, _, items)| *m == ident || items.contains(&ident))
        .map(|(_, l, _)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The identifiers of every `crate::` path in code (a `use crate::{...};`
/// group whole, up to its `;`); comments, doc links included, are skipped.
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let code: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let text = code.join("\n");
    let mut paths = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let in_use = text[..at].trim_end().ends_with("use");
        let end = if in_use {
            rest.find(';').unwrap_or(rest.len())
        } else {
            rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len())
        };
        let idents = rest[..end]
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        paths.push(idents);
    }
    paths
}

#[test]
fn lower_layers_do_not_reach_up() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut violations = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_owned();
        let own = layer_of_file(&rel);
        let text = std::fs::read_to_string(&file).unwrap();
        for idents in crate_paths(&text) {
            for ident in &idents {
                if let Some(layer) = layer_of_ident(ident) {
                    if layer > own {
                        violations.push(format!(
                            "{} (layer {own}) uses `{ident}` (layer {layer})",
                            rel.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_checker_sees_use_groups_and_inline_paths() {
    let paths = crate_paths(
        "/// [`crate::Gadget`]\nuse crate::{Gadget, state::X};\nfn f() { crate::lifecycle::refuel(s); }\n",
    );
    assert_eq!(paths.len(), 2, "the doc link is skipped");
    assert_eq!(paths[0], ["Gadget", "state", "X"]);
    assert_eq!(paths[1], ["lifecycle", "refuel"]);
    assert_eq!(layer_of_ident("Gadget"), Some(4));
    assert_eq!(layer_of_ident("HostError"), None);
    assert_eq!(layer_of_file(Path::new("imports/perf.rs")), 2);
}
