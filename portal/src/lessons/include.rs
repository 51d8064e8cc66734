//! Repository file excerpts: ```` ```rust include="service/src/routes/health.rs#readiness" ````.
//! Lessons show the real code instead of copies that drift out of date.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use super::model::Selector;
use super::paths;

#[derive(Debug, thiserror::Error)]
pub enum IncludeError {
    #[error("include 경로가 비어 있다")]
    EmptyPath,
    #[error("include 경로는 저장소 루트 기준의 상대 경로다: '{0}'")]
    OutsideRepo(String),
    #[error("include 파일을 읽을 수 없다: '{path}'")]
    Read {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("'#' 뒤에 영역 이름이나 줄 범위가 없다: '{0}'")]
    EmptySelector(String),
    #[error("줄 범위가 잘못되었다: '#{0}' (#L10-L20 처럼 쓴다)")]
    BadRange(String),
    #[error("줄 범위가 파일을 벗어난다: '{path}{selector}' (파일은 {lines}줄)")]
    RangeOutOfFile {
        path: String,
        selector: Selector,
        lines: usize,
    },
    #[error("영역이 없다: '{path}#{region}' (있는 영역: {available})")]
    RegionNotFound {
        path: String,
        region: String,
        available: String,
    },
    #[error("영역이 닫히지 않았다: '{path}#{region}' ('endregion: {region}' 주석이 없다)")]
    RegionUnterminated { path: String, region: String },
}

/// Parses `path`, `path#region`, `path#L10-L20` or `path#L7`. The path is normalised and must
/// stay inside the repository.
pub(crate) fn parse_target(target: &str) -> Result<(String, Selector), IncludeError> {
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (target, None),
    };
    let path = normalise(path)?;
    let selector = match fragment {
        None => Selector::Whole,
        Some("") => return Err(IncludeError::EmptySelector(target.to_owned())),
        Some(f) if f.starts_with('L') && f[1..].starts_with(|c: char| c.is_ascii_digit()) => {
            parse_range(f).ok_or_else(|| IncludeError::BadRange(f.to_owned()))?
        }
        Some(region) => Selector::Region(region.to_owned()),
    };
    Ok((path, selector))
}

fn normalise(path: &str) -> Result<String, IncludeError> {
    let outside = || IncludeError::OutsideRepo(path.to_owned());
    if path.starts_with('/') || path.contains('\\') {
        return Err(outside());
    }
    match paths::join("", path).ok_or_else(outside)? {
        joined if joined.is_empty() => Err(IncludeError::EmptyPath),
        joined => Ok(joined),
    }
}

fn parse_range(fragment: &str) -> Option<Selector> {
    let number = |s: &str| s.strip_prefix('L')?.parse::<usize>().ok();
    let (start, end) = match fragment.split_once('-') {
        Some((start, end)) => (number(start)?, number(end)?),
        None => (number(fragment)?, number(fragment)?),
    };
    (start >= 1 && start <= end).then_some(Selector::Lines { start, end })
}

/// Reads repository files once per load, however many lessons include them.
#[derive(Debug)]
pub(crate) struct RepoFiles {
    root: PathBuf,
    cache: HashMap<String, Arc<str>>,
}

impl RepoFiles {
    pub fn new(root: PathBuf) -> Self {
        Self {
            root,
            cache: HashMap::new(),
        }
    }

    /// The selected lines, dedented, without region marker lines.
    pub fn excerpt(&mut self, path: &str, selector: &Selector) -> Result<String, IncludeError> {
        let text = self.read(path)?;
        let lines: Vec<&str> = text.lines().collect();
        let selected: Vec<&str> = match selector {
            Selector::Whole => lines,
            Selector::Lines { start, end } => {
                if *end > lines.len() {
                    return Err(IncludeError::RangeOutOfFile {
                        path: path.to_owned(),
                        selector: selector.clone(),
                        lines: lines.len(),
                    });
                }
                lines[start - 1..*end].to_vec()
            }
            Selector::Region(name) => region(&lines, path, name)?.to_vec(),
        };
        let shown = selected.into_iter().filter(|line| marker(line).is_none());
        Ok(dedent(shown))
    }

    fn read(&mut self, path: &str) -> Result<Arc<str>, IncludeError> {
        if let Some(text) = self.cache.get(path) {
            return Ok(Arc::clone(text));
        }
        let text: Arc<str> = std::fs::read_to_string(self.root.join(path))
            .map_err(|source| IncludeError::Read {
                path: path.to_owned(),
                source,
            })?
            .into();
        self.cache.insert(path.to_owned(), Arc::clone(&text));
        Ok(text)
    }
}

