//! Pass `text`: the lesson's prose by section (headings, paragraphs, lists, tables), for
//! search. Code blocks are left out: their tokens would drown the prose in noise.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::lessons::document::Document;
use crate::lessons::model::TextSection;

pub(crate) fn run(doc: &Document<'_>) -> Vec<TextSection> {
    let mut sections = vec![TextSection {
        anchor: None,
        heading: String::new(),
        text: String::new(),
    }];
    let (mut in_heading, mut in_code) = (false, false);
    for (event, _) in doc.events() {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ if in_code => {}
            Event::Start(Tag::Heading { id, .. }) => {
                in_heading = true;
                sections.push(TextSection {
                    anchor: id.as_ref().map(|id| id.to_string()),
                    heading: String::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(text) | Event::Code(text) => append(&mut sections, in_heading, text),
            // Block ends separate words that are on different lines in the source.
            Event::SoftBreak | Event::HardBreak | Event::End(_) => {
                append(&mut sections, in_heading, " ");
            }
            _ => {}
        }
    }
    for section in &mut sections {
        section.heading = collapse(&section.heading);
        section.text = collapse(&section.text);
    }
    sections.retain(|s| s.anchor.is_some() || !s.text.is_empty());
    sections
}

fn append(sections: &mut [TextSection], in_heading: bool, text: &str) {
    if let Some(section) = sections.last_mut() {
        let sink = if in_heading {
            &mut section.heading
        } else {
            &mut section.text
        };
        sink.push_str(text);
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
