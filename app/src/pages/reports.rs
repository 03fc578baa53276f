//! `/reports`: how the service is doing and what it costs, for coordinators and admins. The
//! range is a plain GET form, so a report is a link and works before the page hydrates.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::get_cost_report;
use crate::components::Layout;
use crate::model::{CostQuery, CostReport, Me, Permission};
use crate::tracking::tracked_in_browser;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports" />
        <Layout page=reports_page />
    }
}

fn query_from_url() -> Memo<CostQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        params
            .try_with(|params| CostQuery {
                from: params.get("from").filter(|from| !from.is_empty()),
                to: params.get("to").filter(|to| !to.is_empty()),
            })
            .unwrap_or_default()
    })
}

fn reports_page(me: Me) -> impl IntoView {
    if !me.role.can(Permission::Supervise) {
        return view! {
            <main class="page">
                <h1>"Reports"</h1>
                <p class="notice notice-error" role="alert">"Only coordinators and admins see reports."</p>
            </main>
        }
        .into_any();
    }
    let query = query_from_url();
    let report = Resource::new(tracked_in_browser(move || query.get()), get_cost_report);
    view! {
        <main class="page reports">
            <h1>"Reports"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Costs report /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
    .into_any()
}

#[component]
fn Costs(report: CostReport) -> impl IntoView {
    let spending = report
        .spending
        .iter()
        .map(|row| {
            let used = row
                .percent_of_budget
                .map(|percent| format!("{percent} %"))
                .unwrap_or_else(|| "—".to_owned());
            let over = row.percent_of_budget.is_some_and(|percent| percent >= 80);
            view! {
                <tr class:over-budget=over>
                    <td>{row.month.clone()}</td>
                    <th scope="row">{row.channel_name.clone()}</th>
                    <td class="number">{row.amount.clone()}</td>
                    <td class="number">{row.budget.clone().unwrap_or_else(|| "No budget".to_owned())}</td>
                    <td class="number">
                        {used}
                        {over.then(|| view! { <span class="budget-flag">" ⚠ near or over budget"</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let rows = report
        .rows
        .iter()
        .map(|row| {
            view! {
                <tr>
                    <td>{row.month.clone()}</td>
                    <th scope="row">{row.channel_name.clone()}</th>
                    <td>{row.category.clone()}</td>
                    <td class="number">{row.messages}</td>
                    <td class="number">{row.amount.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = report.rows.is_empty();
    view! {
        <section class="card" aria-labelledby="costs-heading">
            <h2 id="costs-heading">"What messages cost"</h2>
            <form class="report-range" method="get" action="/reports">
                <label for="report-from">"From"</label>
                <input id="report-from" name="from" type="date" value=report.from.clone() />
                <label for="report-to">"To"</label>
                <input id="report-to" name="to" type="date" value=report.to.clone() />
                <button type="submit" class="primary">"Show"</button>
            </form>
            <p class="report-total">
                "Total for " {report.from.clone()} " to " {report.to.clone()} " (whole months, UTC): "
                <strong id="cost-total">{report.total.clone()}</strong>
            </p>
            <details class="definitions">
                <summary>"How costs are counted"</summary>
                <ul>
                    <li>"WhatsApp: the category and type Meta reports on the message's status (marketing, utility, authentication; service replies and messages inside a free window cost nothing), times the rate of the recipient's country in the rate table in force that day. List prices: volume discounts are not taken off."</li>
                    <li>"SMS: the price Twilio reports on the status callback; until it does, the message's segments (160 GSM-7 or 70 UCS-2 characters, 153 and 67 when split) times the price of a segment. Carrier fees are not included."</li>
                    <li>"Messenger: free."</li>
                    <li>"Months are UTC, as providers bill. Admins set budgets and load new rate tables in Settings."</li>
                </ul>
            </details>
            {if empty {
                view! { <p class="empty">"No message was priced in these months."</p> }.into_any()
            } else {
                view! {
                    <table class="report-table" id="spending-table">
                        <caption>"Spending by channel and month, against the monthly budget"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Month"</th>
                                <th scope="col">"Channel"</th>
                                <th scope="col">"Spent"</th>
                                <th scope="col">"Budget"</th>
                                <th scope="col">"Used"</th>
                            </tr>
                        </thead>
                        <tbody>{spending}</tbody>
                    </table>
                    <table class="report-table" id="cost-table">
                        <caption>"Spending by channel, category and month"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Month"</th>
                                <th scope="col">"Channel"</th>
                                <th scope="col">"Category"</th>
                                <th scope="col">"Messages"</th>
                                <th scope="col">"Cost"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
