//! The mutations: each takes a valid input and makes one mistake (or one
//! change that is still valid Rust), as text edits on the source so that
//! every token of the mutant has a real line and column, and says where
//! the error must be.

use std::ops::Range;

use proc_macro2::{LineColumn, Span};
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, ImplItem, Item, Meta, ReturnType, Token};

use super::text::{Applied, Edit, Text, apply};

/// What kind of mistake (or valid change) a mutant is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    UnknownOption,
    TypoOption,
    DuplicateOption,
    IllTypedValue,
    IncompleteOption,
    MissingValue,
    HookOptions,
    NoReceiver,
    SelfByValue,
    ExtraArgument,
    WrongReturnType,
    AsyncFn,
    GenericFn,
    EventType,
    MissingEvent,
    WrongKindOption,
    DoubledGadget,
    GenericStruct,
    MisspeltAttribute,
    MisplacedAttribute,
    TwoRoles,
    DuplicateHook,
    MemberType,
    CfgMember,
    CfgMethod,
    CfgAlternatives,
    TypeAlias,
    NameClash,
    StructDatasource,
    OtherAttributes,
    CfgAttr,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::UnknownOption => "unknown option",
            Kind::TypoOption => "misspelt option",
            Kind::DuplicateOption => "duplicate option",
            Kind::IllTypedValue => "ill-typed option value",
            Kind::IncompleteOption => "incomplete option (`key = `)",
            Kind::MissingValue => "option without its value",
            Kind::HookOptions => "options on a hook attribute",
            Kind::NoReceiver => "method without self",
            Kind::SelfByValue => "self by value",
            Kind::ExtraArgument => "extra argument",
            Kind::WrongReturnType => "wrong return type",
            Kind::AsyncFn => "async method",
            Kind::GenericFn => "generic method",
            Kind::EventType => "wrong event argument type",
            Kind::MissingEvent => "subscription without event argument",
            Kind::WrongKindOption => "`kind` contradicting the argument",
            Kind::DoubledGadget => "#[gadget] twice",
            Kind::GenericStruct => "generic struct",
            Kind::MisspeltAttribute => "misspelt gadget attribute",
            Kind::MisplacedAttribute => "hook attr on a member, member attr on a method",
            Kind::TwoRoles => "member with two gadget attributes",
            Kind::DuplicateHook => "second method with one hook",
            Kind::MemberType => "member type its attribute cannot have",
            Kind::CfgMember => "valid: #[cfg] on a member",
            Kind::CfgMethod => "valid: #[cfg] on a hook/subscription",
            Kind::CfgAlternatives => "valid: cfg-alternative methods",
            Kind::TypeAlias => "valid: type alias",
            Kind::NameClash => "valid: user item named like a generated local",
            Kind::StructDatasource => "valid: struct-level datasource",
            Kind::OtherAttributes => "valid: docs, lints, visibility",
            Kind::CfgAttr => "valid: gadget attribute inside #[cfg_attr]",
        }
    }
}

/// What the expansion of a mutant must show.
#[derive(Clone, Debug)]
pub enum Expect {
    /// Exactly one error, inside one of these ranges of the mutant.
    OneError(Vec<(LineColumn, LineColumn)>),
    /// No error.
    Valid,
    /// No error, and the `#[cfg]` added (`feature = "x"`) on this member or
    /// method reaches the generated code if the original expansion mentions
    /// it outside of its own item.
    ValidCfgCarried(String),
    /// No error, and the same expansion as the original input.
    ValidSameAsInput,
}

pub struct Mutant {
    pub id: String,
    /// The name of the input it is made from.
    pub input: String,
    pub kind: Kind,
    pub source: String,
    pub expect: Expect,
    /// Byte range of the mutation in `source`, to show it.
    pub focus: Range<usize>,
}

/// The cfg predicate the valid mutants add.
pub const CFG: &str = "feature = \"x\"";

/// Builds the mutants of one input.
struct Gen<'a> {
    input: &'a str,
    text: Text<'a>,
    out: Vec<Mutant>,
    rotation: &'a mut Rotation,
}

/// Where each rotating choice is: each option gets a few of its variants,
/// the next option the next few, so that the corpus covers every variant
/// without multiplying the mutants (and runs in seconds).
pub struct Rotation {
    at: std::collections::BTreeMap<String, usize>,
    seed: usize,
}

impl Rotation {
    /// A rotation starting at a place that depends on the input only, so
    /// that adding an input changes no other input's mutants.
    pub fn for_input(name: &str) -> Self {
        Rotation {
            at: Default::default(),
            seed: fnv(name) as usize,
        }
    }
}

/// A stable hash (FNV-1a), to pick mutants independently of the run.
pub fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

