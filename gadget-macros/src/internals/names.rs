//! The names of the gadget's attributes, and near misses of them.

use syn::Path;

/// Attributes of the struct's members.
pub const MEMBER_ATTRS: &[&str] = &["datasource", "field", "param"];

/// Attributes of the impl's methods.
pub const METHOD_ATTRS: &[&str] = &[
    "on_init",
    "on_pre_start",
    "on_start",
    "on_stop",
    "on_post_stop",
    "subscribe",
];

/// Attributes of Rust and common tools that are never a misspelt gadget attribute.
const KNOWN: &[&str] = &[
    "doc",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "cfg",
    "cfg_attr",
    "inline",
    "cold",
    "must_use",
    "deprecated",
    "track_caller",
    "rustfmt",
    "clippy",
    "serde",
    "default",
];

/// The name of a one-segment attribute path (`field` in `#[field(..)]`).
pub fn single_ident(path: &Path) -> Option<String> {
    path.get_ident().map(|i| i.to_string())
}

/// The gadget attribute that `name` most likely misspells, if any.
pub fn near_miss(name: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if KNOWN.contains(&name) {
        return None;
    }
    let best = candidates
        .iter()
        .map(|c| (strsim::levenshtein(name, c), *c))
        .min()?;
    let close = best.0 <= 2 && name.len() >= 4;
    let hook_like = name.starts_with("on_") && candidates.contains(&"on_init");
    (close || hook_like).then_some(best.1)
}

/// A `'static` copy of one of the known attribute names.
pub fn static_name(name: &str) -> &'static str {
    MEMBER_ATTRS
        .iter()
        .chain(METHOD_ATTRS)
        .find(|n| **n == name)
        .copied()
        .unwrap_or("gadget")
}
