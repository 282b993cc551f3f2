//! A small `macro_rules!` interpreter, so that the harness can expand the
//! struct-to-impl hand-off the way rustc would and show its result as code.
//!
//! Supported: literal tokens and groups, `$name:frag` for the fragments
//! `tt`, `ident`, `literal` and `lifetime`, repetitions `$( .. ) sep? op`
//! with `*`, `+` and `?`, nested repetitions, `$crate` (the defining crate:
//! `crate`). Arms are tried in order and the first that matches is used, as
//! rustc does; a matcher that matches one input in two ways is reported as
//! ambiguous (rustc rejects it too). Anything else (other fragment kinds,
//! malformed definitions) is an error naming what is missing, never a
//! silent approximation.

use std::collections::BTreeMap;

use proc_macro2::{Delimiter, Group, Spacing, TokenStream, TokenTree};

/// One parsed `macro_rules!` definition.
#[derive(Clone)]
pub struct MacroRules {
    arms: Vec<(Vec<Pat>, Vec<Tx>)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    ZeroOrMore,
    OneOrMore,
    ZeroOrOne,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Frag {
    Tt,
    Ident,
    Literal,
    Lifetime,
}

/// A matcher element.
#[derive(Clone, Debug)]
enum Pat {
    /// A literal token, compared by its text (idents, punctuation, literals).
    Token(String),
    Group(Delimiter, Vec<Pat>),
    Var(String, Frag),
    Rep(Vec<Pat>, Option<String>, Op),
}

/// A transcriber element.
#[derive(Clone, Debug)]
enum Tx {
    Token(TokenTree),
    Group(Group, Vec<Tx>),
    Var(String),
    Crate(proc_macro2::Span),
    Rep(Vec<Tx>, Option<TokenTree>, Op),
}

/// What a metavariable matched: one token sequence, or one binding per
/// iteration of the repetition it is in.
#[derive(Clone, Debug)]
enum Binding {
    One(Vec<TokenTree>),
    Seq(Vec<Binding>),
}

type Bindings = BTreeMap<String, Binding>;

impl MacroRules {
    /// Parses the body of `macro_rules! name { body }`.
    pub fn parse(body: TokenStream) -> Result<Self, String> {
        let tokens: Vec<TokenTree> = body.into_iter().collect();
        let mut arms = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let TokenTree::Group(matcher) = &tokens[i] else {
                return Err(format!("expected a matcher group, found `{}`", tokens[i]));
            };
            let arrow = (tokens.get(i + 1), tokens.get(i + 2));
            let is_arrow = matches!(arrow,
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == '=' && a.spacing() == Spacing::Joint && b.as_char() == '>');
            if !is_arrow {
                return Err("expected `=>` after a matcher".into());
            }
            let Some(TokenTree::Group(transcriber)) = tokens.get(i + 3) else {
                return Err("expected a transcriber group after `=>`".into());
            };
            arms.push((
                parse_matcher(&flatten(matcher.stream()))?,
                parse_transcriber(&flatten(transcriber.stream()))?,
            ));
            i += 4;
            match tokens.get(i) {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => i += 1,
                None => {}
                Some(other) => return Err(format!("expected `;` between arms, found `{other}`")),
            }
        }
        Ok(MacroRules { arms })
    }

    /// The expansion of an invocation with `input`: the first arm that
    /// matches, transcribed.
    pub fn expand(&self, input: TokenStream) -> Result<TokenStream, String> {
        let input = flatten(input);
        for (matcher, transcriber) in &self.arms {
            let mut full = match_seq(matcher, &input)?
                .into_iter()
                .filter(|(used, _)| *used == input.len());
            let Some((_, bindings)) = full.next() else {
                continue;
            };
            if full.next().is_some() {
                return Err("the matcher is ambiguous for this input".into());
            }
            let mut out = TokenStream::new();
            transcribe(transcriber, &bindings, &[], &mut out)?;
            return Ok(out);
        }
        Err("no arm matches the invocation".into())
    }
}

/// The token trees of `stream`, with the invisible groups that
/// `proc_macro2` may leave around interpolated fragments removed.
fn flatten(stream: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for tt in stream {
        match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => {
                out.extend(flatten(g.stream()))
            }
            other => out.push(other),
        }
    }
    out
}

