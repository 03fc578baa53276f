use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{DismissBudgetAlert, get_budget_alerts};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{BudgetAlert, Me, Permission, Role};
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
    let i18n = use_i18n();
    use_context::<DemoMode>()
        .is_some_and(|demo| demo.0)
        .then(|| {
            view! {
                <p class="demo-banner" role="note">
                    <strong>{t!(i18n, common.demo.title)}</strong>
                    {t!(i18n, common.demo.text)}
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
    let i18n = use_i18n();
    match signed_in_person() {
        Some(me) => view! { <SignedIn me page /> }.into_any(),
        None => view! {
            <main class="centered">
                <p>{t!(i18n, common.session_ended, <a> = <a href="/login" />)}</p>
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
    let role = me.role;
    let i18n = use_i18n();
    let password_reminder = me.must_change_password.then(|| {
        view! {
            <p class="notice notice-warning" role="status">
                {t!(i18n, common.one_time_password, <a> = <a href="/account" />)}
            </p>
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Switchboard"</a>
            <nav aria-label=move || t_string!(i18n, common.nav.label)>
                <A href="/">{t!(i18n, common.nav.inbox)}</A>
                <A href="/mentions">{t!(i18n, common.nav.mentions)}</A>
                {supervises.then(|| view! { <A href="/supervision">{t!(i18n, common.nav.supervision)}</A> })}
                {supervises.then(|| view! { <A href="/reports">{t!(i18n, common.nav.reports)}</A> })}
                {is_admin.then(|| view! { <A href="/people">{t!(i18n, common.nav.people)}</A> })}
                {is_admin.then(|| view! { <A href="/audit">{t!(i18n, common.nav.audit)}</A> })}
                {manages_channels.then(|| view! {
                    <A href="/channels">{t!(i18n, common.nav.channels)}</A>
                    <A href="/templates">{t!(i18n, common.nav.templates)}</A>
                    <A href="/events">{t!(i18n, common.nav.events)}</A>
                })}
                {manages_tags.then(|| view! { <A href="/settings">{t!(i18n, common.nav.settings)}</A> })}
                <A href="/account">{t!(i18n, common.nav.account)}</A>
            </nav>
            <div class="whoami">
                <span class="person-name">{name}</span>
                <span class="role-badge">{move || role_name(role)}</span>
                <form method="post" action="/auth/logout">
                    <button type="submit" class="link-button">{t!(i18n, common.nav.sign_out)}</button>
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
    let i18n = use_i18n();
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
                            let (channel_id, month) = (alert.channel_id, alert.month.clone());
                            view! {
                                <li>
                                    <span class="budget-flag" aria-hidden="true">"⚠ "</span>
                                    {budget_sentence(&alert)}
                                    " "
                                    <a href="/reports">{t!(i18n, common.budget.see_costs)}</a>
                                    " "
                                    <button
                                        type="button"
                                        class="link-button"
                                        on:click=move |_| {
                                            dismiss.dispatch(DismissBudgetAlert { channel_id, month: month.clone() });
                                        }
                                    >
                                        {t!(i18n, common.budget.dismiss)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="notice notice-warning budget-alerts" aria-label=move || t_string!(i18n, common.budget.label)>
                            <ul>{items}</ul>
                        </section>
                    }
                })
            })}
        </Transition>
    }
}

/// A role's name in the page's language.
pub fn role_name(role: Role) -> &'static str {
    let i18n = use_i18n();
    match role {
        Role::Admin => t_string!(i18n, common.roles.admin),
        Role::Coordinator => t_string!(i18n, common.roles.coordinator),
        Role::Volunteer => t_string!(i18n, common.roles.volunteer),
    }
}

/// "WhatsApp line has spent 80 % of its budget for 2026-12: $80.00 of $100.00."
fn budget_sentence(alert: &BudgetAlert) -> String {
    let i18n = use_i18n();
    let (channel, month) = (alert.channel_name.as_str(), alert.month.as_str());
    let (spent, budget) = (alert.spent.as_str(), alert.budget.as_str());
    if alert.threshold >= 100 {
        t_string!(i18n, common.budget.spent_all, channel, month, spent, budget).to_string()
    } else {
        let share = alert.threshold;
        t_string!(
            i18n,
            common.budget.spent_share,
            channel,
            share,
            month,
            spent,
            budget
        )
        .to_string()
    }
}
