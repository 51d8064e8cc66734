//! The browser side of the live board: one `EventSource` on `/api/host/live`, each
//! message a whole board. The browser reconnects by itself after a drop (a portal
//! restart); a refused stream (no host session yet) stays closed until the token is given.

use leptos::prelude::*;

use super::LearnerRow;

/// How the board's stream is doing, shown above the table.
// Constructed by the browser half only.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not following (the token has not been given in this browser).
    Closed,
    Live,
    Reconnecting,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Live => "live",
            Self::Reconnecting => "reconnecting",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Closed => "",
            Self::Live => "실시간",
            Self::Reconnecting => "포털과 다시 연결하는 중…",
        }
    }
}

/// Starts (or restarts) following the board.
#[cfg(feature = "hydrate")]
pub fn follow(
    set_rows: WriteSignal<Option<Result<Vec<LearnerRow>, String>>>,
    set_joining: WriteSignal<Option<bool>>,
    set_link: WriteSignal<Link>,
) {
    use std::cell::RefCell;

    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    thread_local! {
        static SOURCE: RefCell<Option<EventSource>> = const { RefCell::new(None) };
    }
    SOURCE.with_borrow_mut(|old| {
        if let Some(old) = old.take() {
            old.close();
        }
    });
    let Ok(source) = EventSource::new("/api/host/live") else {
        set_link.set(Link::Reconnecting);
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        match serde_json::from_str::<super::Board>(&text) {
            Ok(board) => {
                set_rows.set(Some(Ok(board.learners)));
                set_joining.set(Some(board.joining));
                set_link.set(Link::Live);
            }
            Err(e) => leptos::logging::warn!("host: unreadable board: {e}"),
        }
    });
    let watched = source.clone();
    let on_error = Closure::<dyn FnMut()>::new(move || {
        set_link.set(if watched.ready_state() == EventSource::CLOSED {
            Link::Closed
        } else {
            Link::Reconnecting
        });
    });
    source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The handlers live as long as the page.
    on_message.forget();
    on_error.forget();
    SOURCE.with_borrow_mut(|s| *s = Some(source));
}

#[cfg(not(feature = "hydrate"))]
pub fn follow(
    _: WriteSignal<Option<Result<Vec<LearnerRow>, String>>>,
    _: WriteSignal<Option<bool>>,
    _: WriteSignal<Link>,
) {
}
