//! `/reports`: how the service is doing and what it costs, for coordinators and admins. The
//! range and filters are a plain GET form, so a report is a link and works before the page
//! hydrates; every figure links to the conversations behind it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

mod satisfaction;

use crate::api::{get_cost_report, get_csat_report, get_report};
use crate::components::{Bars, Heatmap, Layout, Series, StackedBars};
use crate::model::{
    CostQuery, CostReport, Me, Permission, Report, ReportConversation, ReportFigure, ReportQuery,
    TimeFigure,
};
use crate::tracking::tracked_in_browser;
use satisfaction::Satisfaction;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports" />
        <Layout page=reports_page />
    }
}

/// The URL's range and filters; `try_` because the page may read them while it is torn down.
fn query_from_url() -> Memo<ReportQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        params
            .try_with(|params| {
                let text = |name: &str| params.get(name).filter(|value| !value.is_empty());
                let id = |name: &str| text(name).and_then(|value| value.parse().ok());
                ReportQuery {
                    from: text("from"),
                    to: text("to"),
                    tz: text("tz"),
                    channel_id: id("channel_id"),
                    tag_id: id("tag_id"),
                    user_id: id("user_id"),
                    business_hours: text("business_hours").map(|on| on == "true"),
                    show: text("show").and_then(|show| ReportFigure::parse(&show)),
                }
            })
            .unwrap_or_default()
    })
}