impl Gen<'_> {
    /// `n` items of `list`, continuing where the last choice for `key` stopped.
    fn pick<T: Clone>(&mut self, key: &str, list: &[T], n: usize) -> Vec<T> {
        if list.len() <= n {
            return list.to_vec();
        }
        let seed = self.rotation.seed;
        let at = self.rotation.at.entry(key.to_owned()).or_insert(seed);
        let picked = (0..n)
            .map(|i| list[(*at + i) % list.len()].clone())
            .collect();
        *at += n;
        picked
    }

    fn push(&mut self, kind: Kind, what: String, edits: &[Edit], target: Target) {
        let applied = apply(self.text.text, edits);
        let new = Text::new(&applied.text);
        let focus = applied
            .inserted
            .iter()
            .fold(None::<Range<usize>>, |acc, r| {
                Some(match acc {
                    None => r.clone(),
                    Some(a) => a.start.min(r.start)..a.end.max(r.end),
                })
            })
            .unwrap_or(0..0);
        let expect = match target {
            Target::Ranges(f) => Expect::OneError(
                f(&applied)
                    .into_iter()
                    .map(|r| (new.line_column(r.start), new.line_column(r.end)))
                    .collect(),
            ),
            Target::Valid => Expect::Valid,
            Target::CfgCarried(name) => Expect::ValidCfgCarried(name),
            Target::SameAs => Expect::ValidSameAsInput,
        };
        self.out.push(Mutant {
            id: format!("{} | {} | {}", self.input, kind.label(), what),
            input: self.input.to_owned(),
            kind,
            source: applied.text,
            expect,
            focus,
        });
    }

    /// A mutant whose error must be on the new text of edit `i`.
    fn on_edit(&mut self, kind: Kind, what: String, edits: Vec<Edit>, i: usize) {
        self.push(
            kind,
            what,
            &edits,
            Target::Ranges(Box::new(move |a| vec![a.inserted[i].clone()])),
        );
    }

    fn range(&self, node: &impl Spanned) -> Range<usize> {
        self.text.range(node.span())
    }

    fn src(&self, node: &impl Spanned) -> &str {
        self.text.slice(self.range(node))
    }
}

/// Where the error must be, in the mutant's text.
type Where = Box<dyn Fn(&Applied) -> Vec<Range<usize>>>;

/// One range, as a target list.
fn only(range: Range<usize>) -> Vec<Range<usize>> {
    std::iter::once(range).collect()
}

enum Target {
    Ranges(Where),
    Valid,
    CfgCarried(String),
    SameAs,
}

/// The mutants of `source` (a valid input named `input`).
pub fn mutants(input: &str, source: &str) -> Vec<Mutant> {
    let file = syn::parse_file(source).expect("corpus inputs parse");
    let mut rotation = Rotation::for_input(input);
    let mut g = Gen {
        input,
        text: Text::new(source),
        out: Vec::new(),
        rotation: &mut rotation,
    };
    walk_items(&mut g, &file.items);
    struct_datasource(&mut g, &file.items);
    g.out
}

fn gadget_attr(attrs: &[Attribute]) -> Option<&Attribute> {
    attrs.iter().find(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "gadget")
    })
}

fn walk_items(g: &mut Gen, items: &[Item]) {
    let mut clashes_done = false;
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    walk_items(g, inner);
                }
            }
            Item::Struct(s) => {
                if let Some(attr) = gadget_attr(&s.attrs) {
                    gadget_item(g, attr, item, &format!("struct {}", s.ident));
                    if !clashes_done {
                        name_clashes(g, item, s);
                        clashes_done = true;
                    }
                    gadget_struct(g, s);
                }
            }
            Item::Impl(i) => {
                if let Some(attr) = gadget_attr(&i.attrs) {
                    let name = i.self_ty.to_token_stream().to_string().replace(' ', "");
                    gadget_item(g, attr, item, &format!("impl {name}"));
                    gadget_impl(g, i, &name);
                }
            }
            _ => {}
        }
    }
}

/// Mutations of `#[gadget]` itself: its options and doubling it.
fn gadget_item(g: &mut Gen, attr: &Attribute, item: &Item, what: &str) {
    let end = g.range(attr).end;
    g.on_edit(
        Kind::DoubledGadget,
        format!("#[gadget] #[gadget] {what}"),
        vec![Edit::insert(end, "\n#[gadget]")],
        0,
    );
    let _ = item;
    options(g, attr, &format!("#[gadget] of {what}"), None);
}

/// Where an item starts, attributes included: the place for a module-level
/// item next to it.
fn item_start(g: &Gen, item: &impl Spanned) -> usize {
    g.range(item).start
}

fn name_clashes(g: &mut Gen, item: &Item, s: &syn::ItemStruct) {
    let at = item_start(g, item);
    let mut items: Vec<String> = [
        "const cell: u8 = 0;",
        "const rc: i32 = 0;",
        "const phase: u8 = 0;",
        "struct handle;",
        "const gadget: u8 = 0;",
        "const event: u8 = 0;",
        "const name: u8 = 0;",
        "const callback_id: u8 = 0;",
        "const default: u8 = 0;",
        "const data: u8 = 0;",
    ]
    .map(String::from)
    .to_vec();
    // A member's name as a constant: generated code must not bind it in a
    // pattern (`let pid = ..` would then be a refutable const pattern).
    // Only for a member that no code of the user's names (theirs could).
    let struct_text = g.src(s);
    let unused = s.fields.iter().filter_map(|f| f.ident.as_ref()).find(|m| {
        let name = syn::ext::IdentExt::unraw(*m).to_string();
        count_word(g.text.text, &name) == count_word(struct_text, &name)
    });
    if let Some(member) = unused {
        let name = syn::ext::IdentExt::unraw(member).to_string();
        if name != "type" {
            items.push(format!(
                "#[allow(non_upper_case_globals)]\nconst {name}: u8 = 0;"
            ));
        }
    }
    // Names the input defines already (a clash case of its own) are skipped.
    let source = g.text.text;
    items.retain(|item| {
        let name = item
            .lines()
            .last()
            .and_then(|l| l.split([' ', ':', ';']).nth(1))
            .unwrap_or_default();
        count_word(source, name) == 0 || item.starts_with("#[")
    });
    for user in g.pick("clash", &items, 2) {
        let text = if user.starts_with("#[") {
            format!("{user}\n")
        } else {
            format!("#[allow(non_upper_case_globals, non_camel_case_types, dead_code)]\n{user}\n")
        };
        g.push(
            Kind::NameClash,
            user.lines().last().unwrap().to_owned(),
            &[Edit::insert(at, text)],
            Target::Valid,
        );
    }
}

