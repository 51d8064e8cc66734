//! Expected-output blocks of the lessons (```` ```text expect ````), compared with what a
//! command really printed. Runs of spaces count as one; `{{any}}`, `{{n}}`, `{{pod}}`,
//! `{{ip}}`, `{{age}}` and `{{ts}}` stand for the parts that vary; a line `...` skips
//! any number of lines (content/README.md documents the rules for authors).

use regex::Regex;

/// One expected line.
#[derive(Debug)]
enum Line {
    Skip,
    Pattern(Regex),
}

#[derive(Debug)]
pub struct Expected {
    lines: Vec<Line>,
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn placeholder(name: &str) -> Option<&'static str> {
    Some(match name {
        "any" => ".*",
        "n" => r"-?\d+(?:\.\d+)?",
        "pod" => r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
        "ip" => r"\d{1,3}(?:\.\d{1,3}){3}",
        "age" => r"(?:\d+[smhd])+|<unknown>",
        "ts" => r"\S+",
        _ => return None,
    })
}

impl Expected {
    /// Parses an expected block; an unknown placeholder is an error naming it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let token = Regex::new(r"\{\{(\w+)\}\}").map_err(|e| e.to_string())?;
        let mut lines = Vec::new();
        for raw in text.lines() {
            let line = squash(raw);
            if line == "..." {
                lines.push(Line::Skip);
                continue;
            }
            let mut pattern = String::from("^");
            let mut last = 0;
            for cap in token.captures_iter(&line) {
                let (whole, name) = (cap.get(0).map_or(0..0, |m| m.range()), &cap[1]);
                pattern.push_str(&regex::escape(&line[last..whole.start]));
                pattern.push_str(
                    placeholder(name)
                        .ok_or_else(|| format!("알 수 없는 자리표시: {{{{{name}}}}}"))?,
                );
                last = whole.end;
            }
            pattern.push_str(&regex::escape(&line[last..]));
            pattern.push('$');
            lines.push(Line::Pattern(
                Regex::new(&pattern).map_err(|e| e.to_string())?,
            ));
        }
        while matches!(lines.last(), Some(Line::Pattern(r)) if r.as_str() == "^$") {
            lines.pop();
        }
        Ok(Self { lines })
    }

    /// Whether `output` matches, line for line (trailing blank lines ignored).
    pub fn matches(&self, output: &str) -> bool {
        let mut actual: Vec<String> = output.lines().map(squash).collect();
        while actual.last().is_some_and(String::is_empty) {
            actual.pop();
        }
        fits(&self.lines, &actual)
    }
}

fn fits(expected: &[Line], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((Line::Skip, rest)) => (0..=actual.len()).any(|i| fits(rest, &actual[i..])),
        Some((Line::Pattern(re), rest)) => actual
            .split_first()
            .is_some_and(|(line, tail)| re.is_match(line) && fits(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::Expected;

    fn ok(expected: &str, actual: &str) -> bool {
        Expected::parse(expected).unwrap().matches(actual)
    }

    #[test]
    fn json_answers_with_a_pod_name() {
        let e = r#"{"app_env":"production","app_version":"1.0.0","log_level":"info","pod_name":"{{pod}}"}"#;
        assert!(ok(
            e,
            r#"{"app_env":"production","app_version":"1.0.0","log_level":"info","pod_name":"hello-hello-world-7c9d6b5f4-8xq2m"}"#
        ));
        assert!(!ok(
            e,
            r#"{"app_env":"production","app_version":"1.0.0","log_level":"debug","pod_name":"x"}"#
        ));
    }

    #[test]
    fn tables_ignore_column_widths_and_skip_lines() {
        let e = "NAME READY STATUS RESTARTS AGE\n{{pod}} 1/1 Running {{n}} {{age}}\n...";
        let a = "NAME                                READY   STATUS    RESTARTS   AGE\nhello-hello-world-7c9d6b5f4-8xq2m   1/1     Running   0          2m5s\nmore\nlines\n";
        assert!(ok(e, a));
        assert!(!ok("a\nb", "a\nc"));
        assert!(ok("...\nlast", "x\ny\nlast\n\n"));
        assert!(!ok("only", "only\nextra"));
    }

    #[test]
    fn unknown_placeholders_are_refused() {
        assert!(Expected::parse("{{podname}}").is_err());
    }
}
