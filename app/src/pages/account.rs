use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    ChangePassword, ConfirmTotp, CreateToken, DisableTotp, RevokeToken, SetLanguage, StartTotp,
    get_two_factor, list_tokens,
};
use crate::components::{ErrorNotice, Layout};
use crate::i18n::{t, t_string, use_i18n};
use crate::language;
use crate::model::{ApiToken, Me, TwoFactorStatus};
use crate::tracking::tracked_in_browser;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, account.title) />
        <Layout page=account />
    }
}

fn account(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="page">
            <h1>{t!(i18n, account.heading)}</h1>
            <p>{me.name} " · " {me.email}</p>
            <LanguageForm saved=me.language />
            <PasswordForm />
            <TwoFactor />
            <Tokens />
        </main>
    }
}

/// The person's interface language, or none to follow what their browser asks for. Saving
/// reloads the page, so every part of it, the frame included, is rendered in the new language.
#[component]
fn LanguageForm(saved: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetLanguage>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            let _ = window().location().reload();
        }
    });
    let saved = saved.unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="language-heading">
            <h2 id="language-heading">{t!(i18n, account.language.heading)}</h2>
            <p>{t!(i18n, account.language.text)}</p>
            <ActionForm action=save attr:class="inline-form">
                <label>
                    {t!(i18n, account.language.label)}
                    <select name="language">
                        <option value="" selected=saved.is_empty()>{t!(i18n, account.language.browser)}</option>
                        {language::all().iter().map(|&choice| {
                            let code = language::code(choice);
                            view! {
                                <option value=code lang=code selected=saved == code>
                                    {language::own_name(choice)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">{t!(i18n, account.language.save)}</button>
            </ActionForm>
            <ErrorNotice error />
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || change.value().get().and_then(Result::err));
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, account.password.heading)}</h2>
            <ActionForm action=change attr:class="stacked-form">
                <label>
                    {t!(i18n, account.password.current)}
                    <input type="password" name="current" autocomplete="current-password" required />
                </label>
                <label>
                    {t!(i18n, account.password.new_password)}
                    <input type="password" name="new" autocomplete="new-password" minlength="8" required />
                    <small>{t!(i18n, account.password.hint)}</small>
                </label>
                <label class="checkbox">
                    <input type="checkbox" name="revoke_tokens" value="true" />
                    {t!(i18n, account.password.revoke_tokens)}
                </label>
                <small>{t!(i18n, account.password.signs_out)}</small>
                <button type="submit" class="primary">{t!(i18n, account.password.submit)}</button>
            </ActionForm>
            <ErrorNotice error />
            {move || changed().then(|| view! {
                <p class="notice notice-success" role="status">
                    {t!(i18n, account.password.changed)}
                </p>
            })}
        </section>
    }
}

/// Two-factor sign-in: set up with a QR code and a first code, or turn off with a code.
#[component]
fn TwoFactor() -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="two-factor-heading">{t!(i18n, account.two_factor.heading)}</h2>
            <p>{t!(i18n, account.two_factor.text)}</p>
            <ErrorNotice error />
            {move || recovery_codes().map(|codes| view! {
                <div class="notice notice-success" role="status">
                    <p>{t!(i18n, account.two_factor.turned_on)}</p>
                    <ul class="recovery-codes">
                        {codes.recovery_codes.into_iter().map(|code| view! {
                            <li><code class="secret">{code}</code></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    if status.enabled {
        let count = status.recovery_codes_left;
        return view! {
            <p>{t!(i18n, account.two_factor.on, count)}</p>
            <ActionForm action=disable attr:class="inline-form">
                <label>
                    {t!(i18n, account.two_factor.current_code)}
                    <input name="code" inputmode="numeric" autocomplete="one-time-code" required />
                </label>
                <button type="submit">{t!(i18n, account.two_factor.turn_off)}</button>
            </ActionForm>
        }
        .into_any();
    }
    let enrolment = move || start.value().get().and_then(Result::ok);
    view! {
        {status.required.then(|| view! {
            <p class="notice notice-error" role="alert">
                {t!(i18n, account.two_factor.required)}
            </p>
        })}
        <ActionForm action=start attr:class="inline-form">
            <button type="submit" class="primary">{t!(i18n, account.two_factor.set_up)}</button>
        </ActionForm>
        {move || enrolment().map(|enrolment| view! {
            <div class="totp-enrolment">
                <p>{t!(i18n, account.two_factor.scan)}</p>
                // The SVG is drawn by the server from the secret; nothing in it comes from a person.
                <div class="qr" role="img" aria-label=move || t_string!(i18n, account.two_factor.qr_label) inner_html=enrolment.qr_svg />
                <p>{t!(i18n, account.two_factor.key)} " " <code class="secret">{enrolment.secret}</code></p>
                <ActionForm action=confirm attr:class="inline-form">
                    <label>
                        {t!(i18n, account.two_factor.code_from_app)}
                        <input name="code" inputmode="numeric" autocomplete="one-time-code" required />
                    </label>
                    <button type="submit" class="primary">{t!(i18n, account.two_factor.turn_on)}</button>
                </ActionForm>
            </div>
        })}
    }
    .into_any()
}

#[component]
fn Tokens() -> impl IntoView {
    let i18n = use_i18n();
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
            <h2 id="tokens-heading">{t!(i18n, account.tokens.heading)}</h2>
            <p>{t!(i18n, account.tokens.text)}</p>
            <ActionForm action=create attr:class="inline-form">
                <label>{t!(i18n, account.tokens.name)} " " <input name="name" required maxlength="100" /></label>
                <label>
                    {t!(i18n, account.tokens.expires)}
                    <select name="expires_in_days">
                        <option value="0">{t!(i18n, account.tokens.never)}</option>
                        <option value="30">{t!(i18n, account.tokens.after_30_days)}</option>
                        <option value="90" selected>{t!(i18n, account.tokens.after_90_days)}</option>
                        <option value="365">{t!(i18n, account.tokens.after_a_year)}</option>
                    </select>
                </label>
                <button type="submit">{t!(i18n, account.tokens.create)}</button>
            </ActionForm>
            <ErrorNotice error />
            {move || created().map(|created| view! {
                <div class="notice notice-success" role="status">
                    <p>{t!(i18n, account.tokens.copy_now)}</p>
                    <code class="secret api-token">{created.secret}</code>
                </div>
            })}
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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
    let i18n = use_i18n();
    if tokens.is_empty() {
        return view! { <p class="empty">{t!(i18n, account.tokens.none)}</p> }.into_any();
    }
    view! {
        <ul class="tokens">
            {tokens.into_iter().map(|token| {
                let id = token.id;
                let never = || t_string!(i18n, account.tokens.never).to_string();
                let created = token.created_at;
                let used = token.last_used_at.unwrap_or_else(never);
                let expires = token.expires_at.unwrap_or_else(never);
                view! {
                    <li>
                        <strong>{token.name}</strong>
                        {t_string!(i18n, account.tokens.details, created, used, expires).to_string()}
                        <button type="button" on:click=move |_| { revoke.dispatch(RevokeToken { id }); }>
                            {t!(i18n, account.tokens.revoke)}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
