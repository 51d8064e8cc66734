//! Fenced block info strings: what a ```` ``` ```` block is. A directive (`panel`,
//! `experiment`), a shell command (`run`/`skip=…`), an include, expected output or plain code.

use std::collections::HashSet;

use super::model::ShellClass;
use super::names::{Action, ExperimentName, PanelName, SkipReason, UnknownName};

/// Languages whose blocks are commands and so must say whether they run.
pub(crate) const SHELL_LANGS: &[&str] = &["bash", "sh", "shell", "console"];

#[derive(Debug, thiserror::Error)]
pub enum DirectiveError {
    #[error("정보 문자열의 따옴표가 닫히지 않았다: '{0}'")]
    UnterminatedQuote(String),
    #[error("{0} 이름이 없다: ```{0} 이름``` 처럼 쓴다")]
    MissingName(&'static str),
    #[error("```{kind}``` 정보 문자열에 이름 말고 다른 것이 있다: '{extra}'")]
    Extra { kind: &'static str, extra: String },
    #[error("패널 옵션(TOML)을 읽을 수 없다")]
    PanelOptions(#[source] toml::de::Error),
    #[error("실험 지시문의 본문은 비워 둔다")]
    ExperimentBody,
    #[error("지시문 ```{0}``` 은 문서 최상위에만 둔다 (목록이나 인용문 안에는 둘 수 없다)")]
    NotTopLevel(&'static str),
    #[error("셸 블록 ```{0}``` 에는 'run' 이나 'skip=이유' 가 있어야 한다")]
    Unclassified(String),
    #[error("'run' 과 'skip' 은 함께 쓸 수 없다")]
    RunAndSkip,
    #[error("'action' 은 'run' 블록에만 쓴다")]
    ActionWithoutRun,
    #[error("```{lang}``` 블록에 쓸 수 없는 속성: '{attr}'")]
    UnknownAttribute { lang: String, attr: String },
    #[error("같은 속성이 두 번 있다: '{0}'")]
    DuplicateAttribute(String),
    #[error("속성 '{0}' 에는 값이 있어야 한다 ({0}=…)")]
    MissingValue(String),
    #[error("속성 '{0}' 에는 값을 쓰지 않는다")]
    UnexpectedValue(String),
    #[error("include 블록의 본문은 비워 둔다")]
    IncludeBody,
    #[error("include 블록에는 run, skip, action, expect 를 쓰지 않는다")]
    IncludeClassified,
    #[error("```text expect``` 블록은 'run' 블록 바로 뒤에만 온다")]
    ExpectWithoutRun,
    #[error(transparent)]
    Name(#[from] UnknownName),
}

/// A top-level directive's head (its body is parsed separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirectiveHead {
    Panel(PanelName),
    Experiment(ExperimentName),
}

/// `Some("panel")` or `Some("experiment")` when the info string opens a directive.
pub(crate) fn directive_keyword(info: &str) -> Option<&'static str> {
    match info.split_whitespace().next() {
        Some("panel") => Some("panel"),
        Some("experiment") => Some("experiment"),
        _ => None,
    }
}

/// Parses `panel NAME` or `experiment NAME`.
pub(crate) fn parse_directive(info: &str) -> Result<DirectiveHead, DirectiveError> {
    let tokens = tokenize(info)?;
    let kind = directive_keyword(info).ok_or(DirectiveError::MissingName("panel"))?;
    let name = match tokens.get(1) {
        Some((name, None)) => *name,
        _ => return Err(DirectiveError::MissingName(kind)),
    };
    if tokens.len() > 2 {
        let extra = tokens[2..]
            .iter()
            .map(|(key, value)| match value {
                Some(value) => format!("{key}={value}"),
                None => (*key).to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        return Err(DirectiveError::Extra { kind, extra });
    }
    Ok(match kind {
        "panel" => DirectiveHead::Panel(PanelName::parse(name)?),
        _ => DirectiveHead::Experiment(ExperimentName::parse(name)?),
    })
}

/// The name of a directive that failed to parse or sits in the wrong place, when it has one:
/// the front matter check must not then also call the declared name unused.
pub(crate) fn rejected_head(info: &str) -> Option<DirectiveHead> {
    let tokens = tokenize(info).ok()?;
    let (name, None) = tokens.get(1)? else {
        return None;
    };
    match directive_keyword(info)? {
        "panel" => PanelName::parse(name).ok().map(DirectiveHead::Panel),
        _ => ExperimentName::parse(name)
            .ok()
            .map(DirectiveHead::Experiment),
    }
}

/// What a fenced block that is not a directive is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fence {
    Shell {
        lang: String,
        class: ShellClass,
    },
    /// ```` ```text expect ````.
    Expect,
    /// `include="path#selector"`; the target is parsed by the include module.
    Include {
        lang: Option<String>,
        target: String,
    },
    Code {
        lang: Option<String>,
    },
}

/// Classifies a code block's info string.
pub(crate) fn classify(info: &str) -> Result<Fence, DirectiveError> {
    let tokens = tokenize(info)?;
    let (lang, attrs) = match tokens.split_first() {
        Some(((lang, None), attrs)) => (Some(*lang), attrs),
        _ => (None, tokens.as_slice()),
    };
    let lang_name = lang.unwrap_or("").to_owned();

    let mut seen = HashSet::new();
    let (mut run, mut expect) = (false, false);
    let (mut skip, mut action, mut include) = (None, None, None);
    for (key, value) in attrs {
        if !seen.insert(*key) {
            return Err(DirectiveError::DuplicateAttribute((*key).to_owned()));
        }
        match (*key, value) {
            ("run", None) => run = true,
            ("expect", None) => expect = true,
            ("skip", Some(v)) => skip = Some(v.as_str()),
            ("action", Some(v)) => action = Some(v.as_str()),
            ("include", Some(v)) => include = Some(v.clone()),
            ("run" | "expect", Some(_)) => {
                return Err(DirectiveError::UnexpectedValue((*key).to_owned()));
            }
            ("skip" | "action" | "include", None) => {
                return Err(DirectiveError::MissingValue((*key).to_owned()));
            }
            (attr, _) => {
                return Err(DirectiveError::UnknownAttribute {
                    lang: lang_name,
                    attr: attr.to_owned(),
                });
            }
        }
    }

    let unknown = |attr: &str| DirectiveError::UnknownAttribute {
        lang: lang_name.clone(),
        attr: attr.to_owned(),
    };
    if let Some(target) = include {
        if run || expect || skip.is_some() || action.is_some() {
            return Err(DirectiveError::IncludeClassified);
        }
        let lang = lang.map(str::to_owned);
        return Ok(Fence::Include { lang, target });
    }
    let is_shell = lang.is_some_and(|lang| SHELL_LANGS.contains(&lang));
    if expect {
        if lang != Some("text") {
            return Err(unknown("expect"));
        }
        if run || skip.is_some() || action.is_some() {
            return Err(unknown(if run { "run" } else { "skip" }));
        }
        return Ok(Fence::Expect);
    }
    if !is_shell {
        if let Some(attr) = [
            ("run", run),
            ("skip", skip.is_some()),
            ("action", action.is_some()),
        ]
        .iter()
        .find_map(|(attr, present)| present.then_some(*attr))
        {
            return Err(unknown(attr));
        }
        return Ok(Fence::Code {
            lang: lang.map(str::to_owned),
        });
    }
    let class = match (run, skip, action) {
        (true, Some(_), _) => return Err(DirectiveError::RunAndSkip),
        (false, None, _) => return Err(DirectiveError::Unclassified(lang_name)),
        (false, Some(_), Some(_)) => return Err(DirectiveError::ActionWithoutRun),
        (true, None, action) => ShellClass::Run {
            action: action.map(Action::parse).transpose()?,
        },
        (false, Some(reason), None) => ShellClass::Skip {
            reason: SkipReason::parse(reason)?,
        },
    };
    Ok(Fence::Shell {
        lang: lang_name,
        class,
    })
}

/// Splits an info string into `word` and `key=value` / `key="quoted value"` tokens.
fn tokenize(info: &str) -> Result<Vec<(&str, Option<String>)>, DirectiveError> {
    let mut tokens = Vec::new();
    let mut rest = info.trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = &rest[..end];
        rest = &rest[end..];
        let value = match rest.strip_prefix('=') {
            None => None,
            Some(after) => {
                let (value, after) = match after.strip_prefix('"') {
                    Some(quoted) => {
                        let close = quoted
                            .find('"')
                            .ok_or_else(|| DirectiveError::UnterminatedQuote(info.to_owned()))?;
                        (&quoted[..close], &quoted[close + 1..])
                    }
                    None => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
                };
                rest = after;
                Some(value.to_owned())
            }
        };
        tokens.push((key, value));
        rest = rest.trim_start();
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_words_values_and_quotes() {
        let tokens = tokenize(r#"rust include="a b.rs#x" skip=macos  run"#).unwrap();
        assert_eq!(
            tokens,
            vec![
                ("rust", None),
                ("include", Some("a b.rs#x".to_owned())),
                ("skip", Some("macos".to_owned())),
                ("run", None),
            ]
        );
        assert!(tokenize(r#"rust include="open"#).is_err());
        assert_eq!(tokenize("").unwrap(), vec![]);
    }

    #[test]
    fn classifies_shell_blocks() {
        let run = classify("bash run action=install").unwrap();
        let action = Some(Action::Install);
        let lang = "bash".to_owned();
        assert_eq!(
            run,
            Fence::Shell {
                lang,
                class: ShellClass::Run { action }
            }
        );
        assert!(matches!(
            classify("sh"),
            Err(DirectiveError::Unclassified(_))
        ));
        assert!(matches!(
            classify("sh run skip=docker"),
            Err(DirectiveError::RunAndSkip)
        ));
        assert!(matches!(
            classify("console skip=why"),
            Err(DirectiveError::Name(_))
        ));
        assert!(matches!(
            classify("bash skip=docker action=install"),
            Err(DirectiveError::ActionWithoutRun)
        ));
        assert!(matches!(
            classify("bash rn"),
            Err(DirectiveError::UnknownAttribute { .. })
        ));
    }

    #[test]
    fn classifies_other_blocks() {
        assert_eq!(classify("text expect").unwrap(), Fence::Expect);
        assert!(classify("yaml expect").is_err());
        assert!(classify("yaml run").is_err());
        assert_eq!(classify("").unwrap(), Fence::Code { lang: None });
        let include = classify(r#"yaml include="a.yaml#L1-L2""#).unwrap();
        let (lang, target) = (Some("yaml".to_owned()), "a.yaml#L1-L2".to_owned());
        assert_eq!(include, Fence::Include { lang, target });
        assert!(matches!(
            classify(r#"bash run include="x.sh""#),
            Err(DirectiveError::IncludeClassified)
        ));
    }

    #[test]
    fn parses_directive_heads() {
        let pods = parse_directive("panel pods").unwrap();
        assert_eq!(pods, DirectiveHead::Panel(PanelName::Pods));
        assert!(matches!(
            parse_directive("panel"),
            Err(DirectiveError::MissingName("panel"))
        ));
        assert!(matches!(
            parse_directive("experiment x y"),
            Err(DirectiveError::Extra { .. })
        ));
        assert!(matches!(
            parse_directive("panel podz"),
            Err(DirectiveError::Name(_))
        ));
    }
}
