//! `/mentions`: the notes in which colleagues @mentioned the signed-in person, newest first,
//! each linking into its conversation. Opening the conversation marks its mentions read.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_mentions;
use crate::components::Layout;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{Me, Mention};

#[component]
pub fn MentionsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, mentions.title) />
        <Layout page=mentions_page />
    }
}

fn mentions_page(_me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let mentions = Resource::new(|| (), |_| list_mentions());
    view! {
        <main class="page">
            <h1>{t!(i18n, mentions.heading)}</h1>
            <p>{t!(i18n, mentions.text)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match mentions.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">{t!(i18n, mentions.none)}</p> }.into_any()
                        }
                        Ok(list) => view! {
                            <ol class="mentions">{list.into_iter().map(mention_view).collect_view()}</ol>
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

fn mention_view(mention: Mention) -> impl IntoView {
    let i18n = use_i18n();
    let with = match mention.contact_name.trim() {
        "" => t_string!(i18n, mentions.conversation, id = mention.conversation_id).to_string(),
        name => name.to_owned(),
    };
    let author = mention.author_name;
    view! {
        <li class="mention" class:unread=!mention.read>
            <a href=format!("/conversations/{}", mention.conversation_id)>
                <span class="mention-who">
                    {t!(i18n, mentions.who, author = move || author.clone(), with = move || with.clone())}
                </span>
                {(!mention.read).then(|| view! { <span class="unread-badge">{t!(i18n, mentions.unread)}</span> })}
                <span class="mention-body">{mention.body}</span>
                <time datetime=mention.at.clone()>{mention.at.clone()}</time>
            </a>
        </li>
    }
}
