//! The real course in `content/` loads without a single error, and every internal link in the
//! rendered HTML points at an existing lesson and heading.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![cfg(feature = "ssr")]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use portal::lessons::{Library, Segment};

fn load() -> Library {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    Library::load(&manifest.join("../content"), &manifest.join("..")).unwrap_or_else(|errors| {
        // One error per line, `file:line: message`, so editors can jump to each.
        panic!("\n{errors}\n")
    })
}

/// Every `id="…"` in a lesson's HTML: headings, and anything else a link may target.
fn ids_in(html: &str) -> HashSet<String> {
    html.split(" id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) if bytes[i] == b'%' => {
                out.push(byte);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn the_real_content_loads_and_every_internal_link_resolves() {
    let started = Instant::now();
    let library = load();
    println!("content loaded in {:?}", started.elapsed());
    let html: HashMap<&str, String> = library
        .lessons()
        .iter()
        .map(|lesson| {
            let html = lesson
                .segments
                .iter()
                .filter_map(|s| match s {
                    Segment::Html(html) => Some(html.as_str()),
                    _ => None,
                })
                .collect();
            (lesson.id(), html)
        })
        .collect();
    let anchors: HashMap<&str, HashSet<String>> =
        html.iter().map(|(id, html)| (*id, ids_in(html))).collect();

    let mut broken = Vec::new();
    for (id, html) in &html {
        for href in html
            .split("href=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
        {
            let (lesson, anchor) = match href.split_once('#') {
                Some((path, anchor)) => (path, Some(percent_decode(anchor))),
                None => (href, None),
            };
            let target = match lesson {
                "" => *id,
                path => match path.strip_prefix("/lessons/") {
                    Some(target) => target,
                    None => continue,
                },
            };
            let ok = anchors
                .get(target)
                .is_some_and(|ids| anchor.as_ref().is_none_or(|anchor| ids.contains(anchor)));
            if !ok {
                broken.push(format!("{id}: {href}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        library
            .lessons()
            .iter()
            .all(|lesson| !lesson.segments.is_empty())
    );
}
