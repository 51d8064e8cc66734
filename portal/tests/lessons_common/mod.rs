//! Helpers shared by the `lessons_*` tests. Each test binary uses a different subset.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use portal::lessons::{Library, LoadErrors, Segment};

/// The fixture repository: include targets in `files/`, content folders beside them.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lessons")
}

/// The small, valid course of `fixtures/lessons/valid`.
pub fn valid_library() -> Library {
    Library::load(&fixtures().join("valid"), &fixtures())
        .unwrap_or_else(|errors| panic!("{errors}"))
}

/// `BLESS=1 cargo test …` rewrites the expected files instead of comparing.
pub fn bless() -> bool {
    std::env::var_os("BLESS").is_some()
}

/// Compares `actual` with the file at `expected`, or writes it when blessing. Gives a
/// description of the mismatch.
pub fn check_golden(expected: &Path, actual: &str) -> Result<(), String> {
    if bless() {
        std::fs::write(expected, actual).map_err(|e| format!("{}: {e}", expected.display()))?;
        return Ok(());
    }
    let wanted = std::fs::read_to_string(expected).unwrap_or_default();
    if wanted == actual {
        return Ok(());
    }
    let line = wanted
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| wanted.lines().count().min(actual.lines().count()));
    Err(format!(
        "{} differs from line {} (BLESS=1 to accept):\n--- expected\n{}\n--- actual\n{}",
        expected.display(),
        line + 1,
        wanted.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>"),
    ))
}

/// A lesson's segments as one text: HTML as is, directives as comments.
pub fn dump(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|segment| match segment {
            Segment::Html(html) => html.clone(),
            Segment::Panel { name, options } => {
                let options = serde_json::Value::Object(options.clone());
                format!("<!-- panel {name} {options} -->\n")
            }
            Segment::Experiment { name } => format!("<!-- experiment {name} -->\n"),
        })
        .collect()
}

/// The HTML segments of a lesson, joined.
pub fn html(library: &Library, id: &str) -> String {
    let lesson = library.get(id).unwrap_or_else(|| panic!("no lesson {id}"));
    lesson
        .segments
        .iter()
        .filter_map(|segment| match segment {
            Segment::Html(html) => Some(html.as_str()),
            _ => None,
        })
        .collect()
}

/// A content folder in the temporary directory, removed on drop.
pub struct TempContent {
    pub dir: PathBuf,
}

impl TempContent {
    pub fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("portal-lessons-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp content dir");
        Self { dir }
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(path, text).expect("write lesson");
        self
    }

    /// Loads with the fixture repository as the repository root.
    pub fn load(&self) -> Result<Library, LoadErrors> {
        Library::load(&self.dir, &fixtures())
    }
}

impl Drop for TempContent {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
