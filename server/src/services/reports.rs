//! Reports: how many people wrote, how fast they were answered, how long until resolved; per
//! day, per hour of the week and per person, with the conversations behind each figure.
//! Response and resolution times come from a rollup the domain rules compute per conversation
//! (`domain/reports.rs`), brought up to date before every report.

use std::collections::HashMap;

use app::error::AppError;
use app::model::{
    BusinessHoursForm, DailyReport, DayFigures, Permission, PersonFigures, Report,
    ReportConversation, ReportFigure, ReportQuery, ReportSummary, TimeFigure,
};
use app::ports::Actor;
use time::{Date, Duration};

use super::{Services, parse_day};
use crate::domain::reports::{
    BusinessHours, BusinessHoursSettings, Clock, EventKind, LocalTimeZone, TimelineEvent, median,
    p90, timings,
};
use crate::store::{ReportFilter, SampleRow, StaleMark, TimelineRow, now_ms};

const BUSINESS_HOURS: &str = "business_hours";

/// Conversations read again per step of the rollup.
const ROLLUP_BATCH: i64 = 500;

/// The longest range a report covers.
const MOST_REPORT_DAYS: i64 = 400;

/// The most conversations listed behind a figure.
const MOST_SHOWN: usize = 200;

/// "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "—" for nothing measured.
pub(crate) fn duration_words(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return "—".to_owned();
    };
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, minutes) => format!("{minutes} min"),
        (0, hours, _) if minutes % 60 == 0 => format!("{hours} h"),
        (0, hours, _) => format!("{hours} h {} min", minutes % 60),
        (days, _, _) if hours % 24 == 0 => format!("{days} d"),
        (days, _, _) => format!("{days} d {} h", hours % 24),
    }
}

