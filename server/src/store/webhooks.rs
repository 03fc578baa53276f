//! Recording a webhook delivery: the raw event and everything it means (contacts,
//! conversations, messages, statuses, consent) are committed in one transaction, before the
//! provider is acknowledged. A delivery seen before (same body) is recognised and not applied
//! twice; a message seen before (same provider id on the channel) is never stored twice.

use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use super::costs::{NewCost, record_cost};
use super::satisfaction::{SurveyInput, take_for_survey};
use super::{Backend, Store, StoreError, StoreResult, lock_provider_message, now_ms};

/// One change a webhook asks for, already translated from the provider's format.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Inbound(NewInbound),
    Echo(NewEcho),
    Status(StatusChange),
    Watermark(WatermarkChange),
    Reaction(ReactionChange),
    TemplateStatus(TemplateStatusChange),
}

/// A message a contact sent.
#[derive(Clone, Debug, PartialEq)]
pub struct NewInbound {
    /// As the channel writes it: E.164, Twilio's `whatsapp:+E164`, or the provider's scoped id.
    pub address: String,
    /// Phone addresses identify a person across channels, however written; scoped ids do not.
    pub address_is_phone: bool,
    /// The channel carries SMS and WhatsApp under one number (Twilio), so the person's identity
    /// follows the network they last wrote on.
    pub two_networks: bool,
    pub profile_name: Option<String>,
    pub provider_message_id: String,
    /// Epoch ms, as the provider dates the message.
    pub sent_at: i64,
    pub kind: String,
    pub body: String,
    pub content: String,
    pub reply_to: Option<String>,
    pub attachments: Vec<NewAttachment>,
    /// `opt_out`, `opt_in` or `help`, from an SMS keyword.
    pub consent: Option<&'static str>,
    /// The risk word or phrase the text holds, which makes the conversation urgent.
    pub risk_word: Option<String>,
    /// Set when the text asks for erasure: the request is recorded with the message and this
    /// acknowledgement queued to the contact.
    pub erasure_answer: Option<String>,
    /// What the message says to a satisfaction survey waiting for an answer, if it can say
    /// anything (a consent keyword cannot).
    pub survey_input: Option<SurveyInput>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttachment {
    pub kind: String,
    pub mime_type: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    /// A WhatsApp media id or a URL.
    pub source: String,
}

/// A message sent from the channel by someone else (Messenger Page Inbox, another app).
#[derive(Clone, Debug, PartialEq)]
pub struct NewEcho {
    pub address: String,
    pub provider_message_id: String,
    pub sent_at: i64,
    pub kind: String,
    pub body: String,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub provider_message_id: String,
    /// `queued`, `sent`, `delivered`, `read` or `failed`.
    pub status: &'static str,
    /// Progress order: a message never moves to a lower rank.
    pub rank: i64,
    pub error_code: Option<String>,
    pub error_title: Option<String>,
    /// The recipient unsubscribed (e.g. Twilio 21610): record their opt-out.
    pub opted_out_address: Option<String>,
    /// What the provider says the message cost, priced.
    pub cost: Option<NewCost>,
}

/// Messenger's receipts without message ids: every message sent to `recipient` up to `before`
/// has reached `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatermarkChange {
    pub recipient: String,
    pub before: i64,
    pub status: &'static str,
    pub rank: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionChange {
    pub target_provider_message_id: String,
    /// `None` removes the contact's reaction.
    pub emoji: Option<String>,
    /// Epoch ms, as the provider dates the reaction: a delivery tried again later never
    /// overrides a reaction the contact made after it.
    pub reacted_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateStatusChange {
    pub provider_template_id: String,
    pub name: String,
    pub language: Option<String>,
    pub status: String,
    pub reason: Option<String>,
}

/// The delivery as received.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub provider: &'static str,
    pub channel_id: Option<i64>,
    pub dedupe_key: String,
    pub body: String,
    /// The signature header as sent and the path (with query) it was posted to, so that
    /// processing it again checks it again against the channels connected by then.
    pub signature: Option<String>,
    pub request_path: String,
}

/// Part of a delivery that could not be applied, kept with the event for admins to see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub reason: String,
    /// Whether trying again later may succeed: a channel connected since, the message a
    /// reaction is for arrived since. A payload that cannot be understood never will be.
    pub may_resolve: bool,
}

