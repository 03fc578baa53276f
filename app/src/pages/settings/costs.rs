//! The costs card of `/settings` (admins): the price of an SMS segment, each channel's monthly
//! budget, and the WhatsApp rate tables, with a form to load a newer one.

use leptos::prelude::*;

use crate::api::{LoadRateCard, SaveBudget, SaveSmsPrice, get_cost_settings};
use crate::components::ErrorNotice;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{ChannelBudget, CostSettings, RateCardSummary};
use crate::tracking::tracked_in_browser;

#[component]
pub fn CostSettingsForm() -> impl IntoView {
    let i18n = use_i18n();
    let save_price = ServerAction::<SaveSmsPrice>::new();
    let save_budget = ServerAction::<SaveBudget>::new();
    let load = ServerAction::<LoadRateCard>::new();
    let current = Resource::new(
        tracked_in_browser(move || {
            (
                save_price.version().get(),
                save_budget.version().get(),
                load.version().get(),
            )
        }),
        |_| get_cost_settings(),
    );
    let error = Signal::derive(move || {
        load.value()
            .get()
            .and_then(Result::err)
            .or_else(|| save_budget.value().get().and_then(Result::err))
            .or_else(|| save_price.value().get().and_then(Result::err))
    });
    let saved = move || {
        matches!(save_price.value().get(), Some(Ok(_)))
            || matches!(save_budget.value().get(), Some(Ok(_)))
    };
    let loaded = move || matches!(load.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="costs-settings-heading">
            <h2 id="costs-settings-heading">{t!(i18n, settings.costs.heading)}</h2>
            <p>{t!(i18n, settings.costs.text, <a> = <a href="/reports" />)}</p>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(settings) => view! {
                            <CostFields settings save_price save_budget load />
                        }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorNotice error />
            <p role="status">
                {move || saved().then_some(t!(i18n, settings.saved))}
                {move || loaded().then_some(t!(i18n, settings.costs.rate_table_loaded))}
            </p>
        </section>
    }
}

#[component]
fn CostFields(
    settings: CostSettings,
    save_price: ServerAction<SaveSmsPrice>,
    save_budget: ServerAction<SaveBudget>,
    load: ServerAction<LoadRateCard>,
) -> impl IntoView {
    let i18n = use_i18n();
    let price = RwSignal::new(settings.sms_per_segment.clone());
    let budgets = settings
        .budgets
        .into_iter()
        .map(|budget| view! { <BudgetRow budget save_budget /> })
        .collect_view();
    let tables = settings
        .rate_cards
        .into_iter()
        .map(rate_card_row)
        .collect_view();
    view! {
        <form
            class="stacked-form"
            on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                save_price.dispatch(SaveSmsPrice { price: price.get_untracked() });
            }
        >
            <label for="sms-price">{t!(i18n, settings.costs.sms_price)}</label>
            <input id="sms-price" inputmode="decimal" prop:value=price on:input=move |event| price.set(event_target_value(&event)) />
            <button type="submit">{t!(i18n, settings.costs.save_price)}</button>
        </form>
        <h3>{t!(i18n, settings.costs.budgets_heading)}</h3>
        <table class="report-table" id="budgets-table">
            <caption class="visually-hidden">{t!(i18n, settings.costs.budgets_caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, settings.costs.channel)}</th>
                    <th scope="col">{t!(i18n, settings.costs.budget)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, settings.save)}</span></th>
                </tr>
            </thead>
            <tbody>{budgets}</tbody>
        </table>
        <h3>{t!(i18n, settings.costs.rate_tables_heading)}</h3>
        <table class="report-table" id="rate-cards-table">
            <caption class="visually-hidden">{t!(i18n, settings.costs.rate_tables_caption)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, settings.costs.in_force_from)}</th>
                    <th scope="col">{t!(i18n, settings.costs.markets)}</th>
                    <th scope="col">{t!(i18n, settings.costs.loaded)}</th>
                </tr>
            </thead>
            <tbody>{tables}</tbody>
        </table>
        <RateCardForm load />
    }
}

#[component]
fn BudgetRow(budget: ChannelBudget, save_budget: ServerAction<SaveBudget>) -> impl IntoView {
    let i18n = use_i18n();
    let amount = RwSignal::new(budget.monthly.clone().unwrap_or_default());
    let channel = budget.channel_name.clone();
    let channel_id = budget.channel_id;
    let input_id = format!("budget-{channel_id}");
    view! {
        <tr>
            <th scope="row"><label for=input_id.clone()>{budget.channel_name.clone()}</label></th>
            <td>
                <input id=input_id inputmode="decimal" prop:value=amount on:input=move |event| amount.set(event_target_value(&event)) />
            </td>
            <td>
                <button
                    type="button"
                    aria-label=move || t_string!(i18n, settings.costs.save_budget_label, channel = channel.clone()).to_string()
                    on:click=move |_| {
                        save_budget.dispatch(SaveBudget { channel_id, monthly: amount.get_untracked() });
                    }
                >
                    {t!(i18n, settings.save)}
                </button>
            </td>
        </tr>
    }
}

fn rate_card_row(card: RateCardSummary) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = match (card.loaded_by, card.loaded_at) {
        (Some(name), Some(at)) => t!(i18n, settings.costs.loaded_by, name, at).into_any(),
        (None, Some(at)) => at.into_any(),
        _ => t!(i18n, settings.costs.ships_with_switchboard).into_any(),
    };
    view! {
        <tr>
            <td>{card.effective_from}</td>
            <td class="number">{card.markets}</td>
            <td>{loaded}</td>
        </tr>
    }
}

/// A newer table, from a file or pasted, and the day it takes effect.
#[component]
fn RateCardForm(load: ServerAction<LoadRateCard>) -> impl IntoView {
    let i18n = use_i18n();
    let effective_from = RwSignal::new(String::new());
    let csv = RwSignal::new(String::new());
    view! {
        <form
            class="stacked-form"
            id="rate-card-form"
            on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                load.dispatch(LoadRateCard {
                    effective_from: effective_from.get_untracked(),
                    csv: csv.get_untracked(),
                });
            }
        >
            <h4>{t!(i18n, settings.costs.load_heading)}</h4>
            <p>{t!(i18n, settings.costs.load_text)}</p>
            <label for="rate-card-from">{t!(i18n, settings.costs.in_force_from)}</label>
            <input id="rate-card-from" type="date" required prop:value=effective_from on:input=move |event| effective_from.set(event_target_value(&event)) />
            <label for="rate-card-file">{t!(i18n, settings.costs.csv_file)}</label>
            <input id="rate-card-file" type="file" accept=".csv,text/csv" on:change=move |event| read_chosen_file(event, csv) />
            <label for="rate-card-csv">{t!(i18n, settings.costs.csv_text)}</label>
            <textarea id="rate-card-csv" rows="6" required prop:value=csv on:input=move |event| csv.set(event_target_value(&event))></textarea>
            <button type="submit" class="primary" disabled=move || load.pending().get()>{t!(i18n, settings.costs.load)}</button>
        </form>
    }
}

/// Puts the text of the file just chosen into `into`.
#[cfg(feature = "hydrate")]
fn read_chosen_file(event: leptos::ev::Event, into: RwSignal<String>) {
    let input = event_target::<leptos::web_sys::HtmlInputElement>(&event);
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    leptos::task::spawn_local(async move {
        if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
            into.set(text.as_string().unwrap_or_default());
        }
    });
}

#[cfg(not(feature = "hydrate"))]
fn read_chosen_file(_: leptos::ev::Event, _: RwSignal<String>) {}
