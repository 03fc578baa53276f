//! `/reports`: how the service is doing and what it costs, for coordinators and admins. The
//! range and filters are a plain GET form, so a report is a link and works before the page
//! hydrates; every figure links to the conversations behind it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

mod satisfaction;

use crate::api::{get_cost_report, get_csat_report, get_report};
use crate::components::{Bars, ChartUnit, Heatmap, Layout, Series, StackedBars};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::{
    ConversationStatus, CostQuery, CostReport, DurationParts, Me, Permission, Report,
    ReportConversation, ReportFigure, ReportQuery, TimeFigure,
};
use crate::tracking::tracked_in_browser;
use satisfaction::Satisfaction;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, reports.title) />
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
    let i18n = use_i18n();
    if !me.role.can(Permission::Supervise) {
        return view! {
            <main class="page">
                <h1>{t!(i18n, reports.heading)}</h1>
                <p class="notice notice-error" role="alert">{t!(i18n, reports.only_supervisors)}</p>
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
            <h1>{t!(i18n, reports.heading)}</h1>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Service report query=query.get_untracked() /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    match csat.await {
                        Ok(report) => view! { <Satisfaction report /> }.into_any(),
                        Err(error) => view! {
                            <p class="notice notice-error" role="alert">{error.message}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
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

/// A count of the summary, linking to the conversations behind it.
fn count_figure(
    label: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    value: i64,
    href: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="figure">
            <dt>{label}</dt>
            <dd>
                <a href=href aria-label=move || t_string!(i18n, reports.service.list, label = label(), value).to_string()>
                    {value}
                </a>
            </dd>
        </div>
    }
}

/// A length of time as the page's language says it: "3 h 5 min", "—" for nothing measured.
fn duration_text(seconds: Option<i64>) -> String {
    let i18n = use_i18n();
    match seconds.map(DurationParts::of) {
        None => t_string!(i18n, reports.duration.none).to_string(),
        Some(DurationParts::Seconds(seconds)) => {
            t_string!(i18n, reports.duration.seconds, seconds).to_string()
        }
        Some(DurationParts::Minutes(minutes)) => {
            t_string!(i18n, reports.duration.minutes, minutes).to_string()
        }
        Some(DurationParts::Hours(hours)) => {
            t_string!(i18n, reports.duration.hours, hours).to_string()
        }
        Some(DurationParts::HoursMinutes(hours, minutes)) => {
            t_string!(i18n, reports.duration.hours_minutes, hours, minutes).to_string()
        }
        Some(DurationParts::Days(days)) => t_string!(i18n, reports.duration.days, days).to_string(),
        Some(DurationParts::DaysHours(days, hours)) => {
            t_string!(i18n, reports.duration.days_hours, days, hours).to_string()
        }
    }
}

/// A kind of wait: its median, linking to the conversations behind it, its 90th percentile and
/// how many waits were measured.
fn time_figure(
    label: impl Fn() -> &'static str + Copy + Send + Sync + 'static,
    figure: TimeFigure,
    href: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let TimeFigure {
        median_seconds,
        p90_seconds,
        count,
        ..
    } = figure;
    let median = duration_text(median_seconds);
    let p90 = duration_text(p90_seconds);
    view! {
        <div class="figure">
            <dt>{label}</dt>
            <dd>
                <a
                    href=href
                    aria-label={
                        let median = median.clone();
                        move || t_string!(i18n, reports.service.list_median, label = label(), median = median.clone()).to_string()
                    }
                >
                    {median.clone()}
                </a>
                <span class="figure-detail">
                    {t!(i18n, reports.service.time_detail, p90 = move || p90.clone(), count)}
                </span>
            </dd>
        </div>
    }
}

#[component]
fn Service(report: Report, query: ReportQuery) -> impl IntoView {
    let i18n = use_i18n();
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
    let (daily_csv, hours_csv) = (csv("daily"), csv("hours"));
    let range_words = {
        let (from, to, tz) = (summary.from.clone(), summary.to.clone(), summary.tz.clone());
        let business_hours = summary.business_hours;
        move || {
            let (from, to, tz) = (from.clone(), to.clone(), tz.clone());
            if business_hours {
                t_string!(i18n, reports.service.range_in_business_hours, from, to, tz).to_string()
            } else {
                t_string!(i18n, reports.service.range, from, to, tz).to_string()
            }
        }
    };
    let people = report
        .people
        .iter()
        .map(|person| {
            view! {
                <tr>
                    <th scope="row">{person.name.clone()}</th>
                    <td class="number">{person.first_responses}</td>
                    <td class="number">{duration_text(person.first_response.median_seconds)}</td>
                    <td class="number">{person.replies}</td>
                    <td class="number">{person.resolutions}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = report
        .shown
        .clone()
        .zip(query.show)
        .map(|(conversations, figure)| view! { <Shown conversations figure /> });
    view! {
        <section class="card" aria-labelledby="service-heading">
            <h2 id="service-heading">{t!(i18n, reports.service.heading)}</h2>
            <form class="report-range" method="get" action="/reports">
                <label for="report-from">{t!(i18n, reports.from)}</label>
                <input id="report-from" name="from" type="date" value=summary.from.clone() />
                <label for="report-to">{t!(i18n, reports.to)}</label>
                <input id="report-to" name="to" type="date" value=summary.to.clone() />
                <label for="report-tz">{t!(i18n, reports.service.time_zone)}</label>
                <input id="report-tz" name="tz" value=summary.tz.clone() size="16" />
                <label for="report-channel">{t!(i18n, reports.channel)}</label>
                <select id="report-channel" name="channel_id">
                    <option value="">{t!(i18n, reports.service.all_channels)}</option>
                    {options(&report.channels, query.channel_id)}
                </select>
                <label for="report-tag">{t!(i18n, reports.service.tag)}</label>
                <select id="report-tag" name="tag_id">
                    <option value="">{t!(i18n, reports.service.all_tags)}</option>
                    {options(&report.tags, query.tag_id)}
                </select>
                <label for="report-person">{t!(i18n, reports.service.assigned_to)}</label>
                <select id="report-person" name="user_id">
                    <option value="">{t!(i18n, reports.service.anyone)}</option>
                    {options(&report.people_choices, query.user_id)}
                </select>
                {report.business_hours_set.then(|| view! {
                    <label class="inline-check">
                        <input type="checkbox" name="business_hours" value="true" checked=summary.business_hours />
                        {t!(i18n, reports.service.in_business_hours)}
                    </label>
                })}
                <button type="submit" class="primary">{t!(i18n, reports.show)}</button>
                <a class="button" download="switchboard-conversations.csv" href=csv("conversations")>{t!(i18n, reports.service.export)}</a>
            </form>
            <p class="report-range-words">{range_words}</p>
            <dl class="figures" id="report-figures">
                {count_figure(move || t_string!(i18n, reports.service.figures.opened), summary.conversations_opened, link(ReportFigure::Opened))}
                {count_figure(move || t_string!(i18n, reports.service.figures.resolved), summary.conversations_resolved, link(ReportFigure::Resolved))}
                {count_figure(move || t_string!(i18n, reports.service.figures.still_open), summary.still_open, link(ReportFigure::StillOpen))}
                {count_figure(move || t_string!(i18n, reports.service.figures.unanswered), summary.unanswered, link(ReportFigure::Unanswered))}
                <div class="figure"><dt>{t!(i18n, reports.service.figures.messages_in)}</dt><dd>{summary.messages_in}</dd></div>
                <div class="figure"><dt>{t!(i18n, reports.service.figures.messages_out)}</dt><dd>{summary.messages_out}</dd></div>
                {time_figure(move || t_string!(i18n, reports.service.figures.first_response), summary.first_response.clone(), link(ReportFigure::FirstResponse))}
                {time_figure(move || t_string!(i18n, reports.service.figures.reply), summary.reply.clone(), link(ReportFigure::Reply))}
                {time_figure(move || t_string!(i18n, reports.service.figures.resolution), summary.resolution.clone(), link(ReportFigure::Resolution))}
            </dl>
            <details class="definitions">
                <summary>{t!(i18n, reports.service.definitions.summary)}</summary>
                <ul>
                    <li>{t!(i18n, reports.service.definitions.open_period)}</li>
                    <li>{t!(i18n, reports.service.definitions.first_response)}</li>
                    <li>{t!(i18n, reports.service.definitions.reply)}</li>
                    <li>{t!(i18n, reports.service.definitions.resolution)}</li>
                    <li>{t!(i18n, reports.service.definitions.waits)}</li>
                    <li>{t!(i18n, reports.service.definitions.counts)}</li>
                </ul>
            </details>
            {shown}
            <DailyCharts report=report.clone() />
            <p class="report-downloads">
                {t!(
                    i18n,
                    reports.service.downloads,
                    <day> = move |children: ChildrenFn| view! {
                        <a download="switchboard-daily.csv" href=daily_csv.clone()>{children()}</a>
                    },
                    <hours> = move |children: ChildrenFn| view! {
                        <a download="switchboard-hours.csv" href=hours_csv.clone()>{children()}</a>
                    }
                )}
            </p>
            <table class="report-table" id="people-table">
                <caption>{t!(i18n, reports.service.people.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, reports.service.people.person)}</th>
                        <th scope="col">{t!(i18n, reports.service.people.first_responses)}</th>
                        <th scope="col">{t!(i18n, reports.service.people.median_first_response)}</th>
                        <th scope="col">{t!(i18n, reports.service.people.later_replies)}</th>
                        <th scope="col">{t!(i18n, reports.service.people.resolutions)}</th>
                    </tr>
                </thead>
                <tbody>{people}</tbody>
            </table>
            <p class="report-downloads">
                <a download="switchboard-people.csv" href=csv("people")>{t!(i18n, reports.service.people.csv)}</a>
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
    let i18n = use_i18n();
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
    let (from, to, zone) = (&daily.from, &daily.to, &daily.tz);
    view! {
        <div class="charts">
            <StackedBars
                id="volume-chart"
                title=t_string!(i18n, reports.service.volume_chart.title).to_owned()
                description=t_string!(i18n, reports.service.volume_chart.description, from, to).to_string()
                labels=labels.clone()
                series
                unit=ChartUnit::Messages
            />
            <Bars
                id="first-response-chart"
                title=t_string!(i18n, reports.service.first_response_chart.title).to_owned()
                description=t_string!(i18n, reports.service.first_response_chart.description).to_owned()
                labels
                values=first_response
                unit=ChartUnit::Minutes
                format=minutes
            />
            <Heatmap
                id="load-heatmap"
                title=t_string!(i18n, reports.service.load_chart.title).to_owned()
                description=t_string!(i18n, reports.service.load_chart.description, zone).to_string()
                counts
                unit=ChartUnit::Messages
            />
        </div>
    }
}

/// The conversations behind the figure chosen, each linking to the conversation.
#[component]
fn Shown(conversations: Vec<ReportConversation>, figure: ReportFigure) -> impl IntoView {
    let i18n = use_i18n();
    let empty = conversations.is_empty();
    let rows = conversations
        .into_iter()
        .map(|conversation| {
            let contribution = contribution(figure, &conversation);
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/conversations/{}", conversation.id)>{conversation.contact_name}</a>
                    </th>
                    <td>{conversation.channel_name}</td>
                    <td>{status_name(&conversation.status)}</td>
                    <td>
                        {match conversation.assignee_name {
                            Some(name) => name.into_any(),
                            None => t!(i18n, reports.shown.unassigned).into_any(),
                        }}
                    </td>
                    <td>{contribution}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section id="shown" aria-labelledby="shown-heading">
            <h3 id="shown-heading">{t!(i18n, reports.shown.heading)}</h3>
            {if empty {
                view! { <p class="empty">{t!(i18n, reports.shown.none)}</p> }.into_any()
            } else {
                view! {
                    <table class="report-table" id="shown-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, reports.shown.contact)}</th>
                                <th scope="col">{t!(i18n, reports.channel)}</th>
                                <th scope="col">{t!(i18n, reports.shown.status)}</th>
                                <th scope="col">{t!(i18n, reports.shown.assigned_to)}</th>
                                <th scope="col">{t!(i18n, reports.shown.in_figure)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// What a conversation contributed to `figure`: "Now open", "First response 12 min".
fn contribution(figure: ReportFigure, conversation: &ReportConversation) -> String {
    let i18n = use_i18n();
    let duration = duration_text(conversation.seconds);
    match figure {
        ReportFigure::Opened | ReportFigure::StillOpen => {
            let status = status_name(&conversation.status);
            t_string!(i18n, reports.shown.detail.now, status).to_string()
        }
        ReportFigure::Unanswered => t_string!(i18n, reports.shown.detail.no_reply).to_string(),
        ReportFigure::FirstResponse => {
            t_string!(i18n, reports.shown.detail.first_response, duration).to_string()
        }
        ReportFigure::Reply => t_string!(i18n, reports.shown.detail.reply, duration).to_string(),
        ReportFigure::Resolved | ReportFigure::Resolution => {
            t_string!(i18n, reports.shown.detail.resolved_after, duration).to_string()
        }
    }
}

/// A conversation's status ("open") in the page's language; one the interface does not know is
/// shown as the server sent it.
fn status_name(status: &str) -> String {
    let i18n = use_i18n();
    match ConversationStatus::parse(status) {
        Some(ConversationStatus::Open) => t_string!(i18n, reports.shown.statuses.open).to_owned(),
        Some(ConversationStatus::Pending) => {
            t_string!(i18n, reports.shown.statuses.pending).to_owned()
        }
        Some(ConversationStatus::Snoozed) => {
            t_string!(i18n, reports.shown.statuses.snoozed).to_owned()
        }
        Some(ConversationStatus::Resolved) => {
            t_string!(i18n, reports.shown.statuses.resolved).to_owned()
        }
        None => status.to_owned(),
    }
}

#[component]
fn Costs(report: CostReport) -> impl IntoView {
    let i18n = use_i18n();
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
                    <td class="number">
                        {match row.budget.clone() {
                            Some(budget) => budget.into_any(),
                            None => t!(i18n, reports.costs.no_budget).into_any(),
                        }}
                    </td>
                    <td class="number">
                        {used}
                        {over.then(|| view! { <span class="budget-flag">{t!(i18n, reports.costs.near_budget)}</span> })}
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
    let (from, to) = (report.from.clone(), report.to.clone());
    let costs_csv = format!(
        "/api/v1/reports/costs.csv{}",
        [("from", report.from.clone()), ("to", report.to.clone())]
            .into_iter()
            .collect::<ParamsMap>()
            .to_query_string()
    );
    view! {
        <section class="card" aria-labelledby="costs-heading">
            <h2 id="costs-heading">{t!(i18n, reports.costs.heading)}</h2>
            <form class="report-range" method="get" action="/reports">
                <label for="costs-from">{t!(i18n, reports.from)}</label>
                <input id="costs-from" name="from" type="date" value=report.from.clone() />
                <label for="costs-to">{t!(i18n, reports.to)}</label>
                <input id="costs-to" name="to" type="date" value=report.to.clone() />
                <button type="submit" class="primary">{t!(i18n, reports.show)}</button>
                <a class="button" download="switchboard-costs.csv" href=costs_csv>{t!(i18n, reports.costs.export)}</a>
            </form>
            <p class="report-total">
                {t!(i18n, reports.costs.total, from = move || from.clone(), to = move || to.clone())}
                <strong id="cost-total">{report.total.clone()}</strong>
            </p>
            <details class="definitions">
                <summary>{t!(i18n, reports.costs.definitions.summary)}</summary>
                <ul>
                    <li>{t!(i18n, reports.costs.definitions.whatsapp)}</li>
                    <li>{t!(i18n, reports.costs.definitions.sms)}</li>
                    <li>{t!(i18n, reports.costs.definitions.messenger)}</li>
                    <li>{t!(i18n, reports.costs.definitions.months)}</li>
                </ul>
            </details>
            {if empty {
                view! { <p class="empty">{t!(i18n, reports.costs.none)}</p> }.into_any()
            } else {
                view! {
                    <table class="report-table" id="spending-table">
                        <caption>{t!(i18n, reports.costs.spending_caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, reports.month)}</th>
                                <th scope="col">{t!(i18n, reports.channel)}</th>
                                <th scope="col">{t!(i18n, reports.costs.spent)}</th>
                                <th scope="col">{t!(i18n, reports.costs.budget)}</th>
                                <th scope="col">{t!(i18n, reports.costs.used)}</th>
                            </tr>
                        </thead>
                        <tbody>{spending}</tbody>
                    </table>
                    <table class="report-table" id="cost-table">
                        <caption>{t!(i18n, reports.costs.cost_caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, reports.month)}</th>
                                <th scope="col">{t!(i18n, reports.channel)}</th>
                                <th scope="col">{t!(i18n, reports.costs.category)}</th>
                                <th scope="col">{t!(i18n, reports.costs.messages)}</th>
                                <th scope="col">{t!(i18n, reports.costs.cost)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