/// `?…` for a query, without empty fields.
fn query_string(query: &ReportQuery) -> String {
    let id = |value: Option<i64>| value.map(|id| id.to_string());
    [
        ("from", query.from.clone()),
        ("to", query.to.clone()),
        ("tz", query.tz.clone()),
        ("channel_id", id(query.channel_id)),
        ("tag_id", id(query.tag_id)),
        ("user_id", id(query.user_id)),
        (
            "business_hours",
            query
                .business_hours
                .filter(|on| *on)
                .map(|_| "true".to_owned()),
        ),
        ("show", query.show.map(|show| show.as_str().to_owned())),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name, value?)))
    .collect::<ParamsMap>()
    .to_query_string()
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
    let report = Resource::new(tracked_in_browser(move || query.get()), get_report);
    let csat = Resource::new(tracked_in_browser(move || query.get()), get_csat_report);
    let costs = Resource::new(
        tracked_in_browser(move || {
            let query = query.get();
            CostQuery {
                from: query.from,
                to: query.to,
            }
        }),
        get_cost_report,
    );
    view! {
        <main class="page reports">
            <h1>"Reports"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Service report query=query.get_untracked() /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match csat.await {
                        Ok(report) => view! { <Satisfaction report /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match costs.await {
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

/// Options of a filter's `<select>`, with the chosen one selected.
fn options(choices: &[(i64, String)], chosen: Option<i64>) -> impl IntoView + use<> {
    choices
        .iter()
        .map(|(id, name)| {
            view! { <option value=id.to_string() selected=chosen == Some(*id)>{name.clone()}</option> }
        })
        .collect_view()
}

#[component]
fn Service(report: Report, query: ReportQuery) -> impl IntoView {
    let summary = &report.summary;
    let link = |show: ReportFigure| {
        let with = ReportQuery {
            show: Some(show),
            ..query.clone()
        };
        format!("/reports{}#shown", query_string(&with))
    };
    let csv = |table: &str| {
        format!(
            "/api/v1/reports/{table}.csv{}",
            query_string(&ReportQuery {
                show: None,
                ..query.clone()
            })
        )
    };
    let count = |label: &'static str, value: i64, show: ReportFigure| {
        view! {
            <div class="figure">
                <dt>{label}</dt>
                <dd><a href=link(show) aria-label=format!("{label}: {value}, list the conversations")>{value}</a></dd>
            </div>
        }
    };
    let time = |label: &'static str, figure: &TimeFigure, show: ReportFigure| {
        view! {
            <div class="figure">
                <dt>{label}</dt>
                <dd>
                    <a href=link(show) aria-label=format!("{label}: median {}, list the conversations", figure.median)>
                        {figure.median.clone()}
                    </a>
                    <span class="figure-detail">
                        " median · 90 % within " {figure.p90.clone()} " · " {figure.count} " measured"
                    </span>
                </dd>
            </div>
        }
    };
    let clock = if summary.business_hours {
        " in business hours"
    } else {
        ""
    };
    let people = report
        .people
        .iter()
        .map(|person| {
            view! {
                <tr>
                    <th scope="row">{person.name.clone()}</th>
                    <td class="number">{person.first_responses}</td>
                    <td class="number">{person.first_response.median.clone()}</td>
                    <td class="number">{person.replies}</td>
                    <td class="number">{person.resolutions}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = report
        .shown
        .clone()
        .map(|conversations| view! { <Shown conversations /> });
    view! {
        <section class="card" aria-labelledby="service-heading">
            <h2 id="service-heading">"How the service is doing"</h2>
            <form class="report-range" method="get" action="/reports">
                <label for="report-from">"From"</label>
                <input id="report-from" name="from" type="date" value=summary.from.clone() />
                <label for="report-to">"To"</label>
                <input id="report-to" name="to" type="date" value=summary.to.clone() />
                <label for="report-tz">"Time zone"</label>
                <input id="report-tz" name="tz" value=summary.tz.clone() size="16" />
                <label for="report-channel">"Channel"</label>
                <select id="report-channel" name="channel_id">
                    <option value="">"All"</option>
                    {options(&report.channels, query.channel_id)}
                </select>
                <label for="report-tag">"Tag"</label>
                <select id="report-tag" name="tag_id">
                    <option value="">"All"</option>
                    {options(&report.tags, query.tag_id)}
                </select>
                <label for="report-person">"Assigned to"</label>
                <select id="report-person" name="user_id">
                    <option value="">"Anyone"</option>
                    {options(&report.people_choices, query.user_id)}
                </select>
                {report.business_hours_set.then(|| view! {
                    <label class="inline-check">
                        <input type="checkbox" name="business_hours" value="true" checked=summary.business_hours />
                        " In business hours"
                    </label>
                })}
                <button type="submit" class="primary">"Show"</button>
                <a class="button" download="switchboard-conversations.csv" href=csv("conversations")>"Export CSV (one row per conversation)"</a>
            </form>
            <p class="report-range-words">
                {summary.from.clone()} " to " {summary.to.clone()} " (" {summary.tz.clone()} "), times" {clock} "."
            </p>
            <dl class="figures" id="report-figures">
                {count("Conversations opened", summary.conversations_opened, ReportFigure::Opened)}
                {count("Resolved", summary.conversations_resolved, ReportFigure::Resolved)}
                {count("Still open", summary.still_open, ReportFigure::StillOpen)}
                {count("Waiting for a first reply", summary.unanswered, ReportFigure::Unanswered)}
                <div class="figure"><dt>"Messages in"</dt><dd>{summary.messages_in}</dd></div>
                <div class="figure"><dt>"Messages out"</dt><dd>{summary.messages_out}</dd></div>
                {time("First response time", &summary.first_response, ReportFigure::FirstResponse)}
                {time("Reply time", &summary.reply, ReportFigure::Reply)}
                {time("Resolution time", &summary.resolution, ReportFigure::Resolution)}
            </dl>
            <details class="definitions">
                <summary>"How these figures are counted"</summary>
                <ul>
                    <li>"An open period starts when a conversation is opened, reopened, or a contact writes to a resolved one, and ends when it is resolved."</li>
                    <li>"First response time: from the start of an open period to the first reply a person wrote in it. Notes, automatic messages and replies still waiting for a coordinator's approval are not replies. A period with no reply yet is counted as waiting for a first reply."</li>
                    <li>"Reply time: after the first response, from the contact's first message that had no answer yet to the next reply a person wrote; several messages in a row are one wait."</li>
                    <li>"Resolution time: from the start of an open period to its resolution, once per resolution."</li>
                    <li>"Each wait counts on the day it began, in the report's time zone. The median is the middle wait (the lower of the two middle ones); 90 % of waits were at most the 90th percentile. In business hours, only time inside the organisation's opening hours counts, holidays excluded."</li>
                    <li>"Conversations opened and messages count what happened between the first and last day; resolved counts resolutions of periods that began in the range."</li>
                </ul>
            </details>
            {shown}
            <DailyCharts report=report.clone() />
            <p class="report-downloads">
                "The charts' data as CSV: "
                <a download="switchboard-daily.csv" href=csv("daily")>"per day"</a>
                " · "
                <a download="switchboard-hours.csv" href=csv("hours")>"by hour of the week"</a>
            </p>
            <table class="report-table" id="people-table">
                <caption>"Per person"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"First responses"</th>
                        <th scope="col">"Median first response"</th>
                        <th scope="col">"Later replies"</th>
                        <th scope="col">"Resolutions"</th>
                    </tr>
                </thead>
                <tbody>{people}</tbody>
            </table>
            <p class="report-downloads">
                <a download="switchboard-people.csv" href=csv("people")>"Per person as CSV"</a>
            </p>
        </section>
    }
}

/// Minutes with one decimal below ten, whole above.
fn minutes(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// Volume per day by channel, first response per day, and load by hour of the week.
#[component]
fn DailyCharts(report: Report) -> impl IntoView {
    let daily = report.daily;
    let labels: Vec<String> = daily
        .days
        .iter()
        .map(|day| day.date.get(5..).unwrap_or(&day.date).to_owned())
        .collect();
    let series = daily
        .channels
        .iter()
        .enumerate()
        .map(|(index, name)| Series {
            name: name.clone(),
            values: daily
                .days
                .iter()
                .map(|day| day.messages_in.get(index).copied().unwrap_or(0) as f64)
                .collect(),
        })
        .collect();
    let first_response = daily
        .days
        .iter()
        .map(|day| {
            day.first_response_median_seconds
                .map(|seconds| seconds as f64 / 60.0)
        })
        .collect();
    let counts = daily
        .load_by_hour
        .iter()
        .map(|day| {
            let mut hours = [0_u64; 24];
            for (hour, count) in day.iter().enumerate().take(24) {
                hours[hour] = u64::try_from(*count).unwrap_or(0);
            }
            hours
        })
        .collect();
    let zone = daily.tz.clone();
    view! {
        <div class="charts">
            <StackedBars
                id="volume-chart"
                title="Messages from contacts per day, by channel".to_owned()
                description=format!("Messages contacts sent each day from {} to {}, stacked by channel.", daily.from, daily.to)
                labels=labels.clone()
                series
                unit="messages"
            />
            <Bars
                id="first-response-chart"
                title="Median first response per day, in minutes".to_owned()
                description="The median first response time of the waits that began each day.".to_owned()
                labels
                values=first_response
                unit="minutes"
                format=minutes
            />
            <Heatmap
                id="load-heatmap"
                title="Messages from contacts by hour of the week".to_owned()
                description=format!("How many messages contacts sent in each hour of the week, {zone} time, Monday first.")
                counts
                unit="messages"
            />
        </div>
    }
}

/// The conversations behind the figure chosen, each linking to the conversation.
#[component]
fn Shown(conversations: Vec<ReportConversation>) -> impl IntoView {
    let empty = conversations.is_empty();
    let rows = conversations
        .into_iter()
        .map(|conversation| {
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/conversations/{}", conversation.id)>{conversation.contact_name}</a>
                    </th>
                    <td>{conversation.channel_name}</td>
                    <td>{conversation.status}</td>
                    <td>{conversation.assignee_name.unwrap_or_else(|| "Unassigned".to_owned())}</td>
                    <td>{conversation.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section id="shown" aria-labelledby="shown-heading">
            <h3 id="shown-heading">"The conversations behind this figure"</h3>
            {if empty {
                view! { <p class="empty">"None."</p> }.into_any()
            } else {
                view! {
                    <table class="report-table" id="shown-table">
                        <thead>
                            <tr>
                                <th scope="col">"Contact"</th>
                                <th scope="col">"Channel"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Assigned to"</th>
                                <th scope="col">"In this figure"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
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
    let costs_csv = format!(
        "/api/v1/reports/costs.csv{}",
        [("from", report.from.clone()), ("to", report.to.clone())]
            .into_iter()
            .collect::<ParamsMap>()
            .to_query_string()
    );
    view! {
        <section class="card" aria-labelledby="costs-heading">
            <h2 id="costs-heading">"What messages cost"</h2>
            <form class="report-range" method="get" action="/reports">
                <label for="costs-from">"From"</label>
                <input id="costs-from" name="from" type="date" value=report.from.clone() />
                <label for="costs-to">"To"</label>
                <input id="costs-to" name="to" type="date" value=report.to.clone() />
                <button type="submit" class="primary">"Show"</button>
                <a class="button" download="switchboard-costs.csv" href=costs_csv>"Export CSV"</a>
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
