//! The satisfaction section of `/reports`: the CSAT score, the response rate, the ratings as
//! a chart with its table, and the contacts' comments, each linking to its conversation.

use leptos::prelude::*;

use crate::components::Bars;
use crate::model::CsatReport;

fn percent(value: Option<u32>) -> String {
    value.map_or_else(|| "—".to_owned(), |percent| format!("{percent} %"))
}

fn whole(count: f64) -> String {
    format!("{count:.0}")
}

#[component]
pub(super) fn Satisfaction(report: CsatReport) -> impl IntoView {
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
            let rating = comment
                .rating
                .map(|rating| format!("rated {rating} of 5"))
                .unwrap_or_else(|| "no rating".to_owned());
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
            <h2 id="csat-heading">"How satisfied contacts were"</h2>
            <dl class="figures">
                <div class="figure">
                    <dt>"Satisfaction (CSAT)"</dt>
                    <dd id="csat-score">{percent(report.score_percent)}</dd>
                </div>
                <div class="figure">
                    <dt>"Response rate"</dt>
                    <dd id="csat-response-rate">{percent(report.response_rate_percent)}</dd>
                </div>
                <div class="figure">
                    <dt>"Surveys sent"</dt>
                    <dd id="csat-sent">{report.surveys_sent}</dd>
                </div>
                <div class="figure">
                    <dt>"Answers"</dt>
                    <dd id="csat-responses">{report.responses}</dd>
                </div>
            </dl>
            <details class="definitions">
                <summary>"How satisfaction is counted"</summary>
                <ul>
                    <li>"When a conversation is resolved on a channel whose survey an admin switched on (Settings), the contact is asked to rate the help from 1 (very poor) to 5 (very good): on WhatsApp as a list inside the 24-hour window or through the chosen template outside it, on Messenger as quick replies inside its window, on SMS as a text asking for a number."</li>
                    <li>"Satisfaction is the share of answers rating 4 or 5. Response rate is the share of surveys answered. Surveys count on the day they were sent."</li>
                    <li>"An answer is taken for 3 days after the survey; a message within a day of the answer is its comment. Neither reopens the conversation."</li>
                </ul>
            </details>
            <Bars
                id="csat-chart"
                title="Answers by rating".to_owned()
                description=format!("How many contacts gave each rating from 1 to 5, of surveys sent from {} to {}.", report.from, report.to)
                labels
                values
                unit="answers"
                format=whole
                label_heading="Rating"
            />
            <h3>"Comments"</h3>
            {if no_comments {
                view! { <p class="empty">"No comment in this range."</p> }.into_any()
            } else {
                view! { <ul class="csat-comments">{comments}</ul> }.into_any()
            }}
        </section>
    }
}
