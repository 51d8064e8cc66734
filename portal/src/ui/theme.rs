use leptos::prelude::*;

/// Switches between light and dark. The choice is stored in `localStorage` and applied
/// before first paint by the inline script in the page head; without a choice the page
/// follows the system setting.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        flip_theme();
    };
    view! {
        <button class="theme-toggle" type="button" on:click=toggle aria-label="밝은 화면과 어두운 화면 전환" title="밝게/어둡게">
            <span class="theme-icon" aria-hidden="true"></span>
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn flip_theme() {
    let Some(root) = document().document_element() else {
        return;
    };
    let current = root.get_attribute("data-theme").unwrap_or_else(|| {
        let dark = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if dark { "dark".into() } else { "light".into() }
    });
    let next = if current == "dark" { "light" } else { "dark" };
    let _ = root.set_attribute("data-theme", next);
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item("theme", next);
    }
}