fn gadget_struct(g: &mut Gen, s: &syn::ItemStruct) {
    let name = s.ident.to_string();
    // A generic struct.
    let end = g.range(&s.ident).end;
    g.on_edit(
        Kind::GenericStruct,
        format!("struct {name}<T>"),
        vec![Edit::insert(end, "<T>")],
        0,
    );
    for field in &s.fields {
        let Some(ident) = &field.ident else { continue };
        let member = format!("member `{ident}` of {name}");
        // cfg on the member, when no code of the user's names it (the
        // mutant stays valid Rust without the feature).
        let at = g.range(field).start;
        let plain = syn::ext::IdentExt::unraw(ident).to_string();
        let struct_text = g.src(s);
        if count_word(g.text.text, &plain) == count_word(struct_text, &plain) {
            g.push(
                Kind::CfgMember,
                member.clone(),
                &[Edit::insert(at, format!("#[cfg({CFG})]\n    "))],
                Target::CfgCarried(plain.clone()),
            );
        }
        // Other attributes and docs on the member.
        g.push(
            Kind::OtherAttributes,
            member.clone(),
            &[Edit::insert(
                at,
                "/// Documented.\n    #[allow(dead_code)]\n    #[doc(alias = \"other\")]\n    ",
            )],
            Target::Valid,
        );
        // A hook attribute on a member; a second role for a member that has one.
        let hook = g.pick(
            "misplaced member",
            &["#[on_start]", "#[subscribe(datasource = \"exec\")]"],
            1,
        )[0];
        g.on_edit(
            Kind::MisplacedAttribute,
            format!("{hook} on {member}"),
            vec![Edit::insert(at, format!("{hook}\n    "))],
            0,
        );
        let own_start = g.range(ident).start.min(vis_start(g, &field.vis));
        let roles: Vec<String> = field
            .attrs
            .iter()
            .filter_map(|a| a.path().get_ident().map(|i| i.to_string()))
            .filter(|n| ["datasource", "field", "param"].contains(&n.as_str()))
            .collect();
        if let Some(role) = roles.first() {
            let second = if role == "param" {
                "#[datasource]"
            } else {
                "#[param]"
            };
            g.on_edit(
                Kind::TwoRoles,
                format!("{second} after #[{role}] on {member}"),
                vec![Edit::insert(own_start, format!("{second}\n    "))],
                0,
            );
        }
        for attr in &field.attrs {
            let Some(attr_name) = attr.path().get_ident().map(|i| i.to_string()) else {
                continue;
            };
            if !["datasource", "field", "param"].contains(&attr_name.as_str()) {
                continue;
            }
            g.on_edit(
                Kind::MisspeltAttribute,
                format!("#[{}] on {member}", typo(&attr_name)),
                vec![Edit::replace(g.range(attr.path()), typo(&attr_name))],
                0,
            );
            // A param under cfg_attr: without the predicate, a plain member.
            let has_default = matches!(
                last_segment(&field.ty).as_deref(),
                Some(
                    "u8" | "u16"
                        | "u32"
                        | "u64"
                        | "usize"
                        | "i8"
                        | "i16"
                        | "i32"
                        | "i64"
                        | "isize"
                        | "f32"
                        | "f64"
                        | "bool"
                        | "String"
                )
            );
            if attr_name == "param" && has_default {
                let inner = g.src(&attr.meta).to_owned();
                g.push(
                    Kind::CfgAttr,
                    format!("#[cfg_attr({CFG}, {inner})] on {member}"),
                    &[Edit::replace(
                        g.range(attr),
                        format!("#[cfg_attr({CFG}, {inner})]"),
                    )],
                    Target::CfgCarried(syn::ext::IdentExt::unraw(ident).to_string()),
                );
            }
            options(
                g,
                attr,
                &format!("#[{attr_name}] of {member}"),
                Some(&field.ty),
            );
        }
        // A type the member's gadget attribute cannot have.
        let role = roles.first().map(String::as_str);
        let wrong_types: &[&str] = match role {
            Some("field") => &[
                "Field<char>",
                "Field<Vec<u32>>",
                "u32",
                "Option<Field<u32>>",
            ],
            Some("datasource") => &["u32", "Field<u32>", "&'static DataSource"],
            Some("param") => &["Vec<u8>", "Field<u32>", "std::rc::Rc<u32>"],
            _ => &[],
        };
        for wrong in g.pick("member type", wrong_types, 1) {
            g.on_edit(
                Kind::MemberType,
                format!("{member}: {wrong}"),
                vec![Edit::replace(g.range(&field.ty), wrong)],
                0,
            );
        }
        // Aliases of the member's type.
        let ty = g.src(&field.ty).to_owned();
        let last = last_segment(&field.ty);
        let alias = match last.as_deref() {
            Some("Field") => Some(format!("type MutantField = {ty};")),
            Some("DataSource") => Some(format!("type MutantDs = {ty};")),
            _ => None,
        };
        if let Some(alias) = alias {
            let alias_name = alias.split_whitespace().nth(1).unwrap().to_owned();
            let r = g.range(&field.ty);
            let at = g.range(s).start;
            g.push(
                Kind::TypeAlias,
                format!("{member}: {alias}"),
                &[
                    Edit::insert(at, format!("{alias}\n")),
                    Edit::replace(r, alias_name),
                ],
                Target::Valid,
            );
        }
    }
}

