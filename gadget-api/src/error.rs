//! The one error type of the crate.
//!
//! Every failure says which `ig` operation failed and what it was about (the
//! data source, field, map, param, config key or syscall), so that a message
//! in ig's log is enough to find the mistake.

use std::borrow::Cow;
use std::fmt;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is, for code that wants to react to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The named thing (data source, field, map, param, syscall) does not exist.
    NotFound,
    /// The host refused the call (bad handle, wrong type, wrong size, ...).
    HostRefused,
    /// A value did not fit in the buffer offered for it.
    TooLarge,
    /// A value given by the gadget or read from the host is not acceptable.
    InvalidValue,
    /// The gadget state was entered again while a hook or callback held it.
    Reentrant,
    /// The gadget has not been initialised (gadgetInit failed or never ran).
    NotInitialized,
}

/// An error from a call into ig's host, or from the gadget runtime.
///
/// Its `Display` reads `<subject>: <what went wrong> (<operation>)`, e.g.
/// ``field `argz` of data source `exec`: not found (dataSourceGetField)``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    op: &'static str,
    subject: Option<Box<str>>,
    detail: Cow<'static, str>,
}

impl Error {
    /// A new error; `op` is the `ig` function or runtime step that failed.
    pub fn new(kind: ErrorKind, op: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            op,
            subject: None,
            detail: detail.into(),
        }
    }

    /// Names what the failed operation was about (e.g. ``map `counts` ``).
    pub fn with_subject(self, subject: impl fmt::Display) -> Self {
        self.with_dyn_subject(&subject)
    }

    /// The body of [`with_subject`](Self::with_subject), compiled once
    /// rather than once per subject type.
    #[inline(never)]
    fn with_dyn_subject(mut self, subject: &dyn fmt::Display) -> Self {
        self.subject = Some(text(format_args!("{subject}")).into_boxed_str());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The `ig` function (or runtime step) that failed, e.g. `"mapUpdate"`.
    pub fn operation(&self) -> &'static str {
        self.op
    }

    /// What the operation was about, e.g. ``field `pid` of data source `exec` ``.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// What went wrong, and what to do about it where that is known.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(subject) = &self.subject {
            write!(f, "{subject}: ")?;
        }
        write!(f, "{} ({})", self.detail, self.op)
    }
}

impl std::error::Error for Error {}

/// `format!` without its panic path: a `Display` that fails leaves the text
/// cut short instead of panicking. Every gadget carries the crate's error
/// paths, and `format!`'s machinery (its capacity estimate, its `expect`)
/// costs ~2 KB of each module (see SIZE.md).
pub(crate) fn text(args: fmt::Arguments<'_>) -> String {
    let mut s = String::new();
    let _ = fmt::Write::write_fmt(&mut s, args);
    s
}

/// Subjects, formatted the same way everywhere.
pub(crate) mod subject {
    use std::fmt;

    pub(crate) fn datasource(name: &str) -> impl fmt::Display + '_ {
        Quoted("data source", name)
    }

    pub(crate) fn field<'a>(datasource: &'a str, field: &'a str) -> impl fmt::Display + 'a {
        FieldOf(datasource, field)
    }

    pub(crate) fn map(name: &str) -> impl fmt::Display + '_ {
        Quoted("map", name)
    }

    pub(crate) fn param(key: &str) -> impl fmt::Display + '_ {
        Quoted("param", key)
    }

    pub(crate) fn config(key: &str) -> impl fmt::Display + '_ {
        Quoted("config key", key)
    }

    pub(crate) fn syscall(name: &str) -> impl fmt::Display + '_ {
        Quoted("syscall", name)
    }

    pub(crate) fn perf_reader(map: &str) -> impl fmt::Display + '_ {
        Quoted("perf reader on map", map)
    }

    struct Quoted<'a>(&'static str, &'a str);

    impl fmt::Display for Quoted<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} `{}`", self.0, self.1)
        }
    }

    struct FieldOf<'a>(&'a str, &'a str);

    impl fmt::Display for FieldOf<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            if self.0.is_empty() {
                write!(f, "field `{}`", self.1)
            } else {
                write!(f, "field `{}` of data source `{}`", self.1, self.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_subject_detail_and_operation() {
        let e = Error::new(ErrorKind::NotFound, "dataSourceGetField", "not found")
            .with_subject(subject::field("exec", "argz"));
        assert_eq!(
            e.to_string(),
            "field `argz` of data source `exec`: not found (dataSourceGetField)"
        );
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.operation(), "dataSourceGetField");
        assert_eq!(e.subject(), Some("field `argz` of data source `exec`"));
    }

    #[test]
    fn text_formats_and_a_failing_display_only_cuts_it_short() {
        struct Fails;
        impl fmt::Display for Fails {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                Err(fmt::Error)
            }
        }
        assert_eq!(text(format_args!("a{}b", 1)), "a1b");
        assert_eq!(text(format_args!("kept {} lost", Fails)), "kept ");
    }

    #[test]
    fn display_without_subject() {
        let e = Error::new(ErrorKind::InvalidValue, "gadgetInit", "bad");
        assert_eq!(e.to_string(), "bad (gadgetInit)");
    }

    #[test]
    fn subjects_are_quoted_consistently() {
        assert_eq!(subject::map("counts").to_string(), "map `counts`");
        assert_eq!(subject::param("max").to_string(), "param `max`");
        assert_eq!(subject::field("", "pid").to_string(), "field `pid`");
        assert_eq!(subject::syscall("open").to_string(), "syscall `open`");
    }
}
