//! `/settings`: how the inbox works, the default language, sign-in rules, data retention, risk words, costs, business hours, satisfaction surveys and translation (admins), and the tags
//! and canned responses (coordinators and admins).

mod business_hours;
mod costs;
mod data_requests;
mod language;
mod retention;
mod risk_words;
mod satisfaction;
mod translation;
mod wellbeing;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    CreateCannedResponse, CreateTag, DeleteCannedResponse, DeleteTag, SaveInboxSettings,
    SaveSecuritySettings, get_inbox_settings, get_security_settings, list_canned_responses,
    list_tags,
};
use crate::components::{ErrorNotice, Layout};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{InboxSettings, Me, Permission, SecuritySettings};
use crate::tracking::tracked_in_browser;
use business_hours::BusinessHoursSettingsForm;
use costs::CostSettingsForm;
use data_requests::{ErasureKeywordForm, ErasureRequests, VolunteerAccessForm};
use language::DefaultLanguageForm;
use retention::RetentionSettingsForm;
use risk_words::RiskWordsForm;
use satisfaction::SatisfactionSettingsForm;
use translation::TranslationSettingsForm;
use wellbeing::WellbeingSettingsForm;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, settings.title) />
        <Layout page=settings />
    }
}

fn settings(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let manages_settings = me.role.can(Permission::ManageSettings);
    let manages_tags = me.role.can(Permission::ManageTags);
    view! {
        <main class="page">
            <h1>{t!(i18n, settings.heading)}</h1>
            {manages_settings.then(|| view! { <InboxSettingsForm /> <DefaultLanguageForm /> <SecuritySettingsForm /> <RetentionSettingsForm /> <WellbeingSettingsForm /> <RiskWordsForm /> <CostSettingsForm /> <BusinessHoursSettingsForm /> <SatisfactionSettingsForm /> <TranslationSettingsForm /> })}
            {manages_settings.then(|| view! { <VolunteerAccessForm /> <ErasureKeywordForm /> })}
            {me.role.can(Permission::HandleDataRequests).then(|| view! { <ErasureRequests /> })}
            {manages_tags.then(|| view! { <Tags /> <CannedResponses /> })}
            {(!manages_settings && !manages_tags).then(|| view! {
                <p class="notice notice-error" role="alert">{t!(i18n, settings.not_allowed)}</p>
            })}
        </main>
    }
}

#[component]
fn InboxSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveInboxSettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_inbox_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="inbox-settings-heading">
            <h2 id="inbox-settings-heading">{t!(i18n, settings.inbox.heading)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! { <InboxSettingsFields settings save /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}

#[component]
fn InboxSettingsFields(
    settings: InboxSettings,
    save: ServerAction<SaveInboxSettings>,
) -> impl IntoView {
    let only_assignee = RwSignal::new(settings.only_assignee_replies);
    let mask = RwSignal::new(settings.mask_numbers_for_volunteers);
    let auto_assign = RwSignal::new(settings.auto_assign);
    let cap = RwSignal::new(settings.auto_assign_cap.to_string());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveInboxSettings {
            settings: InboxSettings {
                only_assignee_replies: only_assignee.get_untracked(),
                mask_numbers_for_volunteers: mask.get_untracked(),
                auto_assign: auto_assign.get_untracked(),
                auto_assign_cap: cap.get_untracked().trim().parse().unwrap_or(-1),
            },
        });
    };
    let i18n = use_i18n();
    view! {
        <form class="settings-form" on:submit=submit>
            {checkbox("only-assignee-replies", t!(i18n, settings.inbox.only_assignee), only_assignee)}
            {checkbox("mask-numbers", t!(i18n, settings.inbox.mask_numbers), mask)}
            {checkbox("auto-assign", t!(i18n, settings.inbox.auto_assign), auto_assign)}
            <label>
                {t!(i18n, settings.inbox.cap)}
                <input
                    type="number"
                    id="auto-assign-cap"
                    min="0"
                    prop:value=move || cap.get()
                    on:input=move |event| cap.set(event_target_value(&event))
                />
            </label>
            <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
        </form>
    }
}

fn checkbox(
    id: &'static str,
    label: impl IntoView + 'static,
    value: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <label class="checkbox">
            <input
                type="checkbox"
                id=id
                prop:checked=move || value.get()
                on:change=move |event| value.set(event_target_checked(&event))
            />
            " " {label}
        </label>
    }
}