/// The lines strictly between `region: NAME` and `endregion: NAME`.
fn region<'t, 'l>(
    lines: &'l [&'t str],
    path: &str,
    name: &str,
) -> Result<&'l [&'t str], IncludeError> {
    let is = |wanted: Marker, line: &str| marker(line) == Some((wanted, name));
    let Some(start) = lines.iter().position(|line| is(Marker::Start, line)) else {
        let mut available: Vec<&str> = lines
            .iter()
            .filter_map(|line| match marker(line) {
                Some((Marker::Start, name)) => Some(name),
                _ => None,
            })
            .collect();
        available.dedup();
        return Err(IncludeError::RegionNotFound {
            path: path.to_owned(),
            region: name.to_owned(),
            available: if available.is_empty() {
                "없음".to_owned()
            } else {
                available.join(", ")
            },
        });
    };
    let len = lines[start + 1..]
        .iter()
        .position(|line| is(Marker::End, line))
        .ok_or_else(|| IncludeError::RegionUnterminated {
            path: path.to_owned(),
            region: name.to_owned(),
        })?;
    Ok(&lines[start + 1..start + 1 + len])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Start,
    End,
}

/// Recognises `// region: NAME`, `# endregion: NAME`, `<!-- region: NAME -->` and the like.
/// A comment token is required, so YAML data such as `region: eu-west` is not a marker.
fn marker(line: &str) -> Option<(Marker, &str)> {
    let line = line.trim_start();
    let rest = ["{{- /*", "{{/*", "<!--", "/*", "//", "--", "#"]
        .iter()
        .find_map(|comment| line.strip_prefix(comment))?
        .trim_start();
    let (kind, rest) = match rest.strip_prefix("endregion:") {
        Some(rest) => (Marker::End, rest),
        None => (Marker::Start, rest.strip_prefix("region:")?),
    };
    Some((kind, rest.split_whitespace().next()?))
}

/// Removes the indentation common to all non-blank lines (a region deep inside a YAML
/// template reads better flush left) and blank lines at either end.
fn dedent<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = lines.collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    let mut out = String::new();
    for line in &lines[first..=last] {
        // Blank lines may be shorter than the indent, and indents of mixed whitespace differ
        // in bytes: cut only what is really whitespace.
        let rest = match line.get(indent..) {
            Some(rest) if line[..indent].trim().is_empty() => rest,
            _ => line.trim_start(),
        };
        out.push_str(rest.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        let region = parse_target("a/./b/../c.rs#readiness").unwrap();
        assert_eq!(
            region,
            (
                "a/c.rs".to_owned(),
                Selector::Region("readiness".to_owned())
            )
        );
        let lines = parse_target("v.yaml#L1-L12").unwrap().1;
        assert_eq!(lines, Selector::Lines { start: 1, end: 12 });
        assert_eq!(
            parse_target("v.yaml#L7").unwrap().1,
            Selector::Lines { start: 7, end: 7 }
        );
        assert_eq!(parse_target("Dockerfile").unwrap().1, Selector::Whole);
        assert!(matches!(
            parse_target("v#L3-L1"),
            Err(IncludeError::BadRange(_))
        ));
        assert!(matches!(
            parse_target("v#L0"),
            Err(IncludeError::BadRange(_))
        ));
        assert!(matches!(
            parse_target("v#"),
            Err(IncludeError::EmptySelector(_))
        ));
        assert!(matches!(
            parse_target("../etc/passwd"),
            Err(IncludeError::OutsideRepo(_))
        ));
        assert!(matches!(
            parse_target("/etc/passwd"),
            Err(IncludeError::OutsideRepo(_))
        ));
        assert!(matches!(parse_target(""), Err(IncludeError::EmptyPath)));
    }

    #[test]
    fn recognises_markers_only_in_comments() {
        assert_eq!(marker("  // region: ready"), Some((Marker::Start, "ready")));
        assert_eq!(marker("# endregion: probes"), Some((Marker::End, "probes")));
        assert_eq!(marker("<!-- region: x -->"), Some((Marker::Start, "x")));
        assert_eq!(marker("region: eu-west-1"), None);
        assert_eq!(marker("// regional: x"), None);
    }

    #[test]
    fn extracts_a_region_without_nested_markers() {
        let text = "a\n  # region: outer\n    b\n    # region: inner\n    c\n    # endregion: inner\n  # endregion: outer\n";
        let lines: Vec<&str> = text.lines().collect();
        let region = region(&lines, "f", "outer").unwrap();
        let shown = dedent(region.iter().copied().filter(|l| marker(l).is_none()));
        assert_eq!(shown, "b\nc\n");
    }

    #[test]
    fn reports_missing_and_unterminated_regions() {
        let lines = ["// region: a", "x"];
        let missing = region(&lines, "f", "b").unwrap_err();
        assert_eq!(missing.to_string(), "영역이 없다: 'f#b' (있는 영역: a)");
        assert!(matches!(
            region(&lines, "f", "a"),
            Err(IncludeError::RegionUnterminated { .. })
        ));
    }

    #[test]
    fn dedent_keeps_relative_indentation() {
        let text = ["", "    a:", "      b: 1", "", "    c: 2", ""];
        assert_eq!(dedent(text.into_iter()), "a:\n  b: 1\n\nc: 2\n");
    }
}
