use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ChangePassword, CreateToken, RevokeToken, list_tokens};
use crate::components::{ErrorNotice, Layout};
use crate::model::{ApiToken, Me};
use crate::tracking::tracked_in_browser;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account" />
        <Layout page=account />
    }
}

fn account(me: Me) -> impl IntoView {
    view! {
        <main class="page">
            <h1>"Your account"</h1>
            <p>{me.name} " · " {me.email}</p>
            <PasswordForm />
            <Tokens />
        </main>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Change password"</h2>
            <ActionForm action=change attr:class="stacked-form">
                <label>
                    "Current password"
                    <input type="password" name="current" autocomplete="current-password" required />
                </label>
                <label>
                    "New password"
                    <input type="password" name="new" autocomplete="new-password" minlength="8" required />
                    <small>"At least 8 characters. A long phrase is easiest to remember."</small>
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="revoke_tokens" value="true" />
                    "Also revoke my API tokens"
                </label>
                <small>"Changing your password signs you out everywhere else."</small>
                <button type="submit" class="primary">"Change password"</button>
            </ActionForm>
            <ErrorNotice error />
            {move || changed().then(|| view! {
                <p class="notice notice-success" role="status">
                    "Your password has been changed; your other sessions have ended."
                </p>
            })}
        </section>
    }
}

#[component]
fn Tokens() -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        tracked_in_browser(move || (create.version().get(), revoke.version().get())),
        |_| list_tokens(),
    );
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p>"Tokens let scripts use the Switchboard API as you, with your role's permissions."</p>
            <ActionForm action=create attr:class="inline-form">
                <label>"Token name" <input name="name" required maxlength="100" /></label>
                <label>
                    "Expires"
                    <select name="expires_in_days">
                        <option value="0">"never"</option>
                        <option value="30">"after 30 days"</option>
                        <option value="90" selected>"after 90 days"</option>
                        <option value="365">"after a year"</option>
                    </select>
                </label>
                <button type="submit">"Create token"</button>
            </ActionForm>
            <ErrorNotice error />
            {move || created().map(|created| view! {
                <div class="notice notice-success" role="status">
                    <p>"Copy this token now; it will not be shown again:"</p>
                    <code class="secret api-token">{created.secret}</code>
                </div>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) => view! { <TokenList tokens=list revoke /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenList(tokens: Vec<ApiToken>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="empty">"You have no API tokens."</p> }.into_any();
    }
    view! {
        <ul class="tokens">
            {tokens.into_iter().map(|token| {
                let id = token.id;
                view! {
                    <li>
                        <strong>{token.name}</strong>
                        " · created " {token.created_at}
                        " · last used " {token.last_used_at.unwrap_or_else(|| "never".into())}
                        " · expires " {token.expires_at.unwrap_or_else(|| "never".into())}
                        <button type="button" on:click=move |_| { revoke.dispatch(RevokeToken { id }); }>
                            "Revoke"
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
