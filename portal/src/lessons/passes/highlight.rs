//! Server-side syntax highlighting with CSS classes, so the colours live in one stylesheet
//! with a light and a dark theme instead of inline styles in every lesson.
//!
//! Each token gets the colour the two themes resolve for it, as short classes: `l3 d5`
//! is colour 3 of the light palette and colour 5 of the dark one (`lf4`/`df4`: a font
//! style). Tokens in both default colours get no span at all. Classing by resolved style
//! rather than by scope name (`hl-meta hl-function-call hl-arguments hl-shell`, nested)
//! keeps the code blocks — most of a long lesson's bytes — about a third of the size.

use std::fmt::Write;
use std::sync::LazyLock;

use syntect::easy::ScopeRangeIterator;
use syntect::highlighting::{Color, FontStyle, Highlighter, Theme};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;
use two_face::theme::{EmbeddedLazyThemeSet, EmbeddedThemeName};

use super::escape_html;

/// two-face's set adds TOML and Dockerfile to syntect's defaults. Loading it takes tens of
/// milliseconds, so it happens once.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);
static THEMES: LazyLock<EmbeddedLazyThemeSet> = LazyLock::new(two_face::theme::extra);
static LIGHT: LazyLock<Palette> =
    LazyLock::new(|| Palette::new(THEMES.get(EmbeddedThemeName::OneHalfLight)));
static DARK: LazyLock<Palette> =
    LazyLock::new(|| Palette::new(THEMES.get(EmbeddedThemeName::OneHalfDark)));

/// The class of the `<pre>` around highlighted code; the themes give it its colours.
pub(crate) const CODE_CLASS: &str = "hl-code";

/// A theme's resolver and its colours in a fixed order (the theme's own), so a class
/// names the same colour in every lesson and in the stylesheet.
struct Palette {
    highlighter: Highlighter<'static>,
    theme: &'static Theme,
    colours: Vec<Color>,
}

impl Palette {
    fn new(theme: &'static Theme) -> Self {
        let mut colours = Vec::new();
        let all = theme.settings.foreground.into_iter();
        for c in all.chain(theme.scopes.iter().filter_map(|i| i.style.foreground)) {
            if !colours.contains(&c) {
                colours.push(c);
            }
        }
        Self {
            highlighter: Highlighter::new(theme),
            theme,
            colours,
        }
    }

    /// ` l3 lf4` for a scope stack: nothing when it is the default colour and style.
    fn classes(&self, prefix: char, stack: &ScopeStack, out: &mut String) {
        let style = self.highlighter.style_for_stack(stack.as_slice());
        if Some(style.foreground) != self.theme.settings.foreground
            && let Some(i) = self.colours.iter().position(|c| *c == style.foreground)
        {
            let _ = write!(out, " {prefix}{i}");
        }
        if !style.font_style.is_empty() {
            let _ = write!(out, " {prefix}f{}", style.font_style.bits());
        }
    }

    fn css(&self, prefix: char) -> String {
        let hex = |c: Color| format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
        let mut css = String::from(".hl-code {");
        if let Some(fg) = self.theme.settings.foreground {
            let _ = write!(css, " color: {};", hex(fg));
        }
        if let Some(bg) = self.theme.settings.background {
            let _ = write!(css, " background-color: {};", hex(bg));
        }
        css.push_str(" }\n");
        for (i, c) in self.colours.iter().enumerate() {
            let _ = writeln!(css, ".hl-code .{prefix}{i} {{ color: {}; }}", hex(*c));
        }
        for (bits, rule) in [
            (FontStyle::BOLD, "font-weight: bold"),
            (FontStyle::ITALIC, "font-style: italic"),
            (FontStyle::UNDERLINE, "text-decoration: underline"),
        ] {
            // Every combination the classes can carry (bits 1-7).
            let with: Vec<String> = (1..8u8)
                .filter(|b| FontStyle::from_bits_truncate(*b).contains(bits))
                .map(|b| format!(".hl-code .{prefix}f{b}"))
                .collect();
            let _ = writeln!(css, "{} {{ {rule}; }}", with.join(", "));
        }
        css
    }
}

/// The syntax for a fence language, or `None` for plain text.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let token = match lang.to_ascii_lowercase().as_str() {
        "" | "text" | "txt" | "plain" | "plaintext" => return None,
        "bash" | "sh" | "shell" | "console" | "zsh" => "bash".to_owned(),
        "yml" | "yaml" => "yaml".to_owned(),
        "dockerfile" | "containerfile" => "Dockerfile".to_owned(),
        "rust" | "rs" => "rs".to_owned(),
        other => other.to_owned(),
    };
    SYNTAXES.find_syntax_by_token(&token)
}

/// Whether a language gets real highlighting (not just escaping).
pub(crate) fn is_known(lang: &str) -> bool {
    syntax_for(lang).is_some()
}

