//! Pass `raw-html`: raw HTML in Markdown becomes text. Authors never need it, and escaping
//! it means nothing in content can inject markup or scripts into the page.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::lessons::document::Document;

pub(crate) fn run(doc: &mut Document<'_>) {
    for chunk in doc.chunks_mut() {
        for (event, _) in chunk.iter_mut() {
            match event {
                Event::Html(html) | Event::InlineHtml(html) => {
                    *event = Event::Text(std::mem::replace(html, CowStr::Borrowed("")));
                }
                // An HTML block shows as a paragraph of its source text.
                Event::Start(Tag::HtmlBlock) => *event = Event::Start(Tag::Paragraph),
                Event::End(TagEnd::HtmlBlock) => *event = Event::End(TagEnd::Paragraph),
                _ => {}
            }
        }
    }
}