fn is_punct(tt: Option<&TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn rep_op(tt: Option<&TokenTree>) -> Option<Op> {
    match tt {
        Some(TokenTree::Punct(p)) => match p.as_char() {
            '*' => Some(Op::ZeroOrMore),
            '+' => Some(Op::OneOrMore),
            '?' => Some(Op::ZeroOrOne),
            _ => None,
        },
        _ => None,
    }
}

/// After `$( .. )`: the optional separator and the operator, and how many
/// tokens they take.
fn rep_suffix(tokens: &[TokenTree], at: usize) -> Result<(Option<TokenTree>, Op, usize), String> {
    if let Some(op) = rep_op(tokens.get(at)) {
        return Ok((None, op, 1));
    }
    match (tokens.get(at), rep_op(tokens.get(at + 1))) {
        (Some(sep), Some(op)) if op != Op::ZeroOrOne => Ok((Some(sep.clone()), op, 2)),
        _ => {
            Err("a repetition `$( .. )` needs `*`, `+` or `?` (after an optional separator)".into())
        }
    }
}

fn parse_matcher(tokens: &[TokenTree]) -> Result<Vec<Pat>, String> {
    let mut pats = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(name)) => {
                    if name == "crate" {
                        pats.push(Pat::Token("$crate".into()));
                        i += 2;
                        continue;
                    }
                    if !is_punct(tokens.get(i + 2), ':') {
                        return Err(format!("`${name}` in a matcher needs a fragment kind"));
                    }
                    let Some(TokenTree::Ident(kind)) = tokens.get(i + 3) else {
                        return Err(format!("`${name}:` needs a fragment kind"));
                    };
                    let frag = match kind.to_string().as_str() {
                        "tt" => Frag::Tt,
                        "ident" => Frag::Ident,
                        "literal" => Frag::Literal,
                        "lifetime" => Frag::Lifetime,
                        other => {
                            return Err(format!(
                                "fragment `${name}:{other}` is not supported by the test \
                                 harness's macro_rules interpreter (tests/support/macro_rules.rs); \
                                 extend it"
                            ));
                        }
                    };
                    pats.push(Pat::Var(name.to_string(), frag));
                    i += 4;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let inner = parse_matcher(&flatten(g.stream()))?;
                    let (sep, op, used) = rep_suffix(tokens, i + 2)?;
                    pats.push(Pat::Rep(inner, sep.map(|s| s.to_string()), op));
                    i += 2 + used;
                }
                _ => return Err("a `$` in a matcher must start `$name:frag` or `$( .. )`".into()),
            },
            TokenTree::Group(g) => {
                pats.push(Pat::Group(
                    g.delimiter(),
                    parse_matcher(&flatten(g.stream()))?,
                ));
                i += 1;
            }
            other => {
                pats.push(Pat::Token(other.to_string()));
                i += 1;
            }
        }
    }
    Ok(pats)
}

