//! Rendering as a sequence of named passes over the document's events, in the spirit of
//! mdBook's preprocessors. Each pass does one thing and is tested on its own.
//!
//! Phase one ([`prepare`]) needs only the lesson itself; phase two ([`finish`]) runs once the
//! headings of every lesson are known, because links may point into other lessons.

pub(crate) mod callouts;
pub(crate) mod code;
pub(crate) mod heading_ids;
pub(crate) mod highlight;
pub(crate) mod links;
pub(crate) mod raw_html;
pub(crate) mod render;
pub(crate) mod text;

use super::document::Document;
use super::include::RepoFiles;
use super::model::{Include, Segment, ShellBlock, TextSection, TocEntry};
use super::source::Diagnostics;

/// A lesson after phase one.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    pub doc: Document<'a>,
    pub headings: Vec<heading_ids::Heading>,
    pub sections: Vec<TextSection>,
    pub shell_blocks: Vec<ShellBlock>,
    pub includes: Vec<Include>,
}

/// Runs the passes that need only this lesson.
pub(crate) fn prepare<'a>(
    mut doc: Document<'a>,
    files: &mut RepoFiles,
    diag: &mut Diagnostics<'_>,
) -> Prepared<'a> {
    // First, so that only HTML written by the passes below reaches the page.
    pass("raw-html", || raw_html::run(&mut doc));
    let headings = pass("heading-ids", || heading_ids::run(&mut doc));
    // Before callouts and code blocks become markup: search wants the prose only.
    let sections = pass("text", || text::run(&doc));
    pass("callouts", || callouts::run(&mut doc));
    let code = pass("code", || code::run(&mut doc, files, diag));
    Prepared {
        doc,
        headings,
        sections,
        shell_blocks: code.shell_blocks,
        includes: code.includes,
    }
}

/// Resolves links against every lesson and renders the segments.
pub(crate) fn finish(
    mut doc: Document<'_>,
    index: &links::LinkIndex,
    rel: &str,
    diag: &mut Diagnostics<'_>,
) -> Vec<Segment> {
    pass("links", || links::run(&mut doc, index, rel, diag));
    pass("render", || render::segments(doc))
}

/// The table of contents: level 2 and 3 headings.
pub(crate) fn toc(headings: &[heading_ids::Heading]) -> Vec<TocEntry> {
    headings
        .iter()
        .filter(|h| matches!(h.level, 2 | 3))
        .map(|h| TocEntry {
            id: h.id.clone(),
            text: h.text.clone(),
            level: h.level,
        })
        .collect()
}

fn pass<T>(name: &'static str, run: impl FnOnce() -> T) -> T {
    let _span = tracing::trace_span!("pass", name).entered();
    run()
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
