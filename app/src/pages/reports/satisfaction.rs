//! The satisfaction section of `/reports`: the CSAT score, the response rate, the ratings as
//! a chart with its table, and the contacts' comments, each linking to its conversation.

use leptos::prelude::*;

use crate::components::{Bars, ChartUnit};
use crate::i18n::{t, t_string, use_i18n};
use crate::model::CsatReport;

fn percent(value: Option<u32>) -> String {
    value.map_or_else(|| "—".to_owned(), |percent| format!("{percent} %"))
}

fn whole(count: f64) -> String {
    format!("{count:.0}")
}

#[component]
pub(super) fn Satisfaction(report: CsatReport) -> impl IntoView {
    let i18n = use_i18n();
    let labels: Vec<String> = (1..=5).map(|rating| rating.to_string()).collect();
    let values: Vec<Option<f64>> = report
        .distribution
        .iter()
        .map(|count| Some(f64::from(*count)))
        .collect();
    let comments = report
        .comments
        .iter()
        .map(|comment| {
            let rating = match comment.rating {
                Some(rating) => t!(i18n, reports.satisfaction.rated, rating).into_any(),
                None => t!(i18n, reports.satisfaction.no_rating).into_any(),
            };
            view! {
                <li>
                    <a href=format!("/conversations/{}", comment.conversation_id)>{comment.contact_name.clone()}</a>
                    " · " {rating} " · " {comment.date.clone()}
                    <blockquote dir="auto">{comment.comment.clone()}</blockquote>
                </li>
            }
        })
        .collect_view();
    let no_comments = report.comments.is_empty();
    view! {
        <section class="card" aria-labelledby="csat-heading">
            <h2 id="csat-heading">{t!(i18n, reports.satisfaction.heading)}</h2>
            <dl class="figures">
                <div class="figure">
                    <dt>{t!(i18n, reports.satisfaction.score)}</dt>
                    <dd id="csat-score">{percent(report.score_percent)}</dd>
                </div>
                <div class="figure">
                    <dt>{t!(i18n, reports.satisfaction.response_rate)}</dt>
                    <dd id="csat-response-rate">{percent(report.response_rate_percent)}</dd>
                </div>
                <div class="figure">
                    <dt>{t!(i18n, reports.satisfaction.surveys_sent)}</dt>
                    <dd id="csat-sent">{report.surveys_sent}</dd>
                </div>
                <div class="figure">
                    <dt>{t!(i18n, reports.satisfaction.answers)}</dt>
                    <dd id="csat-responses">{report.responses}</dd>
                </div>
            </dl>
            <details class="definitions">
                <summary>{t!(i18n, reports.satisfaction.definitions.summary)}</summary>
                <ul>
                    <li>{t!(i18n, reports.satisfaction.definitions.survey)}</li>
                    <li>{t!(i18n, reports.satisfaction.definitions.shares)}</li>
                    <li>{t!(i18n, reports.satisfaction.definitions.answers)}</li>
                </ul>
            </details>
            <Bars
                id="csat-chart"
                title=t_string!(i18n, reports.satisfaction.chart.title).to_owned()
                description=t_string!(i18n, reports.satisfaction.chart.description, from = &report.from, to = &report.to).to_string()
                labels
                values
                unit=ChartUnit::Answers
                format=whole
                label_heading=t_string!(i18n, reports.satisfaction.chart.rating)
            />
            <h3>{t!(i18n, reports.satisfaction.comments)}</h3>
            {if no_comments {
                view! { <p class="empty">{t!(i18n, reports.satisfaction.no_comments)}</p> }.into_any()
            } else {
                view! { <ul class="csat-comments">{comments}</ul> }.into_any()
            }}
        </section>
    }
}