/// The `datasource = ..` option of a `#[field]` or `#[subscribe]`: the
/// range that removes it (with its comma, or the whole option list when it
/// is the only option) and its value.
fn datasource_option(g: &Gen, attr: &Attribute) -> Option<(Range<usize>, String)> {
    let Meta::List(list) = &attr.meta else {
        return None;
    };
    let opts = list
        .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .ok()?;
    let all: Vec<&Meta> = opts.iter().collect();
    let i = all
        .iter()
        .position(|m| matches!(m, Meta::NameValue(nv) if nv.path.is_ident("datasource")))?;
    let Meta::NameValue(nv) = all[i] else {
        return None;
    };
    let this = g.range(all[i]);
    let range = if i + 1 < all.len() {
        this.start..g.range(all[i + 1]).start
    } else if i > 0 {
        g.range(all[i - 1]).end..this.end
    } else {
        // The only option: `#[field(datasource = "x")]` becomes `#[field]`.
        g.range(&list.path).end..g.text.range(list.delimiter.span().close()).end
    };
    Some((range, g.src(&nv.value).to_owned()))
}

/// Gadget structs and impl blocks anywhere in `items`.
fn gadget_items<'a>(
    items: &'a [Item],
    structs: &mut Vec<&'a syn::ItemStruct>,
    impls: &mut Vec<&'a syn::ItemImpl>,
) {
    for item in items {
        match item {
            Item::Struct(s) if gadget_attr(&s.attrs).is_some() => structs.push(s),
            Item::Impl(i) if gadget_attr(&i.attrs).is_some() => impls.push(i),
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    gadget_items(inner, structs, impls);
                }
            }
            _ => {}
        }
    }
}

/// Moves the `datasource` that every `#[field]` (and then every
/// `#[subscribe]` too) of a gadget repeats to the struct's
/// `#[gadget(datasource = ..)]`: the items the crate compiles must not
/// change.
fn struct_datasource(g: &mut Gen, items: &[Item]) {
    let (mut structs, mut impls) = (Vec::new(), Vec::new());
    gadget_items(items, &mut structs, &mut impls);
    for s in structs {
        let gadget = gadget_attr(&s.attrs).unwrap();
        if gadget
            .meta
            .to_token_stream()
            .to_string()
            .contains("datasource")
        {
            continue;
        }
        let attrs_named = |attrs: &'_ [Attribute], name: &str| -> Vec<Attribute> {
            attrs
                .iter()
                .filter(|a| a.path().is_ident(name))
                .cloned()
                .collect()
        };
        let fields: Vec<Attribute> = s
            .fields
            .iter()
            .flat_map(|f| attrs_named(&f.attrs, "field"))
            .collect();
        let subscriptions: Vec<Attribute> = impls
            .iter()
            .filter(|i| {
                matches!(&*i.self_ty, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|l| l.ident == s.ident))
            })
            .flat_map(|i| i.items.iter())
            .filter_map(|item| match item {
                ImplItem::Fn(f) => Some(attrs_named(&f.attrs, "subscribe")),
                _ => None,
            })
            .flatten()
            .collect();
        let fields: Option<Vec<_>> = fields.iter().map(|a| datasource_option(g, a)).collect();
        let subscriptions: Option<Vec<_>> = subscriptions
            .iter()
            .map(|a| datasource_option(g, a))
            .collect();
        let (Some(fields), Some(subscriptions)) = (fields, subscriptions) else {
            continue;
        };
        let Some(value) = fields.first().map(|f| f.1.clone()) else {
            continue;
        };
        let option = format!("datasource = {value}");
        let gadget_edit = match &gadget.meta {
            Meta::Path(p) => Edit::insert(g.range(p).end, format!("({option})")),
            Meta::List(list) => {
                let close = g.text.range(list.delimiter.span().close()).start;
                let sep = if list.tokens.is_empty() { "" } else { ", " };
                Edit::insert(close, format!("{sep}{option}"))
            }
            Meta::NameValue(_) => continue,
        };
        let same = |list: &[(Range<usize>, String)]| list.iter().all(|(_, v)| *v == value);
        if !same(&fields) {
            continue;
        }
        let mut variants = vec![(fields.clone(), "#[field]s")];
        if !subscriptions.is_empty() && same(&subscriptions) {
            let mut all = fields.clone();
            all.extend(subscriptions);
            variants.push((all, "#[field]s and #[subscribe]s"));
        }
        for (options, what) in variants {
            let mut edits: Vec<Edit> = options
                .iter()
                .map(|(range, _)| Edit::replace(range.clone(), ""))
                .collect();
            edits.push(gadget_edit.clone());
            g.push(
                Kind::StructDatasource,
                format!(
                    "#[gadget({option})] on {} instead of {} {what} repeating it",
                    s.ident,
                    options.len()
                ),
                &edits,
                Target::SameAs,
            );
        }
    }
}

/// Where a visibility starts (the end of the file when there is none).
fn vis_start(g: &Gen, vis: &syn::Visibility) -> usize {
    match vis {
        syn::Visibility::Inherited => usize::MAX,
        other => g.range(other).start,
    }
}

/// Whole-word occurrences of `word` in `text`.
pub fn count_word(text: &str, word: &str) -> usize {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| *w == word)
        .count()
}

fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Values of the wrong type for an option.
fn wrong_values(key: &str, member_ty: Option<&syn::Type>) -> Vec<&'static str> {
    match key {
        "datasource" | "name" | "key" => {
            vec![
                "5",
                "true",
                "b\"exec\"",
                "exec",
                "[\"exec\"]",
                "'e'",
                "\"\"",
            ]
        }
        "crate" => vec![
            "5",
            "true",
            "b\"gadget_api\"",
            "gadget_api",
            "\"not a path!\"",
        ],
        "phase" => vec!["5", "pre_start", "\"bogus\"", "[\"start\"]"],
        "kind" => vec!["5", "data", "\"bogus\"", "true"],
        "priority" => vec!["\"10\"", "true", "1.5", "4294967296", "p", "[1]"],
        "tags" => vec!["5", "[5]", "true", "columns", "[[\"a\"]]"],
        "default" => match member_ty.and_then(last_segment).as_deref() {
            Some(
                "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
                | "f32" | "f64",
            ) => vec!["\"abc\""],
            Some("bool") => vec!["\"yes\""],
            _ => vec![],
        },
        _ => vec![],
    }
}

fn typo(key: &str) -> String {
    // Drop the second-to-last letter: `datasource` -> `datasoure`.
    let mut chars: Vec<char> = key.chars().collect();
    chars.remove(chars.len() - 2);
    chars.into_iter().collect()
}

/// Mutations of one attribute's options (`#[gadget]`, `#[datasource]`,
/// `#[field]`, `#[param]`, `#[subscribe]`).
fn options(g: &mut Gen, attr: &Attribute, what: &str, member_ty: Option<&syn::Type>) {
    match &attr.meta {
        Meta::Path(p) => {
            let end = g.range(p).end;
            for text in g.pick("unknown", &["bogus = \"x\"", "bogus"], 1) {
                let kind = Kind::UnknownOption;
                g.push(
                    kind,
                    format!("{what}: ({text})"),
                    &[Edit::insert(end, format!("({text})"))],
                    Target::Ranges(Box::new(move |a| {
                        only(a.inserted[0].start + 1..a.inserted[0].end - 1)
                    })),
                );
            }
            // An option without its value, in a new list.
            let key = match p.segments.last().map(|s| s.ident.to_string()).as_deref() {
                Some("gadget") => "crate",
                Some("datasource") => "name",
                Some("param") => "key",
                _ => return,
            };
            g.push(
                Kind::IncompleteOption,
                format!("{what}: ({key} = )"),
                &[Edit::insert(end, format!("({key} = )"))],
                Target::Ranges(Box::new(|a| {
                    only(a.inserted[0].start + 1..a.inserted[0].end)
                })),
            );
        }
        Meta::List(list) => {
            let Ok(opts) = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            else {
                return;
            };
            let close = g.text.range(list.delimiter.span().close());
            let open = g.text.range(list.delimiter.span().open());
            let last_end = opts.last().map_or(open.end, |o| g.range(o).end);
            let sep = if opts.is_empty() { "" } else { ", " };
            for text in g.pick("unknown", &["bogus = \"x\"", "bogus"], 1) {
                let inserted = format!("{sep}{text}");
                let skip = sep.len();
                g.push(
                    Kind::UnknownOption,
                    format!("{what}: +{text}"),
                    &[Edit::insert(last_end, inserted)],
                    Target::Ranges(Box::new(move |a| {
                        only(a.inserted[0].start + skip..a.inserted[0].end)
                    })),
                );
            }
            for opt in &opts {
                let key = opt.path().to_token_stream().to_string();
                let key_range = g.range(opt.path());
                let opt_range = g.range(opt);
                let opt_text = g.text.slice(opt_range.clone()).to_owned();
                // Each option gets two kinds of mistake, in turn.
                let mut families = vec![Kind::DuplicateOption, Kind::IllTypedValue];
                if key.len() >= 4 {
                    families.push(Kind::TypoOption);
                }
                if let Meta::NameValue(_) = opt {
                    families.extend([Kind::IncompleteOption, Kind::MissingValue]);
                }
                let rotation_key = format!("families {}", families.len());
                let families = g.pick(&rotation_key, &families, 2);
                for family in families {
                    match (family, opt) {
                        // The error may cover the whole option.
                        (Kind::TypoOption, _) => {
                            let end = opt_range.end;
                            g.push(
                                Kind::TypoOption,
                                format!("{what}: {key} -> {}", typo(&key)),
                                &[Edit::replace(key_range.clone(), typo(&key))],
                                Target::Ranges(Box::new(move |a| {
                                    only(a.inserted[0].start..a.map(end))
                                })),
                            );
                        }
                        (Kind::DuplicateOption, _) => g.push(
                            Kind::DuplicateOption,
                            format!("{what}: {opt_text} twice"),
                            &[Edit::insert(last_end, format!(", {opt_text}"))],
                            Target::Ranges(Box::new(|a| {
                                only(a.inserted[0].start + 2..a.inserted[0].end)
                            })),
                        ),
                        (Kind::IllTypedValue, Meta::NameValue(nv)) => {
                            let value = g.range(&nv.value);
                            let wrongs = wrong_values(&key, member_ty);
                            for wrong in g.pick(&format!("wrong {key}"), &wrongs, 1) {
                                g.on_edit(
                                    Kind::IllTypedValue,
                                    format!("{what}: {key} = {wrong}"),
                                    vec![Edit::replace(value.clone(), wrong)],
                                    0,
                                );
                            }
                        }
                        (Kind::IllTypedValue, _) => {
                            let wrongs = [" = true", " = \"yes\"", "(1)"];
                            for wrong in g.pick("flag", &wrongs, 1) {
                                g.on_edit(
                                    Kind::IllTypedValue,
                                    format!("{what}: {key}{wrong}"),
                                    vec![Edit::replace(opt_range.clone(), format!("{key}{wrong}"))],
                                    0,
                                );
                            }
                        }
                        // `key = ` with nothing (or half an expression): the
                        // error may be at the next token (a comma or the
                        // closing bracket).
                        (Kind::IncompleteOption, Meta::NameValue(nv)) => {
                            let value = g.range(&nv.value);
                            let eq_end = g.range(&nv.eq_token).end;
                            let rest = if key == "default" {
                                g.pick("incomplete default", &["", " 1 +"], 1)[0]
                            } else {
                                ""
                            };
                            let start = key_range.start;
                            let close_end = close.end;
                            g.push(
                                Kind::IncompleteOption,
                                format!("{what}: {key} ={rest}"),
                                &[Edit::replace(eq_end..value.end, rest)],
                                Target::Ranges(Box::new(move |a| {
                                    only(a.map(start)..a.map(close_end))
                                })),
                            );
                        }
                        (Kind::MissingValue, _) => g.on_edit(
                            Kind::MissingValue,
                            format!("{what}: {key} without a value"),
                            vec![Edit::replace(opt_range.clone(), key.clone())],
                            0,
                        ),
                        _ => {}
                    }
                }
            }
        }
        Meta::NameValue(_) => {}
    }
}

