//! Rendering of the valid fixture course: golden HTML per lesson, plus focused checks of each
//! pass (heading ids, directives, code blocks, includes, callouts, links, raw HTML).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![cfg(feature = "ssr")]

mod lessons_common;

use lessons_common::{check_golden, dump, fixtures, html, valid_library};
use portal::lessons::{
    Action, ExperimentName, PanelName, Segment, Selector, ShellClass, SkipReason, StartState,
    TocEntry,
};

#[test]
fn every_lesson_matches_its_golden_html() {
    let library = valid_library();
    let failures: Vec<String> = library
        .lessons()
        .iter()
        .filter_map(|lesson| {
            let expected = fixtures()
                .join("expected")
                .join(format!("{}.html", lesson.id()));
            check_golden(&expected, &dump(&lesson.segments)).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn headings_get_github_ids_with_hangul_and_numbered_duplicates() {
    let library = valid_library();
    let lesson = library.get("1-1").expect("lesson 1-1");
    let toc = |id: &str, text: &str, level| TocEntry {
        id: id.to_owned(),
        text: text.to_owned(),
        level,
    };
    assert_eq!(
        lesson.toc,
        [
            toc("준비물", "준비물", 2),
            toc("확인", "확인", 2),
            toc("확인-1", "확인", 2),
            toc("코드-발췌", "코드 발췌", 3),
        ]
    );
    let setup = html(&library, "1-1");
    assert!(setup.contains(
        r##"<h1 id="step-1-1-환경-준비">Step 1-1: 환경 준비<a class="anchor" href="#step-1-1-환경-준비" aria-label="절 링크: Step 1-1: 환경 준비">#</a></h1>"##
    ));
    let part2 = html(&library, "part-2");
    assert!(part2.contains(r#"<h1 id="part-2-방금-뭘-한-거지--k8s-아키텍처-해부">"#));
}

#[test]
fn directives_split_the_body_into_segments() {
    let library = valid_library();
    let kinds = |id: &str| -> Vec<String> {
        let lesson = library.get(id).expect("lesson");
        lesson
            .segments
            .iter()
            .map(|segment| match segment {
                Segment::Html(_) => "html".to_owned(),
                Segment::Panel { name, .. } => format!("panel {name}"),
                Segment::Experiment { name } => format!("experiment {name}"),
            })
            .collect()
    };
    assert_eq!(
        kinds("1-1"),
        ["html", "panel status", "html", "panel pods", "html"]
    );
    assert_eq!(kinds("2-1"), ["html", "experiment rolling-update", "html"]);

    let lesson = library.get("1-1").expect("lesson 1-1");
    let Some(Segment::Panel { name, options }) = lesson.segments.get(3) else {
        panic!("no pods panel: {:?}", lesson.segments);
    };
    assert_eq!(*name, PanelName::Pods);
    assert_eq!(options["title"], "hello 네임스페이스의 파드");
    assert_eq!(options["namespace"], "hello");
    assert_eq!(lesson.meta.panels, [PanelName::Status, PanelName::Pods]);
    let arch = library.get("2-1").expect("lesson 2-1");
    assert_eq!(arch.meta.experiments, [ExperimentName::RollingUpdate]);
    assert_eq!(arch.meta.start, StartState::Installed);
}

#[test]
fn shell_blocks_are_recorded_with_their_class_and_expected_output() {
    let library = valid_library();
    let blocks = &library.get("1-1").expect("lesson 1-1").shell_blocks;
    let summary: Vec<(usize, &str, ShellClass)> = blocks
        .iter()
        .map(|block| (block.line, block.lang.as_str(), block.class))
        .collect();
    assert_eq!(
        summary,
        [
            (
                20,
                "bash",
                ShellClass::Skip {
                    reason: SkipReason::Macos
                }
            ),
            (24, "bash", ShellClass::Run { action: None }),
            (
                32,
                "sh",
                ShellClass::Run {
                    action: Some(Action::Install)
                }
            ),
            (43, "console", ShellClass::Run { action: None }),
        ]
    );
    assert_eq!(blocks[1].code, "kubectl version --client\n");
    let expect = blocks[1]
        .expect
        .as_ref()
        .expect("expected output of line 24");
    assert_eq!(
        (expect.line, expect.text.as_str()),
        (28, "Client Version: v{{any}}\n")
    );
    assert!(
        blocks
            .iter()
            .enumerate()
            .all(|(i, b)| i == 1 || b.expect.is_none())
    );
}

#[test]
fn code_blocks_are_highlighted_figures_with_a_copy_button() {
    let library = valid_library();
    let html = html(&library, "1-1");
    assert!(html.contains(r#"<figure class="code" data-lang="bash" data-run="">"#));
    assert!(
        html.contains(r#"<figure class="code" data-lang="sh" data-run="" data-action="install">"#)
    );
    // Tokens carry the themes' colours as short classes (light `lN`, dark `dN`).
    assert!(
        html.contains(r#"<code><span class="l3 d3">kubectl</span>"#),
        "the command is coloured"
    );
    for lang in ["rust", "yaml", "dockerfile", "json", "toml"] {
        let figure = html
            .split(&format!("<figure class=\"code\" data-lang=\"{lang}\""))
            .nth(1)
            .and_then(|rest| rest.split("</figure>").next())
            .unwrap_or_default();
        assert!(figure.contains("<span class=\"l"), "{lang}");
    }
    assert!(!html.contains("hl-source"), "no scope-name classes");
    let figures = html.matches("<figure class=\"code").count();
    let buttons = html
        .matches(r#"<button class="copy" type="button" aria-label="복사">복사</button>"#)
        .count();
    assert_eq!((figures, buttons), (14, 14));
    // One badge per `run` block; skip reasons are for authors only.
    assert_eq!(html.matches("실행 가능").count(), 3);
    assert!(!html.contains("macos"));
    assert!(html.contains(r#"<figure class="code expect" data-lang="text">"#));
}

#[test]
fn text_blocks_with_box_drawing_are_diagrams() {
    let html = html(&valid_library(), "1-1");
    assert_eq!(
        html.matches(r#"<figure class="code diagram" data-lang="text">"#)
            .count(),
        1
    );
    assert!(html.contains("│ 파드 │ ──▶ │ 서비스 │"));
    assert!(html.contains("그냥 출력 예시 &lt;없음&gt;"));
}

#[test]
fn includes_show_the_selected_lines_of_repository_files() {
    let library = valid_library();
    let lesson = library.get("1-1").expect("lesson 1-1");
    let includes: Vec<(usize, &str, &Selector)> = lesson
        .includes
        .iter()
        .map(|include| (include.line, include.path.as_str(), &include.selector))
        .collect();
    assert_eq!(
        includes,
        [
            (
                53,
                "files/health.rs",
                &Selector::Region("readiness".to_owned())
            ),
            (
                56,
                "files/values.yaml",
                &Selector::Lines { start: 1, end: 4 }
            ),
            (59, "files/Dockerfile", &Selector::Whole),
        ]
    );
    let html = html(&library, "1-1");
    assert!(html.contains(r#"<span class="code-source">files/health.rs#readiness</span>"#));
    assert!(html.contains(r#"<span class="code-source">files/values.yaml#L1-L4</span>"#));
    // Markers are hidden, nested ones too, and the region is dedented.
    assert!(!html.contains("region:"));
    assert!(html.contains("<code><span class=\"l1 d1\">/// Readiness"));
    assert!(html.contains("\n    <span class=\"l3 d3\">self</span>"));
    assert!(!html.contains("never_closed"));
}

#[test]
fn callouts_become_boxes_and_plain_quotes_stay() {
    let html = html(&valid_library(), "intro");
    for (class, title) in [
        ("callout-why", "왜 이렇게?"),
        ("callout-analogy", "비유"),
        ("callout-warning", "주의"),
        ("callout-check", "Part 1 체크포인트"),
    ] {
        let open = format!(
            "<aside class=\"callout {class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"
        );
        assert!(html.contains(&open), "{class}");
    }
    assert!(html.contains("<p>직접 해 봐야 오래 남는다.</p>"));
    assert_eq!(
        html.matches("<aside").count(),
        html.matches("</aside>").count()
    );
    assert!(html.contains("<blockquote>\n<p>그냥 인용문이다."));
}

#[test]
fn links_are_resolved_across_lessons() {
    let library = valid_library();
    let intro = html(&library, "intro");
    // Percent-encoded by the HTML writer; browsers decode before matching the id.
    assert!(intro.contains(
        r#"<a href="/lessons/part-1#part-1-%EC%9D%BC%EB%8B%A8-%EB%8F%8C%EB%A6%B0%EB%8B%A4">"#
    ));
    assert!(intro.contains(r#"<a href="/lessons/1-1#%EC%A4%80%EB%B9%84%EB%AC%BC">"#));
    assert!(intro.contains(r#"<a href="/lessons/part-2">Part 2</a>"#));
    assert!(intro.contains(
        r#"<a href="https://kubernetes.io/docs/" title="Kubernetes 문서" rel="noopener" target="_blank">"#
    ));
    assert!(intro.contains(r#"<a href="mailto:team@example.com">"#));
    let setup = html(&library, "1-1");
    assert!(setup.contains(r##"<a href="#%EC%A4%80%EB%B9%84%EB%AC%BC">이 절</a>"##));
    assert!(setup.contains(r#"<a href="/lessons/part-2">다음</a>"#));
    let arch = html(&library, "2-1");
    assert!(arch.contains(r#"<a href="/lessons/1-1#%EC%A4%80%EB%B9%84%EB%AC%BC">준비물</a>"#));
}

#[test]
fn raw_html_is_escaped() {
    let library = valid_library();
    let html = html(&library, "intro");
    assert!(!html.contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;"));
    assert!(html.contains("인라인 &lt;b&gt;HTML&lt;/b&gt; 도"));
}

#[test]
fn the_library_orders_lessons_and_names_parts() {
    let library = valid_library();
    let ids: Vec<&str> = library.lessons().iter().map(|lesson| lesson.id()).collect();
    assert_eq!(
        ids,
        ["intro", "part-1", "1-1", "part-2", "2-1", "wrap-up", "a-1"]
    );
    let parts: Vec<(u8, &str, usize)> = library
        .parts()
        .iter()
        .map(|part| (part.number, part.title, part.lessons.len()))
        .collect();
    assert_eq!(
        parts,
        [
            (0, "시작하기", 1),
            (1, "Part 1: 일단 돌린다", 2),
            (2, "Part 2: 방금 뭘 한 거지? — K8s 아키텍처 해부", 2),
            (4, "정리", 1),
            (5, "부록", 1),
        ]
    );
    assert_eq!(library.part_title(1), "Part 1: 일단 돌린다");
    assert_eq!(library.part_title(3), "Part 3");
    let title = |lesson: Option<&portal::lessons::Lesson>| lesson.map(|l| l.id().to_owned());
    assert_eq!(title(library.prev("intro")), None);
    assert_eq!(title(library.next("intro")).as_deref(), Some("part-1"));
    assert_eq!(title(library.prev("part-2")).as_deref(), Some("1-1"));
    assert_eq!(title(library.next("a-1")), None);
    assert!(library.get("README").is_none() && library.get("nope").is_none());
    let source = &library.get("1-1").expect("lesson 1-1").source;
    assert_eq!(source, std::path::Path::new("valid/part1/1-1-setup.md"));
}

#[test]
fn lessons_have_a_summary_for_the_page_description() {
    let library = valid_library();
    let intro = library.get("intro").expect("intro");
    assert_eq!(
        intro.summary(),
        "쿠버네티스를 직접 돌려 보며 배운다. 롤링 업데이트까지 간다."
    );
}

#[test]
fn the_highlight_stylesheet_has_a_light_and_a_dark_theme() {
    let css = portal::lessons::highlight_css();
    assert!(css.contains(r#":root[data-theme="light"] .hl-code {"#));
    assert!(css.contains(r#":root[data-theme="dark"] .hl-code {"#));
    assert!(css.contains(r#"@media (prefers-color-scheme: dark) {"#));
}

#[test]
fn a_lesson_is_cheap_to_share() {
    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    let library = valid_library();
    shareable(&library);
    let copy = library.clone();
    assert!(std::ptr::eq(library.lessons(), copy.lessons()));
}
