//! What a loaded lesson is made of. Plain data: everything is computed at load time.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::names::{Action, ExperimentName, PanelName, SkipReason, StartState};

/// The highest `part` (5: the appendices).
pub(crate) const MAX_PART: u8 = 5;

/// The front matter, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LessonMeta {
    pub id: String,
    pub title: String,
    /// 0 시작하기, 1–3 parts, 4 정리, 5 부록.
    pub part: u8,
    pub order: u32,
    pub minutes: u32,
    pub panels: Vec<PanelName>,
    pub experiments: Vec<ExperimentName>,
    pub start: StartState,
}

/// One lesson, rendered.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub meta: LessonMeta,
    /// The Markdown file, relative to the repository root when inside it.
    pub source: PathBuf,
    /// The body: HTML split at the top-level panels and experiments.
    pub segments: Vec<Segment>,
    /// The level 2 and 3 headings.
    pub toc: Vec<TocEntry>,
    /// Every `bash`/`sh`/`shell`/`console` block, in document order, for the test runner.
    pub shell_blocks: Vec<ShellBlock>,
    /// Every repository file excerpt, in document order.
    pub includes: Vec<Include>,
    /// The prose (headings, paragraphs, lists, tables; no code blocks) by section, for search.
    pub sections: Vec<TextSection>,
}

impl Lesson {
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    pub fn title(&self) -> &str {
        &self.meta.title
    }

    /// The first prose of the lesson, cut to about 160 characters: a page description.
    pub fn summary(&self) -> String {
        const MAX_CHARS: usize = 160;
        let text = self
            .sections
            .iter()
            .map(|section| section.text.as_str())
            .find(|text| !text.is_empty())
            .unwrap_or_default();
        match text.char_indices().nth(MAX_CHARS) {
            Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
            None => text.to_owned(),
        }
    }
}

/// A piece of a lesson body.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Segment {
    /// Trusted HTML: raw HTML from the Markdown is escaped.
    Html(String),
    /// ```` ```panel NAME ```` with its TOML body as options.
    Panel {
        name: PanelName,
        options: serde_json::Map<String, serde_json::Value>,
    },
    /// ```` ```experiment NAME ````.
    Experiment { name: ExperimentName },
}

/// A heading in the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    /// The GitHub-compatible anchor, e.g. `step-3-4-graceful-shutdown-이해`.
    pub id: String,
    pub text: String,
    /// 2 or 3.
    pub level: u8,
}

/// A shell command block and how it is classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellBlock {
    /// The line of the opening fence.
    pub line: usize,
    /// `bash`, `sh`, `shell` or `console`.
    pub lang: String,
    pub code: String,
    pub class: ShellClass,
    /// The ```` ```text expect ```` block right after a `run` block.
    pub expect: Option<ExpectedOutput>,
}

/// `run` (optionally with an `action`) or `skip=REASON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShellClass {
    Run { action: Option<Action> },
    Skip { reason: SkipReason },
}

impl ShellClass {
    pub fn is_run(self) -> bool {
        matches!(self, Self::Run { .. })
    }
}

/// The output a `run` block is expected to print (with `{{…}}` placeholders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedOutput {
    pub line: usize,
    pub text: String,
}

/// An excerpt of a repository file, e.g. ```` ```rust include="service/src/lib.rs#greeting" ````.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Include {
    /// The line of the opening fence.
    pub line: usize,
    /// Relative to the repository root, with `/` separators.
    pub path: String,
    pub selector: Selector,
    /// The fence language, which picks the highlighting.
    pub lang: Option<String>,
}

/// Which part of an included file is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selector {
    Whole,
    /// Between `region: NAME` and `endregion: NAME` comments.
    Region(String),
    /// 1-based, inclusive.
    Lines {
        start: usize,
        end: usize,
    },
}

/// Prints the `#…` suffix as written in content (nothing for a whole file).
impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Whole => Ok(()),
            Self::Region(name) => write!(f, "#{name}"),
            Self::Lines { start, end } if start == end => write!(f, "#L{start}"),
            Self::Lines { start, end } => write!(f, "#L{start}-L{end}"),
        }
    }
}

/// The prose under one heading (or before the first one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextSection {
    /// The heading's anchor; `None` before the first heading.
    pub anchor: Option<String>,
    pub heading: String,
    /// Whitespace collapsed to single spaces.
    pub text: String,
}

/// A part of the course, as the sidebar groups lessons.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub number: u8,
    /// From the part's `index.md` title where there is one, e.g. `Part 1: 일단 돌린다`.
    pub title: &'a str,
    /// In reading order.
    pub lessons: &'a [Lesson],
}