impl Problem {
    pub fn lasting(reason: impl Into<String>) -> Problem {
        Problem {
            reason: reason.into(),
            may_resolve: false,
        }
    }

    pub fn for_now(reason: impl Into<String>) -> Problem {
        Problem {
            reason: reason.into(),
            may_resolve: true,
        }
    }
}

/// What processing a delivery means for the store: its changes (each for its channel), what
/// could not be understood, and when to try again if some of that may resolve later.
#[derive(Clone, Debug, Default)]
pub struct Processing {
    pub changes: Vec<(i64, Change)>,
    pub problems: Vec<Problem>,
    pub retry_at: Option<i64>,
}

impl Processing {
    /// The problems as admins read them, and when to try again (only if one may resolve).
    fn verdict(&self) -> (Option<String>, Option<i64>) {
        let error = (!self.problems.is_empty()).then(|| {
            self.problems
                .iter()
                .map(|problem| problem.reason.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        });
        let waiting = self.problems.iter().any(|problem| problem.may_resolve);
        (error, self.retry_at.filter(|_| waiting))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    Stored {
        event_id: i64,
        follow_ups: FollowUps,
    },
    Duplicate,
}

/// What committed changes call for from the services once durable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUps {
    /// The conversations a risk word made urgent, with the word: coordinators are alerted.
    pub flagged_urgent: Vec<(i64, String)>,
    /// The conversations where an erasure request was recorded and its acknowledgement queued.
    pub erasure_requested: Vec<i64>,
    /// The channels and months (YYYY-MM) that a message's cost was recorded in: their budgets
    /// are checked.
    pub priced: Vec<(i64, String)>,
    /// Surveys answered for the first time: the contact is thanked.
    pub surveys_answered: Vec<i64>,
}

/// What applying a delivery's changes found: problems to keep with it, and what to do once
/// committed.
#[derive(Debug, Default)]
struct Applied {
    problems: Vec<Problem>,
    follow_ups: FollowUps,
}

/// SQL that ranks a stored status the way [`StatusChange::rank`] does.
const STATUS_RANK: &str = "CASE status WHEN 'received' THEN 0 WHEN 'pending' THEN 0 WHEN 'queued' THEN 1 \
     WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'failed' THEN 5 ELSE 0 END";

/// The most deliveries one SQLite transaction takes (see [`write_webhooks`]).
const MOST_PER_COMMIT: usize = 64;

/// A delivery waiting for the SQLite writer, and who waits for it to be durable.
#[derive(Debug)]
pub(super) struct Job {
    delivery: Delivery,
    processing: Processing,
    done: oneshot::Sender<StoreResult<Recorded>>,
}

pub(super) type Jobs = mpsc::UnboundedSender<Job>;

/// Group commit for SQLite, which writes one transaction at a time: the deliveries that queued
/// while the previous transaction was being written are applied together and committed once,
/// so each costs its statements but shares the transaction's page writes. Each caller is
/// answered only after the commit that holds its delivery. If anything in a group fails, the
/// group is rolled back and its deliveries are applied one transaction each, so one delivery's
/// failure is only its own.
pub(super) fn start_writing_webhooks(writer: AnyPool, backend: Backend) -> Jobs {
    let (jobs, queue) = mpsc::unbounded_channel();
    tokio::spawn(write_webhooks(writer, backend, queue));
    jobs
}

async fn write_webhooks(
    writer: AnyPool,
    backend: Backend,
    mut queue: mpsc::UnboundedReceiver<Job>,
) {
    let mut group = Vec::with_capacity(MOST_PER_COMMIT);
    while queue.recv_many(&mut group, MOST_PER_COMMIT).await > 0 {
        let together = if group.len() > 1 {
            record_together(&writer, backend, &group).await.ok()
        } else {
            None
        };
        match together {
            Some(outcomes) => {
                for (job, outcome) in group.drain(..).zip(outcomes) {
                    let _ = job.done.send(Ok(outcome));
                }
            }
            None => {
                for job in group.drain(..) {
                    let outcome =
                        record_alone(&writer, backend, &job.delivery, &job.processing).await;
                    let _ = job.done.send(outcome);
                }
            }
        }
    }
}

async fn record_together(
    writer: &AnyPool,
    backend: Backend,
    group: &[Job],
) -> StoreResult<Vec<Recorded>> {
    let mut tx = writer.begin().await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for job in group {
        outcomes.push(record(&mut tx, backend, &job.delivery, &job.processing).await?);
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn record_alone(
    writer: &AnyPool,
    backend: Backend,
    delivery: &Delivery,
    processing: &Processing,
) -> StoreResult<Recorded> {
    let mut tx = writer.begin().await?;
    let outcome = record(&mut tx, backend, delivery, processing).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Stores a delivery and applies its changes, in the caller's transaction; a delivery seen
/// before changes nothing.
async fn record(
    tx: &mut AnyConnection,
    backend: Backend,
    delivery: &Delivery,
    processing: &Processing,
) -> StoreResult<Recorded> {
    let now = now_ms();
    let (error, retry_at) = processing.verdict();
    let event_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO webhook_events (provider, channel_id, dedupe_key, body, signature, request_path, \
         received_at, processed_at, error, retry_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(delivery.provider)
    .bind(delivery.channel_id)
    .bind(&delivery.dedupe_key)
    .bind(&delivery.body)
    .bind(&delivery.signature)
    .bind(&delivery.request_path)
    .bind(now)
    .bind(error)
    .bind(retry_at)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = event_id else {
        return Ok(Recorded::Duplicate);
    };
    let Applied {
        problems: found,
        follow_ups,
    } = apply_all(tx, backend, &processing.changes, now).await?;
    if !found.is_empty() {
        let mut processing = Processing {
            changes: Vec::new(),
            problems: processing.problems.clone(),
            retry_at: processing.retry_at,
        };
        processing.problems.extend(found);
        let (error, retry_at) = processing.verdict();
        sqlx::query("UPDATE webhook_events SET error = $1, retry_at = $2 WHERE id = $3")
            .bind(error)
            .bind(retry_at)
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(Recorded::Stored {
        event_id,
        follow_ups,
    })
}

/// Applies each change for its channel; returns the problems found on the way and the
/// conversations made urgent.
async fn apply_all(
    tx: &mut AnyConnection,
    backend: Backend,
    changes: &[(i64, Change)],
    now: i64,
) -> StoreResult<Applied> {
    let mut applied = Applied::default();
    for (channel_id, change) in changes {
        apply(tx, backend, *channel_id, change, now, &mut applied).await?;
    }
    Ok(applied)
}

impl Store {
    /// Stores a delivery and applies its changes atomically, durably before it returns.
    pub async fn record_webhook(
        &self,
        delivery: Delivery,
        processing: Processing,
    ) -> StoreResult<Recorded> {
        match &self.webhook_jobs {
            Some(jobs) => {
                let (done, outcome) = oneshot::channel();
                jobs.send(Job {
                    delivery,
                    processing,
                    done,
                })
                .map_err(|_| StoreError::Closed)?;
                outcome.await.map_err(|_| StoreError::Closed)?
            }
            None => record_alone(&self.writer, self.backend, &delivery, &processing).await,
        }
    }

    /// Keeps a delivery whose changes could not be applied, unprocessed, with the reason.
    pub async fn record_unprocessed_webhook(
        &self,
        delivery: &Delivery,
        reason: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<Recorded> {
        let event_id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO webhook_events (provider, channel_id, dedupe_key, body, signature, \
             request_path, received_at, error, retry_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        )
        .bind(delivery.provider)
        .bind(delivery.channel_id)
        .bind(&delivery.dedupe_key)
        .bind(&delivery.body)
        .bind(&delivery.signature)
        .bind(&delivery.request_path)
        .bind(now_ms())
        .bind(reason)
        .bind(retry_at)
        .fetch_optional(&self.writer)
        .await?;
        Ok(
            event_id.map_or(Recorded::Duplicate, |event_id| Recorded::Stored {
                event_id,
                follow_ups: FollowUps::default(),
            }),
        )
    }
}

/// Applies one change; adds to `applied` a problem to keep with the event when it cannot be
/// applied, and a conversation it made urgent.
async fn apply(
    tx: &mut AnyConnection,
    backend: Backend,
    channel_id: i64,
    change: &Change,
    now: i64,
    applied: &mut Applied,
) -> StoreResult<()> {
    let problem = match change {
        Change::Inbound(message) => {
            insert_inbound(tx, channel_id, message, now, &mut applied.follow_ups).await?;
            None
        }
        Change::Echo(echo) => {
            insert_echo(tx, channel_id, echo, now).await?;
            None
        }
        Change::Status(status) => {
            apply_status(tx, backend, channel_id, status, now).await?;
            if let Some(cost) = &status.cost {
                record_cost(tx, channel_id, &status.provider_message_id, cost).await?;
                let priced = (channel_id, cost.month.clone());
                if !applied.follow_ups.priced.contains(&priced) {
                    applied.follow_ups.priced.push(priced);
                }
            }
            None
        }
        Change::Watermark(watermark) => {
            apply_watermark(tx, channel_id, watermark, now).await?;
            None
        }
        Change::Reaction(reaction) => apply_reaction(tx, channel_id, reaction).await?,
        Change::TemplateStatus(template) => {
            apply_template_status(tx, channel_id, template, now).await?
        }
    };
    applied.problems.extend(problem.map(Problem::for_now));
    Ok(())
}

/// How Twilio writes a WhatsApp number (`whatsapp:+E164`). The same number without it is SMS,
/// or any other channel: both spellings are one person.
const TWILIO_WHATSAPP: &str = "whatsapp:";

/// A phone address written both ways: bare E.164, and as Twilio's WhatsApp address.
fn spellings(address: &str) -> (String, String) {
    let number = address.strip_prefix(TWILIO_WHATSAPP).unwrap_or(address);
    (number.to_owned(), format!("{TWILIO_WHATSAPP}{number}"))
}

/// Finds the contact behind an address on a channel, or creates it. A phone number already known
/// on another channel (or on this one, on its other network) is the same person.
async fn contact_for(
    tx: &mut AnyConnection,
    channel_id: i64,
    address: &str,
    link_by_address: bool,
    profile_name: Option<&str>,
    now: i64,
) -> StoreResult<i64> {
    let known: Option<(i64, String)> = sqlx::query_as(
        "SELECT i.contact_id, c.name FROM contact_identities i JOIN contacts c ON c.id = i.contact_id \
         WHERE i.channel_id = $1 AND i.address = $2",
    )
    .bind(channel_id)
    .bind(address)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((contact_id, known_name)) = known {
        // Only a contact without a name takes the provider's profile name.
        if let Some(name) = profile_name.filter(|_| known_name.is_empty()) {
            sqlx::query(
                "UPDATE contacts SET name = $1, updated_at = $2 WHERE id = $3 AND name = ''",
            )
            .bind(name)
            .bind(now)
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
        }
        return Ok(contact_id);
    }
    let same_person: Option<i64> = if link_by_address {
        let (number, whatsapp) = spellings(address);
        sqlx::query_scalar(
            "SELECT contact_id FROM contact_identities WHERE address = $1 OR address = $2 \
             ORDER BY id LIMIT 1",
        )
        .bind(number)
        .bind(whatsapp)
        .fetch_optional(&mut *tx)
        .await?
    } else {
        None
    };
    let (contact_id, created) = match same_person {
        Some(contact_id) => (contact_id, false),
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contacts (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
            )
            .bind(profile_name.unwrap_or_default())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            (id, true)
        }
    };
    let inserted = sqlx::query(
        "INSERT INTO contact_identities (contact_id, channel_id, address, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (channel_id, address) DO NOTHING",
    )
    .bind(contact_id)
    .bind(channel_id)
    .bind(address)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(contact_id);
    }
    // Another delivery for the same person committed first (PostgreSQL): use theirs.
    if created {
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(sqlx::query_scalar(
        "SELECT contact_id FROM contact_identities WHERE channel_id = $1 AND address = $2",
    )
    .bind(channel_id)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?)
}

/// One Twilio number carries SMS and WhatsApp, and a person may write on either. They keep one
/// identity on the channel (so one conversation), moved to the network they last wrote on, so
/// that replies follow them and its rules apply. This also moves identities stored before
/// WhatsApp addresses kept their `whatsapp:` form, on the person's next message.
async fn follow_network(tx: &mut AnyConnection, channel_id: i64, address: &str) -> StoreResult<()> {
    let (number, whatsapp) = spellings(address);
    let other = if address == number { whatsapp } else { number };
    sqlx::query(
        "UPDATE contact_identities SET address = $1 WHERE channel_id = $2 AND address = $3 \
         AND NOT EXISTS (SELECT 1 FROM contact_identities WHERE channel_id = $2 AND address = $1)",
    )
    .bind(address)
    .bind(channel_id)
    .bind(other)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn conversation_for(
    tx: &mut AnyConnection,
    channel_id: i64,
    contact_id: i64,
    now: i64,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO conversations (channel_id, contact_id, status, last_message_at, created_at, updated_at) \
         VALUES ($1, $2, 'open', $3, $3, $3) \
         ON CONFLICT (channel_id, contact_id) DO UPDATE SET updated_at = conversations.updated_at \
         RETURNING id",
    )
    .bind(channel_id)
    .bind(contact_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?)
}

/// Stores an inbound message, with what its text sets off: an urgent flag (when the conversation
/// was not urgent already) and an erasure request.
async fn insert_inbound(
    tx: &mut AnyConnection,
    channel_id: i64,
    message: &NewInbound,
    now: i64,
    follow_ups: &mut FollowUps,
) -> StoreResult<()> {
    if message.two_networks {
        follow_network(tx, channel_id, &message.address).await?;
    }
    let contact_id = contact_for(
        tx,
        channel_id,
        &message.address,
        message.address_is_phone,
        message.profile_name.as_deref(),
        now,
    )
    .await?;
    let conversation_id = conversation_for(tx, channel_id, contact_id, now).await?;
    let message_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO messages (conversation_id, channel_id, direction, kind, body, content, \
         provider_message_id, reply_to_provider_id, status, provider_timestamp, created_at, updated_at) \
         VALUES ($1, $2, 'inbound', $3, $4, $5, $6, $7, 'received', $8, $9, $9) \
         ON CONFLICT (channel_id, provider_message_id) DO NOTHING RETURNING id",
    )
    .bind(conversation_id)
    .bind(channel_id)
    .bind(&message.kind)
    .bind(&message.body)
    .bind(&message.content)
    .bind(&message.provider_message_id)
    .bind(&message.reply_to)
    .bind(message.sent_at)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(message_id) = message_id else {
        return Ok(());
    };
    let for_survey = match &message.survey_input {
        Some(input) => {
            take_for_survey(tx, conversation_id, message_id, input, message.sent_at).await?
        }
        None => None,
    };
    if let Some(taken) = &for_survey
        && taken.wants_thanks
    {
        follow_ups.surveys_answered.push(taken.survey_id);
    }
    // A new message reopens the conversation and restarts the 24-hour window from the time the
    // provider gives for it (never moving the window back for a late delivery). A survey's
    // answer or comment restarts the window only: nobody needs to act on it.
    let reopens: i64 = if for_survey.is_some() { 0 } else { 1 };
    sqlx::query(
        "UPDATE conversations SET \
           status = CASE WHEN $4 = 1 AND status IN ('resolved', 'snoozed') THEN 'open' ELSE status END, \
           snoozed_until = CASE WHEN $4 = 1 AND status IN ('resolved', 'snoozed') THEN NULL ELSE snoozed_until END, \
           last_inbound_at = CASE WHEN last_inbound_at IS NULL OR last_inbound_at < $1 THEN $1 ELSE last_inbound_at END, \
           last_message_at = CASE WHEN last_message_at < $1 THEN $1 ELSE last_message_at END, \
           waiting_since = CASE WHEN $4 = 1 THEN COALESCE(waiting_since, $1) ELSE waiting_since END, \
           unread_count = unread_count + $4, \
           updated_at = $2 \
         WHERE id = $3",
    )
    .bind(message.sent_at)
    .bind(now)
    .bind(conversation_id)
    .bind(reopens)
    .execute(&mut *tx)
    .await?;
    for attachment in &message.attachments {
        sqlx::query(
            "INSERT INTO attachments (message_id, kind, mime_type, filename, sha256, source, \
             fetch_state, next_fetch_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)",
        )
        .bind(message_id)
        .bind(&attachment.kind)
        .bind(&attachment.mime_type)
        .bind(&attachment.filename)
        .bind(&attachment.sha256)
        .bind(&attachment.source)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(kind) = message.consent {
        record_consent(tx, contact_id, channel_id, kind, "keyword", now).await?;
    }
    if let Some(word) = &message.risk_word
        && super::escalation::flag_for_risk_word(tx, conversation_id, message_id, word, now).await?
    {
        follow_ups
            .flagged_urgent
            .push((conversation_id, word.clone()));
    }
    if let Some(answer) = &message.erasure_answer
        && super::data_requests::request_erasure_in(
            tx,
            contact_id,
            conversation_id,
            message_id,
            answer,
            now,
        )
        .await?
    {
        follow_ups.erasure_requested.push(conversation_id);
    }
    Ok(())
}

async fn record_consent(
    tx: &mut AnyConnection,
    contact_id: i64,
    channel_id: i64,
    kind: &str,
    source: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO consent_events (contact_id, channel_id, kind, source, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(contact_id)
    .bind(channel_id)
    .bind(kind)
    .bind(source)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let opted_out_at = match kind {
        "opt_out" => Some(now),
        "opt_in" => None,
        _ => return Ok(()),
    };
    sqlx::query("UPDATE contacts SET opted_out_at = $1, updated_at = $2 WHERE id = $3")
        .bind(opted_out_at)
        .bind(now)
        .bind(contact_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

async fn insert_echo(
    tx: &mut AnyConnection,
    channel_id: i64,
    echo: &NewEcho,
    now: i64,
) -> StoreResult<()> {
    let contact_id = contact_for(tx, channel_id, &echo.address, false, None, now).await?;
    let conversation_id = conversation_for(tx, channel_id, contact_id, now).await?;
    sqlx::query(
        "INSERT INTO messages (conversation_id, channel_id, direction, kind, body, content, \
         provider_message_id, status, provider_timestamp, created_at, updated_at) \
         VALUES ($1, $2, 'outbound', $3, $4, $5, $6, 'sent', $7, $8, $8) \
         ON CONFLICT (channel_id, provider_message_id) DO NOTHING",
    )
    .bind(conversation_id)
    .bind(channel_id)
    .bind(&echo.kind)
    .bind(&echo.body)
    .bind(&echo.content)
    .bind(&echo.provider_message_id)
    .bind(echo.sent_at)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn apply_status(
    tx: &mut AnyConnection,
    backend: Backend,
    channel_id: i64,
    status: &StatusChange,
    now: i64,
) -> StoreResult<()> {
    lock_provider_message(tx, backend, channel_id, &status.provider_message_id).await?;
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM messages WHERE channel_id = $1 AND provider_message_id = $2",
    )
    .bind(channel_id)
    .bind(&status.provider_message_id)
    .fetch_optional(&mut *tx)
    .await?;
    match known {
        Some(message_id) => {
            sqlx::query(&format!(
                "UPDATE messages SET status = $1, error_code = COALESCE($2, error_code), \
                 error_title = COALESCE($3, error_title), updated_at = $4 \
                 WHERE id = $5 AND {STATUS_RANK} < $6"
            ))
            .bind(status.status)
            .bind(&status.error_code)
            .bind(&status.error_title)
            .bind(now)
            .bind(message_id)
            .bind(status.rank)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            // The send call has not returned the id yet: keep the status for when it does.
            sqlx::query(
                "INSERT INTO early_statuses (channel_id, provider_message_id, status, error_code, \
                 error_title, received_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (channel_id, provider_message_id, status) DO NOTHING",
            )
            .bind(channel_id)
            .bind(&status.provider_message_id)
            .bind(status.status)
            .bind(&status.error_code)
            .bind(&status.error_title)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    if let Some(address) = &status.opted_out_address {
        let contact_id = contact_for(tx, channel_id, address, true, None, now).await?;
        record_consent(tx, contact_id, channel_id, "opt_out", "provider_error", now).await?;
    }
    Ok(())
}

async fn apply_watermark(
    tx: &mut AnyConnection,
    channel_id: i64,
    watermark: &WatermarkChange,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "UPDATE messages SET status = $1, updated_at = $2 \
         WHERE channel_id = $3 AND direction = 'outbound' AND provider_timestamp <= $4 AND {STATUS_RANK} < $5 \
           AND conversation_id IN (SELECT c.id FROM conversations c \
               JOIN contact_identities i ON i.contact_id = c.contact_id AND i.channel_id = c.channel_id \
               WHERE c.channel_id = $3 AND i.address = $6)"
    ))
    .bind(watermark.status)
    .bind(now)
    .bind(channel_id)
    .bind(watermark.before)
    .bind(watermark.rank)
    .bind(&watermark.recipient)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn apply_reaction(
    tx: &mut AnyConnection,
    channel_id: i64,
    reaction: &ReactionChange,
) -> StoreResult<Option<String>> {
    let target: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM messages WHERE channel_id = $1 AND provider_message_id = $2",
    )
    .bind(channel_id)
    .bind(&reaction.target_provider_message_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(message_id) = target else {
        return Ok(Some(format!(
            "reaction to unknown message {}",
            reaction.target_provider_message_id
        )));
    };
    match &reaction.emoji {
        Some(emoji) => {
            sqlx::query(
                "INSERT INTO message_reactions (message_id, reactor, emoji, created_at) \
                 VALUES ($1, 'contact', $2, $3) \
                 ON CONFLICT (message_id, reactor) DO UPDATE SET emoji = excluded.emoji, created_at = excluded.created_at \
                 WHERE message_reactions.created_at <= excluded.created_at",
            )
            .bind(message_id)
            .bind(emoji)
            .bind(reaction.reacted_at)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM message_reactions WHERE message_id = $1 AND reactor = 'contact' \
                 AND created_at <= $2",
            )
            .bind(message_id)
            .bind(reaction.reacted_at)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(None)
}

async fn apply_template_status(
    tx: &mut AnyConnection,
    channel_id: i64,
    template: &TemplateStatusChange,
    now: i64,
) -> StoreResult<Option<String>> {
    let updated = sqlx::query(
        "UPDATE message_templates SET status = $1, rejection_reason = $2, \
         provider_template_id = COALESCE(provider_template_id, $3), updated_at = $4 \
         WHERE channel_id = $5 AND (provider_template_id = $3 OR (name = $6 AND ($7 IS NULL OR language = $7)))",
    )
    .bind(&template.status)
    .bind(&template.reason)
    .bind(&template.provider_template_id)
    .bind(now)
    .bind(channel_id)
    .bind(&template.name)
    .bind(&template.language)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    Ok((updated == 0).then(|| format!("status for unknown template {}", template.name)))
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEventRow {
    pub id: i64,
    pub provider: String,
    pub channel_name: Option<String>,
    pub received_at: i64,
    pub processed_at: Option<i64>,
    pub error: Option<String>,
    pub body: String,
    pub attempts: i64,
    pub retry_at: Option<i64>,
}

const EVENT_COLUMNS: &str = "e.id, e.provider, c.name AS channel_name, e.received_at, e.processed_at, \
     e.error, e.body, e.attempts, e.retry_at";

/// A kept delivery as needed to process it again.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeptWebhook {
    pub id: i64,
    pub provider: String,
    pub body: String,
    pub signature: Option<String>,
    pub request_path: String,
    pub processed_at: Option<i64>,
    pub error: Option<String>,
    /// Tries after the delivery itself.
    pub attempts: i64,
}

const KEPT_COLUMNS: &str = "id, provider, body, signature, COALESCE(request_path, '') AS request_path, \
     processed_at, error, attempts";

impl Store {
    /// The newest deliveries first; with `only_problems`, those not (fully) understood.
    pub async fn recent_webhook_events(
        &self,
        only_problems: bool,
        limit: i64,
    ) -> StoreResult<Vec<WebhookEventRow>> {
        let filter = if only_problems {
            "WHERE e.error IS NOT NULL OR e.processed_at IS NULL"
        } else {
            ""
        };
        Ok(sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM webhook_events e LEFT JOIN channels c ON c.id = e.channel_id \
             {filter} ORDER BY e.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn webhook_event(&self, id: i64) -> StoreResult<Option<WebhookEventRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM webhook_events e LEFT JOIN channels c ON c.id = e.channel_id \
             WHERE e.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn kept_webhook(&self, id: i64) -> StoreResult<Option<KeptWebhook>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEPT_COLUMNS} FROM webhook_events WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The kept delivery whose next try is due soonest, if one is due at `now`.
    pub async fn due_webhook(&self, now: i64) -> StoreResult<Option<KeptWebhook>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {KEPT_COLUMNS} FROM webhook_events \
             WHERE retry_at IS NOT NULL AND retry_at <= $1 ORDER BY retry_at, id LIMIT 1"
        ))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Applies what a kept delivery changes now and records the outcome, atomically, and returns
    /// what it calls for once committed. `attempts` is the count the caller read: `None`
    /// (and nothing changed) when another try got there first.
    pub async fn reprocess_webhook(
        &self,
        event_id: i64,
        attempts: i64,
        channel_id: Option<i64>,
        processing: Processing,
    ) -> StoreResult<Option<FollowUps>> {
        let now = now_ms();
        let mut tx = self.writer.begin().await?;
        // Claiming the event first serialises concurrent tries (PostgreSQL waits on the row).
        let claimed = sqlx::query(
            "UPDATE webhook_events SET attempts = attempts + 1 \
             WHERE id = $1 AND attempts = $2 AND (processed_at IS NULL OR error IS NOT NULL)",
        )
        .bind(event_id)
        .bind(attempts)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        let mut processing = processing;
        let Applied {
            problems: found,
            follow_ups,
        } = apply_all(&mut tx, self.backend, &processing.changes, now).await?;
        processing.problems.extend(found);
        let (error, retry_at) = processing.verdict();
        sqlx::query(
            "UPDATE webhook_events SET channel_id = COALESCE($1, channel_id), processed_at = $2, \
             error = $3, retry_at = $4 WHERE id = $5",
        )
        .bind(channel_id)
        .bind(now)
        .bind(error)
        .bind(retry_at)
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(follow_ups))
    }

    /// Records a try that changed nothing: why, and when to try again (`None`: only when an
    /// admin asks).
    pub async fn webhook_attempt_failed(
        &self,
        event_id: i64,
        attempts: i64,
        reason: &str,
        retry_at: Option<i64>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE webhook_events SET attempts = attempts + 1, error = $1, retry_at = $2 \
             WHERE id = $3 AND attempts = $4",
        )
        .bind(reason)
        .bind(retry_at)
        .bind(event_id)
        .bind(attempts)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Makes every delivery waiting to be tried again due now (a channel was just connected or
    /// changed, which may be what they wait for).
    pub async fn retry_waiting_webhooks(&self) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE webhook_events SET retry_at = $1 WHERE retry_at IS NOT NULL AND retry_at > $1",
        )
        .bind(now_ms())
        .execute(&self.writer)
        .await?
        .rows_affected())
    }
}
