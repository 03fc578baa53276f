//! Reports: how many people wrote, how fast they were answered, how long until resolved; per
//! day, per hour of the week and per person, with the conversations behind each figure.
//! Response and resolution times come from a rollup the domain rules compute per conversation
//! (`domain/reports.rs`), brought up to date before every report.

use std::collections::HashMap;

use app::error::AppError;
use app::model::{
    BusinessHoursForm, DailyReport, DayFigures, DurationParts, Permission, PersonFigures, Report,
    ReportConversation, ReportFigure, ReportQuery, ReportSummary, TimeFigure,
};
use app::ports::Actor;
use time::{Date, Duration, Weekday};

use super::{Services, parse_day};
use crate::domain::reports::{
    BusinessHours, BusinessHoursSettings, Clock, EventKind, LocalTimeZone, TimelineEvent,
    nearest_rank, timings,
};
use crate::store::{
    RankedWait, ReportFilter, SampleRow, StaleMark, TimelineRow, VolumeRow, WaitClock, WaitGroups,
    now_ms,
};

const BUSINESS_HOURS: &str = "business_hours";

/// Conversations read again per step of the rollup.
const ROLLUP_BATCH: i64 = 500;

/// The longest range a report covers.
const MOST_REPORT_DAYS: i64 = 400;

/// The most conversations listed behind a figure.
const MOST_SHOWN: usize = 200;

/// "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" for nothing measured. The API's words; the
/// pages say the same in the reader's language.
pub(crate) fn duration_words(seconds: Option<i64>) -> String {
    match seconds.map(DurationParts::of) {
        None => "—".to_owned(),
        Some(DurationParts::Seconds(seconds)) => format!("{seconds} s"),
        Some(DurationParts::Minutes(minutes)) => format!("{minutes} min"),
        Some(DurationParts::Hours(hours)) => format!("{hours} h"),
        Some(DurationParts::HoursMinutes(hours, minutes)) => format!("{hours} h {minutes} min"),
        Some(DurationParts::Days(days)) => format!("{days} d"),
        Some(DurationParts::DaysHours(days, hours)) => format!("{days} d {hours} h"),
    }
}

/// A group of waits as the database ranked them: how many, and the median and 90th percentile
/// (milliseconds) where they were asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Waits {
    count: i64,
    median_ms: Option<i64>,
    p90_ms: Option<i64>,
}

impl Waits {
    fn figure(self) -> TimeFigure {
        let median_seconds = self.median_ms.map(|ms| ms / 1000);
        let p90_seconds = self.p90_ms.map(|ms| ms / 1000);
        TimeFigure {
            count: self.count,
            median_seconds,
            p90_seconds,
            median: duration_words(median_seconds),
            p90: duration_words(p90_seconds),
        }
    }
}

/// The ranked waits by kind and group: each row is the wait at the median's rank, the 90th
/// percentile's, or both.
fn waits_by_group(rows: &[RankedWait]) -> HashMap<(&str, i64), Waits> {
    let mut groups: HashMap<(&str, i64), Waits> = HashMap::new();
    for row in rows {
        let waits = groups.entry((row.kind.as_str(), row.group_id)).or_default();
        waits.count = row.waits;
        let count = usize::try_from(row.waits).unwrap_or_default();
        let rank = usize::try_from(row.rank_in_group).unwrap_or_default();
        if rank == nearest_rank(count, 50) {
            waits.median_ms = Some(row.duration_ms);
        }
        if rank == nearest_rank(count, 90) {
            waits.p90_ms = Some(row.duration_ms);
        }
    }
    groups
}

const FIRST_RESPONSE: &str = "first_response";
const REPLY: &str = "reply";
const RESOLUTION: &str = "resolution";
/// The percentiles reports show.
const MEDIAN_AND_P90: [u8; 2] = [50, 90];

