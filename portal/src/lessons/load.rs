//! Loading: find the lesson files, run the passes, and check what spans a whole lesson or the
//! whole course (unique ids and orders, panels declared against panels used, links).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::Library;
use super::directives::DirectiveHead;
use super::document::Document;
use super::error::LibraryError;
use super::error::{LoadError, LoadErrors};
use super::frontmatter::{self, FrontMatter};
use super::include::RepoFiles;
use super::model::Lesson;
use super::passes::{self, Prepared, links::LinkIndex};
use super::source::{Diagnostics, SourceFile};

/// The content folder's guide for authors; not a lesson.
const README: &str = "README.md";

pub(crate) fn load(content_dir: &Path, repo_root: &Path) -> Result<Library, LoadErrors> {
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut index = LinkIndex::default();
    let sources = read_sources(content_dir, repo_root, &mut index, &mut errors);

    let mut files = RepoFiles::new(repo_root.to_path_buf());
    let parsed: Vec<Parsed<'_>> = sources.iter().map(|s| Parsed::new(s, &mut files)).collect();
    errors.extend(check_unique(&parsed));
    for lesson in &parsed {
        let id = lesson.front.as_ref().map(|f| f.meta.id.as_str());
        let anchors = lesson.prepared.headings.iter().map(|h| h.id.as_str());
        index.add_lesson(&lesson.source.rel, id, anchors);
    }
    let mut lessons = Vec::with_capacity(parsed.len());
    for lesson in parsed {
        let (lesson, lesson_errors) = lesson.finish(&index);
        errors.extend(lesson_errors);
        lessons.extend(lesson);
    }
    if !errors.is_empty() {
        return Err(LoadErrors::new(errors));
    }
    let library = Library::new(lessons);
    tracing::info!(
        lessons = library.lessons().len(),
        elapsed = ?started.elapsed(),
        "lessons loaded"
    );
    Ok(library)
}

/// Reads the lesson files in path order, so results and errors come in a stable order. The
/// README is only registered, so links to it get a clear error.
fn read_sources(
    content_dir: &Path,
    repo_root: &Path,
    index: &mut LinkIndex,
    errors: &mut Vec<LoadError>,
) -> Vec<SourceFile> {
    let display = |path: &Path| display_path(path, repo_root);
    let error = |path: &Path, line, kind: LibraryError| LoadError {
        path: display(path),
        line,
        kind: kind.into(),
    };
    let mut paths = Vec::new();
    walk(content_dir, &mut paths, &mut |dir, err| {
        errors.push(error(dir, 0, LibraryError::ReadDir(err)));
    });
    paths.sort();
    let mut sources = Vec::new();
    for path in paths {
        let rel = rel_path(&path, content_dir);
        if rel == README {
            index.add_other(&rel);
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push(SourceFile::new(display(&path), rel, &text)),
            Err(err) => errors.push(error(&path, 1, LibraryError::ReadFile(err))),
        }
    }
    if sources.is_empty() && errors.is_empty() {
        errors.push(error(content_dir, 0, LibraryError::Empty));
    }
    sources
}

/// A lesson after phase one, with the errors found so far.
struct Parsed<'s> {
    source: &'s SourceFile,
    front: Option<FrontMatter>,
    prepared: Prepared<'s>,
    diag: Diagnostics<'s>,
}

impl<'s> Parsed<'s> {
    fn new(source: &'s SourceFile, files: &mut RepoFiles) -> Self {
        let mut diag = Diagnostics::new(source);
        let (front, body, body_offset) = match frontmatter::split(&source.text) {
            Ok(split) => (
                frontmatter::parse(&split, &mut diag),
                split.body,
                split.body_offset,
            ),
            // Still check the body: one load should report every problem.
            Err(err) => {
                diag.at_line(1, err);
                (None, source.text.as_str(), 0)
            }
        };
        let doc = Document::parse(body, body_offset, &mut diag);
        let prepared = passes::prepare(doc, files, &mut diag);
        if let Some(front) = &front {
            check_directives(front, &prepared.doc, &mut diag);
        }
        Self {
            source,
            front,
            prepared,
            diag,
        }
    }

    fn finish(self, index: &LinkIndex) -> (Option<Lesson>, Vec<LoadError>) {
        let Self {
            source,
            front,
            prepared,
            mut diag,
        } = self;
        let toc = passes::toc(&prepared.headings);
        let segments = passes::finish(prepared.doc, index, &source.rel, &mut diag);
        let lesson = front.map(|front| Lesson {
            meta: front.meta,
            source: source.display.clone(),
            segments,
            toc,
            shell_blocks: prepared.shell_blocks,
            includes: prepared.includes,
            sections: prepared.sections,
        });
        (lesson, diag.into_errors())
    }
}

