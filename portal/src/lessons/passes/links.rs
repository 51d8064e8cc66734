//! Pass `links`: relative `.md` links and bare `#anchor` links become `/lessons/<id>#anchor`,
//! external links open safely, and every broken target is an error.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::escape_html;
use crate::lessons::document::Document;
use crate::lessons::error::LinkError;
use crate::lessons::paths::{self, decode};
use crate::lessons::source::Diagnostics;

/// Every lesson's path, id and heading ids.
#[derive(Debug, Default)]
pub(crate) struct LinkIndex {
    /// By path inside the content folder. The id is `None` when the front matter is broken:
    /// that is reported once, not again for every link to the file.
    lessons: HashMap<String, Target>,
    ids: HashMap<String, String>,
    by_anchor: HashMap<String, Vec<String>>,
    not_lessons: HashSet<String>,
}

#[derive(Debug)]
struct Target {
    id: Option<String>,
    anchors: HashSet<String>,
}

/// What a link becomes.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    Keep,
    Internal(String),
    External,
}

impl LinkIndex {
    pub fn add_lesson<'h>(
        &mut self,
        rel: &str,
        id: Option<&str>,
        anchors: impl IntoIterator<Item = &'h str>,
    ) {
        let anchors: HashSet<String> = anchors.into_iter().map(str::to_owned).collect();
        for anchor in &anchors {
            let paths = self.by_anchor.entry(anchor.clone()).or_default();
            paths.push(rel.to_owned());
        }
        if let Some(id) = id {
            self.ids.insert(id.to_owned(), rel.to_owned());
        }
        let id = id.map(str::to_owned);
        self.lessons.insert(rel.to_owned(), Target { id, anchors });
    }

    /// A Markdown file of the content folder that is not a lesson (its README).
    pub fn add_other(&mut self, rel: &str) {
        self.not_lessons.insert(rel.to_owned());
    }

    fn resolve(&self, dest: &str, current: &str) -> Result<Resolved, LinkError> {
        if let Some(anchor) = dest.strip_prefix('#') {
            return self.bare_anchor(&decode(anchor), current);
        }
        if let Some(scheme) = scheme(dest) {
            return match scheme.to_ascii_lowercase().as_str() {
                "http" | "https" | "mailto" => Ok(Resolved::External),
                _ => Err(LinkError::UnsupportedScheme(dest.to_owned())),
            };
        }
        if dest.starts_with("//") {
            return Ok(Resolved::External);
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((path, anchor)) => (path, Some(decode(anchor))),
            None => (dest, None),
        };
        if let Some(id) = path.strip_prefix("/lessons/") {
            let rel = self
                .ids
                .get(id)
                .ok_or_else(|| LinkError::UnknownLessonId(id.to_owned()))?;
            return self
                .in_lesson(rel, anchor.as_deref(), dest)
                .map(|_| Resolved::Keep);
        }
        if path.starts_with('/') {
            return Ok(Resolved::Keep);
        }
        if !path.ends_with(".md") {
            return Err(LinkError::NotMarkdown(dest.to_owned()));
        }
        let rel = paths::join(paths::parent(current), &decode(path))
            .ok_or_else(|| LinkError::MissingLesson(dest.to_owned()))?;
        self.in_lesson(&rel, anchor.as_deref(), dest)
    }

    /// The site address of a lesson (and anchor), checking both exist.
    fn in_lesson(
        &self,
        rel: &str,
        anchor: Option<&str>,
        dest: &str,
    ) -> Result<Resolved, LinkError> {
        let Some(target) = self.lessons.get(rel) else {
            return Err(if self.not_lessons.contains(rel) {
                LinkError::NotALesson(dest.to_owned())
            } else {
                LinkError::MissingLesson(dest.to_owned())
            });
        };
        let Some(id) = &target.id else {
            return Ok(Resolved::Keep);
        };
        match anchor {
            None => Ok(Resolved::Internal(format!("/lessons/{id}"))),
            Some("") => Err(LinkError::EmptyAnchor),
            Some(anchor) if target.anchors.contains(anchor) => {
                Ok(Resolved::Internal(format!("/lessons/{id}#{anchor}")))
            }
            Some(anchor) => Err(LinkError::MissingAnchor {
                lesson: id.clone(),
                anchor: anchor.to_owned(),
            }),
        }
    }

    /// `#anchor`: this lesson's heading if it has one, else the one lesson that does.
    fn bare_anchor(&self, anchor: &str, current: &str) -> Result<Resolved, LinkError> {
        if anchor.is_empty() {
            return Err(LinkError::EmptyAnchor);
        }
        let here = self.lessons.get(current);
        if here.is_some_and(|target| target.anchors.contains(anchor)) {
            return Ok(Resolved::Keep);
        }
        match self
            .by_anchor
            .get(anchor)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            [] => Err(LinkError::UnknownAnchor(anchor.to_owned())),
            [rel] => self.in_lesson(rel, Some(anchor), anchor),
            many => {
                let names: Vec<&str> = many
                    .iter()
                    .map(
                        |rel| match self.lessons.get(rel).and_then(|t| t.id.as_deref()) {
                            Some(id) => id,
                            None => rel,
                        },
                    )
                    .collect();
                Err(LinkError::AmbiguousAnchor {
                    anchor: anchor.to_owned(),
                    lessons: names.join(", "),
                })
            }
        }
    }
}

