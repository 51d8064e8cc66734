//! Load errors: every fixture under `fixtures/lessons/errors/<case>/` is a content folder whose
//! complete error report must equal its `expected.txt` (`BLESS=1` rewrites them). Malformed
//! input must give errors, never a panic.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![cfg(feature = "ssr")]

mod lessons_common;

use std::path::Path;

use lessons_common::{TempContent, check_golden, fixtures};
use portal::lessons::{ErrorKind, Library, LoadErrors};
use proptest::prelude::*;

fn load_case(case: &str) -> LoadErrors {
    match Library::load(&fixtures().join("errors").join(case), &fixtures()) {
        Ok(library) => panic!(
            "{case}: loaded {} lessons without errors",
            library.lessons().len()
        ),
        Err(errors) => errors,
    }
}

#[test]
fn every_error_fixture_reports_all_its_errors() {
    let dir = fixtures().join("errors");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("errors fixtures")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 7, "{cases:?}");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            let report = format!("{}\n", load_case(case));
            check_golden(&dir.join(case).join("expected.txt"), &report).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_unknown_panel_names_file_line_and_choices() {
    let errors = load_case("directives");
    let error = errors
        .errors()
        .iter()
        .find(|e| e.to_string().contains("podz"))
        .expect("podz error");
    assert_eq!(error.path, Path::new("errors/directives/lesson.md"));
    assert_eq!(error.line, 16);
    assert!(matches!(error.kind, ErrorKind::Directive(_)));
    assert_eq!(
        error.to_string(),
        "errors/directives/lesson.md:16: 알 수 없는 패널 이름 'podz' (가능: status, release, \
         history, tree, pods, endpoints, events, logs, usage, requests)"
    );
}

#[test]
fn causes_are_kept_as_error_sources() {
    let errors = load_case("includes");
    let missing = errors
        .errors()
        .iter()
        .find(|e| e.to_string().contains("nope.rs"))
        .expect("missing include");
    let source = std::error::Error::source(missing).expect("the I/O error");
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    assert!(missing.detail().starts_with(&format!("{missing}: ")));
}

#[test]
fn a_missing_content_folder_is_an_error() {
    let errors = Library::load(&fixtures().join("no-such-folder"), &fixtures())
        .expect_err("no folder, no lessons");
    assert_eq!(errors.errors().len(), 1);
    assert!(
        errors
            .to_string()
            .contains("no-such-folder: 폴더를 읽을 수 없다"),
        "{errors}"
    );
}

/// Inputs that have broken parsers before: they must load or fail, never panic.
#[test]
fn hostile_inputs_give_errors_not_panics() {
    let front = "+++\nid = \"x\"\ntitle = \"x\"\npart = 1\norder = 1\nminutes = 1\n+++\n";
    let bodies = [
        "",
        "+++",
        "+++\n+++\n",
        "+++\n\u{feff}+++",
        "\u{feff}",
        "```",
        "```panel",
        "```panel pods\n",
        "```panel pods\n[[[\n```",
        "```experiment \"\n```",
        "```bash run action=\n```",
        "```rust include=\"\n```",
        "```rust include=\"#\"\n```",
        "```rust include=\"files/health.rs#L0-L0\"\n```",
        "```rust include=\"files/health.rs#L99999999999999999999999\"\n```",
        "```rust include=\"files\"\n```",
        "```text expect\n```",
        "> ```panel pods\n> ```\n",
        "- > - ```experiment configmap\n",
        "# \n## \n### ?\n#### !!\n",
        "[a](#%)\n[b](#%E0%A4)\n[c](%%.md)\n[d](../../../../../x.md#y)\n",
        "[a]: <>\n[a]\n![](<>)",
        "> **",
        "> **주의**",
        "> **왜 이렇게?**\n>\n> > **비유**\n",
        "<div>\n```panel pods\n```\n</div>",
        "|a|\n|-|\n|```panel pods```|",
        "[^1]\n\n[^1]: ```panel pods\n",
        "\u{1112}\u{1161}\u{11ab} 한글 NFD # 제목\n# \u{1112}\u{1161}\u{11ab}\n[x](#한)",
        "\0\r\n\r\r\n\t```\t\n",
    ];
    for body in bodies {
        for text in [body.to_owned(), format!("{front}{body}")] {
            let content = TempContent::new();
            content.write("lesson.md", &text);
            if let Err(errors) = content.load() {
                assert!(!errors.errors().is_empty(), "{text:?}");
                let _ = errors.to_string();
            }
        }
    }
}

/// Fragments that exercise every parser: fences, directives, front matter, Hangul.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("+++\n".to_owned()),
        Just("id = \"p\"\ntitle = \"t\"\npart = 1\norder = 1\nminutes = 1\n".to_owned()),
        Just("panels = [\"pods\"]\n".to_owned()),
        Just("```panel pods\n".to_owned()),
        Just("```experiment configmap\n".to_owned()),
        Just("```bash run\n".to_owned()),
        Just("```sh skip=docker\n".to_owned()),
        Just("```text expect\n".to_owned()),
        Just("```rust include=\"files/health.rs#readiness\"\n".to_owned()),
        Just("```\n".to_owned()),
        Just("~~~\n".to_owned()),
        Just("> **주의** ".to_owned()),
        Just("# 제목 — 한글?\n".to_owned()),
        Just("[링크](other.md#앵커)".to_owned()),
        Just("[앵커](#제목--한글)".to_owned()),
        Just("<b>".to_owned()),
        Just("- ".to_owned()),
        Just("\n".to_owned()),
        "[가-힣a-z0-9 #*>`\\[\\]()=\"+|:!-]{0,12}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn arbitrary_markdown_never_panics(
        parts in prop::collection::vec(fragment(), 0..40),
        other in prop::collection::vec(fragment(), 0..10),
    ) {
        let content = TempContent::new();
        content.write("lesson.md", &parts.concat());
        content.write("other.md", &other.concat());
        if let Err(errors) = content.load() {
            prop_assert!(!errors.errors().is_empty());
            for error in &errors {
                prop_assert!(error.line > 0, "{error}");
            }
        }
    }
}
