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

    view! {
        <Title text="Sign in" />
        <main class="centered">
            <form class="card login" method="post" action="/auth/login">
                <h1>"Sign in to Switchboard"</h1>
                {move || signed_out().then(|| view! {
                    <p class="notice" role="status">"You have signed out."</p>
                })}
                {move || error().map(|message| view! {
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
        </main>
    }
}

fn login_error_message(code: &str) -> &'static str {
    match code {
        "invalid" => "That email and password do not match an active account.",
        "throttled" => "Too many failed attempts. Wait a few minutes, then try again.",
        "expired" => "Your session has ended. Sign in again.",
        _ => "Sign-in failed. Try again.",
    }
}
