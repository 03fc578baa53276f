//! `/search?q=`: messages and contacts found by their text, name or number, each linking into
//! its conversation. The server returns only what the person may see.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::search;
use crate::components::Layout;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{Me, SearchHit};
use crate::tracking::tracked_in_browser;

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, search.title) />
        <Layout page=search_page />
    }
}

fn search_page(_me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // `try_`: read while the page is torn down, after the router's URL is gone, this finds no
    // search instead of panicking.
    let text = Memo::new(move |_| {
        query
            .try_with(|query| query.get("q"))
            .flatten()
            .unwrap_or_default()
    });
    let hits = Resource::new(tracked_in_browser(move || text.get()), |text| async move {
        if text.trim().is_empty() {
            Ok(Vec::new())
        } else {
            search(text).await
        }
    });
    view! {
        <main class="page">
            <h1>{t!(i18n, search.heading)}</h1>
            <form class="search-form" method="get" action="/search" role="search">
                <label class="visually-hidden" for="search-query">{t!(i18n, search.label)}</label>
                <input id="search-query" type="search" name="q" minlength="2" value=move || text.get() />
                <button type="submit" class="primary">{t!(i18n, search.submit)}</button>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, search.searching)}</p> }>
                {move || Suspend::new(async move {
                    match hits.await {
                        Ok(hits) if hits.is_empty() && !text.get_untracked().trim().is_empty() => {
                            view! { <p class="empty">{t!(i18n, search.nothing_found)}</p> }.into_any()
                        }
                        Ok(hits) => view! {
                            <ol class="search-results">{hits.into_iter().map(hit_view).collect_view()}</ol>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

fn hit_view(hit: SearchHit) -> impl IntoView {
    let who = if hit.contact_name.trim().is_empty() {
        hit.contact_address.clone()
    } else {
        format!("{} · {}", hit.contact_name, hit.contact_address)
    };
    let href = match hit.message_id {
        Some(message) => format!("/conversations/{}#message-{message}", hit.conversation_id),
        None => format!("/conversations/{}", hit.conversation_id),
    };
    view! {
        <li class="search-hit">
            <a href=href>
                <span class="search-contact">{who}</span>
                <span class="channel-kind" data-kind=hit.channel_kind.as_str()>{hit.channel_kind.label()}</span>
                <span class="search-snippet" dir="auto">{hit.snippet}</span>
                <time datetime=hit.at.clone()>{hit.at.clone()}</time>
            </a>
        </li>
    }
}
