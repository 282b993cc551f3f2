//! The diagnostics corpus: every valid input (the snapshot inputs in
//! `tests/expand/` and the compile-pass ui cases) is mutated systematically
//! (`corpus/mutate.rs`: unknown, misspelt, duplicate, ill-typed and
//! incomplete options, wrong hook and subscription signatures, doubled
//! `#[gadget]`, and valid changes: `#[cfg]`, type aliases, user items named
//! like generated locals, a struct-level data source), each mutant is
//! expanded in-process and the result is checked:
//!
//! - the macro never panics;
//! - a mistake gives exactly one `compile_error!`, spanned inside the
//!   mutated tokens (not on `#[gadget]`, not at the call site), worded by
//!   gadget-rs (no darling stock message) and naming no internals;
//! - a valid change gives no error (and a `#[cfg]` reaches the generated
//!   code; a struct-level data source expands like the repeated one).
//!
//! Mutants listed in `corpus/known_failures.txt` are expected to fail (each
//! with its reason); the test fails on any other failure and on a listed
//! mutant that passes (remove it from the list). `CORPUS_FILTER=text` runs
//! only the mutants whose id contains `text`; the full sources and outputs
//! of failures go to `corpus-failures.txt` in the test's temporary dir;
//! `CORPUS_DUMP=dir` writes the mutants of the ui pass cases to `dir` (to
//! compile them with rustc).

#[path = "../src/internals/mod.rs"]
#[allow(dead_code)]
mod internals;
mod support;

#[path = "corpus/mutate.rs"]
mod mutate;
#[path = "corpus/text.rs"]
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use mutate::{CFG, Expect, Kind, Mutant, count_word};
use proc_macro2::LineColumn;

/// Names a user must never read in an error: the runtime's and the
/// expansion's.
const INTERNAL_NAMES: &[&str] = &[
    "__private",
    "__gadget",
    "__GADGET",
    "__DataSource",
    "__Result",
    "GadgetCell",
    "GadgetImpl",
    "GadgetStruct",
];

/// Generated locals and closure parameters, flagged when an error names
/// them in backquotes while the mutant's source does not use the name.
const GENERATED_LOCALS: &[&str] = &[
    "cell",
    "rc",
    "gadget",
    "event",
    "handle",
    "callback_id",
    "_datasource",
];

/// darling's own messages (deliverable: own wording for every error).
const DARLING_WORDING: &[&str] = &[
    "Unknown field:",
    "Unknown literal value",
    "Unexpected type `",
    "Unexpected meta-item format",
    "Unexpected literal type",
    "Duplicate field `",
    "Missing field `",
    "Unsupported shape",
    "Too many items",
    "Too few items",
    "Multiple errors:",
];

/// How many mutants of one kind each input gives (all of them with
/// `CORPUS_ALL=1`): enough to cover every kind on every input while the
/// corpus runs in seconds.
const PER_KIND: usize = 2;

struct Input {
    name: String,
    source: String,
}

fn inputs() -> Vec<Input> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    for (dir, label) in [
        (manifest.join("tests/expand"), "expand"),
        (manifest.join("../ui-tests/tests/ui/pass"), "ui/pass"),
    ] {
        // The ui cases are the workspace's (absent from a packaged crate).
        if label == "ui/pass" && !dir.exists() {
            println!("{} not found: corpus without the ui cases", dir.display());
            continue;
        }
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        paths.sort();
        for path in paths {
            inputs.push(Input {
                name: format!("{label}/{}", path.file_name().unwrap().to_string_lossy()),
                source: std::fs::read_to_string(&path).unwrap(),
            });
        }
    }
    inputs
}

