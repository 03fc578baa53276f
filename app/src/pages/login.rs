use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in form posts to the server's `/auth/login` as a plain form, so it works before the
/// page hydrates and the session cookie is set by a normal redirect.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query
            .with(|q| q.get("error"))
            .map(|code| login_error_message(&code))
    };
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    let signed_out = move || query.with(|q| q.get("signed_out")).is_some();
    // After a right password, for a person with two-factor sign-in: the server remembers whose
    // password it was and asks for the code on this page.
    let code_step = move || query.with(|q| q.get("step")).as_deref() == Some("code");

    view! {
        <Title text="Sign in" />
        <main class="centered">
            {move || if code_step() {
                view! { <CodeForm next=Signal::derive(next) error=Signal::derive(error) /> }
                    .into_any()
            } else {
                view! { <PasswordForm next=Signal::derive(next) error=Signal::derive(error) signed_out=Signal::derive(signed_out) /> }
                    .into_any()
            }}
        </main>
    }
}

#[component]
fn PasswordForm(
    next: Signal<String>,
    error: Signal<Option<&'static str>>,
    signed_out: Signal<bool>,
) -> impl IntoView {
    view! {
        <form class="card login" method="post" action="/auth/login">
            <h1>"Sign in to Switchboard"</h1>
            {move || signed_out.get().then(|| view! {
                <p class="notice" role="status">"You have signed out."</p>
            })}
            {move || error.get().map(|message| view! {
                <p class="notice notice-error" role="alert">{message}</p>
            })}
            <input type="hidden" name="next" prop:value=next />
            <label>
                "Email"
                <input type="email" name="email" autocomplete="username" required autofocus />
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit" class="primary">"Sign in"</button>
        </form>
    }
}

/// The second step: a code from the authenticator app, or one of the recovery codes.
#[component]
fn CodeForm(next: Signal<String>, error: Signal<Option<&'static str>>) -> impl IntoView {
    view! {
        <form class="card login" method="post" action="/auth/login/code">
            <h1>"Two-factor sign-in"</h1>
            {move || error.get().map(|message| view! {
                <p class="notice notice-error" role="alert">{message}</p>
            })}
            <input type="hidden" name="next" prop:value=next />
            <label>
                "Code from your authenticator app"
                <input
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="24"
                    required
                    autofocus
                />
                <small>"Lost your phone? Enter one of your recovery codes instead."</small>
            </label>
            <button type="submit" class="primary">"Continue"</button>
            <p><a href="/login">"Start again"</a></p>
        </form>
    }
}

fn login_error_message(code: &str) -> &'static str {
    match code {
        "invalid" => "That email and password do not match an active account.",
        "throttled" => "Too many failed attempts. Wait a few minutes, then try again.",
        "expired" => "Your session has ended. Sign in again.",
        "invalid_code" => "That code is not correct or was already used. Try the current code.",
        "code_expired" => "That took too long. Sign in again with your password.",
        _ => "Sign-in failed. Try again.",
    }
}
