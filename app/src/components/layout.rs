use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{DismissBudgetAlert, get_budget_alerts};
use crate::model::{Me, Permission};
use crate::tracking::tracked_in_browser;

/// Who is signed in, as the server knew it when it rendered the page. Pages that need a person
/// render at once, without waiting for a call: during server rendering nothing is created twice,
/// and hydration reads the same value back from the page.
#[derive(Clone, Debug)]
pub struct SignedInPerson(pub Option<Me>);

/// Reads the signed-in person once per page load: from the request on the server, from the
/// page's hydration data in the browser. Sign-in and sign-out are whole page loads, so the
/// value holds while the page is open.
pub fn provide_signed_in_person() {
    let me = SharedValue::new(signed_in_on_the_server).into_inner();
    provide_context(SignedInPerson(me));
}

#[cfg(feature = "ssr")]
fn signed_in_on_the_server() -> Option<Me> {
    crate::ports::current_actor().map(|actor| actor.me())
}

/// Only called if the page carries no value: an empty page is a signed-out one.
#[cfg(not(feature = "ssr"))]
fn signed_in_on_the_server() -> Option<Me> {
    None
}

/// Whether this instance runs in demo mode, as the server said when it rendered the page.
#[derive(Clone, Copy, Debug)]
struct DemoMode(bool);

/// Reads demo mode once per page load, like the signed-in person.
pub fn provide_demo_mode() {
    let demo = SharedValue::new(demo_mode_on_the_server).into_inner();
    provide_context(DemoMode(demo));
}

#[cfg(feature = "ssr")]
fn demo_mode_on_the_server() -> bool {
    crate::ports::backend().is_ok_and(|backend| backend.demo_mode())
}

#[cfg(not(feature = "ssr"))]
fn demo_mode_on_the_server() -> bool {
    false
}

/// Says on every page, signed in or not, that this is a demo: its people and messages are
/// made up and replies go to the built-in sandbox, never to anyone's phone.
#[component]
pub fn DemoBanner() -> impl IntoView {
    use_context::<DemoMode>()
        .is_some_and(|demo| demo.0)
        .then(|| {
            view! {
                <p class="demo-banner" role="note">
                    <strong>"Demo mode"</strong>
                    " — the conversations are made up and replies go to the built-in sandbox, never to a real phone."
                </p>
            }
        })
}

/// The person this page was rendered for, if anyone is signed in.
pub fn signed_in_person() -> Option<Me> {
    use_context::<SignedInPerson>().and_then(|person| person.0)
}

/// The frame of every signed-in page: the top bar with navigation, the person and sign-out.
/// Pages receive the signed-in person; the server has already sent anyone signed out to `/login`.
#[component]
pub fn Layout<V>(page: fn(Me) -> V) -> impl IntoView
where
    V: IntoView + 'static,
{
    match signed_in_person() {
        Some(me) => view! { <SignedIn me page /> }.into_any(),
        None => view! {
            <main class="centered">
                <p>"Your session has ended. " <a href="/login">"Sign in again"</a> "."</p>
            </main>
        }
        .into_any(),
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
    let supervises = me.role.can(Permission::Supervise);
    let manages_settings = me.role.can(Permission::ManageSettings);
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
                <A href="/mentions">"Mentions"</A>
                {supervises.then(|| view! { <A href="/supervision">"Supervision"</A> })}
                {supervises.then(|| view! { <A href="/reports">"Reports"</A> })}
                {is_admin.then(|| view! { <A href="/people">"People"</A> })}
                {is_admin.then(|| view! { <A href="/audit">"Audit"</A> })}
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
        {manages_settings.then(|| view! { <BudgetAlerts /> })}
        {page(me)}
    }
}

/// Tells admins, on every page, which channels reached 80 % or 100 % of their monthly budget,
/// until one of them dismisses the alert.
#[component]
fn BudgetAlerts() -> impl IntoView {
    let dismiss = ServerAction::<DismissBudgetAlert>::new();
    let alerts = Resource::new(tracked_in_browser(move || dismiss.version().get()), |_| {
        get_budget_alerts()
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let alerts = alerts.await.unwrap_or_default();
                (!alerts.is_empty()).then(|| {
                    let items = alerts
                        .into_iter()
                        .map(|alert| {
                            let sentence = alert.sentence();
                            let (channel_id, month) = (alert.channel_id, alert.month.clone());
                            view! {
                                <li>
                                    <span class="budget-flag" aria-hidden="true">"⚠ "</span>
                                    {sentence}
                                    " "
                                    <a href="/reports">"See the costs"</a>
                                    " "
                                    <button
                                        type="button"
                                        class="link-button"
                                        on:click=move |_| {
                                            dismiss.dispatch(DismissBudgetAlert { channel_id, month: month.clone() });
                                        }
                                    >
                                        "Dismiss"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="notice notice-warning budget-alerts" aria-label="Budget alerts">
                            <ul>{items}</ul>
                        </section>
                    }
                })
            })}
        </Transition>
    }
}