/// The expansion of a source, or why it failed (a panic included).
fn expand(source: &str) -> Result<syn::File, String> {
    match catch_unwind(AssertUnwindSafe(|| support::expand_source(source))) {
        Ok(result) => result,
        Err(panic) => Err(format!(
            "PANIC: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
    }
}

struct Diagnostic {
    message: String,
    start: LineColumn,
    end: LineColumn,
}

fn diagnostics(file: &syn::File) -> Vec<Diagnostic> {
    support::compile_errors(file)
        .into_iter()
        .map(|(message, start, end)| Diagnostic {
            message,
            start: start.start(),
            end: end.end(),
        })
        .collect()
}

fn lc(l: LineColumn) -> String {
    format!("{}:{}", l.line, l.column + 1)
}

/// What a mutant's expansion shows.
struct Outcome {
    /// What is wrong (empty: the mutant passes).
    problems: Vec<String>,
    /// The errors found, one a line.
    errors: String,
    /// The expansion, formatted (for failures only).
    output: String,
    /// No macro error, but the generated code carries the mutated tokens'
    /// spans into a type check that rustc reports there.
    deferred: bool,
}

/// Mistakes that a macro may leave to a trait bound (so that aliases and
/// paths of the right types are accepted): the type of a member, of a hook's result,
/// of a constructor's result (an `#[on_init]` without `self`), of an
/// event, of a param's default. rustc's side of these is pinned by the ui
/// cases (`hook_wrong_return_type`, `constructor_wrong_return_type`,
/// `subscribe_returns_value`, `subscribe_kind_on_wrong_type`,
/// `param_default_wrong_type`).
const DEFERRABLE: &[Kind] = &[
    Kind::MemberType,
    Kind::WrongReturnType,
    Kind::NoReceiver,
    Kind::EventType,
    Kind::WrongKindOption,
    Kind::IllTypedValue,
];

/// How many tokens of `stream` have a span inside one of `targets`.
fn tokens_inside(stream: proc_macro2::TokenStream, targets: &[(LineColumn, LineColumn)]) -> usize {
    stream
        .into_iter()
        .map(|tt| match tt {
            proc_macro2::TokenTree::Group(g) => tokens_inside(g.stream(), targets),
            leaf => {
                let (s, e) = (leaf.span().start(), leaf.span().end());
                let inside = targets.iter().any(|(ts, te)| {
                    (ts.line, ts.column) <= (s.line, s.column)
                        && (e.line, e.column) <= (te.line, te.column)
                });
                usize::from(inside)
            }
        })
        .sum()
}

/// Checks one mutant on a thread of its own: `proc_macro2` keeps every
/// source parsed on a thread in a thread-local map that span look-ups
/// scan, so one thread per mutant keeps the corpus fast.
fn check_on_thread(mutant: &Mutant, original: &Original) -> Outcome {
    std::thread::scope(|s| s.spawn(|| check(mutant, original)).join()).unwrap_or_else(|_| Outcome {
        problems: vec!["panic: outside the macro".into()],
        errors: String::new(),
        output: String::new(),
        deferred: false,
    })
}

/// The items of an expanded file that the crate compiles into code: all
/// but the `macro_rules!` definitions (whose unused arms may differ).
fn compiled_items(file: &syn::File) -> String {
    struct Strip;
    impl syn::visit_mut::VisitMut for Strip {
        fn visit_file_mut(&mut self, f: &mut syn::File) {
            f.items.retain(|i| !is_macro_rules(i));
            syn::visit_mut::visit_file_mut(self, f);
        }
        fn visit_item_mod_mut(&mut self, m: &mut syn::ItemMod) {
            if let Some((_, items)) = &mut m.content {
                items.retain(|i| !is_macro_rules(i));
            }
            syn::visit_mut::visit_item_mod_mut(self, m);
        }
        fn visit_block_mut(&mut self, b: &mut syn::Block) {
            b.stmts
                .retain(|s| !matches!(s, syn::Stmt::Item(i) if is_macro_rules(i)));
            syn::visit_mut::visit_block_mut(self, b);
        }
    }
    fn is_macro_rules(item: &syn::Item) -> bool {
        matches!(item, syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules"))
    }
    let mut file = file.clone();
    syn::visit_mut::VisitMut::visit_file_mut(&mut Strip, &mut file);
    prettyplease::unparse(&file)
}

/// The expansion of an input, formatted: all of it, and the compiled items.
struct Original {
    text: String,
    compiled: String,
}

/// What is wrong with a mutant's expansion; `original` is the expansion of
/// the input it is made from.
fn check(mutant: &Mutant, original: &Original) -> Outcome {
    let file = match expand(&mutant.source) {
        Ok(file) => file,
        Err(e) => {
            let property = if e.starts_with("PANIC") {
                "panic"
            } else {
                "expansion"
            };
            return Outcome {
                problems: vec![format!("{property}: {e}")],
                errors: String::new(),
                output: e,
                deferred: false,
            };
        }
    };
    let found = diagnostics(&file);
    let mut problems = Vec::new();
    let mut deferred = false;
    for d in &found {
        for name in INTERNAL_NAMES {
            if d.message.contains(name) {
                problems.push(format!("internal name: `{name}` in {:?}", d.message));
            }
        }
        for local in GENERATED_LOCALS {
            if d.message.contains(&format!("`{local}`")) && count_word(&mutant.source, local) == 0 {
                problems.push(format!(
                    "internal name: generated `{local}` in {:?}",
                    d.message
                ));
            }
        }
        for stock in DARLING_WORDING {
            if d.message.contains(stock) {
                problems.push(format!("darling wording: {:?}", d.message));
            }
        }
    }
    match &mutant.expect {
        Expect::OneError(targets) => {
            if found.is_empty() && DEFERRABLE.contains(&mutant.kind) {
                use quote::ToTokens as _;
                let generated = tokens_inside(file.to_token_stream(), targets);
                let written = mutant
                    .source
                    .parse()
                    .map_or(0, |source| tokens_inside(source, targets));
                // `Field<T: FieldType>` itself rejects a wrong `T` where the
                // user wrote it, as long as the struct keeps that type.
                let bound_on_field = mutant.kind == Kind::MemberType
                    && mutant.id.contains(": Field<")
                    && generated >= written
                    && written > 0;
                deferred = generated > written || bound_on_field;
            }
            if found.len() != 1 && !deferred {
                problems.push(format!("count: {} errors, expected 1", found.len()));
            }
            for d in &found {
                let inside = targets.iter().any(|(s, e)| {
                    (s.line, s.column) <= (d.start.line, d.start.column)
                        && (d.end.line, d.end.column) <= (e.line, e.column)
                });
                if !inside {
                    let targets: Vec<String> = targets
                        .iter()
                        .map(|(s, e)| format!("{}-{}", lc(*s), lc(*e)))
                        .collect();
                    problems.push(format!(
                        "span: error at {}-{} outside the mutated tokens {}",
                        lc(d.start),
                        lc(d.end),
                        targets.join(" or ")
                    ));
                }
            }
        }
        Expect::Valid | Expect::ValidCfgCarried(_) | Expect::ValidSameAsInput => {
            if !found.is_empty() {
                problems.push(format!("count: {} errors on valid Rust", found.len()));
            }
        }
    }
    let mut output = None;
    if problems.is_empty() {
        match &mutant.expect {
            Expect::ValidCfgCarried(name) => {
                // The original expansion uses the member or method outside
                // its own item: that use must bring the cfg along.
                let input_uses =
                    count_word(&original.text, name) > count_word(&mutant.source, name);
                let out = prettyplease::unparse(&file);
                // A `#[cfg]` stays on its item and is added to generated
                // code; a `#[cfg_attr]` holding a gadget attribute is
                // consumed and its predicate moves to the generated code.
                let written = mutant.source.matches(CFG).count();
                let needed = if mutant.kind == Kind::CfgAttr {
                    written
                } else {
                    written + 1
                };
                if input_uses && out.matches(CFG).count() < needed {
                    problems.push(format!(
                        "cfg: `#[cfg({CFG})]` on `{name}` does not reach the generated code"
                    ));
                }
                output = Some(out);
            }
            Expect::ValidSameAsInput => {
                let out = prettyplease::unparse(&file);
                if compiled_items(&file) != original.compiled {
                    problems.push(
                        "equivalence: the expansion differs from the one with the repeated \
                         `datasource`"
                            .into(),
                    );
                }
                output = Some(out);
            }
            _ => {}
        }
    }
    let mut errors = String::new();
    for d in &found {
        let _ = writeln!(
            errors,
            "    error at {}-{}: {}",
            lc(d.start),
            lc(d.end),
            d.message
        );
    }
    let output = if problems.is_empty() {
        String::new()
    } else {
        output.unwrap_or_else(|| prettyplease::unparse(&file))
    };
    Outcome {
        problems,
        errors,
        output,
        deferred,
    }
}

fn known_failures() -> BTreeMap<String, String> {
    let text = include_str!("corpus/known_failures.txt");
    let mut known = BTreeMap::new();
    let mut reason = String::new();
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("# reason:") {
            reason = r.trim().to_owned();
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            known.insert(line.trim().to_owned(), reason.clone());
        }
    }
    known
}

/// `source` numbered, the lines of the mutation marked with `>`.
fn numbered(source: &str, focus: std::ops::Range<usize>) -> String {
    let t = text::Text::new(source);
    let first = t.line_column(focus.start).line;
    let last = t.line_column(focus.end).line;
    source
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mark = if (first..=last).contains(&(i + 1)) {
                '>'
            } else {
                ' '
            };
            format!("  {mark}{:>3} | {l}\n", i + 1)
        })
        .collect()
}

