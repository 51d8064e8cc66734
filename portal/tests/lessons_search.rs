//! Search over the fixture course: Korean, case and normalisation insensitive, all words must
//! match, title matches first, code blocks ignored.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![cfg(feature = "ssr")]

mod lessons_common;

use lessons_common::valid_library;
use portal::lessons::{Library, SearchHit};

fn ids(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.id.as_str()).collect()
}

fn search(library: &Library, query: &str) -> Vec<SearchHit> {
    library.search(query)
}

#[test]
fn finds_korean_words_and_ranks_headings_above_mentions() {
    let library = valid_library();
    let hits = search(&library, "롤링");
    // 2-1 has a heading about it; the intro only mentions it (and comes first to read).
    assert_eq!(ids(&hits), ["2-1", "intro"]);
    let arch = &hits[0];
    assert_eq!(arch.title, "구조");
    assert_eq!(arch.anchor.as_deref(), Some("구조-한눈에-보기"));
    assert_eq!(
        arch.snippet,
        "구조 한눈에 보기 롤링 업데이트를 직접 해 본다."
    );
    let highlight = arch.highlight.clone().expect("a match to mark");
    assert_eq!(&arch.snippet[highlight], "롤링");
}

#[test]
fn every_word_must_match() {
    let library = valid_library();
    assert_eq!(ids(&search(&library, "롤링 직접")), ["2-1", "intro"]);
    assert_eq!(ids(&search(&library, "롤링   지휘자")), ["intro"]);
    assert!(search(&library, "롤링 없는낱말").is_empty());
}

#[test]
fn title_matches_rank_first() {
    let library = valid_library();
    // 1-1 mentions "구조" in a link before lesson 2-1, whose title it is.
    assert_eq!(ids(&search(&library, "구조")), ["2-1", "1-1"]);
}

#[test]
fn case_and_unicode_normalisation_do_not_matter() {
    let library = valid_library();
    assert_eq!(ids(&search(&library, "KUBECTL")), ["intro"]);
    // "롤링" typed as conjoining jamo (NFD), as macOS input can produce.
    let nfd = "\u{1105}\u{1169}\u{11af}\u{1105}\u{1175}\u{11bc}";
    assert_eq!(ids(&search(&library, nfd)), ["2-1", "intro"]);
}

#[test]
fn code_blocks_and_markup_are_not_searched() {
    let library = valid_library();
    // Only inside a ```bash block of lesson 1-1.
    assert!(search(&library, "minikube").is_empty());
    assert!(search(&library, "hl-source").is_empty());
    assert!(search(&library, "figure").is_empty());
}

#[test]
fn hits_point_at_the_nearest_heading() {
    let library = valid_library();
    let hits = search(&library, "지휘자");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].anchor.as_deref(), Some("목차"));
    let hits = search(&library, "자가 치유");
    assert_eq!(ids(&hits), ["a-1"]);
}

#[test]
fn more_occurrences_rank_higher_when_titles_and_headings_tie() {
    let library = valid_library();
    // The intro's table mentions "파드" once; the appendix, read last, three times.
    assert_eq!(ids(&search(&library, "파드")), ["a-1", "intro"]);
}

#[test]
fn empty_queries_find_nothing() {
    let library = valid_library();
    assert!(search(&library, "").is_empty());
    assert!(search(&library, "   \n").is_empty());
}
