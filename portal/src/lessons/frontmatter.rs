//! The TOML front matter between the first two `+++` lines of a lesson.

use serde::Deserialize;
use toml::Spanned;

use super::error::FrontMatterError;
use super::model::{LessonMeta, MAX_PART};
use super::names::{ExperimentName, PanelName, StartState, UnknownName};
use super::source::Diagnostics;

/// A lesson file cut at its front matter. Offsets are into the whole file, for line numbers.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    pub toml: &'a str,
    pub toml_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Cuts off the front matter; on error the whole text is body, so the body is still checked.
pub(crate) fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let mut lines = text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    });
    let is_fence = |line: &str| line.trim_end() == "+++";
    match lines.next() {
        Some((_, first)) if is_fence(first) => {
            let toml_offset = first.len();
            let (close, close_line) = lines
                .find(|(_, line)| is_fence(line))
                .ok_or(FrontMatterError::Unterminated)?;
            let body_offset = close + close_line.len();
            Ok(Split {
                toml: &text[toml_offset..close],
                toml_offset,
                body: &text[body_offset..],
                body_offset,
            })
        }
        _ => Err(FrontMatterError::Missing),
    }
}

/// The parsed front matter plus where its names are, for errors found later.
#[derive(Debug)]
pub(crate) struct FrontMatter {
    pub meta: LessonMeta,
    pub id_line: usize,
    pub order_line: usize,
    pub panel_lines: Vec<(PanelName, usize)>,
    pub experiment_lines: Vec<(ExperimentName, usize)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: Spanned<String>,
    title: Spanned<String>,
    part: Spanned<i64>,
    order: Spanned<u32>,
    minutes: u32,
    #[serde(default)]
    panels: Vec<Spanned<String>>,
    #[serde(default)]
    experiments: Vec<Spanned<String>>,
    #[serde(default)]
    start: Option<Spanned<String>>,
}

/// Parses and validates the front matter, reporting every problem. Gives `None` only when
/// there is no usable meta at all; an unknown panel name is reported and left out instead,
/// so it is not reported a second time as a mismatch with the body.
pub(crate) fn parse(split: &Split<'_>, diag: &mut Diagnostics<'_>) -> Option<FrontMatter> {
    let raw: Raw = match toml::from_str(split.toml) {
        Ok(raw) => raw,
        Err(mut err) => {
            let offset = split.toml_offset + err.span().map_or(0, |span| span.start);
            // The snippet toml would draw has line numbers of the front matter, not the file.
            err.set_input(None);
            diag.at(offset, FrontMatterError::Toml(err));
            return None;
        }
    };
    let file = diag.file();
    let line = |span: std::ops::Range<usize>| file.line_of(split.toml_offset + span.start);
    let id_line = line(raw.id.span());
    let order_line = line(raw.order.span());

    let id = raw.id.get_ref();
    if id.is_empty() || !id.chars().all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-')) {
        diag.at_line(id_line, FrontMatterError::InvalidId(id.clone()));
    }
    if raw.title.get_ref().trim().is_empty() {
        diag.at_line(line(raw.title.span()), FrontMatterError::EmptyTitle);
    }
    let part = u8::try_from(*raw.part.get_ref())
        .ok()
        .filter(|part| *part <= MAX_PART);
    if part.is_none() {
        let err = FrontMatterError::InvalidPart(*raw.part.get_ref());
        diag.at_line(line(raw.part.span()), err);
    }
    let panel_lines = names(&raw.panels, "panels", PanelName::parse, &line, diag);
    let experiment_lines = names(
        &raw.experiments,
        "experiments",
        ExperimentName::parse,
        &line,
        diag,
    );
    let start = match &raw.start {
        None => StartState::default(),
        Some(start) => StartState::parse(start.get_ref()).unwrap_or_else(|err| {
            diag.at_line(line(start.span()), FrontMatterError::from(err));
            StartState::default()
        }),
    };

    let meta = LessonMeta {
        id: raw.id.into_inner(),
        title: raw.title.into_inner().trim().to_owned(),
        part: part?,
        order: raw.order.into_inner(),
        minutes: raw.minutes,
        panels: panel_lines.iter().map(|(name, _)| *name).collect(),
        experiments: experiment_lines.iter().map(|(name, _)| *name).collect(),
        start,
    };
    Some(FrontMatter {
        meta,
        id_line,
        order_line,
        panel_lines,
        experiment_lines,
    })
}

/// Parses a list of keywords, keeping the valid ones with their lines.
fn names<T: PartialEq + Copy>(
    raw: &[Spanned<String>],
    field: &'static str,
    parse: fn(&str) -> Result<T, UnknownName>,
    line: &impl Fn(std::ops::Range<usize>) -> usize,
    diag: &mut Diagnostics<'_>,
) -> Vec<(T, usize)> {
    let mut out: Vec<(T, usize)> = Vec::new();
    for item in raw {
        let at = line(item.span());
        match parse(item.get_ref()) {
            Ok(name) if out.iter().any(|(seen, _)| *seen == name) => {
                let name = item.get_ref().clone();
                diag.at_line(at, FrontMatterError::Duplicate { field, name });
            }
            Ok(name) => out.push((name, at)),
            Err(err) => diag.at_line(at, FrontMatterError::from(err)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_second_fence() {
        let text = "+++\nid = \"a\"\n+++\n# 제목\n";
        let split = split(text).unwrap();
        assert_eq!(split.toml, "id = \"a\"\n");
        assert_eq!(split.toml_offset, 4);
        assert_eq!(split.body, "# 제목\n");
        assert_eq!(&text[split.body_offset..], split.body);
    }

    #[test]
    fn tolerates_crlf_and_trailing_spaces_on_fences() {
        let split = split("+++ \r\nid = \"a\"\r\n+++\r\nbody").unwrap();
        assert_eq!(split.body, "body");
    }

    #[test]
    fn missing_and_unterminated() {
        assert!(matches!(split("# 제목\n"), Err(FrontMatterError::Missing)));
        assert!(matches!(split(""), Err(FrontMatterError::Missing)));
        assert!(matches!(
            split("+++\nid = \"a\"\n"),
            Err(FrontMatterError::Unterminated)
        ));
    }
}