/// The front matter's `panels` and `experiments` must be exactly the directives used.
fn check_directives(front: &FrontMatter, doc: &Document<'_>, diag: &mut Diagnostics<'_>) {
    let (mut panels, mut experiments) = (Vec::new(), Vec::new());
    for directive in doc.directives() {
        match directive.head {
            DirectiveHead::Panel(name) => panels.push((name, directive.line)),
            DirectiveHead::Experiment(name) => experiments.push((name, directive.line)),
        }
    }
    let (mut rejected_panels, mut rejected_experiments) = (Vec::new(), Vec::new());
    for head in &doc.rejected {
        match *head {
            DirectiveHead::Panel(name) => rejected_panels.push(name),
            DirectiveHead::Experiment(name) => rejected_experiments.push(name),
        }
    }
    let declared = &front.panel_lines;
    compare("panels", declared, &panels, &rejected_panels, diag);
    let declared = &front.experiment_lines;
    compare(
        "experiments",
        declared,
        &experiments,
        &rejected_experiments,
        diag,
    );
}

/// Reports names used but not declared, and declared but not used. A rejected directive was
/// reported already, so it excuses its declaration.
fn compare<T: PartialEq + ToString>(
    field: &'static str,
    declared: &[(T, usize)],
    used: &[(T, usize)],
    rejected: &[T],
    diag: &mut Diagnostics<'_>,
) {
    let has = |list: &[(T, usize)], name: &T| list.iter().any(|(other, _)| other == name);
    for (name, line) in used {
        if !has(declared, name) {
            let name = name.to_string();
            diag.at_line(*line, LibraryError::Undeclared { field, name });
        }
    }
    for (name, line) in declared {
        if !has(used, name) && !rejected.contains(name) {
            let name = name.to_string();
            diag.at_line(*line, LibraryError::Unused { field, name });
        }
    }
}

/// Ids are unique in the course, and `(part, order)` too; the later file gets the error.
fn check_unique(parsed: &[Parsed<'_>]) -> Vec<LoadError> {
    let mut errors = Vec::new();
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut orders: HashMap<(u8, u32), String> = HashMap::new();
    let at =
        |lesson: &Parsed<'_>, line: usize| format!("{}:{line}", lesson.source.display.display());
    for lesson in parsed {
        let Some(front) = &lesson.front else { continue };
        let meta = &front.meta;
        let error = |line, kind: LibraryError| LoadError {
            path: lesson.source.display.clone(),
            line,
            kind: kind.into(),
        };
        if let Some(first) = ids.get(meta.id.as_str()) {
            let (id, first) = (meta.id.clone(), first.clone());
            errors.push(error(
                front.id_line,
                LibraryError::DuplicateId { id, first },
            ));
        } else {
            ids.insert(&meta.id, at(lesson, front.id_line));
        }
        if let Some(first) = orders.get(&(meta.part, meta.order)) {
            let (part, order, first) = (meta.part, meta.order, first.clone());
            let kind = LibraryError::DuplicateOrder { part, order, first };
            errors.push(error(front.order_line, kind));
        } else {
            orders.insert((meta.part, meta.order), at(lesson, front.order_line));
        }
    }
    errors
}

/// Every `.md` file under `dir`, skipping hidden entries.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, on_error: &mut dyn FnMut(&Path, io::Error)) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => return on_error(dir, err),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                on_error(dir, err);
                continue;
            }
        };
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        // Not following directory symlinks keeps a link loop from recursing forever.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, out, on_error);
        } else if path.extension().is_some_and(|ext| ext == "md") {
            out.push(path);
        }
    }
}

/// The path inside the content folder with `/` separators, as relative links spell it.
fn rel_path(path: &Path, content_dir: &Path) -> String {
    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Errors name files relative to the repository root (`content/part1/…`) when they are in it.
fn display_path(path: &Path, repo_root: &Path) -> PathBuf {
    if let Ok(rel) = path.strip_prefix(repo_root) {
        return rel.to_path_buf();
    }
    match (path.canonicalize(), repo_root.canonicalize()) {
        (Ok(path), Ok(root)) => match path.strip_prefix(&root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path,
        },
        _ => path.to_path_buf(),
    }
}
