//! Pass `code`: every code block becomes a `<figure class="code">` with a header (language,
//! badge or source path, copy button) and highlighted code. Shell blocks are classified and
//! recorded for the test runner, `text expect` blocks are attached to the `run` block right
//! before them, and includes are read from the repository.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};

use super::{escape_html, highlight};
use crate::lessons::directives::{self, DirectiveError, Fence};
use crate::lessons::document::Document;
use crate::lessons::error::ErrorKind;
use crate::lessons::include::{self, RepoFiles};
use crate::lessons::model::{ExpectedOutput, Include, ShellBlock, ShellClass};
use crate::lessons::source::Diagnostics;

#[derive(Debug, Default)]
pub(crate) struct CodeOutput {
    pub shell_blocks: Vec<ShellBlock>,
    pub includes: Vec<Include>,
}

pub(crate) fn run(
    doc: &mut Document<'_>,
    files: &mut RepoFiles,
    diag: &mut Diagnostics<'_>,
) -> CodeOutput {
    let mut blocks = Blocks {
        files,
        output: CodeOutput::default(),
        last_run: None,
    };
    for chunk in doc.chunks_mut() {
        let mut events = std::mem::take(chunk).into_iter();
        let mut rendered = Vec::new();
        while let Some((event, range)) = events.next() {
            let info = match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => info,
                Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => CowStr::Borrowed(""),
                event => {
                    blocks.last_run = None;
                    rendered.push((event, range));
                    continue;
                }
            };
            let mut code = String::new();
            for (event, _) in events.by_ref() {
                match event {
                    Event::Text(text) => code.push_str(&text),
                    Event::End(TagEnd::CodeBlock) => break,
                    _ => {}
                }
            }
            let line = diag.file().line_of(range.start);
            match blocks.render(&info, line, code) {
                Ok(html) => rendered.push((Event::Html(html.into()), range)),
                Err(err) => diag.at_line(line, err),
            }
        }
        *chunk = rendered;
    }
    blocks.output
}

/// Renders the code blocks of one lesson, in order.
struct Blocks<'f> {
    files: &'f mut RepoFiles,
    output: CodeOutput,
    /// The index of a `run` block that has just ended: a `text expect` block may follow.
    last_run: Option<usize>,
}

impl Blocks<'_> {
    fn render(&mut self, info: &str, line: usize, code: String) -> Result<String, ErrorKind> {
        let previous_run = self.last_run.take();
        match directives::classify(info)? {
            Fence::Shell { lang, class } => Ok(self.shell(line, lang, class, code)),
            Fence::Expect => self.expect(line, code, previous_run),
            Fence::Include { lang, target } => self.include(line, lang, &target, &code),
            Fence::Code { lang } => Ok(plain(lang.as_deref(), &code)),
        }
    }

    fn shell(&mut self, line: usize, lang: String, class: ShellClass, code: String) -> String {
        let mut figure = Figure::new(&lang);
        if let ShellClass::Run { action } = class {
            figure.attr("data-run", "");
            if let Some(action) = action {
                figure.attr("data-action", action.as_str());
            }
            // The skip reason is for authors; learners see only what they can run.
            figure.header("<span class=\"code-badge\">실행 가능</span>".to_owned());
            self.last_run = Some(self.output.shell_blocks.len());
        }
        let html = figure.finish(&highlight::highlight(&code, Some(&lang)));
        self.output.shell_blocks.push(ShellBlock {
            line,
            lang,
            code,
            class,
            expect: None,
        });
        html
    }

    fn expect(
        &mut self,
        line: usize,
        text: String,
        previous_run: Option<usize>,
    ) -> Result<String, ErrorKind> {
        let run = previous_run
            .and_then(|i| self.output.shell_blocks.get_mut(i))
            .ok_or(DirectiveError::ExpectWithoutRun)?;
        let mut figure = Figure::new("text");
        figure.class("expect").label("예상 출력");
        let html = figure.finish(&escape_html(&text));
        run.expect = Some(ExpectedOutput { line, text });
        Ok(html)
    }

    fn include(
        &mut self,
        line: usize,
        lang: Option<String>,
        target: &str,
        code: &str,
    ) -> Result<String, ErrorKind> {
        if !code.trim().is_empty() {
            return Err(DirectiveError::IncludeBody.into());
        }
        let (path, selector) = include::parse_target(target)?;
        let excerpt = self.files.excerpt(&path, &selector)?;
        let mut figure = Figure::new(lang.as_deref().unwrap_or("text"));
        let source = escape_html(&format!("{path}{selector}"));
        figure.header(format!("<span class=\"code-source\">{source}</span>"));
        let html = figure.finish(&highlight::highlight(&excerpt, lang.as_deref()));
        self.output.includes.push(Include {
            line,
            path,
            selector,
            lang,
        });
        Ok(html)
    }
}

/// Any other block. Plain text drawn with box characters is marked as a diagram, so the
/// stylesheet can set it in a font where Hangul is exactly two columns wide (D2Coding).
fn plain(lang: Option<&str>, code: &str) -> String {
    let mut figure = Figure::new(lang.unwrap_or("text"));
    let highlighted = lang.is_some_and(highlight::is_known);
    if !highlighted && code.chars().any(|c| ('\u{2500}'..='\u{257f}').contains(&c)) {
        figure.class("diagram");
    }
    figure.finish(&highlight::highlight(code, lang))
}

/// The markup around a code block.
struct Figure {
    lang: String,
    label: String,
    classes: String,
    attrs: String,
    header: String,
}

impl Figure {
    fn new(lang: &str) -> Self {
        Self {
            lang: escape_html(lang),
            label: escape_html(lang),
            classes: String::new(),
            attrs: String::new(),
            header: String::new(),
        }
    }

    fn class(&mut self, class: &str) -> &mut Self {
        self.classes.push(' ');
        self.classes.push_str(class);
        self
    }

    fn label(&mut self, label: &str) -> &mut Self {
        self.label = escape_html(label);
        self
    }

    fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        self.attrs
            .push_str(&format!(" {name}=\"{}\"", escape_html(value)));
        self
    }

    /// Adds trusted markup after the language label.
    fn header(&mut self, markup: String) -> &mut Self {
        self.header.push_str(&markup);
        self
    }

    fn finish(self, code_html: &str) -> String {
        let Self {
            lang,
            label,
            classes,
            attrs,
            header,
        } = self;
        format!(
            "<figure class=\"code{classes}\" data-lang=\"{lang}\"{attrs}>\n\
             <figcaption class=\"code-header\"><span class=\"code-lang\">{label}</span>{header}\
             <button class=\"copy\" type=\"button\" aria-label=\"복사\">복사</button></figcaption>\n\
             <pre class=\"{}\" tabindex=\"0\"><code>{code_html}</code></pre>\n\
             </figure>\n",
            highlight::CODE_CLASS
        )
    }
}