#[test]
fn diagnostics_corpus() {
    let filter = std::env::var("CORPUS_FILTER").ok();
    let known = known_failures();
    let inputs = inputs();
    let mut mutants = Vec::new();
    let mut originals = BTreeMap::new();
    for input in &inputs {
        // Every input must be valid as it is.
        let file = expand(&input.source).unwrap_or_else(|e| panic!("{}: {e}", input.name));
        let errors = diagnostics(&file);
        if !errors.is_empty() {
            // Snapshot inputs of the error paths are not valid inputs.
            assert!(
                input.name.starts_with("expand/errors_"),
                "{}: a valid input gives errors: {:?}",
                input.name,
                errors.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
            continue;
        }
        originals.insert(
            input.name.clone(),
            Original {
                text: prettyplease::unparse(&file),
                compiled: compiled_items(&file),
            },
        );
        // At most `PER_KIND` mutants of each kind per input (a stable
        // choice), unless CORPUS_ALL is set.
        let mut of_input = mutate::mutants(&input.name, &input.source);
        if std::env::var_os("CORPUS_ALL").is_none() {
            of_input.sort_by_key(|m| mutate::fnv(&m.id));
            let mut taken: BTreeMap<Kind, usize> = BTreeMap::new();
            of_input.retain(|m| {
                let n = taken.entry(m.kind).or_default();
                *n += 1;
                *n <= PER_KIND
            });
        }
        mutants.extend(of_input);
    }
    mutants.sort_by(|a, b| (&a.input, a.kind, &a.id).cmp(&(&b.input, b.kind, &b.id)));
    // Ids are unique so that known failures name one mutant each.
    let mut seen = BTreeSet::new();
    for m in &mut mutants {
        let mut id = m.id.clone();
        let mut n = 2;
        while !seen.insert(id.clone()) {
            id = format!("{} #{n}", m.id);
            n += 1;
        }
        m.id = id;
    }
    if let Some(filter) = &filter {
        mutants.retain(|m| m.id.contains(filter.as_str()));
    }
    // CORPUS_DUMP=dir writes the mutants of the ui pass cases (complete
    // programs) there, to try them with rustc.
    if let Some(dir) = std::env::var_os("CORPUS_DUMP") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        for (i, m) in mutants.iter().enumerate() {
            if m.input.starts_with("ui/pass/") {
                let text = format!("// {}\n{}", m.id, m.source);
                std::fs::write(dir.join(format!("m{i:04}.rs")), text).unwrap();
            }
        }
    }

    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    // Two workers, each checking mutants one thread at a time.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<Outcome>> = Vec::new();
    results.resize_with(mutants.len(), || None);
    let slots: Vec<std::sync::Mutex<Option<Outcome>>> =
        results.into_iter().map(std::sync::Mutex::new).collect();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(m) = mutants.get(i) else { break };
                    *slots[i].lock().unwrap() = Some(check_on_thread(m, &originals[&m.input]));
                }
            });
        }
    });
    let results: Vec<Outcome> = slots
        .into_iter()
        .map(|s| s.into_inner().unwrap().unwrap())
        .collect();
    std::panic::set_hook(previous_hook);

    // Per kind: total, pass (of which deferred to rustc), known failures.
    let mut per_kind: BTreeMap<Kind, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut per_property: BTreeMap<String, usize> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut still_known = BTreeSet::new();
    let mut report = String::new();
    for (m, outcome) in mutants.iter().zip(&results) {
        let problems = &outcome.problems;
        let entry = per_kind.entry(m.kind).or_default();
        entry.0 += 1;
        if problems.is_empty() {
            entry.1 += 1;
            entry.3 += usize::from(outcome.deferred);
            continue;
        }
        for p in problems {
            let property = p.split(':').next().unwrap().to_owned();
            *per_property.entry(property).or_default() += 1;
        }
        let is_known = known.contains_key(&m.id);
        if is_known {
            entry.2 += 1;
            still_known.insert(m.id.clone());
        }
        let mut text = format!("{}\n", m.id);
        for p in problems {
            let _ = writeln!(text, "  - {p}");
        }
        text.push_str(&outcome.errors);
        text.push_str(&numbered(&m.source, m.focus.clone()));
        if !is_known {
            unexpected.push((text.clone(), outcome.output.clone()));
        }
        let _ = writeln!(report, "{text}--- output:\n{}\n", outcome.output);
    }
    let stale: Vec<&String> = if filter.is_some() {
        Vec::new()
    } else {
        known
            .keys()
            .filter(|id| !still_known.contains(*id))
            .collect()
    };

    println!(
        "diagnostics corpus: {} inputs, {} mutants",
        inputs.len(),
        mutants.len()
    );
    println!(
        "{:<48} {:>6} {:>6} {:>6} {:>6}",
        "kind", "total", "pass", "rustc", "known"
    );
    for (kind, (total, pass, known, rustc)) in &per_kind {
        println!(
            "{:<48} {total:>6} {pass:>6} {rustc:>6} {known:>6}",
            kind.label()
        );
    }
    println!(
        "(pass: as expected; rustc: of those, no macro error but the generated code \
         carries the mutated tokens' span into a trait-bound check rustc reports there; \
         known: expected failures)"
    );
    println!("failing properties: {per_property:?}");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus-failures.txt");
    std::fs::write(&path, &report).unwrap();
    println!("sources and outputs of every failure: {}", path.display());

    let total = mutants.len();
    if filter.is_none() {
        assert!(total >= 300, "only {total} mutants");
    }
    // Each failure with its source and errors; the expansions too when
    // there are few (all of them are in the report file).
    let few = unexpected.len() <= 5;
    let listed: Vec<String> = unexpected
        .iter()
        .map(|(text, output)| {
            if few {
                format!("{text}  --- expansion:\n{output}")
            } else {
                text.clone()
            }
        })
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected failures (expansions of all: {}):\n\n{}\n{} known failures now pass \
         (remove them from tests/corpus/known_failures.txt):\n{}",
        unexpected.len(),
        path.display(),
        listed.join("\n"),
        stale.len(),
        stale.iter().map(|s| format!("  {s}\n")).collect::<String>()
    );
}
