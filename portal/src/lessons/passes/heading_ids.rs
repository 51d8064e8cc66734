//! Pass `heading-ids`: GitHub-compatible heading ids (Hangul kept), a `#` anchor link in every
//! heading, and the list of headings for the table of contents and link checking.
//!
//! The ids must match GitHub's because the original tutorial's table of contents links to
//! them, e.g. `#part-2-방금-뭘-한-거지--k8s-아키텍처-해부`.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};
use unicode_normalization::char::is_combining_mark;

use super::escape_html;
use crate::lessons::document::Document;

/// A heading of the lesson, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub id: String,
    pub text: String,
    pub level: u8,
}

pub(crate) fn run(doc: &mut Document<'_>) -> Vec<Heading> {
    let mut slugger = Slugger::default();
    let mut headings = Vec::new();
    for chunk in doc.chunks_mut() {
        let events = std::mem::take(chunk);
        let mut out = Vec::with_capacity(events.len() + 2 * headings.len());
        // The index in `out` of the open heading's start event, and its text so far.
        let mut open: Option<(usize, String)> = None;
        for (event, range) in events {
            match (&event, &mut open) {
                (Event::Start(Tag::Heading { .. }), _) => open = Some((out.len(), String::new())),
                (Event::Text(text) | Event::Code(text), Some((_, heading))) => {
                    heading.push_str(text);
                }
                (Event::SoftBreak | Event::HardBreak, Some((_, heading))) => heading.push(' '),
                (Event::End(TagEnd::Heading(level)), Some((start, heading))) => {
                    let text = heading.split_whitespace().collect::<Vec<_>>().join(" ");
                    let id = slugger.slug(&text);
                    if let Some((Event::Start(Tag::Heading { id: slot, .. }), _)) =
                        out.get_mut(*start)
                    {
                        *slot = Some(id.clone().into());
                    }
                    // Named after the heading: a list of links should not read "#" forty times.
                    let anchor = format!(
                        r##"<a class="anchor" href="#{id}" aria-label="절 링크: {label}">#</a>"##,
                        id = escape_html(&id),
                        label = escape_html(&text),
                    );
                    out.push((Event::Html(anchor.into()), range.clone()));
                    headings.push(Heading {
                        id,
                        text,
                        level: *level as u8,
                    });
                    open = None;
                }
                _ => {}
            }
            out.push((event, range));
        }
        *chunk = out;
    }
    headings
}

/// Gives each heading a unique id the way GitHub (github-slugger) does: a repeated slug gets
/// `-1`, `-2`, … skipping any that are already taken.
#[derive(Debug, Default)]
pub(crate) struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, text: &str) -> String {
        let base = slug(text);
        let mut candidate = base.clone();
        while self.seen.contains_key(&candidate) {
            let count = self.seen.entry(base.clone()).or_insert(0);
            *count += 1;
            candidate = format!("{base}-{count}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

/// Lowercase; keep letters, digits and marks of any script, `-` and `_`; each space becomes
/// `-` (so ` — ` leaves `--`); drop everything else.
pub(crate) fn slug(text: &str) -> String {
    let slug: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() || is_combining_mark(c) => Some(c),
            _ => None,
        })
        .collect();
    // GitHub would give an empty id, which HTML does not allow.
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_compatible_korean_slugs() {
        let cases = [
            ("Part 1: 일단 돌린다", "part-1-일단-돌린다"),
            (
                "Part 2: 방금 뭘 한 거지? — K8s 아키텍처 해부",
                "part-2-방금-뭘-한-거지--k8s-아키텍처-해부",
            ),
            (
                "Step 2-2: 리소스 계층 — 우리가 만든 것들을 역추적",
                "step-2-2-리소스-계층--우리가-만든-것들을-역추적",
            ),
            (
                "Step 3-4: Graceful Shutdown 이해",
                "step-3-4-graceful-shutdown-이해",
            ),
            (
                "`kubectl get pods` 결과 (요약)",
                "kubectl-get-pods-결과-요약",
            ),
            ("snake_case & kebab-case!", "snake_case--kebab-case"),
            ("🚀", "section"),
        ];
        for (text, expected) in cases {
            assert_eq!(slug(text), expected, "{text}");
        }
    }

    #[test]
    fn duplicates_are_numbered_like_github() {
        let mut slugger = Slugger::default();
        let ids: Vec<String> = ["확인", "확인", "확인-1", "확인"]
            .iter()
            .map(|t| slugger.slug(t))
            .collect();
        assert_eq!(ids, ["확인", "확인-1", "확인-1-1", "확인-2"]);
    }
}