/// A conversation's stored timeline as the domain reads it, and who resolved at which moment.
fn timeline_of(rows: &[&TimelineRow]) -> (Vec<TimelineEvent>, HashMap<i64, i64>) {
    let mut events = Vec::with_capacity(rows.len());
    let mut resolvers = HashMap::new();
    let mut resolved = false;
    for row in rows {
        let kind = match row.kind.as_str() {
            "opened" => EventKind::Opened,
            "inbound" => EventKind::ContactMessage,
            "outbound" => match row.user_id {
                Some(user_id) => EventKind::HumanReply { user_id },
                None => continue,
            },
            _ => {
                let status = row
                    .status
                    .as_deref()
                    .and_then(|detail| serde_json::from_str::<serde_json::Value>(detail).ok())
                    .and_then(|detail| detail["status"].as_str().map(str::to_owned));
                match status.as_deref() {
                    Some("resolved") => {
                        resolved = true;
                        if let Some(user_id) = row.user_id {
                            resolvers.insert(row.at, user_id);
                        }
                        EventKind::Resolved
                    }
                    Some("open") if resolved => {
                        resolved = false;
                        EventKind::Reopened
                    }
                    _ => continue,
                }
            }
        };
        events.push(TimelineEvent { at: row.at, kind });
    }
    (events, resolvers)
}

/// The range of a report: its days and time zone, and the moments they start and end.
pub(super) struct Range {
    pub(super) from: Date,
    pub(super) to: Date,
    pub(super) zone: LocalTimeZone,
    pub(super) from_ms: i64,
    pub(super) to_ms: i64,
}

impl Range {
    fn span(&self) -> (i64, i64) {
        (self.from_ms, self.to_ms)
    }
}

impl Services {
    /// Brings the rollup up to date: every conversation whose timeline changed is read again.
    pub async fn roll_up_reports(&self) -> Result<usize, AppError> {
        let mut read = 0;
        loop {
            let marks = self.store.stale_for_reports(ROLLUP_BATCH).await?;
            if marks.is_empty() {
                return Ok(read);
            }
            read += marks.len();
            self.roll_up(&marks).await?;
        }
    }

