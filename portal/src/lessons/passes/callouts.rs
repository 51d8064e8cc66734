//! Pass `callouts`: a block quote whose first line starts with a bold keyword becomes a
//! highlighted box: `> **왜 이렇게?**`, `> **비유**`, `> **주의**`, `> **Part 1 체크포인트**`.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::escape_html;
use crate::lessons::document::{Document, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Why,
    Analogy,
    Warning,
    Check,
}

impl Kind {
    fn of(title: &str) -> Option<Self> {
        match title {
            "왜 이렇게?" => Some(Self::Why),
            "비유" => Some(Self::Analogy),
            "주의" => Some(Self::Warning),
            t if t.ends_with("체크포인트") => Some(Self::Check),
            _ => None,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Self::Why => "callout-why",
            Self::Analogy => "callout-analogy",
            Self::Warning => "callout-warning",
            Self::Check => "callout-check",
        }
    }
}

pub(crate) fn run(doc: &mut Document<'_>) {
    for chunk in doc.chunks_mut() {
        let events = std::mem::take(chunk);
        let mut out = Vec::with_capacity(events.len());
        // One entry per open block quote: whether it became a callout.
        let mut open = Vec::new();
        let mut i = 0;
        while let Some((event, range)) = events.get(i) {
            match event {
                Event::Start(Tag::BlockQuote(_)) => {
                    if let Some((kind, title, strong_end)) = detect(&events[i + 1..]) {
                        let markup = format!(
                            "<aside class=\"callout {}\" role=\"note\">\n\
                             <p class=\"callout-title\">{}</p>\n",
                            kind.class(),
                            escape_html(&title)
                        );
                        out.push((Event::Html(markup.into()), range.clone()));
                        out.push(events[i + 1].clone());
                        i = skip_title_rest(&events, i + 2 + strong_end, &mut out);
                        open.push(true);
                        continue;
                    }
                    open.push(false);
                    out.push((event.clone(), range.clone()));
                }
                Event::End(TagEnd::BlockQuote(_)) if open.pop() == Some(true) => {
                    out.push((Event::Html("</aside>\n".into()), range.clone()));
                }
                _ => out.push((event.clone(), range.clone())),
            }
            i += 1;
        }
        *chunk = out;
    }
}

/// Matches `Start(Paragraph) Start(Strong) …text… End(Strong)` with a callout keyword; gives
/// the kind, the title and the index of `End(Strong)` in `rest`.
fn detect(rest: &[Spanned<'_>]) -> Option<(Kind, String, usize)> {
    let (Some((Event::Start(Tag::Paragraph), _)), Some((Event::Start(Tag::Strong), _))) =
        (rest.first(), rest.get(1))
    else {
        return None;
    };
    let mut title = String::new();
    for (j, (event, _)) in rest.iter().enumerate().skip(2) {
        match event {
            Event::Text(text) | Event::Code(text) => title.push_str(text),
            Event::End(TagEnd::Strong) => {
                let title = title.trim().trim_end_matches(':').trim_end();
                return Kind::of(title).map(|kind| (kind, title.to_owned(), j));
            }
            _ => {}
        }
    }
    None
}

/// After the bold title: drops the line break and leading spaces that followed it, and the
/// whole first paragraph if the title was all of it. Gives the index to continue from.
fn skip_title_rest<'a>(events: &[Spanned<'a>], mut i: usize, out: &mut Vec<Spanned<'a>>) -> usize {
    while let Some((Event::SoftBreak | Event::HardBreak, _)) = events.get(i) {
        i += 1;
    }
    if let Some((Event::Text(text), range)) = events.get(i) {
        let trimmed = text.trim_start();
        if trimmed.len() != text.len() {
            i += 1;
            if !trimmed.is_empty() {
                out.push((Event::Text(trimmed.to_owned().into()), range.clone()));
                return i;
            }
        }
    }
    if let Some((Event::End(TagEnd::Paragraph), _)) = events.get(i) {
        // The paragraph held only the title: drop its start (pushed last) and its end.
        out.pop();
        i += 1;
    }
    i
}
