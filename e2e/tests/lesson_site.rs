//! The lesson site in a real browser (Debian's headless Chromium): landing, lessons,
//! previous/next, a Korean TOC anchor, dark mode, search, progress across a portal
//! restart, the 404 page, no external requests, and Hangul at two columns in D2Coding.
//! Screenshots land in e2e/.work/screenshots/ — look at them.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use e2e::browser::{Driver, eventually, goto, js, reload, save_screenshot};
use e2e::portal::Portal;
use fantoccini::{Client, Locator};
use serde_json::Value;

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The page's own waits: 10 s.
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
#[ignore = "needs Chromium and a built portal: ./dev.sh test"]
async fn a_learner_reads_the_tutorial_in_chromium() {
    let db = std::env::temp_dir().join(format!("hk-portal-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&db);
    let portal = Portal::start(db.clone(), &[]);
    let driver = Driver::start();
    let c = driver.browser("learner").await;

    // Landing page.
    goto(&c, &portal.url("/")).await;
    assert!(text(&c, "h1").await.contains("K8s Hello World"));
    eventually(&c, "fonts", "document.fonts.status === 'loaded'", WAIT).await;
    save_screenshot(&c, "01-landing").await;

    // The intro's TOC links to a Part 1 anchor with Hangul in it; following it lands on it.
    goto(&c, &portal.url("/lessons/intro")).await;
    let link = c
        .find(Locator::Css("a[href*='#part-1-']"))
        .await
        .expect("a TOC link to Part 1");
    link.click().await.unwrap();
    eventually(
        &c,
        "the Part 1 anchor",
        "decodeURIComponent(location.hash) === '#part-1-일단-돌린다'",
        WAIT,
    )
    .await;
    eventually(
        &c,
        "the anchor target",
        "document.getElementById('part-1-일단-돌린다') !== null",
        WAIT,
    )
    .await;
    save_screenshot(&c, "02-part-1-anchor").await;

    // Previous / next through Part 1.
    const LESSON: &str = "document.querySelector('article').dataset.lesson";
    let mut seen = vec![js(&c, &format!("return {LESSON}")).await];
    for _ in 0..3 {
        c.find(Locator::Css("a[rel=next]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        eventually(
            &c,
            "the next lesson",
            &format!("{LESSON} !== {}", seen.last().unwrap()),
            WAIT,
        )
        .await;
        seen.push(js(&c, &format!("return {LESSON}")).await);
    }
    assert_eq!(
        seen,
        ["part-1", "1-1", "1-2", "1-3"].map(Value::from),
        "reading order"
    );
    assert!(text(&c, "article h1").await.contains("Step 1-3"));
    save_screenshot(&c, "03-step-1-3").await;
    c.find(Locator::Css("a[rel=prev]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually(
        &c,
        "the previous lesson",
        &format!("{LESSON} === '1-2'"),
        WAIT,
    )
    .await;

    // A diagram lesson: D2Coding is used and Hangul is exactly two columns there.
    goto(&c, &portal.url("/lessons/2-1")).await;
    // The page itself first: the previous lesson's client-side navigation may still be
    // settling when goto returns.
    eventually(
        &c,
        "lesson 2-1 with its diagram",
        "location.pathname === '/lessons/2-1' && document.querySelector('figure.diagram pre')",
        WAIT,
    )
    .await;
    eventually(&c, "fonts", "document.fonts.status === 'loaded'", WAIT).await;
    let widths = js(&c, r#"
        const pre = document.querySelector('figure.diagram pre, pre.diagram, figure.code pre');
        const cs = getComputedStyle(pre);
        const font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = font;
        return [document.fonts.check(font, '가'), ctx.measureText('가').width, ctx.measureText('a').width, font];
    "#).await;
    assert_eq!(
        widths[0], true,
        "D2Coding must be loaded for diagrams: {widths}"
    );
    let (hangul, ascii) = (widths[1].as_f64().unwrap(), widths[2].as_f64().unwrap());
    assert!(
        (hangul - 2.0 * ascii).abs() < 0.01,
        "Hangul {hangul} vs 2 × ASCII {ascii}"
    );
    save_screenshot(&c, "04-architecture-diagram").await;

    // Dark mode: toggled by the island, remembered across a reload.
    eventually(
        &c,
        "the theme island hydrated",
        "document.querySelector('leptos-island') !== null",
        WAIT,
    )
    .await;
    for _ in 0..50 {
        c.find(Locator::Css("button.theme-toggle"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        if js(&c, "return document.documentElement.dataset.theme || ''").await == "dark" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        js(&c, "return document.documentElement.dataset.theme").await,
        "dark"
    );
    reload(&c).await;
    // The head script applies the stored choice before the first paint.
    eventually(
        &c,
        "dark again after a reload",
        "document.readyState !== 'loading' && document.documentElement.dataset.theme === 'dark'",
        WAIT,
    )
    .await;
    save_screenshot(&c, "05-dark-mode").await;

    // Korean search: "롤링" finds Step 3-5.
    goto(&c, &portal.url("/search?q=%EB%A1%A4%EB%A7%81")).await;
    let hits = js(
        &c,
        "return [...document.querySelectorAll('.search-hit a')].map(a => a.getAttribute('href'))",
    )
    .await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().starts_with("/lessons/3-5")),
        "{hits}"
    );
    save_screenshot(&c, "06-search").await;

    // Mark a lesson done; it survives a portal restart (SQLite sessions).
    goto(&c, &portal.url("/lessons/1-1")).await;
    eventually(
        &c,
        "the done island",
        "document.querySelector('.done-button') !== null",
        WAIT,
    )
    .await;
    for _ in 0..50 {
        c.find(Locator::Css(".done-button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if js(
            &c,
            "return document.querySelector('.done-button').getAttribute('aria-pressed')",
        )
        .await
            == "true"
        {
            break;
        }
    }
    // Tick the first item of the wrap-up checklist.
    goto(&c, &portal.url("/lessons/wrap-up")).await;
    let first_box = "document.querySelector('.md li input[type=checkbox]')";
    eventually(
        &c,
        "the checklist wired",
        &format!("{first_box} && !{first_box}.disabled"),
        WAIT,
    )
    .await;
    c.execute(&format!("{first_box}.click()"), vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    // The button turns pressed before the server has stored it: stop the portal only
    // once a fresh render of the page (from the database) shows the lesson done.
    let stored = std::time::Instant::now();
    loop {
        goto(&c, &portal.url("/lessons/1-1")).await;
        let done = "return document.querySelector('.done-button').getAttribute('aria-pressed')";
        if js(&c, done).await == "true" || stored.elapsed() > WAIT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    portal.stop();
    // A new process on a new port: cookies are per host, not per port, so the session
    // cookie still applies.
    let portal = Portal::start(db.clone(), &[]);
    goto(&c, &portal.url("/lessons/1-1")).await;
    let pressed = js(
        &c,
        "return document.querySelector('.done-button').getAttribute('aria-pressed')",
    )
    .await;
    assert_eq!(pressed, "true", "progress survives a restart");
    assert!(
        js(
            &c,
            "return document.querySelector('.nav-item[data-state=done]') !== null"
        )
        .await
            == Value::Bool(true)
    );

    // Unknown lessons: a Korean 404.
    goto(
        &c,
        &portal.url("/lessons/%EC%97%86%EB%8A%94-%EB%A0%88%EC%8A%A8"),
    )
    .await;
    assert!(text(&c, "h1").await.contains("찾을 수 없습니다"));

    // Nothing was fetched from another origin on any page.
    let foreign = js(&c, "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))").await;
    assert_eq!(
        foreign,
        Value::Array(vec![]),
        "external requests: {foreign}"
    );

    c.close().await.unwrap();
    let _ = std::fs::remove_file(&db);
}