fn time_figure(durations_ms: &[i64]) -> TimeFigure {
    let median_seconds = median(durations_ms).map(|ms| ms / 1000);
    let p90_seconds = p90(durations_ms).map(|ms| ms / 1000);
    TimeFigure {
        count: durations_ms.len() as i64,
        median_seconds,
        p90_seconds,
        median: duration_words(median_seconds),
        p90: duration_words(p90_seconds),
    }
}

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
                user_id,
                channel_id,
            };
            for first in &measured.first_responses {
                samples.push(sample(
                    "first_response",
                    first.started_at,
                    first.ended_at,
                    first.replied_by,
                ));
            }
            for reply in &measured.replies {
                samples.push(sample(
                    "reply",
                    reply.started_at,
                    reply.ended_at,
                    reply.replied_by,
                ));
            }
            for resolution in &measured.resolutions {
                let resolver = resolvers.get(&resolution.ended_at).copied();
                samples.push(sample(
                    "resolution",
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
            .put_setting(BUSINESS_HOURS, &json.to_string())
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
    ) -> Result<(Range, Clock, ReportFilter, bool), AppError> {
        actor.require(Permission::Supervise)?;
        self.roll_up_reports().await?;
        let hours = self.business_hours_settings().await?;
        let range = self.range_of(query, hours.as_ref()).await?;
        let clock = match (query.business_hours.unwrap_or(false), &hours) {
            (false, _) => Clock::WallClock,
            (true, Some(hours)) => Clock::BusinessHours(
                BusinessHours::new(hours)
                    .map_err(|error| AppError::unprocessable(error.to_string()))?,
            ),
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

    /// Everything the Reports page shows, for coordinators and admins.
    pub async fn report_for(&self, actor: &Actor, query: ReportQuery) -> Result<Report, AppError> {
        let (range, clock, filter, business_hours_set) = self.prepare(actor, &query).await?;
        let samples = self
            .store
            .report_samples(range.from_ms, range.to_ms, filter)
            .await?;
        let unanswered = self
            .store
            .report_unanswered(range.from_ms, range.to_ms, filter)
            .await?;
        let opened = self
            .store
            .conversations_opened(range.from_ms, range.to_ms, filter)
            .await?;
        let volume = self
            .store
            .message_volume(range.from_ms, range.to_ms, filter)
            .await?;
        let channels = self.store.all_channel_names().await?;
        let people = self.store.report_people().await?;
        let tags: Vec<(i64, String)> = self
            .store
            .list_tags()
            .await?
            .into_iter()
            .map(|tag| (tag.id, tag.name))
            .collect();

        let duration = |sample: &SampleRow| clock.duration(sample.started_at, sample.ended_at);
        let of_kind = |kind: &str| -> Vec<i64> {
            samples
                .iter()
                .filter(|sample| sample.kind == kind)
                .map(duration)
                .collect()
        };
        let (messages_in, messages_out) = volume.iter().fold((0, 0), |(inbound, outbound), row| {
            if row.direction == "inbound" {
                (inbound + row.messages, outbound)
            } else {
                (inbound, outbound + row.messages)
            }
        });
        let resolution_durations = of_kind("resolution");
        let summary = ReportSummary {
            from: range.from.to_string(),
            to: range.to.to_string(),
            tz: range.zone.name().to_owned(),
            business_hours: matches!(clock, Clock::BusinessHours(_)),
            conversations_opened: opened.len() as i64,
            conversations_resolved: resolution_durations.len() as i64,
            still_open: opened
                .iter()
                .filter(|(_, status)| status != "resolved")
                .count() as i64,
            unanswered: unanswered.len() as i64,
            messages_in,
            messages_out,
            first_response: time_figure(&of_kind("first_response")),
            reply: time_figure(&of_kind("reply")),
            resolution: time_figure(&resolution_durations),
        };
        let daily = daily_report(&range, &channels, &volume, &samples, &duration);
        let mut by_person: HashMap<i64, (Vec<i64>, i64, i64)> = HashMap::new();
        for sample in &samples {
            let Some(user_id) = sample.user_id else {
                continue;
            };
            let figures = by_person.entry(user_id).or_default();
            match sample.kind.as_str() {
                "first_response" => figures.0.push(duration(sample)),
                "reply" => figures.1 += 1,
                _ => figures.2 += 1,
            }
        }
        let people = people
            .into_iter()
            .filter_map(|(user_id, name)| {
                let (first, replies, resolutions) = by_person.remove(&user_id)?;
                Some(PersonFigures {
                    user_id,
                    name,
                    first_responses: first.len() as i64,
                    replies,
                    first_response: time_figure(&first),
                    resolutions,
                })
            })
            .collect();
        let shown = match query.show {
            Some(show) => Some(
                self.conversations_behind(show, &samples, &unanswered, &opened, &duration)
                    .await?,
            ),
            None => None,
        };
        Ok(Report {
            summary,
            daily,
            people,
            shown,
            channels,
            tags,
            people_choices: self
                .store
                .active_people()
                .await?
                .into_iter()
                .map(|person| (person.id, person.name))
                .collect(),
            business_hours_set,
        })
    }

    /// The conversations behind the figure `show`, with what each contributed.
    async fn conversations_behind(
        &self,
        show: ReportFigure,
        samples: &[SampleRow],
        unanswered: &[(i64, i64)],
        opened: &[(i64, String)],
        duration: &(dyn Fn(&SampleRow) -> i64 + Sync),
    ) -> Result<Vec<ReportConversation>, AppError> {
        let now = |(id, status): &(i64, String)| (*id, format!("Now {status}"));
        let waits = |kind: &str, label: &str| -> Vec<(i64, String)> {
            samples
                .iter()
                .filter(|sample| sample.kind == kind)
                .map(|sample| {
                    let words = duration_words(Some(duration(sample) / 1000));
                    (sample.conversation_id, format!("{label} {words}"))
                })
                .collect()
        };
        let mut details: Vec<(i64, String)> = match show {
            ReportFigure::Opened => opened.iter().map(now).collect(),
            ReportFigure::StillOpen => opened
                .iter()
                .filter(|(_, status)| status != "resolved")
                .map(now)
                .collect(),
            ReportFigure::Unanswered => unanswered
                .iter()
                .map(|(id, _)| (*id, "No reply yet in a period".to_owned()))
                .collect(),
            ReportFigure::FirstResponse => waits("first_response", "First response"),
            ReportFigure::Reply => waits("reply", "Reply"),
            ReportFigure::Resolved | ReportFigure::Resolution => {
                waits("resolution", "Resolved after")
            }
        };
        details.truncate(MOST_SHOWN);
        let mut ids: Vec<i64> = details.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.store.report_conversations(&ids).await?;
        Ok(details
            .into_iter()
            .filter_map(|(id, detail)| {
                let row = rows.iter().find(|row| row.id == id)?;
                Some(ReportConversation {
                    id,
                    contact_name: row.contact_name.clone(),
                    channel_name: row.channel_name.clone(),
                    status: row.status.clone(),
                    assignee_name: row.assignee_name.clone(),
                    detail,
                })
            })
            .collect())
    }

    /// One row per conversation that began in the range or had a wait measured in it, as CSV.
    pub async fn report_csv(&self, actor: &Actor, query: ReportQuery) -> Result<String, AppError> {
        let (range, clock, filter, _) = self.prepare(actor, &query).await?;
        let samples = self
            .store
            .report_samples(range.from_ms, range.to_ms, filter)
            .await?;
        let opened = self
            .store
            .conversations_opened(range.from_ms, range.to_ms, filter)
            .await?;
        let mut ids: Vec<i64> = samples
            .iter()
            .map(|sample| sample.conversation_id)
            .chain(opened.iter().map(|(id, _)| *id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut csv = String::from(
            "conversation_id,contact,channel,status,assignee,opened_at,first_responses,first_response_median_seconds,replies,reply_median_seconds,resolutions,resolution_median_seconds\n",
        );
        for chunk in ids.chunks(500) {
            for row in self.store.report_conversations(chunk).await? {
                let theirs = |kind: &str| -> Vec<i64> {
                    samples
                        .iter()
                        .filter(|sample| sample.conversation_id == row.id && sample.kind == kind)
                        .map(|sample| clock.duration(sample.started_at, sample.ended_at))
                        .collect()
                };
                let seconds = |durations: &[i64]| {
                    median(durations).map_or_else(String::new, |ms| (ms / 1000).to_string())
                };
                let (first, replies, resolutions) = (
                    theirs("first_response"),
                    theirs("reply"),
                    theirs("resolution"),
                );
                let line = [
                    row.id.to_string(),
                    csv_cell(&row.contact_name),
                    csv_cell(&row.channel_name),
                    row.status.clone(),
                    csv_cell(row.assignee_name.as_deref().unwrap_or_default()),
                    super::rfc3339(row.created_at),
                    first.len().to_string(),
                    seconds(&first),
                    replies.len().to_string(),
                    seconds(&replies),
                    resolutions.len().to_string(),
                    seconds(&resolutions),
                ]
                .join(",");
                csv.push_str(&line);
                csv.push('\n');
            }
        }
        Ok(csv)
    }
}

/// A CSV cell: quoted when it holds a comma, quote or line break, and kept from being read as a
/// formula by spreadsheets.
fn csv_cell(text: &str) -> String {
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
    volume: &[crate::store::VolumeRow],
    samples: &[SampleRow],
    duration: &dyn Fn(&SampleRow) -> i64,
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
    let index_of = |date: Date| ((date - range.from).whole_days()).try_into().ok();
    let mut load_by_hour = vec![vec![0_i64; 24]; 7];
    for row in volume {
        let bucket = range.zone.bucket(row.quarter * 900_000);
        let Some(index) = index_of(bucket.date).filter(|index: &usize| *index < days.len()) else {
            continue;
        };
        if row.direction == "inbound" {
            if let Some(channel) = used.iter().position(|id| *id == row.channel_id) {
                days[index].messages_in[channel] += row.messages;
            }
            let hour = usize::from(bucket.hour_of_week);
            load_by_hour[hour / 24][hour % 24] += row.messages;
        } else {
            days[index].messages_out += row.messages;
        }
    }
    let mut first_by_day: Vec<Vec<i64>> = vec![Vec::new(); days.len()];
    for sample in samples
        .iter()
        .filter(|sample| sample.kind == "first_response")
    {
        if let Some(index) = index_of(range.zone.local_date(sample.started_at))
            .filter(|index: &usize| *index < days.len())
        {
            first_by_day[index].push(duration(sample));
        }
    }
    for (day, durations) in days.iter_mut().zip(&first_by_day) {
        day.first_response_median_seconds = median(durations).map(|ms| ms / 1000);
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
