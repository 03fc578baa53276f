use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::current_user;
use crate::model::{Me, Permission};

/// The frame of every signed-in page: the top bar with navigation, the person and sign-out.
/// Pages receive the signed-in person; the server has already sent anyone signed out to `/login`.
#[component]
pub fn Layout<V>(page: fn(Me) -> V) -> impl IntoView
where
    V: IntoView + 'static,
{
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) => Some(view! { <SignedIn me page /> }.into_any()),
                    Ok(None) => Some(view! {
                        <main class="centered">
                            <p>"Your session has ended. " <a href="/login">"Sign in again"</a> "."</p>
                        </main>
                    }.into_any()),
                    Err(error) => Some(view! {
                        <main class="centered"><p class="notice notice-error">{error.message}</p></main>
                    }.into_any()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SignedIn<V>(me: Me, page: fn(Me) -> V) -> impl IntoView
where
    V: IntoView + 'static,
{
    let is_admin = me.role.can(Permission::ManagePeople);
    let manages_channels = me.role.can(Permission::ManageChannels);
    let manages_tags = me.role.can(Permission::ManageTags);
    let name = me.name.clone();
    let role = me.role.label();
    let password_reminder = me.must_change_password.then(|| {
        view! {
            <p class="notice notice-warning" role="status">
                "You signed in with a one-time password. "
                <a href="/account">"Choose your own password"</a> " now."
            </p>
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Switchboard"</a>
            <nav aria-label="Main">
                <A href="/">"Inbox"</A>
                {is_admin.then(|| view! { <A href="/people">"People"</A> })}
                {manages_channels.then(|| view! {
                    <A href="/channels">"Channels"</A>
                    <A href="/templates">"Templates"</A>
                    <A href="/events">"Events"</A>
                })}
                {manages_tags.then(|| view! { <A href="/settings">"Settings"</A> })}
                <A href="/account">"Account"</A>
            </nav>
            <div class="whoami">
                <span class="person-name">{name}</span>
                <span class="role-badge">{role}</span>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="link-button">"Sign out"</button>
                </form>
            </div>
        </header>
        {password_reminder}
        {page(me)}
    }
}
