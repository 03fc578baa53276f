//! `/audit`: what people did in Switchboard, and what it did by itself, newest first, for
//! admins. The filters are a plain GET form, so they work before the page hydrates and a
//! filtered view is a link; the same filters export the whole list as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::{list_audit, list_people};
use crate::components::Layout;
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{AuditEntry, AuditQuery, Me};
use crate::tracking::tracked_in_browser;

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, audit.title) />
        <Layout page=audit_page />
    }
}

/// The URL's filters; `try_` because the page may read them while it is torn down.
/// Actions offered while typing the action filter: who read or revealed what, and data requests.
const AUDIT_ACTIONS: [&str; 8] = [
    "conversation.read",
    "contact.read",
    "contact.number_revealed",
    "contact.exported",
    "contact.erased",
    "erasure_request.received",
    "erasure_request.confirmed",
    "erasure_request.declined",
];

fn query_from_url() -> Memo<AuditQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        params
            .try_with(|params| AuditQuery {
                actor_id: params.get("actor_id").and_then(|id| id.parse().ok()),
                action: params.get("action"),
                subject: params.get("subject"),
                from: params.get("from"),
                to: params.get("to"),
                after: params.get("after").and_then(|id| id.parse().ok()),
            })
            .unwrap_or_default()
    })
}

/// `?…` for a query, without empty fields.
fn query_string(query: &AuditQuery) -> String {
    let text = |value: &Option<String>| value.clone().filter(|value| !value.trim().is_empty());
    [
        ("actor_id", query.actor_id.map(|id| id.to_string())),
        ("action", text(&query.action)),
        ("subject", text(&query.subject)),
        ("from", text(&query.from)),
        ("to", text(&query.to)),
        ("after", query.after.map(|id| id.to_string())),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect::<ParamsMap>()
    .to_query_string()
}

fn audit_page(_: Me) -> impl IntoView {
    let i18n = use_i18n();
    let query = query_from_url();
    let page = Resource::new(tracked_in_browser(move || query.get()), list_audit);
    let people = Resource::new(|| (), |_| list_people());
    let field = move |read: fn(&AuditQuery) -> Option<String>| {
        move || read(&query.get()).unwrap_or_default()
    };
    view! {
        <main class="page">
            <h1>{t!(i18n, audit.heading)}</h1>
            <p>{t!(i18n, audit.text)}</p>
            <form class="audit-filters" method="get" action="/audit">
                <label for="audit-actor">{t!(i18n, audit.filters.person)}</label>
                <Transition fallback=|| view! { <select id="audit-actor" name="actor_id" disabled=true></select> }>
                    {move || Suspend::new(async move {
                        let chosen = query.get_untracked().actor_id;
                        let options = people
                            .await
                            .unwrap_or_default()
                            .into_iter()
                            .map(|person| view! {
                                <option value=person.id.to_string() selected=chosen == Some(person.id)>
                                    {person.name}
                                </option>
                            })
                            .collect_view();
                        view! {
                            <select id="audit-actor" name="actor_id">
                                <option value="">{t!(i18n, audit.filters.anyone)}</option>
                                {options}
                            </select>
                        }
                    })}
                </Transition>
                <label for="audit-action">{t!(i18n, audit.filters.action)}</label>
                <input id="audit-action" name="action" placeholder=move || t_string!(i18n, audit.filters.action_example) list="audit-actions"
                    value=field(|query| query.action.clone()) />
                <datalist id="audit-actions">
                    {AUDIT_ACTIONS.iter().map(|action| view! { <option value=*action></option> }).collect_view()}
                </datalist>
                <label for="audit-subject">{t!(i18n, audit.filters.subject)}</label>
                <input id="audit-subject" name="subject" placeholder=move || t_string!(i18n, audit.filters.subject_example)
                    value=field(|query| query.subject.clone()) />
                <label for="audit-from">{t!(i18n, audit.filters.from)}</label>
                <input id="audit-from" name="from" type="date" value=field(|query| query.from.clone()) />
                <label for="audit-to">{t!(i18n, audit.filters.to)}</label>
                <input id="audit-to" name="to" type="date" value=field(|query| query.to.clone()) />
                <button type="submit" class="primary">{t!(i18n, audit.filters.show)}</button>
                <a class="button" download="switchboard-audit.csv"
                    href=move || format!("/api/v1/audit.csv{}", query_string(&AuditQuery { after: None, ..query.get() }))>
                    {t!(i18n, audit.filters.export)}
                </a>
            </form>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.entries.is_empty() => {
                            view! { <p class="empty">{t!(i18n, audit.none)}</p> }.into_any()
                        }
                        Ok(page) => {
                            let older = page.next_after.map(|after| {
                                let href = format!(
                                    "/audit{}",
                                    query_string(&AuditQuery { after: Some(after), ..query.get_untracked() }),
                                );
                                view! { <a class="button audit-older" href=href>{t!(i18n, audit.older)}</a> }
                            });
                            view! {
                                <AuditTable entries=page.entries />
                                {older}
                            }.into_any()
                        }
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = entries
        .into_iter()
        .map(|entry| {
            let who = entry
                .actor_name
                .clone()
                .unwrap_or_else(|| "Switchboard".to_owned());
            view! {
                <tr data-entry-id=entry.id>
                    <td><time datetime=entry.at.clone()>{entry.at.clone()}</time></td>
                    <td>{who}</td>
                    <td class="audit-action">{entry.action}</td>
                    <td>{entry.subject}</td>
                    <td><code>{entry.detail.to_string()}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, audit.columns.when)}</th>
                    <th scope="col">{t!(i18n, audit.columns.who)}</th>
                    <th scope="col">{t!(i18n, audit.columns.action)}</th>
                    <th scope="col">{t!(i18n, audit.columns.subject)}</th>
                    <th scope="col">{t!(i18n, audit.columns.detail)}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
