use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::Layout;
use crate::model::{Me, Permission};

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Mine,
    Unassigned,
    All,
}

impl View {
    fn label(self) -> &'static str {
        match self {
            View::Mine => "Mine",
            View::Unassigned => "Unassigned",
            View::All => "All",
        }
    }
}

#[component]
pub fn InboxPage() -> impl IntoView {
    view! {
        <Title text="Inbox" />
        <Layout page=inbox />
    }
}

fn inbox(me: Me) -> impl IntoView {
    let mut views = vec![View::Mine, View::Unassigned];
    if me.role.can(Permission::SeeAllConversations) {
        views.push(View::All);
    }
    let selected = RwSignal::new(View::Mine);
    view! {
        <main class="inbox">
            <section class="conversation-list" aria-label="Conversations">
                <div class="view-tabs" role="tablist">
                    {views.into_iter().map(|view| view! {
                        <button
                            role="tab"
                            class="view-tab"
                            data-view=view.label()
                            aria-selected=move || (selected.get() == view).to_string()
                            on:click=move |_| selected.set(view)
                        >
                            {view.label()}
                        </button>
                    }).collect_view()}
                </div>
                <h2 class="list-heading">{move || selected.get().label()}</h2>
                <p class="empty">"No conversations here yet."</p>
            </section>
            <section class="conversation-pane" aria-label="Conversation">
                <p class="empty">"Pick a conversation to read and answer it."</p>
            </section>
        </main>
    }
}
