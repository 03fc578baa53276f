use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::first_run_pending;
use crate::i18n::{t, t_string, use_i18n};

/// The sign-in form posts to the server's `/auth/login` as a plain form, so it works before the
/// page hydrates and the session cookie is set by a normal redirect.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let i18n = use_i18n();
    let error = move || {
        query
            .with(|q| q.get("error"))
            .map(|code| login_error_message(&code))
    };
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let signed_out = move || query.with(|q| q.get("signed_out")).is_some();
    let first_admin_ready = move || query.with(|q| q.get("first_run")).as_deref() == Some("done");
    // After a right password, for a person with two-factor sign-in: the server remembers whose
    // password it was and asks for the code on this page.
    let code_step = move || query.with(|q| q.get("step")).as_deref() == Some("code");

    view! {
        <Title text=move || t_string!(i18n, login.title) />
        <main class="centered">
            {move || if code_step() {
                view! { <CodeForm next=Signal::derive(next) error=Signal::derive(error) /> }
                    .into_any()
            } else {
                view! {
                    <FirstRunNotice first_admin_ready=Signal::derive(first_admin_ready) />
                    <PasswordForm next=Signal::derive(next) error=Signal::derive(error) signed_out=Signal::derive(signed_out) />
                }
                    .into_any()
            }}
        </main>
    }
}

/// On a new installation no one can sign in yet: say where the one-time setup link is. Once the
/// first admin exists, say what comes next.
#[component]
fn FirstRunNotice(first_admin_ready: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = Resource::new(|| (), |()| first_run_pending());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let pending = pending.await.unwrap_or(false);
                pending.then(|| view! {
                    <section class="card notice" role="status" aria-labelledby="first-run-heading">
                        <h2 id="first-run-heading">{t!(i18n, login.first_run.heading)}</h2>
                        <p>{t!(i18n, login.first_run.text, <code> = <code />)}</p>
                    </section>
                })
            })}
        </Suspense>
        {move || first_admin_ready.get().then(|| view! {
            <p class="notice notice-success" role="status">
                {t!(i18n, login.first_run.ready)}
            </p>
        })}
    }
}

#[component]
fn PasswordForm(
    next: Signal<String>,
    error: Signal<Option<&'static str>>,
    signed_out: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="card login" method="post" action="/auth/login">
            <h1>{t!(i18n, login.heading)}</h1>
            {move || signed_out.get().then(|| view! {
                <p class="notice" role="status">{t!(i18n, login.signed_out)}</p>
            })}
            {move || error.get().map(|message| view! {
                <p class="notice notice-error" role="alert">{message}</p>
            })}
            <input type="hidden" name="next" prop:value=next />
            <label>
                {t!(i18n, login.email)}
                <input type="email" name="email" autocomplete="username" required autofocus />
            </label>
            <label>
                {t!(i18n, login.password)}
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit" class="primary">{t!(i18n, login.submit)}</button>
        </form>
    }
}

/// The second step: a code from the authenticator app, or one of the recovery codes.
#[component]
fn CodeForm(next: Signal<String>, error: Signal<Option<&'static str>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="card login" method="post" action="/auth/login/code">
            <h1>{t!(i18n, login.code.heading)}</h1>
            {move || error.get().map(|message| view! {
                <p class="notice notice-error" role="alert">{message}</p>
            })}
            <input type="hidden" name="next" prop:value=next />
            <label>
                {t!(i18n, login.code.label)}
                <input
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="24"
                    required
                    autofocus
                />
                <small>{t!(i18n, login.code.hint)}</small>
            </label>
            <button type="submit" class="primary">{t!(i18n, login.code.submit)}</button>
            <p><a href="/login">{t!(i18n, login.code.start_again)}</a></p>
        </form>
    }
}

fn login_error_message(code: &str) -> &'static str {
    let i18n = use_i18n();
    match code {
        "invalid" => t_string!(i18n, login.errors.invalid),
        "throttled" => t_string!(i18n, login.errors.throttled),
        "expired" => t_string!(i18n, login.errors.expired),
        "invalid_code" => t_string!(i18n, login.errors.invalid_code),
        "code_expired" => t_string!(i18n, login.errors.code_expired),
        _ => t_string!(i18n, login.errors.other),
    }
}