const HOOKS: &[&str] = &[
    "on_init",
    "on_pre_start",
    "on_start",
    "on_stop",
    "on_post_stop",
];

fn gadget_impl(g: &mut Gen, i: &syn::ItemImpl, self_name: &str) {
    let impl_start = g.range(i).start;
    for item in &i.items {
        let ImplItem::Fn(method) = item else { continue };
        let names: Vec<String> = method
            .attrs
            .iter()
            .filter_map(|a| a.path().get_ident().map(|i| i.to_string()))
            .collect();
        let hook = names.iter().find(|n| HOOKS.contains(&n.as_str())).cloned();
        let subscribes = names.iter().filter(|n| *n == "subscribe").count();
        if hook.is_none() && subscribes == 0 {
            continue;
        }
        let what = format!("{self_name}::{}", method.sig.ident);
        let method_range = g.range(method);
        // cfg on the method (not on a constructor: without it, the struct
        // would be built from its declarations), and a cfg-alternative copy.
        let constructor = hook.as_deref() == Some("on_init") && method.sig.receiver().is_none();
        if !constructor {
            g.push(
                Kind::CfgMethod,
                what.clone(),
                &[Edit::insert(
                    method_range.start,
                    format!("#[cfg({CFG})]\n    "),
                )],
                Target::CfgCarried(method.sig.ident.to_string()),
            );
        }
        let copy = g.text.slice(method_range.clone()).to_owned();
        g.push(
            Kind::CfgAlternatives,
            what.clone(),
            &[
                Edit::insert(method_range.start, format!("#[cfg({CFG})]\n    ")),
                Edit::insert(
                    method_range.end,
                    format!("\n\n    #[cfg(not({CFG}))]\n    {copy}"),
                ),
            ],
            Target::Valid,
        );
        // Docs, lints and visibility on the method.
        let sig_start = g.range(&method.sig).start;
        let mut edits = vec![Edit::insert(
            method_range.start,
            "/// Documented.\n    #[inline]\n    #[allow(clippy::unused_self)]\n    ",
        )];
        if matches!(method.vis, syn::Visibility::Inherited) {
            edits.push(Edit::insert(sig_start, "pub(crate) "));
        }
        g.push(Kind::OtherAttributes, what.clone(), &edits, Target::Valid);
        // A member attribute on the method.
        let member_attr = g.pick(
            "misplaced method",
            &["#[param]", "#[field(datasource = \"exec\")]"],
            1,
        )[0];
        g.on_edit(
            Kind::MisplacedAttribute,
            format!("{member_attr} on {what}"),
            vec![Edit::insert(
                method_range.start,
                format!("{member_attr}\n    "),
            )],
            0,
        );
        // A second method with the same hook.
        if let Some(hook) = &hook {
            let copy_name = format!("{}_again", method.sig.ident);
            let name_range = g.range(&method.sig.ident);
            let copy = format!(
                "{}{copy_name}{}",
                g.text.slice(method_range.start..name_range.start),
                g.text.slice(name_range.end..method_range.end)
            );
            let attr_at = copy.find(&format!("#[{hook}")).unwrap_or(0);
            let attr_len = hook.len() + 3;
            let name_at = copy.find(&copy_name).unwrap();
            let name_len = copy_name.len();
            let prefix = "\n\n    ".len();
            g.push(
                Kind::DuplicateHook,
                format!("{what} and {copy_name} both #[{hook}]"),
                &[Edit::insert(method_range.end, format!("\n\n    {copy}"))],
                Target::Ranges(Box::new(move |a| {
                    let base = a.inserted[0].start + prefix;
                    vec![
                        base + attr_at..base + attr_at + attr_len,
                        base + name_at..base + name_at + name_len,
                    ]
                })),
            );
        }
        for attr in &method.attrs {
            let Some(name) = attr.path().get_ident().map(|i| i.to_string()) else {
                continue;
            };
            if HOOKS.contains(&name.as_str()) || name == "subscribe" {
                g.on_edit(
                    Kind::MisspeltAttribute,
                    format!("#[{}] on {what}", typo(&name)),
                    vec![Edit::replace(g.range(attr.path()), typo(&name))],
                    0,
                );
                // Under cfg_attr: without the predicate, a plain method.
                let inner = g.src(&attr.meta).to_owned();
                if !constructor {
                    g.push(
                        Kind::CfgAttr,
                        format!("#[cfg_attr({CFG}, {inner})] on {what}"),
                        &[Edit::replace(
                            g.range(attr),
                            format!("#[cfg_attr({CFG}, {inner})]"),
                        )],
                        Target::CfgCarried(method.sig.ident.to_string()),
                    );
                }
            }
            if HOOKS.contains(&name.as_str()) {
                let end = g.range(attr.path()).end;
                let path_start = g.range(attr.path()).start;
                for text in g.pick("hook_options", &["(bogus)", " = 1", "()"], 1) {
                    g.push(
                        Kind::HookOptions,
                        format!("{what}: #[{name}{text}]"),
                        &[Edit::insert(end, text)],
                        Target::Ranges(Box::new(move |a| {
                            only(a.map(path_start)..a.inserted[0].end)
                        })),
                    );
                }
            } else if name == "subscribe" {
                options(g, attr, &format!("#[subscribe] of {what}"), None);
            }
        }
        signature(
            g,
            method,
            &what,
            hook.as_deref(),
            subscribes > 0,
            impl_start,
            self_name,
        );
    }
}

