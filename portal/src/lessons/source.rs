//! A lesson file's text, normalised once, and the error collector that turns byte offsets
//! into `file:line`.

use std::path::PathBuf;

use unicode_normalization::UnicodeNormalization;

use super::error::{ErrorKind, LoadError};

/// One Markdown file of the content folder.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Where errors say the file is (relative to the repository root when possible).
    pub display: PathBuf,
    /// The path inside the content folder with `/` separators; relative links resolve
    /// against it.
    pub rel: String,
    /// The text in NFC, so Hangul typed on macOS (NFD) and elsewhere compare equal.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(display: PathBuf, rel: String, raw: &str) -> Self {
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        let text: String = raw.nfc().collect();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            display,
            rel,
            text,
            line_starts,
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }
}

/// Collects the errors found in one file; a pass reports and carries on, so a load lists
/// every problem at once.
#[derive(Debug)]
pub(crate) struct Diagnostics<'s> {
    file: &'s SourceFile,
    errors: Vec<LoadError>,
}

impl<'s> Diagnostics<'s> {
    pub fn new(file: &'s SourceFile) -> Self {
        Self {
            file,
            errors: Vec::new(),
        }
    }

    pub fn file(&self) -> &'s SourceFile {
        self.file
    }

    /// Reports an error at a byte offset of the file.
    pub fn at(&mut self, offset: usize, kind: impl Into<ErrorKind>) {
        let line = self.file.line_of(offset);
        self.at_line(line, kind);
    }

    pub fn at_line(&mut self, line: usize, kind: impl Into<ErrorKind>) {
        self.errors.push(LoadError {
            path: self.file.display.clone(),
            line,
            kind: kind.into(),
        });
    }

    pub fn into_errors(self) -> Vec<LoadError> {
        self.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_count_newlines() {
        let file = SourceFile::new("a.md".into(), "a.md".into(), "ab\ncd\n\nef");
        assert_eq!(file.line_of(0), 1);
        assert_eq!(file.line_of(2), 1);
        assert_eq!(file.line_of(3), 2);
        assert_eq!(file.line_of(6), 3);
        assert_eq!(file.line_of(7), 4);
        assert_eq!(file.line_of(100), 4);
    }

    #[test]
    fn text_is_nfc_without_bom() {
        // "한" as conjoining jamo (NFD), as macOS file names and some editors produce it.
        let file = SourceFile::new(
            "a.md".into(),
            "a.md".into(),
            "\u{feff}\u{1112}\u{1161}\u{11ab}",
        );
        assert_eq!(file.text, "한");
    }
}