    async fn roll_up(&self, marks: &[StaleMark]) -> Result<(), AppError> {
        // Read after the marks: hours saved meanwhile bump them, so these waits are counted
        // again with the new hours.
        let business = match self.business_hours_settings().await? {
            Some(settings) => Some(Clock::BusinessHours(
                BusinessHours::new(&settings)
                    .map_err(|error| AppError::unprocessable(error.to_string()))?,
            )),
            None => None,
        };
        let ids: Vec<i64> = marks.iter().map(|mark| mark.conversation_id).collect();
        let rows = self.store.timelines(&ids).await?;
        let mut samples = Vec::new();
        let mut unanswered = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let conversation_id = rows[start].conversation_id;
            let channel_id = rows[start].channel_id;
            let end = rows[start..]
                .iter()
                .position(|row| row.conversation_id != conversation_id)
                .map_or(rows.len(), |length| start + length);
            let conversation: Vec<&TimelineRow> = rows[start..end].iter().collect();
            start = end;
            let (events, resolvers) = timeline_of(&conversation);
            let measured = timings(&events, &Clock::WallClock);
            let sample = |kind: &str, started_at, ended_at, user_id| SampleRow {
                conversation_id,
                kind: kind.to_owned(),
                started_at,
                ended_at,
                business_ms: business
                    .as_ref()
                    .map(|clock| clock.duration(started_at, ended_at)),
                user_id,
                channel_id,
            };
            for first in &measured.first_responses {
                samples.push(sample(
                    FIRST_RESPONSE,
                    first.started_at,
                    first.ended_at,
                    first.replied_by,
                ));
            }
            for reply in &measured.replies {
                samples.push(sample(
                    REPLY,
                    reply.started_at,
                    reply.ended_at,
                    reply.replied_by,
                ));
            }
            for resolution in &measured.resolutions {
                let resolver = resolvers.get(&resolution.ended_at).copied();
                samples.push(sample(
                    RESOLUTION,
                    resolution.started_at,
                    resolution.ended_at,
                    resolver,
                ));
            }
            unanswered.extend(
                unanswered_periods(&events, &measured)
                    .into_iter()
                    .map(|started_at| (conversation_id, started_at, channel_id)),
            );
        }
        self.store
            .replace_report_samples(marks, &samples, &unanswered)
            .await?;
        Ok(())
    }

    /// The organisation's business hours, if an admin set them.
    async fn business_hours_settings(&self) -> Result<Option<BusinessHoursSettings>, AppError> {
        Ok(self
            .store
            .setting(BUSINESS_HOURS)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    pub async fn business_hours_for(
        &self,
        actor: &Actor,
    ) -> Result<Option<BusinessHoursSettings>, AppError> {
        actor.require(Permission::Supervise)?;
        self.business_hours_settings().await
    }

    /// Sets the hours, time zone and holidays that reports count business time in.
    pub async fn update_business_hours(
        &self,
        actor: &Actor,
        settings: BusinessHoursSettings,
    ) -> Result<BusinessHoursSettings, AppError> {
        actor.require(Permission::ManageSettings)?;
        BusinessHours::new(&settings)
            .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let json = serde_json::to_value(&settings).map_err(|_| AppError::internal())?;
        self.store
            .put_setting_and_recount_waits(BUSINESS_HOURS, &json.to_string())
            .await?;
        self.store
            .audit(Some(actor.id), "settings.business_hours", "settings", json)
            .await?;
        Ok(settings)
    }

    /// The business hours as the settings form shows them; an example week when none are set.
    pub async fn business_hours_form(&self, actor: &Actor) -> Result<BusinessHoursForm, AppError> {
        actor.require(Permission::ManageSettings)?;
        Ok(match self.business_hours_settings().await? {
            Some(settings) => {
                let (opening_hours, holidays) = settings.to_lines();
                BusinessHoursForm {
                    time_zone: settings.time_zone,
                    opening_hours,
                    holidays,
                }
            }
            None => BusinessHoursForm::default(),
        })
    }

    pub async fn save_business_hours_form(
        &self,
        actor: &Actor,
        form: BusinessHoursForm,
    ) -> Result<BusinessHoursForm, AppError> {
        actor.require(Permission::ManageSettings)?;
        let settings =
            BusinessHoursSettings::from_lines(&form.time_zone, &form.opening_hours, &form.holidays)
                .map_err(|error| AppError::unprocessable(error.to_string()))?;
        self.update_business_hours(actor, settings).await?;
        self.business_hours_form(actor).await
    }

    async fn range_of(
        &self,
        query: &ReportQuery,
        hours: Option<&BusinessHoursSettings>,
    ) -> Result<Range, AppError> {
        let zone = match query.tz.as_deref().filter(|tz| !tz.trim().is_empty()) {
            Some(tz) => LocalTimeZone::named(tz),
            None => hours.map_or(Ok(LocalTimeZone::utc()), |hours| {
                LocalTimeZone::named(&hours.time_zone)
            }),
        }
        .map_err(|error| AppError::unprocessable(error.to_string()))?;
        let today = zone.local_date(now_ms());
        let to = match query.to.as_deref().filter(|to| !to.is_empty()) {
            Some(to) => parse_day(to, "to")?,
            None => today,
        };
        let from = match query.from.as_deref().filter(|from| !from.is_empty()) {
            Some(from) => parse_day(from, "from")?,
            None => to - Duration::days(29),
        };
        if to < from {
            return Err(AppError::unprocessable("“to” is before “from”."));
        }
        if (to - from).whole_days() >= MOST_REPORT_DAYS {
            return Err(AppError::unprocessable(format!(
                "A report covers at most {MOST_REPORT_DAYS} days."
            )));
        }
        let after_to = to.next_day().unwrap_or(to);
        Ok(Range {
            from_ms: zone.start_of_day(from),
            to_ms: zone.start_of_day(after_to),
            from,
            to,
            zone,
        })
    }

    /// The range, clock and filter of a report, once the rollup is up to date. Coordinators and
    /// admins.
    pub(super) async fn prepare(
        &self,
        actor: &Actor,
        query: &ReportQuery,
    ) -> Result<(Range, WaitClock, ReportFilter, bool), AppError> {
        actor.require(Permission::Supervise)?;
        self.roll_up_reports().await?;
        let hours = self.business_hours_settings().await?;
        let range = self.range_of(query, hours.as_ref()).await?;
        let clock = match (query.business_hours.unwrap_or(false), &hours) {
            (false, _) => WaitClock::WallClock,
            (true, Some(_)) => WaitClock::BusinessHours,
            (true, None) => {
                return Err(AppError::unprocessable(
                    "No business hours are set: an admin sets them in Settings.",
                ));
            }
        };
        let filter = ReportFilter {
            channel_id: query.channel_id,
            tag_id: query.tag_id,
            user_id: query.user_id,
        };
        Ok((range, clock, filter, hours.is_some()))
    }

    /// Everything the Reports page shows, for coordinators and admins. The database counts
    /// and ranks; a report reads a few rows per day, person and kind of wait.
    pub async fn report_for(&self, actor: &Actor, query: ReportQuery) -> Result<Report, AppError> {
        let (range, clock, filter, business_hours_set) = self.prepare(actor, &query).await?;
        let span = range.span();
        let offsets = range.zone.offsets_between(range.from_ms, range.to_ms);
        let store = &self.store;
        // Independent reads, each on its own connection, so the database sorts them at once.
        let (by_kind, by_day, by_person, (opened, still_open), unanswered, volume) = tokio::try_join!(
            store.ranked_waits(span, filter, None, WaitGroups::Kind, clock, &MEDIAN_AND_P90),
            store.ranked_waits(
                span,
                filter,
                Some(FIRST_RESPONSE),
                WaitGroups::LocalDay(&offsets),
                clock,
                &[50],
            ),
            store.ranked_waits(
                span,
                filter,
                None,
                WaitGroups::Person,
                clock,
                &MEDIAN_AND_P90
            ),
            store.count_opened(span, filter),
            store.count_unanswered(span, filter),
            store.message_volume(span, &offsets, filter),
        )?;
        let (channels, tags, people, people_choices) = tokio::try_join!(
            store.all_channel_names(),
            store.list_tags(),
            store.report_people(),
            store.active_people(),
        )?;
        let by_kind = waits_by_group(&by_kind);
        let of_kind = |kind: &'static str| by_kind.get(&(kind, 0)).copied().unwrap_or_default();
        let by_person = waits_by_group(&by_person);
        let tags: Vec<(i64, String)> = tags.into_iter().map(|tag| (tag.id, tag.name)).collect();

        let (messages_in, messages_out) = volume.iter().fold((0, 0), |(inbound, outbound), row| {
            if row.direction == "inbound" {
                (inbound + row.messages, outbound)
            } else {
                (inbound, outbound + row.messages)
            }
        });
        let summary = ReportSummary {
            from: range.from.to_string(),
            to: range.to.to_string(),
            tz: range.zone.name().to_owned(),
            business_hours: clock == WaitClock::BusinessHours,
            conversations_opened: opened,
            conversations_resolved: of_kind(RESOLUTION).count,
            still_open,
            unanswered,
            messages_in,
            messages_out,
            first_response: of_kind(FIRST_RESPONSE).figure(),
            reply: of_kind(REPLY).figure(),
            resolution: of_kind(RESOLUTION).figure(),
        };
        let daily = daily_report(&range, &channels, &volume, &by_day);
        let people = people
            .into_iter()
            .filter_map(|(user_id, name)| {
                let theirs = |kind: &'static str| by_person.get(&(kind, user_id)).copied();
                let (first, replies, resolutions) =
                    (theirs(FIRST_RESPONSE), theirs(REPLY), theirs(RESOLUTION));
                if first.is_none() && replies.is_none() && resolutions.is_none() {
                    return None;
                }
                let first = first.unwrap_or_default();
                Some(PersonFigures {
                    user_id,
                    name,
                    first_responses: first.count,
                    replies: replies.unwrap_or_default().count,
                    first_response: first.figure(),
                    resolutions: resolutions.unwrap_or_default().count,
                })
            })
            .collect();
        let shown = match query.show {
            Some(show) => Some(self.conversations_behind(show, span, filter, clock).await?),
            None => None,
        };
        Ok(Report {
            summary,
            daily,
            people,
            shown,
            channels,
            tags,
            people_choices: people_choices
                .into_iter()
                .map(|person| (person.id, person.name))
                .collect(),
            business_hours_set,
        })
    }

    /// The conversations behind the figure `show` (the first [`MOST_SHOWN`]), with what each
    /// contributed.
    async fn conversations_behind(
        &self,
        show: ReportFigure,
        span: (i64, i64),
        filter: ReportFilter,
        clock: WaitClock,
    ) -> Result<Vec<ReportConversation>, AppError> {
        let limit = MOST_SHOWN as i64;
        let now = |(id, status): (i64, String)| (id, format!("Now {status}"), None);
        let (kind, label) = match show {
            ReportFigure::Opened | ReportFigure::StillOpen => {
                let still_open = show == ReportFigure::StillOpen;
                let opened = self
                    .store
                    .conversations_opened(span, filter, still_open, limit)
                    .await?;
                return self.described(opened.into_iter().map(now).collect()).await;
            }
            ReportFigure::Unanswered => {
                let unanswered = self.store.unanswered(span, filter, limit).await?;
                let details = unanswered
                    .into_iter()
                    .map(|id| (id, "No reply yet in a period".to_owned(), None))
                    .collect();
                return self.described(details).await;
            }
            ReportFigure::FirstResponse => (FIRST_RESPONSE, "First response"),
            ReportFigure::Reply => (REPLY, "Reply"),
            ReportFigure::Resolved | ReportFigure::Resolution => (RESOLUTION, "Resolved after"),
        };
        let waits = self
            .store
            .waits_of_kind(span, filter, kind, clock, limit)
            .await?;
        let details = waits
            .into_iter()
            .map(|(id, duration_ms)| {
                let seconds = duration_ms / 1000;
                let words = duration_words(Some(seconds));
                (id, format!("{label} {words}"), Some(seconds))
            })
            .collect();
        self.described(details).await
    }

    /// Conversations as a report lists them, each with what it contributed to a figure.
    async fn described(
        &self,
        details: Vec<(i64, String, Option<i64>)>,
    ) -> Result<Vec<ReportConversation>, AppError> {
        let mut ids: Vec<i64> = details.iter().map(|(id, _, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.store.report_conversations(&ids).await?;
        Ok(details
            .into_iter()
            .filter_map(|(id, detail, seconds)| {
                let row = rows.iter().find(|row| row.id == id)?;
                Some(ReportConversation {
                    id,
                    contact_name: row.contact_name.clone(),
                    channel_name: row.channel_name.clone(),
                    status: row.status.clone(),
                    assignee_name: row.assignee_name.clone(),
                    detail,
                    seconds,
                })
            })
            .collect())
    }

    /// One row per conversation that began in the range or had a wait measured in it, as CSV.
    pub async fn report_csv(&self, actor: &Actor, query: ReportQuery) -> Result<String, AppError> {
        let (range, clock, filter, _) = self.prepare(actor, &query).await?;
        let span = range.span();
        let ranked = self
            .store
            .ranked_waits(span, filter, None, WaitGroups::Conversation, clock, &[50])
            .await?;
        let waits = waits_by_group(&ranked);
        let opened = self
            .store
            .conversations_opened(span, filter, false, i64::MAX)
            .await?;
        let mut ids: Vec<i64> = waits
            .keys()
            .map(|(_, id)| *id)
            .chain(opened.iter().map(|(id, _)| *id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut lines = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            for row in self.store.report_conversations(chunk).await? {
                let theirs =
                    |kind: &'static str| waits.get(&(kind, row.id)).copied().unwrap_or_default();
                let seconds = |waits: Waits| {
                    waits
                        .median_ms
                        .map_or_else(String::new, |ms| (ms / 1000).to_string())
                };
                let (first, replies, resolutions) =
                    (theirs(FIRST_RESPONSE), theirs(REPLY), theirs(RESOLUTION));
                lines.push(vec![
                    row.id.to_string(),
                    csv_cell(&row.contact_name),
                    csv_cell(&row.channel_name),
                    row.status.clone(),
                    csv_cell(row.assignee_name.as_deref().unwrap_or_default()),
                    super::rfc3339(row.created_at),
                    first.count.to_string(),
                    seconds(first),
                    replies.count.to_string(),
                    seconds(replies),
                    resolutions.count.to_string(),
                    seconds(resolutions),
                ]);
            }
        }
        Ok(csv_document(
            &[
                "conversation_id",
                "contact",
                "channel",
                "status",
                "assignee",
                "opened_at",
                "first_responses",
                "first_response_median_seconds",
                "replies",
                "reply_median_seconds",
                "resolutions",
                "resolution_median_seconds",
            ],
            lines,
        ))
    }
}

impl Services {
    /// The page's per-day table as CSV: one row per day of the range, with messages from
    /// contacts in all and by channel, messages out and the median first response.
    pub async fn report_daily_csv(
        &self,
        actor: &Actor,
        query: ReportQuery,
    ) -> Result<String, AppError> {
        let daily = self.report_tables(actor, query).await?.daily;
        let by_channel: Vec<String> = daily
            .channels
            .iter()
            .map(|name| csv_cell(&format!("messages_in {name}")))
            .collect();
        let mut header = vec![
            "date",
            "messages_in",
            "messages_out",
            "first_response_median_seconds",
        ];
        header.extend(by_channel.iter().map(String::as_str));
        let rows = daily
            .days
            .iter()
            .map(|day| {
                let mut row = vec![
                    day.date.clone(),
                    day.messages_in.iter().sum::<i64>().to_string(),
                    day.messages_out.to_string(),
                    day.first_response_median_seconds
                        .map_or_else(String::new, |seconds| seconds.to_string()),
                ];
                row.extend(day.messages_in.iter().map(i64::to_string));
                row
            })
            .collect();
        Ok(csv_document(&header, rows))
    }

    /// The page's per-person table as CSV.
    pub async fn report_people_csv(
        &self,
        actor: &Actor,
        query: ReportQuery,
    ) -> Result<String, AppError> {
        let people = self.report_tables(actor, query).await?.people;
        let seconds = |value: Option<i64>| value.map_or_else(String::new, |s| s.to_string());
        let rows = people
            .iter()
            .map(|person| {
                vec![
                    person.user_id.to_string(),
                    csv_cell(&person.name),
                    person.first_responses.to_string(),
                    seconds(person.first_response.median_seconds),
                    seconds(person.first_response.p90_seconds),
                    person.replies.to_string(),
                    person.resolutions.to_string(),
                ]
            })
            .collect();
        Ok(csv_document(
            &[
                "user_id",
                "person",
                "first_responses",
                "first_response_median_seconds",
                "first_response_p90_seconds",
                "replies",
                "resolutions",
            ],
            rows,
        ))
    }

    /// The page's load by hour of the week as CSV: messages from contacts in each local hour,
    /// Monday 00:00 first, 168 rows.
    pub async fn report_hours_csv(
        &self,
        actor: &Actor,
        query: ReportQuery,
    ) -> Result<String, AppError> {
        let daily = self.report_tables(actor, query).await?.daily;
        let mut rows = Vec::with_capacity(7 * 24);
        let mut weekday = Weekday::Monday;
        for hours in &daily.load_by_hour {
            for (hour, messages) in hours.iter().enumerate() {
                rows.push(vec![
                    weekday.to_string(),
                    format!("{hour:02}:00"),
                    messages.to_string(),
                ]);
            }
            weekday = weekday.next();
        }
        Ok(csv_document(&["weekday", "hour", "messages_in"], rows))
    }

    /// The report without the conversations behind a figure, for the CSV of its tables.
    async fn report_tables(&self, actor: &Actor, query: ReportQuery) -> Result<Report, AppError> {
        self.report_for(
            actor,
            ReportQuery {
                show: None,
                ..query
            },
        )
        .await
    }
}

/// A CSV document: the header line, then one line per row of cells already written as CSV
/// (text through [`csv_cell`]).
pub(super) fn csv_document(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut csv = header.join(",");
    csv.push('\n');
    for row in rows {
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

/// A CSV cell: quoted when it holds a comma, quote or line break, and kept from being read as a
/// formula by spreadsheets.
pub(super) fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The open periods that began and got no human reply: every period start (the conversation
/// opening, a reopening, or a contact writing while resolved) that no first response measured.
fn unanswered_periods(
    events: &[TimelineEvent],
    measured: &crate::domain::reports::ConversationTimings,
) -> Vec<i64> {
    if measured.unanswered_periods == 0 {
        return Vec::new();
    }
    let answered: Vec<i64> = measured
        .first_responses
        .iter()
        .map(|sample| sample.started_at)
        .collect();
    let mut starts = Vec::new();
    let mut open = false;
    for event in events {
        match event.kind {
            EventKind::Opened | EventKind::Reopened | EventKind::ContactMessage if !open => {
                open = true;
                starts.push(event.at);
            }
            EventKind::Resolved => open = false,
            _ => {}
        }
    }
    starts.retain(|start| !answered.contains(start));
    starts
}

fn daily_report(
    range: &Range,
    channels: &[(i64, String)],
    volume: &[VolumeRow],
    first_responses_by_day: &[RankedWait],
) -> DailyReport {
    let used: Vec<i64> = {
        let mut used: Vec<i64> = volume.iter().map(|row| row.channel_id).collect();
        used.sort_unstable();
        used.dedup();
        used
    };
    let names: Vec<String> = used
        .iter()
        .map(|id| {
            channels
                .iter()
                .find(|(channel, _)| channel == id)
                .map_or_else(|| format!("Channel {id}"), |(_, name)| name.clone())
        })
        .collect();
    let mut days: Vec<DayFigures> = Vec::new();
    let mut day = range.from;
    while day <= range.to {
        days.push(DayFigures {
            date: day.to_string(),
            messages_in: vec![0; used.len()],
            messages_out: 0,
            first_response_median_seconds: None,
        });
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    let mut load_by_hour = vec![vec![0_i64; 24]; 7];
    for row in volume {
        let Some(index) = usize::try_from(row.day)
            .ok()
            .filter(|index| *index < days.len())
        else {
            continue;
        };
        if row.direction == "inbound" {
            if let Some(channel) = used.iter().position(|id| *id == row.channel_id) {
                days[index].messages_in[channel] += row.messages;
            }
            let weekday = (range.from + Duration::days(row.day)).weekday();
            let hour = usize::try_from(row.hour).unwrap_or_default() % 24;
            load_by_hour[usize::from(weekday.number_days_from_monday())][hour] += row.messages;
        } else {
            days[index].messages_out += row.messages;
        }
    }
    for (group, waits) in waits_by_group(first_responses_by_day) {
        if let Some(day) = usize::try_from(group.1)
            .ok()
            .and_then(|index| days.get_mut(index))
        {
            day.first_response_median_seconds = waits.median_ms.map(|ms| ms / 1000);
        }
    }
    DailyReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        tz: range.zone.name().to_owned(),
        channels: names,
        days,
        load_by_hour,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration_words(None), "—");
        assert_eq!(duration_words(Some(45)), "45 s");
        assert_eq!(duration_words(Some(12 * 60 + 30)), "12 min");
        assert_eq!(duration_words(Some(3 * 3600)), "3 h");
        assert_eq!(duration_words(Some(3 * 3600 + 5 * 60)), "3 h 5 min");
        assert_eq!(duration_words(Some(2 * 86_400)), "2 d");
        assert_eq!(duration_words(Some(2 * 86_400 + 4 * 3600 + 59)), "2 d 4 h");
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("Ana"), "Ana");
        assert_eq!(csv_cell("Ana, Lima"), "\"Ana, Lima\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
