//! `/mentions`: the notes in which colleagues @mentioned the signed-in person, newest first,
//! each linking into its conversation. Opening the conversation marks its mentions read.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_mentions;
use crate::components::Layout;
use crate::model::{Me, Mention};

#[component]
pub fn MentionsPage() -> impl IntoView {
    view! {
        <Title text="Mentions" />
        <Layout page=mentions_page />
    }
}

fn mentions_page(_me: Me) -> impl IntoView {
    let mentions = Resource::new(|| (), |_| list_mentions());
    view! {
        <main class="page">
            <h1>"Mentions"</h1>
            <p>"Notes in which a colleague wrote your @name."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match mentions.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">"No one has mentioned you yet."</p> }.into_any()
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
    let with = match mention.contact_name.trim() {
        "" => format!("conversation {}", mention.conversation_id),
        name => name.to_owned(),
    };
    view! {
        <li class="mention" class:unread=!mention.read>
            <a href=format!("/conversations/{}", mention.conversation_id)>
                <span class="mention-who">{format!("{} mentioned you, with {with}", mention.author_name)}</span>
                {(!mention.read).then(|| view! { <span class="unread-badge">"new"</span> })}
                <span class="mention-body">{mention.body}</span>
                <time datetime=mention.at.clone()>{mention.at.clone()}</time>
            </a>
        </li>
    }
}
