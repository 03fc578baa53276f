//! First run: the one-time setup link the server printed to its log opens this page, where the
//! first admin chooses their name, email and password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::CreateFirstAdmin;
use crate::components::ErrorNotice;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let create = ServerAction::<CreateFirstAdmin>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || matches!(create.value().get(), Some(Ok(())));
    view! {
        <Title text=move || t_string!(i18n, setup.title) />
        <main class="centered">
            <section class="card login" aria-labelledby="setup-heading">
                <h1 id="setup-heading">{t!(i18n, setup.heading)}</h1>
                <Show
                    when=created
                    fallback=move || view! {
                        <p>{t!(i18n, setup.text)}</p>
                        <ActionForm action=create attr:class="stacked-form">
                            <input type="hidden" name="token" prop:value=token />
                            <label>
                                {t!(i18n, setup.name)}
                                <input name="name" autocomplete="name" maxlength="100" required autofocus />
                            </label>
                            <label>
                                {t!(i18n, setup.email)}
                                <input type="email" name="email" autocomplete="username" required />
                            </label>
                            <label>
                                {t!(i18n, setup.password)}
                                <input
                                    type="password"
                                    name="password"
                                    autocomplete="new-password"
                                    minlength="8"
                                    required
                                />
                                <small>{t!(i18n, setup.password_hint)}</small>
                            </label>
                            <button type="submit" class="primary">{t!(i18n, setup.submit)}</button>
                        </ActionForm>
                        <ErrorNotice error />
                    }
                >
                    <p class="notice notice-success" role="status">
                        {t!(i18n, setup.ready)}
                    </p>
                    <p>
                        <a class="button primary" href="/login?first_run=done&next=%2Fchannels">
                            {t!(i18n, setup.sign_in)}
                        </a>
                    </p>
                </Show>
            </section>
        </main>
    }
}