pub(crate) fn run(
    doc: &mut Document<'_>,
    index: &LinkIndex,
    rel: &str,
    diag: &mut Diagnostics<'_>,
) {
    for chunk in doc.chunks_mut() {
        let mut in_external = false;
        for (event, range) in chunk.iter_mut() {
            match event {
                // pulldown-cmark adds the `mailto:` of e-mail autolinks itself.
                Event::Start(Tag::Link {
                    link_type: LinkType::Email,
                    ..
                }) => {}
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => match index.resolve(dest_url, rel) {
                    Ok(Resolved::Keep) => {}
                    Ok(Resolved::Internal(href)) => *dest_url = href.into(),
                    Ok(Resolved::External) => {
                        let title = match title.is_empty() {
                            true => String::new(),
                            false => format!(" title=\"{}\"", escape_html(title)),
                        };
                        let open = format!(
                            "<a href=\"{}\"{title} rel=\"noopener\" target=\"_blank\">",
                            escape_html(dest_url)
                        );
                        *event = Event::Html(open.into());
                        in_external = true;
                    }
                    Err(err) => diag.at(range.start, err),
                },
                Event::End(TagEnd::Link) if in_external => {
                    *event = Event::Html("</a>".into());
                    in_external = false;
                }
                Event::Start(Tag::Image { dest_url, .. })
                    if !matches!(index.resolve(dest_url, rel), Ok(Resolved::External)) =>
                {
                    diag.at(range.start, LinkError::LocalImage(dest_url.to_string()));
                }
                _ => {}
            }
        }
    }
}

/// The URL scheme, if `dest` starts with one (`https:`, `javascript:`, …).
fn scheme(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LinkIndex {
        let mut index = LinkIndex::default();
        index.add_lesson("part1/1-1.md", Some("1-1"), ["환경", "공통"]);
        index.add_lesson("part2/2-1.md", Some("2-1"), ["구조", "공통"]);
        index.add_other("README.md");
        index
    }

    #[test]
    fn resolves_relative_and_bare_links() {
        let index = index();
        let resolve = |dest| index.resolve(dest, "part2/2-1.md");
        let internal = |href: &str| Ok(Resolved::Internal(href.to_owned()));
        assert_eq!(
            resolve("../part1/1-1.md#환경"),
            internal("/lessons/1-1#환경")
        );
        assert_eq!(resolve("../part1/1-1.md"), internal("/lessons/1-1"));
        assert_eq!(
            resolve("#%ED%99%98%EA%B2%BD"),
            internal("/lessons/1-1#환경")
        );
        assert_eq!(resolve("#구조"), Ok(Resolved::Keep));
        assert_eq!(resolve("#공통"), Ok(Resolved::Keep));
        assert_eq!(resolve("https://kubernetes.io"), Ok(Resolved::External));
        assert_eq!(resolve("/lessons/1-1#환경"), Ok(Resolved::Keep));
    }

    #[test]
    fn reports_broken_links() {
        let index = index();
        let resolve = |dest| index.resolve(dest, "part2/2-1.md");
        assert!(matches!(
            resolve("2-9.md"),
            Err(LinkError::MissingLesson(_))
        ));
        assert!(matches!(
            resolve("../README.md"),
            Err(LinkError::NotALesson(_))
        ));
        assert!(matches!(
            resolve("../../x.md"),
            Err(LinkError::MissingLesson(_))
        ));
        assert!(matches!(
            resolve("../part1/1-1.md#없음"),
            Err(LinkError::MissingAnchor { .. })
        ));
        assert!(matches!(resolve("#없음"), Err(LinkError::UnknownAnchor(_))));
        assert!(matches!(resolve("#"), Err(LinkError::EmptyAnchor)));
        assert!(matches!(
            resolve("javascript:alert(1)"),
            Err(LinkError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            resolve("../service/src/main.rs"),
            Err(LinkError::NotMarkdown(_))
        ));
        assert!(matches!(
            resolve("/lessons/9-9"),
            Err(LinkError::UnknownLessonId(_))
        ));
        let ambiguous = index.resolve("#공통", "README.md").unwrap_err();
        assert_eq!(
            ambiguous.to_string(),
            "여러 레슨에 있는 앵커: '#공통' (1-1, 2-1); 상대 경로 링크로 레슨을 밝힌다"
        );
    }
}
