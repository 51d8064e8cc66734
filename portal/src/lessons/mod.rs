//! Lesson loading and Markdown rendering.
//!
//! [`Library::load`] reads every lesson of the content folder once at start-up, checks it
//! against the authoring guide (`content/README.md`) and renders it. Any violation is a
//! [`LoadError`] with `file:line` and a Korean message, and one load reports all of them.
//!
//! Rendering is a series of named passes over pulldown-cmark events (see [`passes`]): raw
//! HTML is escaped, headings get GitHub-compatible ids, callouts become boxes, code blocks are
//! highlighted and classified, and links are resolved across lessons.

mod directives;
mod document;
mod error;
mod frontmatter;
mod include;
mod load;
mod model;
mod names;
mod passes;
mod paths;
mod search;
mod source;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

pub use directives::DirectiveError;
pub use error::{ErrorKind, FrontMatterError, LibraryError, LinkError, LoadError, LoadErrors};
pub use include::IncludeError;
pub use model::{
    ExpectedOutput, Include, Lesson, LessonMeta, Part, Segment, Selector, ShellBlock, ShellClass,
    TextSection, TocEntry,
};
pub use names::{Action, ExperimentName, PanelName, SkipReason, StartState, UnknownName};
pub use passes::highlight::highlight_css;
pub use search::SearchHit;

/// Loads and renders every lesson under `content_dir`; includes are read relative to
/// `repo_root`. Same as [`Library::load`].
pub fn load(content_dir: &Path, repo_root: &Path) -> Result<Library, LoadErrors> {
    Library::load(content_dir, repo_root)
}

/// All lessons, rendered, in reading order. Cloning is cheap (one `Arc`), so it can be shared
/// as application state and swapped whole on reload.
///
/// ```no_run
/// use std::path::Path;
/// use portal::lessons::Library;
///
/// let library = Library::load(Path::new("content"), Path::new("."))?;
/// let lesson = library.get("3-5").expect("a lesson");
/// let hits = library.search("롤링 업데이트");
/// # let _ = (lesson, hits);
/// # Ok::<(), portal::lessons::LoadErrors>(())
/// ```
#[derive(Debug, Clone)]
pub struct Library {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    lessons: Vec<Lesson>,
    by_id: HashMap<String, usize>,
    parts: Vec<PartInfo>,
    search: search::SearchIndex,
}

/// A part as positions in the ordered lessons: sorted by `(part, order)`, each part's lessons
/// are contiguous.
#[derive(Debug)]
struct PartInfo {
    number: u8,
    title: String,
    lessons: Range<usize>,
}

/// Part names where the part has no `index.md` to take its title from.
fn default_part_title(part: u8) -> String {
    match part {
        0 => "시작하기".to_owned(),
        4 => "정리".to_owned(),
        5 => "부록".to_owned(),
        n => format!("Part {n}"),
    }
}

impl Library {
    /// Loads and renders every lesson under `content_dir` (its `README.md` is the authoring
    /// guide, not a lesson); includes are read relative to `repo_root`.
    pub fn load(content_dir: &Path, repo_root: &Path) -> Result<Self, LoadErrors> {
        load::load(content_dir, repo_root)
    }

    /// Orders the lessons and prepares lookup, parts and search. Ids are unique (checked).
    fn new(mut lessons: Vec<Lesson>) -> Self {
        lessons.sort_by_key(|lesson| (lesson.meta.part, lesson.meta.order));
        let by_id = lessons
            .iter()
            .enumerate()
            .map(|(i, lesson)| (lesson.meta.id.clone(), i))
            .collect();
        let mut parts: Vec<PartInfo> = Vec::new();
        for (i, lesson) in lessons.iter().enumerate() {
            let number = lesson.meta.part;
            match parts.last_mut() {
                Some(part) if part.number == number => part.lessons.end = i + 1,
                _ => parts.push(PartInfo {
                    number,
                    title: default_part_title(number),
                    lessons: i..i + 1,
                }),
            }
            if lesson
                .source
                .file_name()
                .is_some_and(|name| name == "index.md")
                && let Some(part) = parts.last_mut()
            {
                part.title.clone_from(&lesson.meta.title);
            }
        }
        let search = search::SearchIndex::new(&lessons);
        Self {
            inner: Arc::new(Inner {
                lessons,
                by_id,
                parts,
                search,
            }),
        }
    }

    /// Every lesson, ordered by `(part, order)`.
    pub fn lessons(&self) -> &[Lesson] {
        &self.inner.lessons
    }

    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.position(id).map(|i| &self.inner.lessons[i])
    }

    /// The lesson before `id` in reading order.
    pub fn prev(&self, id: &str) -> Option<&Lesson> {
        let i = self.position(id)?;
        self.inner.lessons.get(i.checked_sub(1)?)
    }

    /// The lesson after `id` in reading order.
    pub fn next(&self, id: &str) -> Option<&Lesson> {
        self.inner.lessons.get(self.position(id)? + 1)
    }

    /// The parts that have lessons, in order, with their titles and lessons.
    pub fn parts(&self) -> Vec<Part<'_>> {
        self.inner
            .parts
            .iter()
            .map(|part| Part {
                number: part.number,
                title: &part.title,
                lessons: self
                    .inner
                    .lessons
                    .get(part.lessons.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// A part's title, e.g. `Part 1: 일단 돌린다`; the default name for a part without
    /// lessons.
    pub fn part_title(&self, part: u8) -> String {
        self.inner
            .parts
            .iter()
            .find(|info| info.number == part)
            .map_or_else(|| default_part_title(part), |info| info.title.clone())
    }

    /// Lessons containing every word of `query`, case-insensitively and with Hangul
    /// normalised; title matches first.
    pub fn search(&self, query: &str) -> Vec<SearchHit> {
        self.inner.search.search(query)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.inner.by_id.get(id).copied()
    }
}