fn signature(
    g: &mut Gen,
    method: &syn::ImplItemFn,
    what: &str,
    hook: Option<&str>,
    subscription: bool,
    impl_start: usize,
    self_name: &str,
) {
    let sig = &method.sig;
    let sig_range = g.range(sig);
    let sig_start = sig_range.start;
    let whole_sig = move |a: &Applied| only(a.map(sig_start)..a.map(sig_range.end));
    let receiver = sig.receiver();
    let args: Vec<&FnArg> = sig.inputs.iter().collect();
    // Each method gets three kinds of mistake, in turn.
    let mut families = vec![
        Kind::ExtraArgument,
        Kind::WrongReturnType,
        Kind::AsyncFn,
        Kind::GenericFn,
    ];
    if receiver.is_some() {
        families.extend([Kind::NoReceiver, Kind::SelfByValue]);
    }
    let rotation_key = format!("signature {}", families.len());
    let families = g.pick(&rotation_key, &families, 3);
    let chosen = |k: Kind| families.contains(&k);
    let open = g.text.range(sig.paren_token.span.open());
    let close = g.text.range(sig.paren_token.span.close());

    // Without self (a constructor for on_init: then its return type is wrong).
    if let Some(r) = receiver.filter(|_| chosen(Kind::NoReceiver) || chosen(Kind::SelfByValue)) {
        let r_range = g.range(r);
        let remove = if args.len() > 1 {
            r_range.start..g.range(args[1]).start
        } else {
            r_range.clone()
        };
        if chosen(Kind::NoReceiver) {
            g.push(
                Kind::NoReceiver,
                format!("{what} without self"),
                &[Edit::replace(remove, "")],
                Target::Ranges(Box::new(whole_sig)),
            );
        }
        let by_value = if chosen(Kind::SelfByValue) {
            g.pick("by_value", &["self", "mut self"], 1)
        } else {
            Vec::new()
        };
        for by_value in by_value {
            g.on_edit(
                Kind::SelfByValue,
                format!("{what}({by_value})"),
                vec![Edit::replace(r_range.clone(), by_value)],
                0,
            );
        }
    }
    // One argument too many.
    let extra_at = args.last().map_or(open.end, |a| g.range(*a).end);
    let sep = if args.is_empty() { "" } else { ", " };
    let skip = sep.len();
    if chosen(Kind::ExtraArgument) {
        g.push(
            Kind::ExtraArgument,
            format!("{what}(.., extra: u32)"),
            &[Edit::insert(extra_at, format!("{sep}extra: u32"))],
            Target::Ranges(Box::new(move |a| {
                only(a.inserted[0].start + skip..a.inserted[0].end)
            })),
        );
    }
    // A return type no hook has.
    let constructor = hook == Some("on_init") && receiver.is_none();
    let wrongs = if chosen(Kind::WrongReturnType) {
        g.pick("return", &["u32", "Option<()>", "Result<u32>"], 1)
    } else {
        Vec::new()
    };
    for wrong in wrongs {
        let edit = match &sig.output {
            ReturnType::Default => Edit::insert(close.end, format!(" -> {wrong}")),
            ReturnType::Type(_, ty) => Edit::replace(g.range(&**ty), wrong),
        };
        let arrow = matches!(sig.output, ReturnType::Default);
        g.push(
            Kind::WrongReturnType,
            format!("{what} -> {wrong}"),
            &[edit],
            Target::Ranges(Box::new(move |a| {
                let r = a.inserted[0].clone();
                vec![if arrow { r.start + 4..r.end } else { r }]
            })),
        );
    }
    // async and generic methods.
    if chosen(Kind::AsyncFn) {
        let fn_start = g.range(&sig.fn_token).start;
        g.on_edit(
            Kind::AsyncFn,
            format!("async {what}"),
            vec![Edit::insert(fn_start, "async ")],
            0,
        );
    }
    if chosen(Kind::GenericFn) {
        let ident_end = g.range(&sig.ident).end;
        g.on_edit(
            Kind::GenericFn,
            format!("{what}<T>"),
            vec![Edit::insert(ident_end, "<T>")],
            0,
        );
    }
    // A type alias for the return type.
    if let ReturnType::Type(_, ty) = &sig.output {
        let ty_text = g.src(&**ty).to_owned();
        let r = g.range(&**ty);
        if constructor {
            for (alias_def, replaced) in [
                (None, ty_text.replace("Self", self_name)),
                (
                    Some(format!("type MutantSelf = {self_name};\n")),
                    ty_text.replace("Self", "MutantSelf"),
                ),
            ] {
                if replaced == ty_text {
                    continue;
                }
                let mut edits = vec![Edit::replace(r.clone(), replaced.clone())];
                if let Some(def) = &alias_def {
                    edits.push(Edit::insert(impl_start, def.clone()));
                }
                g.push(
                    Kind::TypeAlias,
                    format!("{what} -> {replaced}"),
                    &edits,
                    Target::Valid,
                );
            }
        } else if ty_text != "()" {
            g.push(
                Kind::TypeAlias,
                format!("{what} -> MutantResult (= {ty_text})"),
                &[
                    Edit::insert(impl_start, format!("type MutantResult = {ty_text};\n")),
                    Edit::replace(r, "MutantResult"),
                ],
                Target::Valid,
            );
        }
    }
    if subscription {
        subscription_signature(g, method, what, impl_start);
    }
}

