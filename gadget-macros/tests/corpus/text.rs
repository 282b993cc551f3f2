//! Source positions: `proc_macro2` line/column (line from 1, column in
//! chars) to byte offsets and back, and text edits that keep track of where
//! the edited text ends up.

use std::ops::Range;

use proc_macro2::{LineColumn, Span};

/// A source text with its line starts.
pub struct Text<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Text { text, line_starts }
    }

    pub fn offset(&self, lc: LineColumn) -> usize {
        let start = self.line_starts[lc.line - 1];
        let line = &self.text[start..];
        start
            + line
                .char_indices()
                .nth(lc.column)
                .map_or(line.len(), |(i, _)| i)
    }

    pub fn line_column(&self, offset: usize) -> LineColumn {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        LineColumn {
            line,
            column: self.text[start..offset].chars().count(),
        }
    }

    /// The byte range of a spanned node of this text.
    pub fn range(&self, span: Span) -> Range<usize> {
        self.offset(span.start())..self.offset(span.end())
    }

    pub fn slice(&self, range: Range<usize>) -> &'a str {
        &self.text[range]
    }
}

/// Replace `range` of the original text by `text`.
#[derive(Clone, Debug)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Self {
        Edit {
            range,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Self::replace(at..at, text)
    }
}

/// The text after some edits, where each edit's new text is, and where an
/// untouched position of the original moved.
pub struct Applied {
    pub text: String,
    /// The range of each edit's new text, in the order the edits were given.
    pub inserted: Vec<Range<usize>>,
    shifts: Vec<(usize, isize)>,
}

impl Applied {
    /// Where an original offset outside every edited range is now.
    pub fn map(&self, offset: usize) -> usize {
        let delta: isize = self
            .shifts
            .iter()
            .filter(|(end, _)| *end <= offset)
            .map(|(_, d)| d)
            .sum();
        (offset as isize + delta) as usize
    }
}

/// Applies non-overlapping edits.
pub fn apply(original: &str, edits: &[Edit]) -> Applied {
    let mut order: Vec<usize> = (0..edits.len()).collect();
    order.sort_by_key(|&i| (edits[i].range.start, edits[i].range.end));
    let mut text = String::new();
    let mut inserted = vec![0..0; edits.len()];
    let mut shifts = Vec::new();
    let mut at = 0;
    for i in order {
        let edit = &edits[i];
        assert!(edit.range.start >= at, "overlapping edits {edits:?}");
        text.push_str(&original[at..edit.range.start]);
        let start = text.len();
        text.push_str(&edit.text);
        inserted[i] = start..text.len();
        shifts.push((
            edit.range.end,
            edit.text.len() as isize - edit.range.len() as isize,
        ));
        at = edit.range.end;
    }
    text.push_str(&original[at..]);
    Applied {
        text,
        inserted,
        shifts,
    }
}
