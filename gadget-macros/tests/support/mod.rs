//! What the tests of `#[gadget]` share: a driver that expands a source file
//! in-process the way rustc would (every `#[gadget]` item, then the local
//! `macro_rules!` the expansion defines and invokes, as in the struct-to-impl
//! hand-off), so that tests and snapshots see the items the user's crate
//! compiles.
//!
//! A test crate using it declares `mod internals` (the macro's internals,
//! by `#[path]`) and `mod support` at its root.

#![allow(dead_code)]

pub mod macro_rules;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::Parse;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Item};

/// How deep `#[gadget]` and macro expansions may nest before the driver
/// gives up (rustc's own limit is 128; the macro needs 2).
const MAX_DEPTH: usize = 16;

/// `source` with every `#[gadget]` item expanded, then every invocation of a
/// `macro_rules!` defined in the result expanded in place.
pub fn expand_source(source: &str) -> Result<syn::File, String> {
    let file: syn::File = syn::parse_file(source).map_err(|e| format!("input: {e}"))?;
    expand_file(file)
}

pub fn expand_file(mut file: syn::File) -> Result<syn::File, String> {
    file.items = expand_gadget_items(file.items, 0)?;
    expand_local_macros(&mut file)?;
    Ok(file)
}

/// The attributes of an item, for the kinds an attribute macro can be on.
fn attrs_mut(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::ExternCrate(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::ForeignMod(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::TraitAlias(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}

/// `#[gadget]`, `#[gadget(..)]`, `#[gadget_api::gadget(..)]`.
pub fn is_gadget_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "gadget")
}

/// Expands each item carrying `#[gadget]` (the first one, with the others
/// left on the item as rustc does), again on the output while it still
/// carries one, and inside inline modules.
fn expand_gadget_items(items: Vec<Item>, depth: usize) -> Result<Vec<Item>, String> {
    if depth > MAX_DEPTH {
        return Err("#[gadget] expansions nest too deep".into());
    }
    let mut out = Vec::new();
    for mut item in items {
        let position = attrs_mut(&mut item).and_then(|a| a.iter().position(is_gadget_attr));
        match (position, &mut item) {
            (Some(position), _) => {
                let attr = attrs_mut(&mut item).unwrap().remove(position);
                let args = match attr.meta {
                    syn::Meta::List(list) => list.tokens,
                    syn::Meta::Path(_) => TokenStream::new(),
                    syn::Meta::NameValue(nv) => {
                        return Err(format!(
                            "`#[gadget = ..]` is not an attribute macro call: {}",
                            nv.to_token_stream()
                        ));
                    }
                };
                let tokens = crate::internals::expand_gadget(args, item.into_token_stream());
                let expanded: syn::File = syn::parse2(tokens.clone()).map_err(|e| {
                    format!("the expansion does not parse as items ({e}):\n{tokens}")
                })?;
                out.extend(expand_gadget_items(expanded.items, depth + 1)?);
            }
            (None, Item::Mod(module)) => {
                if let Some((brace, content)) = module.content.take() {
                    module.content = Some((brace, expand_gadget_items(content, depth)?));
                }
                out.push(item);
            }
            (None, _) => out.push(item),
        }
    }
    Ok(out)
}

/// The `macro_rules!` items defined anywhere in `file`, by name, and under
/// the names `use name as alias;` gives them.
fn local_macros(file: &syn::File) -> Result<BTreeMap<String, macro_rules::MacroRules>, String> {
    struct Collect {
        found: Vec<(String, TokenStream)>,
        renames: Vec<(String, String)>,
    }
    impl Collect {
        fn use_tree(&mut self, tree: &syn::UseTree) {
            match tree {
                syn::UseTree::Path(p) => self.use_tree(&p.tree),
                syn::UseTree::Rename(r) => self
                    .renames
                    .push((r.ident.to_string(), r.rename.to_string())),
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.use_tree(t)),
                syn::UseTree::Name(_) | syn::UseTree::Glob(_) => {}
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
            if m.mac.path.is_ident("macro_rules") {
                if let Some(ident) = &m.ident {
                    self.found.push((ident.to_string(), m.mac.tokens.clone()));
                }
            }
        }
        fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
            self.use_tree(&u.tree);
        }
    }
    let mut collect = Collect {
        found: Vec::new(),
        renames: Vec::new(),
    };
    syn::visit::Visit::visit_file(&mut collect, file);
    let mut macros = BTreeMap::new();
    for (name, body) in collect.found {
        let rules = macro_rules::MacroRules::parse(body)
            .map_err(|e| format!("macro_rules! {name}: {e}"))?;
        // rustc accepts a `macro_rules!` shadowing another, but not two
        // items (the `use` re-exporting each) of one name in one module.
        if macros.insert(name.clone(), rules).is_some() {
            return Err(format!(
                "macro_rules! {name} is defined twice (rustc rejects the second \
                 definition or its re-export)"
            ));
        }
    }
    for (name, alias) in collect.renames {
        if let Some(rules) = macros.get(&name).cloned() {
            macros.insert(alias, rules);
        }
    }
    Ok(macros)
}

