//! Snapshots of the expansion of every input in `tests/expand/*.rs`: each
//! `#[gadget]` item in a file is expanded (on `proc_macro2` tokens, without
//! a compiler), then the struct-to-impl hand-off (a local `macro_rules!`
//! invoked with the exports) is expanded too, so that a snapshot shows the
//! items the user's crate compiles, formatted by prettyplease. Review
//! changes with `cargo insta review`; regenerate with
//! `INSTA_UPDATE=always cargo test -p gadget-macros --test expand`.

#[path = "../src/internals/mod.rs"]
#[allow(dead_code)]
mod internals;
mod support;

use quote::ToTokens;

fn expand_file(source: &str) -> String {
    let file = support::expand_source(source).unwrap_or_else(|e| panic!("{e}"));
    prettyplease::unparse(&file)
}

#[test]
fn expansions() {
    insta::glob!("expand/*.rs", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(expand_file(&source));
    });
}

/// ig's exports of an expanded file: the `#[no_mangle]` functions it
/// defines as items, and any still hidden in unexpanded macro calls.
fn exports(file: &syn::File) -> (Vec<String>, Vec<String>) {
    struct Find {
        items: Vec<String>,
        hidden: Vec<String>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Find {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            let no_mangle = f
                .attrs
                .iter()
                .any(|a| a.to_token_stream().to_string().contains("no_mangle"));
            if no_mangle {
                self.items.push(f.sig.ident.to_string());
            }
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if !m.path.is_ident("macro_rules") && m.tokens.to_string().contains("no_mangle") {
                self.hidden.push(m.path.to_token_stream().to_string());
            }
        }
    }
    let mut find = Find {
        items: Vec::new(),
        hidden: Vec::new(),
    };
    syn::visit::Visit::visit_file(&mut find, file);
    (find.items, find.hidden)
}

/// What the snapshots are for: every export a reviewer must see is a
/// formatted function, none is left as tokens inside a macro call.
#[test]
fn snapshots_show_every_export_as_an_item() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut with_exports = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let file = support::expand_source(&source).unwrap_or_else(|e| panic!("{e}"));
        let (items, hidden) = exports(&file);
        assert!(
            hidden.is_empty(),
            "{}: exports left inside macro calls {hidden:?}",
            path.display()
        );
        if !items.is_empty() {
            with_exports += 1;
            assert!(
                items.iter().any(|e| e == "gadgetInit"),
                "{}: exports {items:?} without gadgetInit",
                path.display()
            );
        }
    }
    println!("{with_exports} snapshot inputs with exports, all as items");
    assert!(
        with_exports >= 20,
        "only {with_exports} inputs have exports"
    );
}

#[test]
fn expansion_never_panics_on_odd_input() {
    let odd = [
        "",
        "struct",
        "#[field] fn f() {}",
        "struct S(u32);",
        "struct S<T> { t: T }",
        "impl<T> S<T> {}",
        "impl Trait for S {}",
        "impl [u8] {}",
        "impl S { #[subscribe] fn f() {} }",
        "impl S { #[subscribe(datasource = 5)] fn f(self, a: u8, b: u8) -> Option<u8> {} }",
        "struct S { #[field(datasource = \"\", name = \"\")] f: Field }",
        "struct S { #[param(default)] p: u32 }",
        "struct S { #[datasource(new, single, array, unreference)] d: u32 }",
        "union U { a: u32 }",
        "enum E { A }",
        "mod m {}",
    ];
    for input in odd {
        let tokens: proc_macro2::TokenStream = input.parse().unwrap();
        let _ = internals::expand_gadget(proc_macro2::TokenStream::new(), tokens.clone());
        let _ = internals::expand_gadget("crate = 5".parse().unwrap(), tokens.clone());
        let _ = internals::expand_gadget("unknown".parse().unwrap(), tokens);
    }
}
