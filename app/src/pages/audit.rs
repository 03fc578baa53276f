//! `/audit`: what people did in Switchboard, and what it did by itself, newest first, for
//! admins. The filters are a plain GET form, so they work before the page hydrates and a
//! filtered view is a link; the same filters export the whole list as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::{list_audit, list_people};
use crate::components::Layout;
use crate::model::{AuditEntry, AuditQuery, Me};
use crate::tracking::tracked_in_browser;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Title text="Audit log" />
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
    let query = query_from_url();
    let page = Resource::new(tracked_in_browser(move || query.get()), list_audit);
    let people = Resource::new(|| (), |_| list_people());
    let field = move |read: fn(&AuditQuery) -> Option<String>| {
        move || read(&query.get()).unwrap_or_default()
    };
    view! {
        <main class="page">
            <h1>"Audit log"</h1>
            <p>
                "Who signed in, changed people, channels, tokens and settings, and who saw "
                "contacts' numbers, newest first. Times are UTC."
            </p>
            <form class="audit-filters" method="get" action="/audit">
                <label for="audit-actor">"Person"</label>
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
                                <option value="">"Anyone"</option>
                                {options}
                            </select>
                        }
                    })}
                </Transition>
                <label for="audit-action">"Action"</label>
                <input id="audit-action" name="action" placeholder="e.g. token_created" list="audit-actions"
                    value=field(|query| query.action.clone()) />
                <datalist id="audit-actions">
                    {AUDIT_ACTIONS.iter().map(|action| view! { <option value=*action></option> }).collect_view()}
                </datalist>
                <label for="audit-subject">"Subject"</label>
                <input id="audit-subject" name="subject" placeholder="e.g. contact:12 or conversation:7"
                    value=field(|query| query.subject.clone()) />
                <label for="audit-from">"From"</label>
                <input id="audit-from" name="from" type="date" value=field(|query| query.from.clone()) />
                <label for="audit-to">"To"</label>
                <input id="audit-to" name="to" type="date" value=field(|query| query.to.clone()) />
                <button type="submit" class="primary">"Show"</button>
                <a class="button" download="switchboard-audit.csv"
                    href=move || format!("/api/v1/audit.csv{}", query_string(&AuditQuery { after: None, ..query.get() }))>
                    "Export CSV"
                </a>
            </form>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.entries.is_empty() => {
                            view! { <p class="empty">"No entries match."</p> }.into_any()
                        }
                        Ok(page) => {
                            let older = page.next_after.map(|after| {
                                let href = format!(
                                    "/audit{}",
                                    query_string(&AuditQuery { after: Some(after), ..query.get_untracked() }),
                                );
                                view! { <a class="button audit-older" href=href>"Older entries"</a> }
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
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Subject"</th>
                    <th scope="col">"Detail"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
