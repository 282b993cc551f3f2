//! The one place where darling's errors become the macro's own wording.
//! The option lists are checked in `options` and every value type has its
//! own messages, so darling's stock messages ("Unexpected type `path`",
//! "Unknown field") are not expected here; any that still comes is reworded
//! from its kind, which darling only shows in its text.

use super::options::AttrSpec;

/// `e`, in the macro's words, for an option of `#[spec.attr]`.
pub fn darling_error(e: darling::Error, spec: &AttrSpec) -> Vec<syn::Error> {
    e.flatten()
        .into_iter()
        .map(|one| {
            let span = one.span();
            let stock = without_location(&one.to_string());
            syn::Error::new(span, reword(&stock, spec))
        })
        .collect()
}

/// darling appends ` at <option>` to a message; the span says it already.
fn without_location(message: &str) -> String {
    match message.rsplit_once(" at ") {
        Some((text, location)) if !location.contains([' ', '`']) => text.to_owned(),
        _ => message.to_owned(),
    }
}

fn reword(stock: &str, spec: &AttrSpec) -> String {
    let attr = spec.attr;
    let quoted = stock
        .split('`')
        .nth(1)
        .map(str::to_owned)
        .unwrap_or_default();
    let examples = || {
        spec.options
            .iter()
            .map(|o| format!("`{}`", o.example))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if stock.starts_with("Unknown field") {
        format!(
            "`#[{attr}]` has no option `{quoted}`; its options are {}",
            examples()
        )
    } else if stock.starts_with("Duplicate field") {
        format!("`{quoted}` is given twice in `#[{attr}]`: keep one")
    } else if stock.starts_with("Missing field") {
        format!("`#[{attr}]` needs `{quoted}`")
    } else if stock.starts_with("Unknown value") || stock.starts_with("Unknown literal value") {
        format!("`{quoted}` is not a value this option of `#[{attr}]` accepts")
    } else if stock.starts_with("Unexpected type")
        || stock.starts_with("Unexpected literal type")
        || stock.starts_with("Unexpected meta-item format")
        || stock.starts_with("Unsupported shape")
        || stock.starts_with("Too few items")
        || stock.starts_with("Too many items")
    {
        format!(
            "an option of `#[{attr}]` is written the wrong way: write it as {}",
            examples()
        )
    } else {
        stock.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::options;
    use super::*;

    #[test]
    fn stock_messages_are_reworded() {
        for stock in [
            "Unexpected type `path`",
            "Unexpected meta-item format `list`",
            "Unknown field: `nme`",
            "Duplicate field `name`",
        ] {
            let ours = reword(stock, &options::FIELD);
            assert!(ours.contains("#[field]"), "{ours}");
            assert!(
                !ours.contains("Unexpected") && !ours.contains("Unknown"),
                "{ours}"
            );
        }
        assert_eq!(reword("our own words", &options::FIELD), "our own words");
    }
}
