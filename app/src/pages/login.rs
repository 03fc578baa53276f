use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::first_run_pending;

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
    let first_admin_ready = move || query.with(|q| q.get("first_run")).as_deref() == Some("done");
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
    let pending = Resource::new(|| (), |()| first_run_pending());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let pending = pending.await.unwrap_or(false);
                pending.then(|| view! {
                    <section class="card notice" role="status" aria-labelledby="first-run-heading">
                        <h2 id="first-run-heading">"No one can sign in yet"</h2>
                        <p>
                            "This is a new installation. When it started, the server wrote a "
                            "one-time setup link to its log (the line says \"first-run setup\"; "
                            "with the Debian package: " <code>"journalctl -u switchboard"</code>
                            "). Open that link to create the first admin account."
                        </p>
                    </section>
                })
            })}
        </Suspense>
        {move || first_admin_ready.get().then(|| view! {
            <p class="notice notice-success" role="status">
                "Your admin account is ready. Sign in, then connect your first channel."
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
