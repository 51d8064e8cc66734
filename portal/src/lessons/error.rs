//! Load errors. Each module owns the error enum of its area; [`LoadError`] adds the `file:line`
//! the problem is about, and [`LoadErrors`] is everything one load found.

use std::error::Error as _;
use std::fmt;
use std::path::PathBuf;

use super::directives::DirectiveError;
use super::frontmatter::FrontMatterError;
use super::include::IncludeError;
use super::load::LibraryError;
use super::passes::links::LinkError;

/// One problem in the content, e.g.
/// `content/part3/3-4-graceful-shutdown.md:42: 알 수 없는 패널 이름 'podz' (가능: …)`.
#[derive(Debug)]
pub struct LoadError {
    /// The file, relative to the repository root when it is inside it.
    pub path: PathBuf,
    /// 1-based line; 0 when the error is about a whole folder.
    pub line: usize,
    pub kind: ErrorKind,
}

/// What went wrong, by area.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error(transparent)]
    FrontMatter(#[from] FrontMatterError),
    #[error(transparent)]
    Directive(#[from] DirectiveError),
    #[error(transparent)]
    Include(#[from] IncludeError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Library(#[from] LibraryError),
}

impl LoadError {
    /// The message with its causes (I/O, TOML) on one line: what a reader of the start-up log
    /// needs to fix the content.
    pub fn detail(&self) -> String {
        let mut text = self.to_string();
        let mut cause = self.source();
        while let Some(err) = cause {
            text.push_str(": ");
            text.push_str(&one_line(&err.to_string()));
            cause = err.source();
        }
        text
    }
}

/// Causes such as TOML errors span several lines; a log line must not.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path.display(), self.kind),
            line => write!(f, "{}:{line}: {}", self.path.display(), self.kind),
        }
    }
}

impl std::error::Error for LoadError {
    // The kind is already in the message; the chain continues with what caused it.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}

/// Every error of one load, sorted by file and line.
#[derive(Debug)]
pub struct LoadErrors(Vec<LoadError>);

impl LoadErrors {
    pub(crate) fn new(mut errors: Vec<LoadError>) -> Self {
        errors.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        Self(errors)
    }

    pub fn errors(&self) -> &[LoadError] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<LoadError> {
        self.0
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "레슨을 불러오지 못했다 (오류 {}개)", self.0.len())?;
        for error in &self.0 {
            write!(f, "\n{}", error.detail())?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

impl<'a> IntoIterator for &'a LoadErrors {
    type Item = &'a LoadError;
    type IntoIter = std::slice::Iter<'a, LoadError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