/// Sign-in rules: whether admins and coordinators must use two-factor sign-in.
#[component]
fn SecuritySettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSecuritySettings>::new();
    let current = Resource::new(tracked_in_browser(move || save.version().get()), |_| {
        get_security_settings()
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="security-settings-heading">
            <h2 id="security-settings-heading">{t!(i18n, settings.security.heading)}</h2>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! { <SecuritySettingsFields settings save /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">{move || saved().then_some(t!(i18n, settings.saved))}</p>
        </section>
    }
}

#[component]
fn SecuritySettingsFields(
    settings: SecuritySettings,
    save: ServerAction<SaveSecuritySettings>,
) -> impl IntoView {
    let i18n = use_i18n();
    let required = RwSignal::new(settings.require_two_factor_for_staff);
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        save.dispatch(SaveSecuritySettings {
            settings: SecuritySettings {
                require_two_factor_for_staff: required.get_untracked(),
            },
        });
    };
    view! {
        <form class="settings-form" on:submit=submit>
            <label class="checkbox">
                <input
                    type="checkbox"
                    id="require-two-factor"
                    prop:checked=move || required.get()
                    on:change=move |event| required.set(event_target_checked(&event))
                />
                " " {t!(i18n, settings.security.require_two_factor)}
            </label>
            <small>{t!(i18n, settings.security.hint)}</small>
            <button type="submit" class="primary">{t!(i18n, settings.save)}</button>
        </form>
    }
}

#[component]
fn Tags() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateTag>::new();
    let delete = ServerAction::<DeleteTag>::new();
    let tags = Resource::new(
        tracked_in_browser(move || (create.version().get(), delete.version().get())),
        |_| list_tags(),
    );
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(|result| result.err())
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    view! {
        <section class="card" aria-labelledby="tags-heading">
            <h2 id="tags-heading">{t!(i18n, settings.tags.heading)}</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>{t!(i18n, settings.tags.name)} <input name="name" id="tag-name" required maxlength="40" /></label>
                <label>{t!(i18n, settings.tags.colour)} <input type="color" name="colour" id="tag-colour" value="#2a7ae2" /></label>
                <button type="submit" class="primary">{t!(i18n, settings.tags.add)}</button>
            </ActionForm>
            <ErrorNotice error />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    tags.await.map(|tags| view! {
                        <ul class="tag-list">
                            {tags.into_iter().map(|tag| {
                                let id = tag.id;
                                let name = tag.name.clone();
                                view! {
                                    <li>
                                        <span class="tag-chip" style=format!("--tag-colour: {}", tag.colour)>{tag.name}</span>
                                        <button
                                            type="button"
                                            class="link-button"
                                            aria-label=move || t_string!(i18n, settings.tags.delete_label, name = name.clone()).to_string()
                                            on:click=move |_| { delete.dispatch(DeleteTag { id }); }
                                        >
                                            {t!(i18n, settings.delete)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }).ok()
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CannedResponses() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateCannedResponse>::new();
    let delete = ServerAction::<DeleteCannedResponse>::new();
    let responses = Resource::new(
        tracked_in_browser(move || (create.version().get(), delete.version().get())),
        |_| list_canned_responses(),
    );
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(|result| result.err())
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    view! {
        <section class="card" aria-labelledby="canned-heading">
            <h2 id="canned-heading">{t!(i18n, settings.canned.heading)}</h2>
            <ActionForm action=create attr:class="stacked-form">
                <label>{t!(i18n, settings.canned.shortcut)} <input name="shortcut" id="canned-shortcut" required maxlength="40" /></label>
                <label>{t!(i18n, settings.canned.text)} <textarea name="body" id="canned-body" required rows="3"></textarea></label>
                <button type="submit" class="primary">{t!(i18n, settings.canned.add)}</button>
            </ActionForm>
            <ErrorNotice error />
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    responses.await.map(|responses| view! {
                        <ul class="canned-list">
                            {responses.into_iter().map(|canned| {
                                let id = canned.id;
                                let shortcut = canned.shortcut.clone();
                                view! {
                                    <li>
                                        <strong>{canned.shortcut}</strong>
                                        <span class="canned-body">{canned.body}</span>
                                        <button
                                            type="button"
                                            class="link-button"
                                            aria-label=move || t_string!(i18n, settings.canned.delete_label, shortcut = shortcut.clone()).to_string()
                                            on:click=move |_| { delete.dispatch(DeleteCannedResponse { id }); }
                                        >
                                            {t!(i18n, settings.delete)}
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }).ok()
                })}
            </Transition>
        </section>
    }
}
