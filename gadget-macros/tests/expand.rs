//! Snapshots of the expansion of every input in `tests/expand/*.rs`: each
//! `#[gadget]` item in a file is expanded (on `proc_macro2` tokens, without
//! a compiler), the file is pretty-printed and compared with
//! `tests/snapshots/`. Review changes with `cargo insta review`.

#[path = "../src/internals/mod.rs"]
#[allow(dead_code)]
mod internals;

use quote::ToTokens;

/// Expands the `#[gadget]` items of a file, keeping the other items.
fn expand_file(source: &str) -> String {
    let file: syn::File = syn::parse_file(source).expect("the input parses");
    let mut out = proc_macro2::TokenStream::new();
    for mut item in file.items {
        let attrs = match &mut item {
            syn::Item::Struct(i) => &mut i.attrs,
            syn::Item::Impl(i) => &mut i.attrs,
            syn::Item::Enum(i) => &mut i.attrs,
            _ => {
                item.to_tokens(&mut out);
                continue;
            }
        };
        let position = attrs.iter().position(|a| a.path().is_ident("gadget"));
        let Some(position) = position else {
            item.to_tokens(&mut out);
            continue;
        };
        let attr = attrs.remove(position);
        let args = match attr.meta {
            syn::Meta::List(list) => list.tokens,
            _ => proc_macro2::TokenStream::new(),
        };
        out.extend(internals::expand_gadget(args, item.into_token_stream()));
    }
    let file: syn::File = syn::parse2(out).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn expansions() {
    insta::glob!("expand/*.rs", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        insta::assert_snapshot!(expand_file(&source));
    });
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
