//! Satisfaction surveys: the survey sent when a conversation is resolved, the answer and
//! comment that come back through the webhooks, and what Reports read of them.

use sqlx::AnyConnection;

use super::data_requests::{AutomaticMessage, insert_automatic_message};
use super::reports::ReportFilter;
use super::{Store, StoreResult, now_ms};
use crate::domain::satisfaction::{AnswerInput, InboundOutcome, Rating, SurveyState, on_inbound};

/// The survey message to send when a conversation is resolved, as the delivery worker reads it.
pub struct NewSurvey<'a> {
    pub conversation_id: i64,
    pub channel_id: i64,
    pub resolved_by: Option<i64>,
    pub kind: &'a str,
    pub body: &'a str,
    pub content: &'a str,
}

/// What an inbound message says to a survey: a tap on one of its choices (the row's id, the
/// quick reply's payload) or the message's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SurveyInput {
    Tap(String),
    Text(String),
}

impl SurveyInput {
    fn as_answer(&self) -> AnswerInput<'_> {
        match self {
            SurveyInput::Tap(payload) => AnswerInput::Payload(payload),
            SurveyInput::Text(text) => AnswerInput::Text(text),
        }
    }
}

/// An inbound message taken by a survey: which one, and whether it was the answer or the
/// comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TakenBySurvey {
    pub survey_id: i64,
    pub part: &'static str,
    /// The first answer to a survey whose thank-you has not gone yet.
    pub wants_thanks: bool,
}

/// A survey as Reports read it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SurveyRow {
    pub conversation_id: i64,
    pub contact_name: String,
    pub asked_at: i64,
    pub rating: Option<i64>,
    pub answered_at: Option<i64>,
    pub comment: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OpenSurvey {
    id: i64,
    asked_at: i64,
    rating: Option<i64>,
    answered_at: Option<i64>,
    comment: Option<String>,
    set_aside: i64,
    thanked_at: Option<i64>,
}

impl OpenSurvey {
    fn state(&self) -> SurveyState {
        let answered = self
            .rating
            .and_then(Rating::from_stored)
            .zip(self.answered_at);
        SurveyState {
            asked_at: self.asked_at,
            answered,
            comment: self.comment.clone(),
            set_aside: self.set_aside != 0,
        }
    }
}

/// Reads the inbound message `message_id`, received at `at` (the provider's time), against the
/// conversation's survey still open then, and records what it is. Returns the survey and the
/// message's part in it when the message is its answer or comment; such a message stays out
/// of the conversation's queue.
pub(super) async fn take_for_survey(
    tx: &mut AnyConnection,
    conversation_id: i64,
    message_id: i64,
    input: &SurveyInput,
    at: i64,
) -> StoreResult<Option<TakenBySurvey>> {
    let open: Option<OpenSurvey> = sqlx::query_as(
        "SELECT id, asked_at, rating, answered_at, comment, set_aside, thanked_at \
         FROM satisfaction_surveys WHERE conversation_id = $1 AND open_until >= $2 AND asked_at <= $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(conversation_id)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(open) = open else {
        return Ok(None);
    };
    let mut state = open.state();
    let outcome = on_inbound(&mut state, input.as_answer(), at);
    sqlx::query(
        "UPDATE satisfaction_surveys SET rating = $1, answered_at = $2, comment = $3, set_aside = $4, \
         open_until = $5 WHERE id = $6",
    )
    .bind(state.answered.map(|(rating, _)| i64::from(rating.value())))
    .bind(state.answered.map(|(_, at)| at))
    .bind(state.comment.clone())
    .bind(i64::from(state.set_aside))
    .bind(state.open_until())
    .bind(open.id)
    .execute(&mut *tx)
    .await?;
    let part = match outcome {
        InboundOutcome::Answer(_) => "answer",
        InboundOutcome::Comment(_) => "comment",
        InboundOutcome::NotForSurvey => return Ok(None),
    };
    sqlx::query("UPDATE messages SET survey_id = $1, survey_part = $2 WHERE id = $3")
        .bind(open.id)
        .bind(part)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
    Ok(Some(TakenBySurvey {
        survey_id: open.id,
        part,
        wants_thanks: part == "answer" && open.thanked_at.is_none(),
    }))
}

impl Store {
    /// Commits a survey with its question and the question's delivery job; returns the
    /// survey's id. Nothing is sent when the conversation's previous survey still waits for an
    /// answer: a conversation resolved, reopened and resolved again asks once.
    pub async fn ask_for_rating(
        &self,
        survey: NewSurvey<'_>,
        open_until: impl Fn(i64) -> i64,
    ) -> StoreResult<Option<i64>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM satisfaction_surveys WHERE conversation_id = $1 \
             AND rating IS NULL AND set_aside = 0 AND open_until >= $2",
        )
        .bind(survey.conversation_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        if waiting > 0 {
            return Ok(None);
        }
        let survey_id: i64 = sqlx::query_scalar(
            "INSERT INTO satisfaction_surveys (conversation_id, channel_id, resolved_by, asked_at, open_until) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(survey.conversation_id)
        .bind(survey.channel_id)
        .bind(survey.resolved_by)
        .bind(now)
        .bind(open_until(now))
        .fetch_one(&mut *tx)
        .await?;
        let question = AutomaticMessage {
            kind: survey.kind,
            body: survey.body,
            content: survey.content,
            survey: Some((survey_id, "question")),
        };
        insert_automatic_message(
            &mut tx,
            survey.conversation_id,
            survey.channel_id,
            None,
            &question,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(survey_id))
    }

    /// The conversation and channel of a survey whose thank-you has not been queued, marking it
    /// queued; `None` when it has been (or the survey is gone).
    pub async fn survey_to_thank(&self, survey_id: i64) -> StoreResult<Option<(i64, i64)>> {
        Ok(sqlx::query_as(
            "UPDATE satisfaction_surveys SET thanked_at = $1 WHERE id = $2 AND thanked_at IS NULL \
             RETURNING conversation_id, channel_id",
        )
        .bind(now_ms())
        .bind(survey_id)
        .fetch_optional(&self.writer)
        .await?)
    }

    /// Queues the thank-you for an answered survey.
    pub async fn thank_for_rating(
        &self,
        survey_id: i64,
        conversation_id: i64,
        channel_id: i64,
        body: &str,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let thanks = AutomaticMessage {
            kind: "text",
            body,
            content: "{}",
            survey: Some((survey_id, "thanks")),
        };
        insert_automatic_message(
            &mut tx,
            conversation_id,
            channel_id,
            None,
            &thanks,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Surveys sent in `from..to` (epoch ms) to the conversations `filter` keeps, oldest first.
    pub async fn surveys_sent(
        &self,
        from: i64,
        to: i64,
        filter: ReportFilter,
    ) -> StoreResult<Vec<SurveyRow>> {
        let (conditions, values) = filter.conditions("s", "conversation_id", 3);
        let sql = format!(
            "SELECT s.conversation_id, ct.name AS contact_name, s.asked_at, s.rating, \
                    s.answered_at, s.comment \
             FROM satisfaction_surveys s JOIN conversations c ON c.id = s.conversation_id \
             JOIN contacts ct ON ct.id = c.contact_id \
             WHERE s.asked_at >= $1 AND s.asked_at < $2{conditions} ORDER BY s.asked_at, s.id"
        );
        let mut query = sqlx::query_as(&sql).bind(from).bind(to);
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_all(&self.pool).await?)
    }
}
