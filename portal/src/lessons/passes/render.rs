//! Pass `render`: each Markdown run becomes an HTML segment; directives become panel and
//! experiment segments between them.

use pulldown_cmark::html::push_html;

use crate::lessons::directives::DirectiveHead;
use crate::lessons::document::{Block, Document};
use crate::lessons::model::Segment;

pub(crate) fn segments(doc: Document<'_>) -> Vec<Segment> {
    doc.blocks
        .into_iter()
        .filter_map(|block| match block {
            Block::Markdown(events) => {
                let mut html = String::new();
                push_html(&mut html, events.into_iter().map(|(event, _)| event));
                (!html.trim().is_empty()).then_some(Segment::Html(html))
            }
            Block::Directive(directive) => Some(match directive.head {
                DirectiveHead::Panel(name) => Segment::Panel {
                    name,
                    options: directive.options,
                },
                DirectiveHead::Experiment(name) => Segment::Experiment { name },
            }),
        })
        .collect()
}