fn parse_transcriber(tokens: &[TokenTree]) -> Result<Vec<Tx>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Punct(p) if p.as_char() == '$' => match tokens.get(i + 1) {
                Some(TokenTree::Ident(name)) if name == "crate" => {
                    out.push(Tx::Crate(name.span()));
                    i += 2;
                }
                Some(TokenTree::Ident(name)) => {
                    out.push(Tx::Var(name.to_string()));
                    i += 2;
                }
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => {
                    let inner = parse_transcriber(&flatten(g.stream()))?;
                    let (sep, op, used) = rep_suffix(tokens, i + 2)?;
                    out.push(Tx::Rep(inner, sep, op));
                    i += 2 + used;
                }
                _ => return Err("a `$` in a transcriber must start `$name` or `$( .. )`".into()),
            },
            TokenTree::Group(g) => {
                out.push(Tx::Group(
                    g.clone(),
                    parse_transcriber(&flatten(g.stream()))?,
                ));
                i += 1;
            }
            other => {
                out.push(Tx::Token(other.clone()));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// How many tokens a fragment takes at the start of `input`, if it matches.
fn match_fragment(frag: Frag, input: &[TokenTree]) -> Option<usize> {
    match (frag, input) {
        (Frag::Tt, [_, ..]) => Some(1),
        (Frag::Ident, [TokenTree::Ident(i), ..]) if i != "_" => Some(1),
        (Frag::Literal, [TokenTree::Literal(_), ..]) => Some(1),
        (Frag::Literal, [TokenTree::Punct(p), TokenTree::Literal(_), ..]) if p.as_char() == '-' => {
            Some(2)
        }
        (Frag::Literal, [TokenTree::Ident(i), ..]) if i == "true" || i == "false" => Some(1),
        (Frag::Lifetime, [TokenTree::Punct(p), TokenTree::Ident(_), ..])
            if p.as_char() == '\'' && p.spacing() == Spacing::Joint =>
        {
            Some(2)
        }
        _ => None,
    }
}

/// Every way `pats` matches a prefix of `input`: how many tokens it used,
/// and the bindings.
fn match_seq(pats: &[Pat], input: &[TokenTree]) -> Result<Vec<(usize, Bindings)>, String> {
    let Some((first, rest)) = pats.split_first() else {
        return Ok(vec![(0, Bindings::new())]);
    };
    // The ways `first` matches a prefix.
    let heads: Vec<(usize, Bindings)> = match first {
        Pat::Token(text) => match input.first() {
            Some(tt) if !matches!(tt, TokenTree::Group(_)) && tt.to_string() == *text => {
                vec![(1, Bindings::new())]
            }
            _ => vec![],
        },
        Pat::Group(delimiter, inner) => match input.first() {
            Some(TokenTree::Group(g)) if g.delimiter() == *delimiter => {
                let inner_input = flatten(g.stream());
                match_seq(inner, &inner_input)?
                    .into_iter()
                    .filter(|(used, _)| *used == inner_input.len())
                    .map(|(_, b)| (1, b))
                    .collect()
            }
            _ => vec![],
        },
        Pat::Var(name, frag) => match match_fragment(*frag, input) {
            Some(n) => vec![(
                n,
                Bindings::from([(name.clone(), Binding::One(input[..n].to_vec()))]),
            )],
            None => vec![],
        },
        Pat::Rep(inner, sep, op) => match_rep(inner, sep.as_deref(), *op, input)?,
    };
    let mut out = Vec::new();
    for (used, head) in heads {
        for (more, tail) in match_seq(rest, &input[used..])? {
            let mut bindings = head.clone();
            for (name, binding) in tail {
                if bindings.insert(name.clone(), binding).is_some() {
                    return Err(format!("metavariable `${name}` is bound twice"));
                }
            }
            out.push((used + more, bindings));
        }
    }
    Ok(out)
}

fn var_names(pats: &[Pat], out: &mut Vec<String>) {
    for pat in pats {
        match pat {
            Pat::Var(name, _) => out.push(name.clone()),
            Pat::Group(_, inner) | Pat::Rep(inner, _, _) => var_names(inner, out),
            Pat::Token(_) => {}
        }
    }
}

/// Every way a repetition matches a prefix of `input`.
fn match_rep(
    inner: &[Pat],
    sep: Option<&str>,
    op: Op,
    input: &[TokenTree],
) -> Result<Vec<(usize, Bindings)>, String> {
    let mut names = Vec::new();
    var_names(inner, &mut names);
    // States after k iterations: tokens used and one binding map per iteration.
    let mut states: Vec<(usize, Vec<Bindings>)> = vec![(0, Vec::new())];
    let mut done = Vec::new();
    while let Some((used, iterations)) = states.pop() {
        let k = iterations.len();
        let enough = match op {
            Op::ZeroOrMore | Op::ZeroOrOne => true,
            Op::OneOrMore => k >= 1,
        };
        if enough {
            let mut bindings = Bindings::new();
            for name in &names {
                let seq = iterations.iter().map(|b| b[name].clone()).collect();
                bindings.insert(name.clone(), Binding::Seq(seq));
            }
            done.push((used, bindings));
        }
        if op == Op::ZeroOrOne && k == 1 {
            continue;
        }
        let mut at = used;
        if k > 0 {
            if let Some(sep) = sep {
                match input.get(at) {
                    Some(tt) if tt.to_string() == sep => at += 1,
                    _ => continue,
                }
            }
        }
        for (n, b) in match_seq(inner, &input[at..])? {
            // An iteration that consumes nothing would repeat forever.
            if n == 0 {
                return Err("a repetition matches the empty sequence".into());
            }
            let mut next = iterations.clone();
            next.push(b);
            states.push((at + n, next));
        }
    }
    Ok(done)
}

/// The binding of `name` at the repetition indices `path`.
fn lookup<'a>(bindings: &'a Bindings, name: &str, path: &[usize]) -> Option<&'a Binding> {
    let mut binding = bindings.get(name)?;
    for &i in path {
        match binding {
            Binding::Seq(items) => binding = items.get(i)?,
            Binding::One(_) => break,
        }
    }
    Some(binding)
}

/// How many times a transcriber repetition runs: the common length of the
/// sequences its metavariables are bound to at this depth.
fn rep_count(txs: &[Tx], bindings: &Bindings, path: &[usize]) -> Result<Option<usize>, String> {
    let mut count: Option<usize> = None;
    for tx in txs {
        let here = match tx {
            Tx::Var(name) => match lookup(bindings, name, path) {
                Some(Binding::Seq(items)) => Some(items.len()),
                _ => None,
            },
            Tx::Group(_, inner) | Tx::Rep(inner, _, _) => rep_count(inner, bindings, path)?,
            Tx::Token(_) | Tx::Crate(_) => None,
        };
        match (count, here) {
            (Some(a), Some(b)) if a != b => {
                return Err("metavariables repeat a different number of times".into());
            }
            (None, Some(b)) => count = Some(b),
            _ => {}
        }
    }
    Ok(count)
}

