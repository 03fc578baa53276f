use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    ChangePassword, ConfirmTotp, CreateToken, DisableTotp, RevokeToken, StartTotp, get_two_factor,
    list_tokens,
};
use crate::components::{ErrorNotice, Layout};
use crate::model::{ApiToken, Me, TwoFactorStatus};
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
            <TwoFactor />
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

/// Two-factor sign-in: set up with a QR code and a first code, or turn off with a code.
#[component]
fn TwoFactor() -> impl IntoView {
    let start = ServerAction::<StartTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let status = Resource::new(
        tracked_in_browser(move || (confirm.version().get(), disable.version().get())),
        |_| get_two_factor(),
    );
    let error = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| confirm.value().get().and_then(Result::err))
            .or_else(|| disable.value().get().and_then(Result::err))
    });
    let recovery_codes = move || confirm.value().get().and_then(Result::ok);
    view! {
        <section class="card" aria-labelledby="two-factor-heading">
            <h2 id="two-factor-heading">"Two-factor sign-in"</h2>
            <p>
                "After your password, Switchboard asks for a code from an authenticator app on "
                "your phone, so a stolen password alone cannot open your account."
            </p>
            <ErrorNotice error />
            {move || recovery_codes().map(|codes| view! {
                <div class="notice notice-success" role="status">
                    <p>
                        "Two-factor sign-in is on. Keep these recovery codes somewhere safe; each "
                        "works once if you lose your phone. They will not be shown again:"
                    </p>
                    <ul class="recovery-codes">
                        {codes.recovery_codes.into_iter().map(|code| view! {
                            <li><code class="secret">{code}</code></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) => view! { <TwoFactorState status start confirm disable /> }
                            .into_any(),
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
fn TwoFactorState(
    status: TwoFactorStatus,
    start: ServerAction<StartTotp>,
    confirm: ServerAction<ConfirmTotp>,
    disable: ServerAction<DisableTotp>,
) -> impl IntoView {
    if status.enabled {
        return view! {
            <p>
                "On. Recovery codes left: " {status.recovery_codes_left} "."
            </p>
            <ActionForm action=disable attr:class="inline-form">
                <label>
                    "Current code"
                    <input name="code" inputmode="numeric" autocomplete="one-time-code" required />
                </label>
                <button type="submit">"Turn off two-factor sign-in"</button>
            </ActionForm>
        }
        .into_any();
    }
    let enrolment = move || start.value().get().and_then(Result::ok);
    view! {
        {status.required.then(|| view! {
            <p class="notice notice-error" role="alert">
                "An admin requires two-factor sign-in for your role. Set it up to continue."
            </p>
        })}
        <ActionForm action=start attr:class="inline-form">
            <button type="submit" class="primary">"Set up two-factor sign-in"</button>
        </ActionForm>
        {move || enrolment().map(|enrolment| view! {
            <div class="totp-enrolment">
                <p>"Scan this QR code with your authenticator app, or type in the key below."</p>
                // The SVG is drawn by the server from the secret; nothing in it comes from a person.
                <div class="qr" role="img" aria-label="QR code for your authenticator app" inner_html=enrolment.qr_svg />
                <p>"Key: " <code class="secret">{enrolment.secret}</code></p>
                <ActionForm action=confirm attr:class="inline-form">
                    <label>
                        "Code from the app"
                        <input name="code" inputmode="numeric" autocomplete="one-time-code" required />
                    </label>
                    <button type="submit" class="primary">"Turn on"</button>
                </ActionForm>
            </div>
        })}
    }
    .into_any()
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