/// The inner HTML of `<code>`: classed spans for a known language, escaped text otherwise.
pub(crate) fn highlight(code: &str, lang: Option<&str>) -> String {
    let Some(syntax) = lang.and_then(syntax_for) else {
        return escape_html(code);
    };
    match classed(code, syntax) {
        Ok(html) => html,
        Err(err) => {
            // A grammar bug must not cost the lesson its code block.
            tracing::warn!(%err, lang, "highlighting failed; showing plain text");
            escape_html(code)
        }
    }
}

fn classed(code: &str, syntax: &SyntaxReference) -> Result<String, Box<dyn std::error::Error>> {
    let (light, dark) = (&*LIGHT, &*DARK);
    let mut parser = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut html = String::with_capacity(code.len() * 2);
    // The open span's classes and text, merged while the next token looks the same.
    let (mut open, mut text) = (String::new(), String::new());
    let mut classes = String::new();
    for line in LinesWithEndings::from(code) {
        let ops = parser.parse_line(line, &SYNTAXES)?;
        for (range, op) in ScopeRangeIterator::new(&ops, line) {
            stack.apply(op)?;
            if range.is_empty() {
                continue;
            }
            classes.clear();
            light.classes('l', &stack, &mut classes);
            dark.classes('d', &stack, &mut classes);
            if classes != open {
                flush(&mut html, &open, &text);
                text.clear();
                std::mem::swap(&mut open, &mut classes);
            }
            text.push_str(&line[range]);
        }
    }
    flush(&mut html, &open, &text);
    Ok(html)
}

fn flush(html: &mut String, classes: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    if classes.is_empty() {
        html.push_str(&escape_html(text));
    } else {
        let _ = write!(
            html,
            r#"<span class="{}">{}</span>"#,
            classes.trim_start(),
            escape_html(text)
        );
    }
}

/// The stylesheet for highlighted code: a light and a dark theme that never apply at the same
/// time, so no rule of one can outrank a rule of the other by specificity.
///
/// Dark applies when `<html data-theme="dark">`, or when the system prefers dark and the
/// reader has not chosen `data-theme="light"`; light applies otherwise.
pub fn highlight_css() -> String {
    let light = LIGHT.css('l');
    let dark = DARK.css('d');
    let mut css = String::from(
        "/* Code highlighting: generated by portal::lessons::highlight_css(); do not edit. */\n",
    );
    css.push_str(&scoped(&light, r#":root[data-theme="light"]"#));
    css.push_str(&scoped(&dark, r#":root[data-theme="dark"]"#));
    for (scheme, css_of_scheme, unless) in [("light", &light, "dark"), ("dark", &dark, "light")] {
        css.push_str(&format!("@media (prefers-color-scheme: {scheme}) {{\n"));
        let scope = format!(r#":root:not([data-theme="{unless}"])"#);
        css.push_str(&scoped(css_of_scheme, &scope));
        css.push_str("}\n");
    }
    css
}

/// Prefixes every selector of the palette's CSS (one `selectors { body }` rule a line).
fn scoped(css: &str, scope: &str) -> String {
    css.lines()
        .filter_map(|line| {
            let (selectors, body) = line.split_once(" {")?;
            let scoped: Vec<String> = selectors
                .split(", ")
                .map(|selector| format!("{scope} {selector}"))
                .collect();
            Some(format!("{} {{{body}\n", scoped.join(", ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_languages_are_highlighted() {
        for lang in [
            "bash",
            "sh",
            "shell",
            "console",
            "yaml",
            "rust",
            "dockerfile",
            "json",
            "toml",
        ] {
            assert!(is_known(lang), "{lang}");
        }
        assert!(!is_known("text"));
    }

    #[test]
    fn plain_text_is_only_escaped() {
        assert_eq!(highlight("<a>\n", Some("text")), "&lt;a&gt;\n");
        assert_eq!(highlight("<a>\n", None), "&lt;a&gt;\n");
    }

    #[test]
    fn tokens_get_short_classes_and_defaults_none() {
        let html = highlight("kubectl get pods -n hello\n", Some("bash"));
        assert!(html.contains(r#"<span class="l"#), "{html}");
        assert!(!html.contains("hl-"), "no scope names: {html}");
        assert!(html.ends_with('\n'));
        // Escaping still applies inside spans.
        let html = highlight("echo \"<a>\"\n", Some("bash"));
        assert!(
            html.contains("&lt;a&gt;") && !html.contains("<a>"),
            "{html}"
        );
        // Every class used has a rule in both themes.
        let css = highlight_css();
        for class in html
            .split(r#"class=""#)
            .skip(1)
            .flat_map(|c| c.split('"').next().unwrap_or("").split(' '))
        {
            assert!(
                css.contains(&format!(".{class} ")) || css.contains(&format!(".{class},")),
                "{class}"
            );
        }
    }

    #[test]
    fn css_is_scoped_per_theme() {
        let css = highlight_css();
        assert!(css.contains(r#":root[data-theme="dark"] .hl-code {"#));
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(!css.contains("\n.hl-"), "every rule is scoped");
    }
}