/// Replaces every item-position invocation of a local `macro_rules!` (by
/// its last path segment, as `pub(crate) use` re-exports it) with its
/// expansion, until none is left.
fn expand_local_macros(file: &mut syn::File) -> Result<(), String> {
    for _ in 0..MAX_DEPTH {
        let macros = local_macros(file)?;
        let mut expander = Expander {
            macros: &macros,
            expanded: 0,
            error: None,
        };
        expander.visit_file_mut(file);
        if let Some(error) = expander.error {
            return Err(error);
        }
        if expander.expanded == 0 {
            return Ok(());
        }
    }
    Err("local macro expansions nest too deep".into())
}

struct Expander<'a> {
    macros: &'a BTreeMap<String, macro_rules::MacroRules>,
    expanded: usize,
    error: Option<String>,
}

impl Expander<'_> {
    /// What a call of a local `macro_rules!` expands to, parsed by `parse`
    /// as rustc would in the call's position (items, statements, an
    /// expression); `None` for other macros.
    fn expand<T>(
        &mut self,
        mac: &syn::Macro,
        what: &str,
        parse: impl syn::parse::Parser<Output = T>,
    ) -> Option<T> {
        let name = mac.path.segments.last()?.ident.to_string();
        let rules = self.macros.get(&name)?;
        let result = rules
            .expand(mac.tokens.clone())
            .and_then(|tokens| {
                parse
                    .parse2(tokens.clone())
                    .map_err(|e| format!("the expansion does not parse as {what} ({e}):\n{tokens}"))
            })
            .map_err(|e| format!("{name}!: {e}"));
        match result {
            Ok(parsed) => {
                self.expanded += 1;
                Some(parsed)
            }
            Err(e) => {
                self.error.get_or_insert(e);
                None
            }
        }
    }

    fn items(&mut self, mac: &syn::Macro) -> Option<Vec<Item>> {
        self.expand(mac, "items", |input: syn::parse::ParseStream| {
            let file: syn::File = input.parse()?;
            Ok(file.items)
        })
    }

    fn expand_items(&mut self, items: &mut Vec<Item>) {
        let mut out = Vec::with_capacity(items.len());
        for item in items.drain(..) {
            match &item {
                Item::Macro(m) if m.ident.is_none() => match self.items(&m.mac) {
                    Some(expanded) => out.extend(expanded),
                    None => out.push(item),
                },
                _ => out.push(item),
            }
        }
        *items = out;
    }
}

impl VisitMut for Expander<'_> {
    fn visit_file_mut(&mut self, file: &mut syn::File) {
        self.expand_items(&mut file.items);
        syn::visit_mut::visit_file_mut(self, file);
    }

    fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
        if let Some((_, items)) = &mut module.content {
            self.expand_items(items);
        }
        syn::visit_mut::visit_item_mod_mut(self, module);
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let mut out = Vec::with_capacity(block.stmts.len());
        for stmt in block.stmts.drain(..) {
            let mac = match &stmt {
                syn::Stmt::Item(Item::Macro(m)) if m.ident.is_none() => Some(&m.mac),
                syn::Stmt::Macro(m) => Some(&m.mac),
                _ => None,
            };
            match mac.and_then(|m| self.expand(m, "statements", syn::Block::parse_within)) {
                Some(stmts) => out.extend(stmts),
                None => out.push(stmt),
            }
        }
        block.stmts = out;
        syn::visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Macro(m) = expr {
            if let Some(expanded) = self.expand(&m.mac, "an expression", syn::Expr::parse) {
                *expr = expanded;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Every `compile_error!` of an expanded file (outside `macro_rules!`
/// definitions, whose arms may never be used), with its message and span.
pub fn compile_errors(file: &syn::File) -> Vec<(String, proc_macro2::Span, proc_macro2::Span)> {
    struct Collect {
        found: Vec<(String, proc_macro2::Span, proc_macro2::Span)>,
    }
    impl Collect {
        fn check(&mut self, mac: &syn::Macro) {
            if mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "compile_error")
            {
                let message = syn::parse2::<syn::LitStr>(mac.tokens.clone())
                    .map(|s| s.value())
                    .unwrap_or_else(|_| mac.tokens.to_string());
                // syn's `compile_error!` carries the error's first span on
                // the path and its last one on the delimiter.
                let start = mac
                    .path
                    .segments
                    .first()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span());
                let end = mac.delimiter.span().join();
                self.found.push((message, start, end));
            }
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Collect {
        fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
            if !m.mac.path.is_ident("macro_rules") {
                self.check(&m.mac);
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.check(m);
        }
    }
    let mut collect = Collect { found: Vec::new() };
    syn::visit::Visit::visit_file(&mut collect, file);
    collect.found
}
