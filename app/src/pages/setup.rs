//! First run: the one-time setup link the server printed to its log opens this page, where the
//! first admin chooses their name, email and password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::CreateFirstAdmin;
use crate::components::ErrorNotice;

#[component]
pub fn SetupPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let create = ServerAction::<CreateFirstAdmin>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || matches!(create.value().get(), Some(Ok(())));
    view! {
        <Title text="Set up Switchboard" />
        <main class="centered">
            <section class="card login" aria-labelledby="setup-heading">
                <h1 id="setup-heading">"Set up Switchboard"</h1>
                <Show
                    when=created
                    fallback=move || view! {
                        <p>
                            "Create the first admin account. The admin connects channels and adds "
                            "everyone else."
                        </p>
                        <ActionForm action=create attr:class="stacked-form">
                            <input type="hidden" name="token" prop:value=token />
                            <label>
                                "Your name"
                                <input name="name" autocomplete="name" maxlength="100" required autofocus />
                            </label>
                            <label>
                                "Email"
                                <input type="email" name="email" autocomplete="username" required />
                            </label>
                            <label>
                                "Password"
                                <input
                                    type="password"
                                    name="password"
                                    autocomplete="new-password"
                                    minlength="8"
                                    required
                                />
                                <small>"At least 8 characters. A few unrelated words work well."</small>
                            </label>
                            <button type="submit" class="primary">"Create admin account"</button>
                        </ActionForm>
                        <ErrorNotice error />
                    }
                >
                    <p class="notice notice-success" role="status">
                        "Your admin account is ready. This setup link no longer works."
                    </p>
                    <p>
                        <a class="button primary" href="/login?first_run=done&next=%2Fchannels">
                            "Sign in and connect your first channel"
                        </a>
                    </p>
                </Show>
            </section>
        </main>
    }
}