/// The event argument of a subscription: wrong types, missing, aliased,
/// contradicted by `kind`.
fn subscription_signature(g: &mut Gen, method: &syn::ImplItemFn, what: &str, impl_start: usize) {
    let sig = &method.sig;
    let Some(FnArg::Typed(event)) = sig.inputs.iter().find(|a| matches!(a, FnArg::Typed(_))) else {
        return;
    };
    let ty_range = g.range(&*event.ty);
    let ty_text = g.src(&*event.ty).to_owned();
    let wrongs = [
        "u32",
        "&Data<'_>",
        "Data<'static>",
        "Option<Data<'_>>",
        "String",
    ];
    for wrong in g.pick("event", &wrongs, 2) {
        g.on_edit(
            Kind::EventType,
            format!("{what}(.., _: {wrong})"),
            vec![Edit::replace(ty_range.clone(), wrong)],
            0,
        );
    }
    // Without the event argument.
    let sig_range = g.range(sig);
    let event_range = g.range(event);
    let remove = match sig.inputs.iter().position(|a| matches!(a, FnArg::Typed(_))) {
        Some(i) if i > 0 => g.range(&sig.inputs[i - 1]).end..event_range.end,
        _ => event_range.clone(),
    };
    g.push(
        Kind::MissingEvent,
        format!("{what} without its event"),
        &[Edit::replace(remove, "")],
        Target::Ranges(Box::new(move |a| {
            only(a.map(sig_range.start)..a.map(sig_range.end))
        })),
    );
    let last = last_segment(&event.ty);
    // An alias for the event type (with and without `kind`).
    if let Some(base @ ("Data" | "DataArray" | "Packet")) = last.as_deref() {
        let path = ty_text.split('<').next().unwrap().trim().to_owned();
        let alias = format!("type MutantEvent<'a> = {path}<'a>;\n");
        let mut edits = vec![
            Edit::insert(impl_start, alias.clone()),
            Edit::replace(ty_range.clone(), "MutantEvent<'_>"),
        ];
        // The kind comes from the aliased type; for an array or a packet,
        // the variant with `kind` spelt out too.
        g.push(
            Kind::TypeAlias,
            format!(
                "{what}(.., _: MutantEvent<'_>) with {alias}",
                alias = alias.trim()
            ),
            &edits,
            Target::Valid,
        );
        if base != "Data" {
            let kind = if base == "Packet" { "packet" } else { "array" };
            for attr in &method.attrs {
                let Meta::List(list) = &attr.meta else {
                    continue;
                };
                if attr.path().is_ident("subscribe") && !list.tokens.to_string().contains("kind") {
                    let close = g.text.range(list.delimiter.span().close()).start;
                    edits.push(Edit::insert(close, format!(", kind = \"{kind}\"")));
                }
            }
            g.push(
                Kind::TypeAlias,
                format!(
                    "{what}(.., _: MutantEvent<'_>) with {alias}, kind = \"{kind}\"",
                    alias = alias.trim()
                ),
                &edits,
                Target::Valid,
            );
        }
        // `kind` contradicting the argument's type.
        let wrong_kind = if base == "Data" { "array" } else { "data" };
        for attr in &method.attrs {
            if !attr.path().is_ident("subscribe") {
                continue;
            }
            let Meta::List(list) = &attr.meta else {
                continue;
            };
            if list.tokens.to_string().contains("kind") {
                continue;
            }
            let close = g.text.range(list.delimiter.span().close()).start;
            let ty_range = ty_range.clone();
            g.push(
                Kind::WrongKindOption,
                format!("{what}: kind = \"{wrong_kind}\" for {ty_text}"),
                &[Edit::insert(close, format!(", kind = \"{wrong_kind}\""))],
                Target::Ranges(Box::new(move |a| {
                    vec![
                        a.inserted[0].start + 2..a.inserted[0].end,
                        a.map(ty_range.start)..a.map(ty_range.end),
                    ]
                })),
            );
        }
    }
    let _ = Span::call_site();
}
