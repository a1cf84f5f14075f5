//! Places in source files.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

/// A position in a file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Pos {
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub column: u32,
}

/// A region of a file. `end` equals `start` when only the start is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    /// First character of the region.
    pub start: Pos,
    /// Position just past the last character of the region.
    pub end: Pos,
}

impl Span {
    /// A region from `start` to `end`.
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// A region that is only a starting point.
    pub fn point(line: u32, column: u32) -> Self {
        let p = Pos { line, column };
        Span { start: p, end: p }
    }

    /// The 1-based line where the region starts.
    pub fn line(&self) -> u32 {
        self.start.line
    }

    /// The 1-based column where the region starts.
    pub fn column(&self) -> u32 {
        self.start.column
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.start.line, self.start.column)
    }
}

/// A value together with the place it was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    /// The string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A file and a region inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file's path as the user named it (or `-` for standard input).
    pub file: Arc<str>,
    /// The region.
    pub span: Span,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.span)
    }
}