fn transcribe(
    txs: &[Tx],
    bindings: &Bindings,
    path: &[usize],
    out: &mut TokenStream,
) -> Result<(), String> {
    for tx in txs {
        match tx {
            Tx::Token(tt) => out.extend([tt.clone()]),
            Tx::Crate(span) => {
                out.extend([TokenTree::Ident(proc_macro2::Ident::new("crate", *span))])
            }
            Tx::Group(group, inner) => {
                let mut stream = TokenStream::new();
                transcribe(inner, bindings, path, &mut stream)?;
                let mut g = Group::new(group.delimiter(), stream);
                g.set_span(group.span());
                out.extend([TokenTree::Group(g)]);
            }
            Tx::Var(name) => match lookup(bindings, name, path) {
                Some(Binding::One(tokens)) => out.extend(tokens.iter().cloned()),
                Some(Binding::Seq(_)) => {
                    return Err(format!("`${name}` is still repeating at this depth"));
                }
                // Not a metavariable: rustc emits `$name` as written.
                None => {
                    return Err(format!("`${name}` is not bound by the matcher"));
                }
            },
            Tx::Rep(inner, sep, op) => {
                let Some(count) = rep_count(inner, bindings, path)? else {
                    return Err(
                        "a repetition in a transcriber uses no repeating metavariable".into(),
                    );
                };
                if *op == Op::ZeroOrOne && count > 1 {
                    return Err("`$( .. )?` repeats more than once".into());
                }
                for i in 0..count {
                    if i > 0 {
                        if let Some(sep) = sep {
                            out.extend([sep.clone()]);
                        }
                    }
                    let mut inner_path = path.to_vec();
                    inner_path.push(i);
                    transcribe(inner, bindings, &inner_path, out)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MacroRules;

    fn expand(def: &str, input: &str) -> Result<String, String> {
        let rules = MacroRules::parse(def.parse().unwrap())?;
        rules
            .expand(input.parse().unwrap())
            .map(|t| t.to_string().replace(" ", ""))
    }

    #[test]
    fn literal_tokens_select_the_arm() {
        let def = "(a; $($x:tt)*) => { A $($x)* }; (b; $($x:tt)*) => { B $($x)* };";
        assert_eq!(expand(def, "b; 1 2").unwrap(), "B12");
        assert_eq!(expand(def, "a;").unwrap(), "A");
        assert!(expand(def, "c; 1").is_err());
    }

    #[test]
    fn groups_and_repetitions_with_separators() {
        let def = "(pre { $($p:tt)* } list [$($i:ident),*]) => { fn f() { $($p)* } $(const $i: u8 = 0;)* };";
        assert_eq!(
            expand(def, "pre { x + 1 } list [a, b]").unwrap(),
            "fnf(){x+1}consta:u8=0;constb:u8=0;"
        );
        assert!(expand(def, "pre ( x ) list []").is_err());
        assert!(expand(def, "pre { } list [a b]").is_err());
    }

    #[test]
    fn nested_repetitions_and_one_or_more() {
        let def = "($($k:ident => [$($v:literal)+])*) => { $($k($($v),+);)* };";
        assert_eq!(
            expand(def, "a => [1 2] b => [-3]").unwrap(),
            "a(1,2);b(-3);"
        );
        assert!(expand(def, "a => []").is_err());
    }

    #[test]
    fn unsupported_fragments_are_reported() {
        assert!(
            expand("($e:expr) => {}", "1")
                .unwrap_err()
                .contains("not supported")
        );
    }

    #[test]
    fn optional_parts_lifetimes_and_crate() {
        let def = "($l:lifetime $(mut)? $x:ident) => { $crate::f::<$l>($x) };";
        assert_eq!(expand(def, "'a mut x").unwrap(), "crate::f::<'a>(x)");
        assert_eq!(expand(def, "'a x").unwrap(), "crate::f::<'a>(x)");
        assert!(expand(def, "a x").is_err());
    }

    #[test]
    fn ambiguous_matchers_are_reported() {
        // `$a` could take one or two of the tokens: rustc rejects this too.
        let def = "($($a:tt)* $($b:tt)*) => {};";
        assert!(expand(def, "1 2").unwrap_err().contains("ambiguous"));
    }
}
