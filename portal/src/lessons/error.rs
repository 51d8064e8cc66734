//! Load errors. The front matter, library and link errors are defined here and imported
//! by the modules that raise them, so this module imports none of them back (directives
//! and includes keep their own enums: they import nothing from here). [`LoadError`] adds
//! the `file:line` the problem is about, and [`LoadErrors`] is everything one load found.

use std::error::Error as _;
use std::fmt;
use std::io;
use std::path::PathBuf;

use super::directives::DirectiveError;
use super::include::IncludeError;
use super::model::MAX_PART;
use super::names::UnknownName;

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

#[derive(Debug, thiserror::Error)]
pub enum FrontMatterError {
    #[error("머리말이 없다: 파일 첫 줄이 '+++' 여야 한다")]
    Missing,
    #[error("머리말이 닫히지 않았다: 머리말 끝에 '+++' 줄이 있어야 한다")]
    Unterminated,
    #[error("머리말 TOML 을 읽을 수 없다")]
    Toml(#[source] toml::de::Error),
    #[error("id 에는 영문 소문자, 숫자, 하이픈만 쓴다: '{0}'")]
    InvalidId(String),
    #[error("title 이 비어 있다")]
    EmptyTitle,
    #[error("part 는 0부터 {MAX_PART} 사이다: {0}")]
    InvalidPart(i64),
    #[error("{field} 에 같은 이름이 두 번 있다: '{name}'")]
    Duplicate { field: &'static str, name: String },
    #[error(transparent)]
    Name(#[from] UnknownName),
}

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("폴더를 읽을 수 없다")]
    ReadDir(#[source] io::Error),
    #[error("파일을 읽을 수 없다")]
    ReadFile(#[source] io::Error),
    #[error("레슨이 하나도 없다")]
    Empty,
    #[error("id 중복: '{id}' (먼저 나온 곳: {first})")]
    DuplicateId { id: String, first: String },
    #[error("order 중복: part {part}, order {order} (먼저 나온 곳: {first})")]
    DuplicateOrder { part: u8, order: u32, first: String },
    #[error("머리말 {field} 에 없는 이름: '{name}'")]
    Undeclared { field: &'static str, name: String },
    #[error("머리말 {field} 에 있지만 본문에서 쓰지 않는 이름: '{name}'")]
    Unused { field: &'static str, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("링크한 레슨 파일이 없다: '{0}'")]
    MissingLesson(String),
    #[error("레슨이 아닌 파일로 링크했다: '{0}'")]
    NotALesson(String),
    #[error("레슨 '{lesson}' 에 없는 앵커: '#{anchor}'")]
    MissingAnchor { lesson: String, anchor: String },
    #[error("이 앵커를 가진 레슨이 없다: '#{0}'")]
    UnknownAnchor(String),
    #[error("여러 레슨에 있는 앵커: '#{anchor}' ({lessons}); 상대 경로 링크로 레슨을 밝힌다")]
    AmbiguousAnchor { anchor: String, lessons: String },
    #[error("앵커가 비어 있다: '#'")]
    EmptyAnchor,
    #[error("지원하지 않는 링크: '{0}' (http, https, mailto 만 쓴다)")]
    UnsupportedScheme(String),
    #[error("레슨(.md)이 아닌 상대 링크는 쓸 수 없다: '{0}'")]
    NotMarkdown(String),
    #[error("없는 레슨 id: '{0}'")]
    UnknownLessonId(String),
    #[error("이미지는 http(s) 주소만 쓴다: '{0}'")]
    LocalImage(String),
}
