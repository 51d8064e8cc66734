//! Search over the lessons' prose. For about 25 lessons a linear scan is fast; what matters is
//! that the text is folded (NFC, lowercase) once at load time, not per request.

use std::cmp::Reverse;
use std::ops::Range;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::model::Lesson;

/// Characters of context shown before the match, and the snippet's length in characters.
const BEFORE: usize = 30;
const LENGTH: usize = 120;

/// One lesson that matches every word of the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    /// The heading nearest before the match; `None` when only the title matched.
    pub anchor: Option<String>,
    /// Prose around the match, with `…` where it was cut.
    pub snippet: String,
    /// The match's byte range in `snippet`, for a `<mark>`.
    pub highlight: Option<Range<usize>>,
}

#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    docs: Vec<Doc>,
}

#[derive(Debug)]
struct Doc {
    id: String,
    title: String,
    title_folded: String,
    sections: Vec<Section>,
}

#[derive(Debug)]
struct Section {
    anchor: Option<String>,
    heading_folded: String,
    /// The heading and the prose under it.
    text: String,
    folded: String,
}

impl SearchIndex {
    /// Prepares the lessons, in reading order (the order of equally ranked hits).
    pub fn new(lessons: &[Lesson]) -> Self {
        let docs = lessons
            .iter()
            .map(|lesson| Doc {
                id: lesson.meta.id.clone(),
                title: lesson.meta.title.clone(),
                title_folded: fold(&lesson.meta.title),
                sections: lesson
                    .sections
                    .iter()
                    .map(|section| {
                        let text = [section.heading.as_str(), section.text.as_str()]
                            .into_iter()
                            .filter(|part| !part.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ");
                        Section {
                            anchor: section.anchor.clone(),
                            heading_folded: lowercase(&section.heading),
                            folded: lowercase(&text),
                            text,
                        }
                    })
                    .collect(),
            })
            .collect();
        Self { docs }
    }

    /// Lessons containing every word of `query` (in the title or the prose). Ranked by the
    /// words in the title, then in headings, then how often they occur; ties keep reading
    /// order.
    pub fn search(&self, query: &str) -> Vec<SearchHit> {
        let folded = fold(query);
        let terms: Vec<&str> = folded.split_whitespace().collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<((usize, usize, usize), SearchHit)> = self
            .docs
            .iter()
            .filter(|doc| {
                terms.iter().all(|term| {
                    doc.title_folded.contains(term)
                        || doc.sections.iter().any(|s| s.folded.contains(term))
                })
            })
            .map(|doc| (doc.rank(&terms), doc.hit(&terms)))
            .collect();
        // Stable: equally ranked hits keep reading order.
        hits.sort_by_key(|(rank, _)| Reverse(*rank));
        hits.into_iter().map(|(_, hit)| hit).collect()
    }
}

impl Doc {
    /// Words in the title, words in some heading, occurrences in the prose.
    fn rank(&self, terms: &[&str]) -> (usize, usize, usize) {
        let in_title = terms
            .iter()
            .filter(|t| self.title_folded.contains(*t))
            .count();
        let in_headings = terms
            .iter()
            .filter(|t| self.sections.iter().any(|s| s.heading_folded.contains(*t)))
            .count();
        let occurrences = terms
            .iter()
            .map(|t| {
                self.sections
                    .iter()
                    .map(|s| s.folded.matches(*t).count())
                    .sum::<usize>()
            })
            .sum();
        (in_title, in_headings, occurrences)
    }

    fn hit(&self, terms: &[&str]) -> SearchHit {
        // Prefer a section with every word, else the first with any, in query order.
        let all = self
            .sections
            .iter()
            .find(|s| terms.iter().all(|t| s.folded.contains(t)));
        let found = all
            .and_then(|s| Some((s, s.folded.find(terms[0])?, terms[0].len())))
            .or_else(|| {
                terms.iter().find_map(|t| {
                    self.sections
                        .iter()
                        .find_map(|s| Some((s, s.folded.find(t)?, t.len())))
                })
            });
        let (anchor, snippet, highlight) = match found {
            Some((section, at, len)) => {
                let start = original_offset(&section.text, at);
                let end = original_offset(&section.text, at + len);
                let (snippet, highlight) = snippet(&section.text, start..end);
                (section.anchor.clone(), snippet, Some(highlight))
            }
            None => {
                let intro = self.sections.first().map_or("", |s| s.text.as_str());
                (None, snippet(intro, 0..0).0, None)
            }
        };
        SearchHit {
            id: self.id.clone(),
            title: self.title.clone(),
            anchor,
            snippet,
            highlight,
        }
    }
}

/// Folds a query or title the way the prose is folded.
pub(crate) fn fold(text: &str) -> String {
    lowercase(&text.nfc().collect::<String>())
}

/// Character by character, so that offsets map back to the original (see
/// [`original_offset`]); the prose is already NFC.
fn lowercase(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// The byte offset in `text` of the byte offset `folded_at` in `lowercase(text)`.
fn original_offset(text: &str, folded_at: usize) -> usize {
    let mut folded = 0;
    for (i, c) in text.char_indices() {
        if folded >= folded_at {
            return i;
        }
        folded += c.to_lowercase().map(char::len_utf8).sum::<usize>();
    }
    text.len()
}

/// About [`LENGTH`] characters of `text` around `matched`, and the match's range in it.
fn snippet(text: &str, matched: Range<usize>) -> (String, Range<usize>) {
    let start = text[..matched.start]
        .char_indices()
        .rev()
        .nth(BEFORE - 1)
        .map_or(0, |(i, _)| i);
    let end = text[start..]
        .char_indices()
        .nth(LENGTH)
        .map_or(text.len(), |(i, _)| start + i)
        .max(matched.end);
    let mut snippet = String::new();
    if start > 0 {
        snippet.push('…');
    }
    let offset = snippet.len();
    snippet.push_str(&text[start..end]);
    if end < text.len() {
        snippet.push('…');
    }
    let highlight = matched.start - start + offset..matched.end - start + offset;
    (snippet, highlight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_through_lowercasing() {
        let text = "Kubectl 롤링 업데이트";
        let folded = lowercase(text);
        let at = folded.find("롤링").unwrap();
        assert_eq!(&text[original_offset(text, at)..], "롤링 업데이트");
        // 'İ' lowercases to two chars (3 bytes), shifting everything after it.
        let text = "İ롤링";
        let at = lowercase(text).find("롤링").unwrap();
        assert_eq!(&text[original_offset(text, at)..], "롤링");
    }

    #[test]
    fn snippets_cut_long_text_and_mark_the_match() {
        let text = format!("{}롤링 업데이트{}", "가".repeat(100), "나".repeat(200));
        let start = text.find("롤링").unwrap();
        let (snippet, highlight) = snippet(&text, start..start + "롤링".len());
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
        assert_eq!(&snippet[highlight], "롤링");
        assert_eq!(snippet.chars().count(), LENGTH + 2);
    }

    #[test]
    fn short_text_is_whole() {
        let (snippet, highlight) = snippet("롤링", 0..6);
        assert_eq!(snippet, "롤링");
        assert_eq!(highlight, 0..6);
    }
}
