//! A lesson body as pulldown-cmark events with their byte ranges, cut at the top-level
//! directives. The passes transform the events; rendering turns each run into HTML.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};

use super::directives::{self, DirectiveError, DirectiveHead};
use super::source::Diagnostics;

/// An event and the bytes of the whole file (not just the body) it came from.
pub(crate) type Spanned<'a> = (Event<'a>, Range<usize>);

/// GitHub-flavoured features the guide uses. Heading attributes (`{#id}`) stay off: ids
/// must be the ones GitHub gives, so links written against GitHub keep working.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

#[derive(Debug)]
pub(crate) enum Block<'a> {
    Markdown(Vec<Spanned<'a>>),
    Directive(Directive),
}

/// A panel or experiment, placed between two HTML segments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Directive {
    pub line: usize,
    pub head: DirectiveHead,
    pub options: Map<String, Value>,
}

#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub blocks: Vec<Block<'a>>,
    /// Directives reported as errors (misplaced, bad options, …) whose name is known.
    pub rejected: Vec<DirectiveHead>,
}

impl<'a> Document<'a> {
    /// Parses the body. Directives inside lists or block quotes are reported and dropped:
    /// an island cannot be placed in the middle of an HTML element.
    pub fn parse(body: &'a str, body_offset: usize, diag: &mut Diagnostics<'_>) -> Self {
        let mut doc = Self {
            blocks: Vec::new(),
            rejected: Vec::new(),
        };
        let mut markdown = Vec::new();
        let mut depth = 0_usize;
        let mut events = Parser::new_ext(body, options())
            .into_offset_iter()
            .map(|(event, range)| (event, range.start + body_offset..range.end + body_offset));
        while let Some((event, range)) = events.next() {
            if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event
                && let Some(keyword) = directives::directive_keyword(info)
            {
                let info = info.clone();
                let (text, text_offset) =
                    fence_body(&mut events).unwrap_or_else(|| (String::new(), range.start));
                if depth > 0 {
                    diag.at(range.start, DirectiveError::NotTopLevel(keyword));
                    doc.rejected.extend(directives::rejected_head(&info));
                    continue;
                }
                let line = diag.file().line_of(range.start);
                if let Some(directive) = doc.directive(&info, &text, text_offset, line, diag) {
                    if !markdown.is_empty() {
                        doc.blocks
                            .push(Block::Markdown(std::mem::take(&mut markdown)));
                    }
                    doc.blocks.push(Block::Directive(directive));
                }
                continue;
            }
            match &event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            markdown.push((event, range));
        }
        if !markdown.is_empty() {
            doc.blocks.push(Block::Markdown(markdown));
        }
        doc
    }

    /// Parses a top-level directive, reporting what is wrong with it.
    fn directive(
        &mut self,
        info: &str,
        text: &str,
        text_offset: usize,
        line: usize,
        diag: &mut Diagnostics<'_>,
    ) -> Option<Directive> {
        match parse_directive(info, text) {
            Ok((head, options)) => Some(Directive {
                line,
                head,
                options,
            }),
            Err((at, err)) => {
                match at {
                    None => diag.at_line(line, err),
                    Some(at) => diag.at(text_offset + at, err),
                }
                self.rejected.extend(directives::rejected_head(info));
                None
            }
        }
    }

    /// The Markdown runs, in order. Passes work run by run: no element spans a directive.
    pub fn chunks_mut(&mut self) -> impl Iterator<Item = &mut Vec<Spanned<'a>>> {
        self.blocks.iter_mut().filter_map(|block| match block {
            Block::Markdown(events) => Some(events),
            Block::Directive(_) => None,
        })
    }

    pub fn events(&self) -> impl Iterator<Item = &Spanned<'a>> {
        self.blocks.iter().flat_map(|block| match block {
            Block::Markdown(events) => events.as_slice(),
            Block::Directive(_) => &[],
        })
    }

    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.blocks.iter().filter_map(|block| match block {
            Block::Directive(directive) => Some(directive),
            Block::Markdown(_) => None,
        })
    }
}

/// Consumes a fenced block up to its end; gives its text and where the text starts, if any.
fn fence_body<'a>(events: &mut impl Iterator<Item = Spanned<'a>>) -> Option<(String, usize)> {
    let mut body: Option<(String, usize)> = None;
    for (event, range) in events {
        match event {
            Event::Text(text) => match &mut body {
                Some((body, _)) => body.push_str(&text),
                None => body = Some((text.into_string(), range.start)),
            },
            Event::End(TagEnd::CodeBlock) => break,
            _ => {}
        }
    }
    body
}

type DirectiveResult = Result<(DirectiveHead, Map<String, Value>), (Option<usize>, DirectiveError)>;

/// A directive's head and options; an error carries its offset in the body when known.
fn parse_directive(info: &str, body: &str) -> DirectiveResult {
    let head = directives::parse_directive(info).map_err(|err| (None, err))?;
    match head {
        DirectiveHead::Panel(_) => {
            panel_options(body)
                .map(|options| (head, options))
                .map_err(|mut err| {
                    let at = err.span().map(|span| span.start);
                    err.set_input(None);
                    (at, DirectiveError::PanelOptions(err))
                })
        }
        DirectiveHead::Experiment(_) if !body.trim().is_empty() => {
            Err((Some(0), DirectiveError::ExperimentBody))
        }
        DirectiveHead::Experiment(_) => Ok((head, Map::new())),
    }
}

/// A panel's options: its body as a TOML table, handed to the island as JSON.
fn panel_options(body: &str) -> Result<Map<String, Value>, toml::de::Error> {
    let table: toml::Table = toml::from_str(body)?;
    Ok(table
        .into_iter()
        .map(|(key, value)| (key, toml_to_json(value)))
        .collect())
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, toml_to_json(value)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_options_become_json() {
        let options =
            panel_options("title = \"파드\"\nlimit = 3\n[size]\nrows = [1, 2]\n").unwrap();
        assert_eq!(options["title"], "파드");
        assert_eq!(options["limit"], 3);
        assert_eq!(options["size"]["rows"][1], 2);
    }
}
