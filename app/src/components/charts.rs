//! Charts for the reports, drawn on the server as SVG: they read without JavaScript, and the
//! browser bundle carries only the few functions that hydrate them, no charting library. Colour is never the only way to read one: each chart is a
//! `<figure>` whose SVG is named by its caption and a one-sentence description, several series
//! carry a text legend, and every number is in a data table under the picture.
//!
//! Every word in a chart (units, day names, headings, titles) comes from the `reports.charts`
//! translations, in the page's language; numbers are written as the caller formats them.
//!
//! Fills come from CSS classes (`series-0`..`series-5`, `heat-0`..`heat-4`) so `style/main.css`
//! themes them for light and dark; coordinates keep at most one decimal so 90 days of bars stay
//! a few kilobytes.

use fixed_decimal::Decimal;
use leptos::prelude::*;
use leptos_i18n::reexports::icu::plurals::PluralOperands;
use serde::{Deserialize, Serialize};

use crate::i18n::{t_string, use_i18n};

/// One named row of a [`StackedBars`] chart (a channel, say): one value per label, drawn from
/// the bottom of each bar up in the order the series are given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Bar charts share one drawing area; the figure scales it to the page, text included, so the
/// sizes are in the SVG's own units.
const BAR_CHART_WIDTH: f64 = 640.0;
const BAR_CHART_HEIGHT: f64 = 220.0;
/// Room on the left so the first day's label, centred under its bar, is not cut off.
const PLOT_LEFT: f64 = 20.0;
const PLOT_RIGHT: f64 = 620.0;
/// Room above the plot for the axis maximum's label.
const PLOT_TOP: f64 = 20.0;
/// Room below the plot for the day labels.
const PLOT_BOTTOM: f64 = 196.0;
const X_LABEL_BASELINE: f64 = 213.0;
/// More day labels than this would run into each other; the rest are in the data table.
const MOST_X_LABELS: usize = 8;
/// A bar takes this share of its slot; the rest is the gap that tells neighbours apart.
const BAR_SHARE: f64 = 0.8;

/// The heat map's grid: a column of day names, then 24 hour cells per day.
const HEAT_LABEL_WIDTH: f64 = 40.0;
const HEAT_TOP: f64 = 20.0;
const HEAT_CELL_WIDTH: f64 = 22.0;
const HEAT_CELL_HEIGHT: f64 = 20.0;
const HEAT_GAP: f64 = 2.0;
/// Shades above "none": each covers a quarter of the busiest hour's count.
const HEAT_LEVELS: u64 = 4;
/// The heat map's rows, Monday first.
const DAYS_IN_WEEK: usize = 7;

/// The number of series colours in `style/main.css`; further series reuse them from the start.
const SERIES_COLOURS: usize = 6;

/// Shown in the data table where a value is missing, so a gap is never read as a zero.
const MISSING: &str = "—";

/// Bars stacked by series, one bar per label: how many messages each channel carried each day.
///
/// `format` writes the numbers (table, hover titles, axis maximum) without the unit, which
/// follows it where needed; by default whole numbers print without decimals. A value missing
/// from the end of a series shows as "—"; missing, negative and non-finite values draw nothing
/// and add nothing to the day's total.
#[component]
pub fn StackedBars(
    /// Unique on the page: the figure's id and the prefix of its caption's and description's.
    id: &'static str,
    title: String,
    /// One sentence saying what the chart shows, read out by screen readers.
    description: String,
    /// One per bar, left to right, e.g. days as "12-01".
    labels: Vec<String>,
    series: Vec<Series>,
    /// What is counted: messages.
    unit: ChartUnit,
    #[prop(default = plain_number)] format: fn(f64) -> String,
    /// The data table's heading over the labels; "Day" when not given.
    #[prop(optional)]
    label_heading: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label_heading = label_heading.unwrap_or_else(|| t_string!(i18n, reports.charts.day));
    let value = |series: &Series, index: usize| series.values.get(index).copied();
    let totals: Vec<f64> = (0..labels.len())
        .map(|index| {
            series
                .iter()
                .map(|series| drawable(value(series, index)))
                .sum()
        })
        .collect();
    let largest = totals.iter().copied().fold(0.0, f64::max);

    let table = (!labels.is_empty()).then(|| {
        let mut headings = vec![label_heading.to_string()];
        headings.extend(series.iter().map(|series| series.name.clone()));
        headings.push(t_string!(i18n, reports.charts.total).to_string());
        let rows = labels
            .iter()
            .zip(&totals)
            .enumerate()
            .map(|(index, (label, total))| {
                let mut cells: Vec<String> = series
                    .iter()
                    .map(|series| table_text(value(series, index), format))
                    .collect();
                cells.push(format(*total));
                (label.clone(), cells)
            })
            .collect();
        data_table(&title, unit, headings, rows)
    });

    let Some(maximum) = axis_maximum(largest) else {
        let empty = unit.nothing().to_string();
        return chart_figure(id, title, empty_state(empty, table));
    };

    let slot = (PLOT_RIGHT - PLOT_LEFT) / labels.len() as f64;
    let separator = t_string!(i18n, reports.charts.list_separator);
    let bars = labels
        .iter()
        .enumerate()
        .filter(|(index, _)| totals[*index] > 0.0)
        .map(|(index, label)| {
            let left = PLOT_LEFT + slot * index as f64 + slot * (1.0 - BAR_SHARE) / 2.0;
            let mut below = 0.0;
            let segments = series
                .iter()
                .enumerate()
                .filter_map(|(series_index, series)| {
                    let amount = drawable(value(series, index));
                    let bottom = rounded(height_y(below, maximum));
                    below += amount;
                    let top = rounded(height_y(below, maximum));
                    (bottom - top > 0.0).then(|| {
                        view! {
                            <rect
                                class=series_class(series_index)
                                x=coordinate(left)
                                y=coordinate(top)
                                width=coordinate(slot * BAR_SHARE)
                                height=coordinate(bottom - top)
                            />
                        }
                    })
                })
                .collect_view();
            let parts = series
                .iter()
                .map(|series| {
                    format!(
                        "{} {}",
                        series.name,
                        table_text(value(series, index), format)
                    )
                })
                .collect::<Vec<_>>()
                .join(separator);
            let total = unit.amount(totals[index], &format(totals[index]));
            let hover =
                t_string!(i18n, reports.charts.stack_title, label, parts, total).to_string();
            view! {
                <g>
                    <title>{hover}</title>
                    {segments}
                </g>
            }
        })
        .collect_view();

    let legend = (series.len() > 1).then(|| {
        legend(
            series
                .iter()
                .enumerate()
                .map(|(index, series)| (series_class(index), series.name.clone()))
                .collect(),
        )
    });

    let picture = view! {
        {chart_svg(
            id,
            description,
            bar_chart_view_box(),
            view! {
                {y_axis(unit.amount(maximum, &format(maximum)))}
                {bars}
                {x_labels(&labels, slot)}
            },
        )}
        {legend}
        {table}
    };
    chart_figure(id, title, picture.into_any())
}

/// One bar per label where a value may be missing (no conversation that day): a missing value
/// is a gap in the bars and "—" in the table, never a zero. Median first-response minutes per
/// day, say.
///
/// `format` writes the numbers (table, hover titles, axis maximum) without the unit, which
/// follows it where needed: `|minutes| format!("{minutes:.0}")` with `unit = ChartUnit::Minutes`.
#[component]
pub fn Bars(
    /// Unique on the page: the figure's id and the prefix of its caption's and description's.
    id: &'static str,
    title: String,
    /// One sentence saying what the chart shows, read out by screen readers.
    description: String,
    /// One per bar, left to right, e.g. days as "12-01".
    labels: Vec<String>,
    values: Vec<Option<f64>>,
    /// What is measured: minutes, say.
    unit: ChartUnit,
    format: fn(f64) -> String,
    /// The data table's heading over the labels; "Day" when not given.
    #[prop(optional)]
    label_heading: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label_heading = label_heading.unwrap_or_else(|| t_string!(i18n, reports.charts.day));
    let value = |index: usize| values.get(index).copied().flatten();
    let largest = (0..labels.len())
        .map(|index| drawable(value(index)))
        .fold(0.0, f64::max);

    let table = (!labels.is_empty()).then(|| {
        let headings = vec![label_heading.to_string(), unit.heading().to_string()];
        let rows = labels
            .iter()
            .enumerate()
            .map(|(index, label)| (label.clone(), vec![table_text(value(index), format)]))
            .collect();
        data_table(&title, unit, headings, rows)
    });

    let Some(maximum) = axis_maximum(largest) else {
        let empty = t_string!(i18n, reports.charts.nothing).to_string();
        return chart_figure(id, title, empty_state(empty, table));
    };

    let slot = (PLOT_RIGHT - PLOT_LEFT) / labels.len() as f64;
    let bars = labels
        .iter()
        .enumerate()
        .filter_map(|(index, label)| {
            let amount = value(index).filter(|amount| amount.is_finite())?;
            let top = rounded(height_y(drawable(Some(amount)), maximum));
            let height = rounded(PLOT_BOTTOM) - top;
            let left = PLOT_LEFT + slot * index as f64 + slot * (1.0 - BAR_SHARE) / 2.0;
            let value = unit.amount(amount, &format(amount));
            let hover = t_string!(i18n, reports.charts.value_title, label, value).to_string();
            (height > 0.0).then(|| {
                view! {
                    <rect
                        class=series_class(0)
                        x=coordinate(left)
                        y=coordinate(top)
                        width=coordinate(slot * BAR_SHARE)
                        height=coordinate(height)
                    >
                        <title>{hover}</title>
                    </rect>
                }
            })
        })
        .collect_view();

    let picture = view! {
        {chart_svg(
            id,
            description,
            bar_chart_view_box(),
            view! {
                {y_axis(unit.amount(maximum, &format(maximum)))}
                {bars}
                {x_labels(&labels, slot)}
            },
        )}
        {table}
    };
    chart_figure(id, title, picture.into_any())
}

/// Load by hour of the week: seven rows, Monday to Sunday, of 24 hourly counts, each cell
/// shaded by its share of the busiest hour and titled with its count for pointer users.
///
/// Rows past the seventh are ignored and missing ones count as zero. The hours are whatever
/// clock the caller counted in: say which in `description`.
#[component]
pub fn Heatmap(
    /// Unique on the page: the figure's id and the prefix of its caption's and description's.
    id: &'static str,
    title: String,
    /// One sentence saying what the chart shows, read out by screen readers.
    description: String,
    counts: Vec<[u64; 24]>,
    /// What is counted: messages.
    unit: ChartUnit,
) -> impl IntoView {
    let i18n = use_i18n();
    let week: Vec<[u64; 24]> = (0..DAYS_IN_WEEK)
        .map(|day| counts.get(day).copied().unwrap_or([0; 24]))
        .collect();
    let busiest = week.iter().flatten().copied().max().unwrap_or(0);

    let table = (!counts.is_empty()).then(|| {
        let mut headings = vec![t_string!(i18n, reports.charts.day).to_string()];
        headings.extend((0..24).map(|hour| format!("{hour:02}:00")));
        headings.push(t_string!(i18n, reports.charts.total).to_string());
        let rows = week
            .iter()
            .enumerate()
            .map(|(day, hours)| {
                let mut cells: Vec<String> = hours.iter().map(u64::to_string).collect();
                let total: u128 = hours.iter().map(|&count| u128::from(count)).sum();
                cells.push(total.to_string());
                (day_name(day).to_string(), cells)
            })
            .collect();
        data_table(&title, unit, headings, rows)
    });

    if busiest == 0 {
        let empty = unit.nothing().to_string();
        return chart_figure(id, title, empty_state(empty, table));
    }

    let pitch_x = HEAT_CELL_WIDTH + HEAT_GAP;
    let pitch_y = HEAT_CELL_HEIGHT + HEAT_GAP;
    let hour_labels = (0..24u32)
        .step_by(3)
        .map(|hour| {
            view! {
                <text x=coordinate(HEAT_LABEL_WIDTH + pitch_x * f64::from(hour)) y="14">
                    {format!("{hour:02}:00")}
                </text>
            }
        })
        .collect_view();
    let rows = week
        .iter()
        .enumerate()
        .map(|(row, hours)| {
            let top = HEAT_TOP + pitch_y * row as f64;
            let day = day_name(row);
            let cells = hours
                .iter()
                .enumerate()
                .map(|(hour, &count)| {
                    let from = format!("{hour:02}:00");
                    let to = format!("{:02}:00", hour + 1);
                    let amount = count_with_unit(count, unit);
                    let hover = t_string!(i18n, reports.charts.hour_title, day, from, to, amount)
                        .to_string();
                    view! {
                        <rect
                            class=format!("heat-{}", heat_level(count, busiest))
                            x=coordinate(HEAT_LABEL_WIDTH + pitch_x * hour as f64)
                            y=coordinate(top)
                            width=coordinate(HEAT_CELL_WIDTH)
                            height=coordinate(HEAT_CELL_HEIGHT)
                        >
                            <title>{hover}</title>
                        </rect>
                    }
                })
                .collect_view();
            view! {
                <text x="0" y=coordinate(top + 14.0)>
                    {short_day_name(row)}
                </text>
                {cells}
            }
        })
        .collect_view();

    let width = HEAT_LABEL_WIDTH + pitch_x * 24.0 - HEAT_GAP;
    let height = HEAT_TOP + pitch_y * DAYS_IN_WEEK as f64 - HEAT_GAP;
    let view_box = format!("0 0 {} {}", coordinate(width), coordinate(height));
    let shades = (0..=HEAT_LEVELS)
        .filter_map(|level| {
            heat_range(level, busiest, unit).map(|range| (format!("heat-{level}"), range))
        })
        .collect();

    let picture = view! {
        {chart_svg(
            id,
            description,
            view_box,
            view! {
                {hour_labels}
                {rows}
            },
        )}
        {legend(shades)}
        {table}
    };
    chart_figure(id, title, picture.into_any())
}

/// The frame every chart shares; the caption names the figure and, with the description, the
/// picture inside it.
fn chart_figure(id: &'static str, title: String, body: AnyView) -> AnyView {
    view! {
        <figure class="chart" id=id>
            <figcaption id=format!("{id}-title")>{title}</figcaption>
            {body}
        </figure>
    }
    .into_any()
}

/// The picture: an image to assistive technology, named by the caption and the description,
/// so they are not asked to make sense of rectangles. Drawn left to right in every language,
/// so labels anchored at their start stay inside it on right-to-left pages (`meet`, the
/// default, keeps the whole picture in view).
fn chart_svg(
    id: &'static str,
    description: String,
    view_box: String,
    content: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <svg
            role="img"
            aria-labelledby=format!("{id}-title {id}-desc")
            viewBox=view_box
            preserveAspectRatio="xMinYMin"
            class="chart-svg"
            direction="ltr"
        >
            <desc id=format!("{id}-desc")>{description}</desc>
            {content}
        </svg>
    }
}

/// Said instead of a chart with nothing to draw; the table, if there are rows, still lists the
/// zeros and gaps.
fn empty_state(sentence: String, table: Option<impl IntoView + 'static>) -> AnyView {
    view! {
        <p class="chart-empty">{sentence}</p>
        {table}
    }
    .into_any()
}

/// Swatches with their words: which colour is which series, or which shade is how many.
fn legend(entries: Vec<(String, String)>) -> impl IntoView {
    let items = entries
        .into_iter()
        .map(|(class, text)| {
            view! {
                <li>
                    <span class=format!("chart-swatch {class}") aria-hidden="true"></span>
                    {text}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="chart-legend">{items}</ul> }
}

/// Every number behind a chart, folded away under the picture for those who want to read or
/// copy them. `headings` starts with the one over the row labels.
fn data_table(
    title: &str,
    unit: ChartUnit,
    headings: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
) -> impl IntoView + 'static {
    let i18n = use_i18n();
    let summary = t_string!(i18n, reports.charts.data_table, title).to_string();
    let caption = t_string!(i18n, reports.charts.caption, title, unit = unit.word()).to_string();
    let header = headings
        .into_iter()
        .map(|heading| view! { <th scope="col">{heading}</th> })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|(label, cells)| {
            let cells = cells
                .into_iter()
                .map(|cell| view! { <td class="number">{cell}</td> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="chart-data">
            <summary>{summary}</summary>
            <table class="report-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>{header}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </details>
    }
}

fn bar_chart_view_box() -> String {
    format!("0 0 {BAR_CHART_WIDTH} {BAR_CHART_HEIGHT}")
}

/// The baseline, a dashed line at the top of the scale and its value, so a bar's height can
/// be read against a number.
fn y_axis(maximum_label: String) -> impl IntoView {
    let left = coordinate(PLOT_LEFT);
    let right = coordinate(PLOT_RIGHT);
    let top = coordinate(PLOT_TOP);
    let bottom = coordinate(PLOT_BOTTOM);
    view! {
        <line class="chart-grid" x1=left.clone() y1=top.clone() x2=right.clone() y2=top />
        <text x=left.clone() y=coordinate(PLOT_TOP - 6.0)>
            {maximum_label}
        </text>
        <line class="chart-axis" x1=left y1=bottom.clone() x2=right y2=bottom />
    }
}

/// Labels under a few evenly spaced bars: all 90 days would overlap.
fn x_labels(labels: &[String], slot: f64) -> impl IntoView + 'static {
    let step = labels.len().div_ceil(MOST_X_LABELS).max(1);
    labels
        .iter()
        .enumerate()
        .step_by(step)
        .map(|(index, label)| {
            let centre = PLOT_LEFT + slot * (index as f64 + 0.5);
            view! {
                <text x=coordinate(centre) y=coordinate(X_LABEL_BASELINE) text-anchor="middle">
                    {label.clone()}
                </text>
            }
        })
        .collect_view()
}

/// The top of the scale: the largest value rounded up to a number read at a glance (120 rather
/// than 113), or `None` when nothing is above zero and there is nothing to draw. Values of one
/// and more keep whole-numbered tops, so a formatter without decimals does not mislabel them.
fn axis_maximum(largest: f64) -> Option<f64> {
    if !(largest.is_finite() && largest > 0.0) {
        return None;
    }
    let magnitude = 10f64.powf(largest.log10().floor());
    let rounded_up = [10u32, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100]
        .into_iter()
        .map(|tenths| f64::from(tenths) * magnitude / 10.0)
        .filter(|top| largest < 1.0 || (top - top.round()).abs() < 1e-9)
        .map(|top| if largest < 1.0 { top } else { top.round() })
        .find(|top| *top >= largest);
    Some(rounded_up.filter(|top| top.is_finite()).unwrap_or(largest))
}

/// Where a bar of this height ends, counted from the baseline up.
fn height_y(amount: f64, maximum: f64) -> f64 {
    let share = (amount / maximum).clamp(0.0, 1.0);
    PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP)
}

/// What can be drawn of a value: missing, negative and non-finite ones draw nothing.
fn drawable(value: Option<f64>) -> f64 {
    value
        .filter(|value| value.is_finite() && *value > 0.0)
        .unwrap_or(0.0)
}

/// A value for the table and hover titles: every known number, and "—" for a missing one.
fn table_text(value: Option<f64>, format: fn(f64) -> String) -> String {
    value
        .filter(|value| value.is_finite())
        .map_or_else(|| MISSING.to_string(), format)
}

/// The default number format: whole numbers without decimals, others with up to two.
fn plain_number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Rounded to one decimal, the precision every coordinate is written with; never `-0`.
fn rounded(value: f64) -> f64 {
    (value * 10.0).round() / 10.0 + 0.0
}

/// A coordinate for an SVG attribute: at most one decimal, and never NaN or infinite.
fn coordinate(value: f64) -> String {
    let value = rounded(value);
    if value.is_finite() {
        value.to_string()
    } else {
        "0".to_string()
    }
}

fn series_class(index: usize) -> String {
    format!("series-{}", index % SERIES_COLOURS)
}

/// 0 for an empty hour, else 1 to 4 by the quarter of the busiest hour's count it falls in.
fn heat_level(count: u64, busiest: u64) -> u64 {
    if count == 0 || busiest == 0 {
        return 0;
    }
    let level = (u128::from(count) * u128::from(HEAT_LEVELS)).div_ceil(u128::from(busiest));
    u64::try_from(level).map_or(HEAT_LEVELS, |level| level.min(HEAT_LEVELS))
}

/// The counts a shade stands for, as the legend says them ("4–6 messages"), or `None` for a
/// shade no count can have (with few messages some quarters hold no whole number).
fn heat_range(level: u64, busiest: u64, unit: ChartUnit) -> Option<String> {
    if level == 0 {
        return Some(count_with_unit(0u64, unit));
    }
    let quarter_end =
        |level: u64| u128::from(level) * u128::from(busiest) / u128::from(HEAT_LEVELS);
    let lowest = quarter_end(level - 1) + 1;
    let highest = quarter_end(level);
    match lowest.cmp(&highest) {
        std::cmp::Ordering::Greater => None,
        std::cmp::Ordering::Equal => Some(count_with_unit(lowest, unit)),
        std::cmp::Ordering::Less => Some(unit.range(&format!("{lowest}–{highest}"))),
    }
}

/// "1 message", "12 messages", "0 messages".
fn count_with_unit(count: impl Into<u128>, unit: ChartUnit) -> String {
    let count = count.into();
    if count == 0 {
        return unit.zero().to_string();
    }
    let i18n = use_i18n();
    let amount = count.to_string();
    let count = PluralOperands::from(count);
    match unit {
        ChartUnit::Messages => {
            t_string!(i18n, reports.charts.messages.amount, count, amount).to_string()
        }
        ChartUnit::Minutes => {
            t_string!(i18n, reports.charts.minutes.amount, count, amount).to_string()
        }
        ChartUnit::Answers => {
            t_string!(i18n, reports.charts.answers.amount, count, amount).to_string()
        }
    }
}

/// Which plural form a number takes, as it is written: a whole value is that integer ("1.0
/// minute" as English has always said it), any other is read from its text, so "9.6" and the
/// "10" that 10.4 is rounded to each take the form their digits call for.
fn plural_count(value: f64, written: &str) -> PluralOperands {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        PluralOperands::from(value as i64)
    } else {
        Decimal::try_from_str(written).map_or_else(
            |_| PluralOperands::from(value.trunc() as i64),
            |decimal| PluralOperands::from(&decimal),
        )
    }
}

/// A day of the heat map by its full name ("Monday"), Monday being 0.
fn day_name(day: usize) -> &'static str {
    let i18n = use_i18n();
    match day {
        0 => t_string!(i18n, reports.charts.days.monday),
        1 => t_string!(i18n, reports.charts.days.tuesday),
        2 => t_string!(i18n, reports.charts.days.wednesday),
        3 => t_string!(i18n, reports.charts.days.thursday),
        4 => t_string!(i18n, reports.charts.days.friday),
        5 => t_string!(i18n, reports.charts.days.saturday),
        _ => t_string!(i18n, reports.charts.days.sunday),
    }
}

/// A day as the heat map's rows are labelled ("Mon"), Monday being 0.
fn short_day_name(day: usize) -> &'static str {
    let i18n = use_i18n();
    match day {
        0 => t_string!(i18n, reports.charts.short_days.monday),
        1 => t_string!(i18n, reports.charts.short_days.tuesday),
        2 => t_string!(i18n, reports.charts.short_days.wednesday),
        3 => t_string!(i18n, reports.charts.short_days.thursday),
        4 => t_string!(i18n, reports.charts.short_days.friday),
        5 => t_string!(i18n, reports.charts.short_days.saturday),
        _ => t_string!(i18n, reports.charts.short_days.sunday),
    }
}

/// What a chart counts or measures. Its words, and the form a number gives them ("1 message",
/// "2 messages"; Arabic has six forms), are in the page's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartUnit {
    Messages,
    Minutes,
    Answers,
}

impl ChartUnit {
    /// The unit alone, as the data table's caption names it: "messages".
    fn word(self) -> &'static str {
        let i18n = use_i18n();
        match self {
            ChartUnit::Messages => t_string!(i18n, reports.charts.messages.word),
            ChartUnit::Minutes => t_string!(i18n, reports.charts.minutes.word),
            ChartUnit::Answers => t_string!(i18n, reports.charts.answers.word),
        }
    }

    /// The heading over the values in a data table: "Minutes".
    fn heading(self) -> &'static str {
        let i18n = use_i18n();
        match self {
            ChartUnit::Messages => t_string!(i18n, reports.charts.messages.heading),
            ChartUnit::Minutes => t_string!(i18n, reports.charts.minutes.heading),
            ChartUnit::Answers => t_string!(i18n, reports.charts.answers.heading),
        }
    }

    /// Said instead of a chart with nothing counted: "No messages in this period."
    fn nothing(self) -> &'static str {
        let i18n = use_i18n();
        match self {
            ChartUnit::Messages => t_string!(i18n, reports.charts.messages.none),
            ChartUnit::Minutes => t_string!(i18n, reports.charts.minutes.none),
            ChartUnit::Answers => t_string!(i18n, reports.charts.answers.none),
        }
    }

    /// None of it, as an empty hour and the lightest shade say: "0 messages".
    fn zero(self) -> &'static str {
        let i18n = use_i18n();
        match self {
            ChartUnit::Messages => t_string!(i18n, reports.charts.messages.zero),
            ChartUnit::Minutes => t_string!(i18n, reports.charts.minutes.zero),
            ChartUnit::Answers => t_string!(i18n, reports.charts.answers.zero),
        }
    }

    /// An amount as `written` (by the chart's `format`) followed by the unit in the form that
    /// number takes: "1 message", "2.5 minutes".
    fn amount(self, value: f64, written: &str) -> String {
        let i18n = use_i18n();
        let count = plural_count(value, written);
        let amount = written;
        match self {
            ChartUnit::Messages => {
                t_string!(i18n, reports.charts.messages.amount, count, amount).to_string()
            }
            ChartUnit::Minutes => {
                t_string!(i18n, reports.charts.minutes.amount, count, amount).to_string()
            }
            ChartUnit::Answers => {
                t_string!(i18n, reports.charts.answers.amount, count, amount).to_string()
            }
        }
    }

    /// A range of counts, "4–6", with the unit: "4–6 messages".
    fn range(self, range: &str) -> String {
        let i18n = use_i18n();
        match self {
            ChartUnit::Messages => {
                t_string!(i18n, reports.charts.messages.range, range).to_string()
            }
            ChartUnit::Minutes => t_string!(i18n, reports.charts.minutes.range, range).to_string(),
            ChartUnit::Answers => t_string!(i18n, reports.charts.answers.range, range).to_string(),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use leptos_i18n::context::{I18nContextOptions, init_i18n_context_with_options};

    use super::*;
    use crate::i18n::Locale;

    /// Runs `render` with the page's words in `language`.
    fn in_language<T>(language: Locale, render: impl FnOnce() -> T) -> T {
        // The context starts effects, which need an executor; another test may have set it.
        let _ = any_spawner::Executor::init_futures_executor();
        Owner::new().with(|| {
            let i18n = init_i18n_context_with_options::<Locale>(
                I18nContextOptions::default().enable_cookie(false),
            );
            i18n.set_locale(language);
            provide_context(i18n);
            render()
        })
    }

    /// Runs `render` in English, the reference language, as a page is shown to someone who
    /// chose no language and whose browser asks for none on offer.
    fn in_english<T>(render: impl FnOnce() -> T) -> T {
        in_language(Locale::en, render)
    }

    #[test]
    fn amounts_take_the_form_their_number_calls_for_in_each_language() {
        in_english(|| {
            assert_eq!(count_with_unit(1u64, ChartUnit::Messages), "1 message");
            assert_eq!(count_with_unit(0u64, ChartUnit::Messages), "0 messages");
            assert_eq!(ChartUnit::Minutes.amount(1.0, "1.0"), "1.0 minute");
            assert_eq!(ChartUnit::Minutes.amount(0.96, "1.0"), "1.0 minutes");
            assert_eq!(ChartUnit::Minutes.amount(9.6, "9.6"), "9.6 minutes");
        });
        // French keeps the singular below two.
        in_language(Locale::fr, || {
            assert_eq!(ChartUnit::Minutes.amount(1.5, "1.5"), "1.5 minute");
            assert_eq!(ChartUnit::Minutes.amount(2.5, "2.5"), "2.5 minutes");
            assert_eq!(count_with_unit(0u64, ChartUnit::Answers), "0 réponse");
        });
        // Arabic has a dual, a plural for three to ten, and the singular from eleven.
        in_language(Locale::ar, || {
            assert_eq!(count_with_unit(1u64, ChartUnit::Messages), "رسالة واحدة");
            assert_eq!(count_with_unit(2u64, ChartUnit::Messages), "رسالتان");
            assert_eq!(count_with_unit(5u64, ChartUnit::Messages), "5 رسائل");
            assert_eq!(count_with_unit(11u64, ChartUnit::Messages), "11 رسالة");
            assert_eq!(count_with_unit(0u64, ChartUnit::Messages), "لا رسائل");
            assert_eq!(ChartUnit::Minutes.amount(2.5, "2.5"), "2.5 دقيقة");
            assert_eq!(ChartUnit::Minutes.amount(10.4, "10"), "10 دقائق");
        });
    }

    #[test]
    fn a_heatmap_names_the_days_in_the_page_s_language() {
        let html = in_language(Locale::es, || {
            view! {
                <Heatmap
                    id="load"
                    title="carga".to_string()
                    description="carga".to_string()
                    counts=week()
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });
        assert!(html.contains(">Lun</text>") && html.contains(">Dom</text>"));
        assert!(html.contains(r#"<th scope="row">Miércoles</th>"#));
        assert!(html.contains("<title>Martes 14:00–15:00: 4 mensajes</title>"));
        assert!(html.contains("<title>Martes 01:00–02:00: 1 mensaje</title>"));
        assert!(html.contains("<caption>carga (mensajes)</caption>"));
    }

    fn days(count: usize) -> Vec<String> {
        (1..=count).map(|day| format!("12-{day:02}")).collect()
    }

    fn minutes(value: f64) -> String {
        format!("{value:.0}")
    }

    /// No attribute or text may hold a number the browser cannot draw.
    fn assert_drawable(html: &str) {
        for bad in ["NaN", "inf", "=\"-0\""] {
            assert!(!html.contains(bad), "{bad} in the chart");
        }
    }

    fn assert_labelled(html: &str, id: &str) {
        for expected in [
            format!(r#"<figure id="{id}" class="chart">"#),
            format!(r#"<figcaption id="{id}-title">"#),
            format!(r#"<desc id="{id}-desc">"#),
            format!(r#"<svg role="img" aria-labelledby="{id}-title {id}-desc""#),
        ] {
            assert!(html.contains(&expected), "no {expected}");
        }
    }

    /// The cells of the data table, in order, tags stripped.
    fn table_cells(html: &str) -> Vec<String> {
        let table = &html[html.find("<tbody>").expect("a data table")..];
        table
            .split("<td class=\"number\">")
            .skip(1)
            .map(|cell| cell[..cell.find("</td>").expect("a closed cell")].to_string())
            .collect()
    }

    fn channels() -> Vec<Series> {
        vec![
            Series {
                name: "WhatsApp".into(),
                values: vec![14.0, 0.0, 7.0],
            },
            Series {
                name: "SMS".into(),
                values: vec![3.0, 1.0, 0.0],
            },
            Series {
                name: "Messenger".into(),
                values: vec![2.0, 0.0, 5.0],
            },
        ]
    }

    #[test]
    fn stacked_bars_are_labelled_and_their_table_holds_every_value() {
        let html = in_english(|| {
            view! {
                <StackedBars
                    id="volume"
                    title="Messages per day".to_string()
                    description="WhatsApp carried most messages.".to_string()
                    labels=days(3)
                    series=channels()
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });

        assert_labelled(&html, "volume");
        assert_drawable(&html);
        assert!(html.contains("WhatsApp carried most messages."));
        assert!(html.contains("<summary>Data table: Messages per day</summary>"));
        assert!(html.contains("<caption>Messages per day (messages)</caption>"));
        for heading in ["Day", "WhatsApp", "SMS", "Messenger", "Total"] {
            assert!(
                html.contains(&format!(r#"<th scope="col">{heading}</th>"#)),
                "{heading}"
            );
        }
        for day in days(3) {
            assert!(
                html.contains(&format!(r#"<th scope="row">{day}</th>"#)),
                "{day}"
            );
        }
        assert_eq!(
            table_cells(&html),
            [
                "14", "3", "2", "19", "0", "1", "0", "1", "7", "0", "5", "12"
            ]
        );
        // A legend in words for the three colours, and a title on each day's bar.
        assert!(html.contains(r#"<ul class="chart-legend">"#));
        assert!(html.contains(r#"class="chart-swatch series-2""#));
        assert!(
            html.contains("<title>12-01: WhatsApp 14, SMS 3, Messenger 2 (19 messages)</title>")
        );
        assert!(html.contains("<title>12-02: WhatsApp 0, SMS 1, Messenger 0 (1 message)</title>"));
        // 19 rounds the scale up to 20.
        assert!(html.contains(">20 messages</text>"));
        // Zero segments draw nothing: 3 + 1 + 2 parts.
        assert_eq!(html.matches("<rect").count(), 6);
    }

    #[test]
    fn stacked_bars_of_ninety_days_label_only_some_and_stay_small() {
        let html = in_english(|| {
            view! {
            <StackedBars
                id="quarter"
                title="Messages per day".to_string()
                description="A quarter of traffic.".to_string()
                labels=days(90)
                series=vec![Series { name: "SMS".into(), values: (0..90).map(f64::from).collect() }]
                unit=ChartUnit::Messages
            />
        }
        .to_html()
        });

        assert_drawable(&html);
        assert!(html.matches("text-anchor=\"middle\"").count() <= MOST_X_LABELS);
        // One series needs no legend: the title says what the bars are.
        assert!(!html.contains("chart-legend"));
        assert_eq!(table_cells(&html).len(), 90 * 2);
        let coordinates = html
            .split(['"', ' '])
            .filter(|part| part.parse::<f64>().is_ok())
            .filter(|part| {
                part.split('.')
                    .nth(1)
                    .is_some_and(|decimals| decimals.len() > 1)
            });
        assert_eq!(coordinates.count(), 0, "more than one decimal in {html}");
    }

    #[test]
    fn stacked_bars_with_nothing_say_so_instead_of_drawing() {
        let all_zero = in_english(|| {
            view! {
                <StackedBars
                    id="quiet"
                    title="Messages per day".to_string()
                    description="No traffic.".to_string()
                    labels=days(2)
                    series=vec![Series { name: "SMS".into(), values: vec![0.0, 0.0] }]
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });
        assert_drawable(&all_zero);
        assert!(!all_zero.contains("<svg"));
        assert!(all_zero.contains("No messages in this period."));
        assert_eq!(table_cells(&all_zero), ["0", "0", "0", "0"]);

        let empty = in_english(|| {
            view! {
                <StackedBars
                    id="none"
                    title="Messages per day".to_string()
                    description="No traffic.".to_string()
                    labels=Vec::new()
                    series=Vec::new()
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });
        assert_drawable(&empty);
        assert!(!empty.contains("<svg"));
        assert!(!empty.contains("<table"));
        assert!(empty.contains(r#"<figcaption id="none-title">"#));
        assert!(empty.contains("No messages in this period."));
    }

    #[test]
    fn stacked_bars_survive_short_and_unusable_values() {
        let html = in_english(|| {
            view! {
                <StackedBars
                    id="odd"
                    title="Messages per day".to_string()
                    description="Odd input.".to_string()
                    labels=days(3)
                    series=vec![Series { name: "SMS".into(), values: vec![f64::NAN, -2.0] }]
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });
        assert_drawable(&html);
        assert!(!html.contains("<svg"));
        assert_eq!(table_cells(&html), ["—", "0", "-2", "0", "—", "0"]);
    }

    #[test]
    fn bars_leave_a_gap_for_a_missing_value() {
        let html = in_english(|| {
            view! {
                <Bars
                    id="response"
                    title="Median first response".to_string()
                    description="Replies came within 10 minutes.".to_string()
                    labels=days(4)
                    values=vec![Some(4.0), None, Some(9.6), Some(0.0)]
                    unit=ChartUnit::Minutes
                    format=minutes
                />
            }
            .to_html()
        });

        assert_labelled(&html, "response");
        assert_drawable(&html);
        assert_eq!(table_cells(&html), ["4", "—", "10", "0"]);
        assert!(html.contains(r#"<th scope="col">Minutes</th>"#));
        assert!(html.contains(">10 minutes</text>"));
        assert!(html.contains("<title>12-01: 4 minutes</title>"));
        // The missing day and the zero day draw no bar.
        assert_eq!(html.matches("<rect").count(), 2);
        assert!(!html.contains("chart-legend"));
    }

    #[test]
    fn bars_with_nothing_say_so_instead_of_drawing() {
        for values in [
            vec![None, None],
            vec![Some(0.0), Some(f64::INFINITY)],
            Vec::new(),
        ] {
            let html = in_english(|| {
                view! {
                    <Bars
                        id="response"
                        title="Median first response".to_string()
                        description="No replies.".to_string()
                        labels=days(2)
                        values=values
                        unit=ChartUnit::Minutes
                        format=minutes
                    />
                }
                .to_html()
            });
            assert_drawable(&html);
            assert!(!html.contains("<svg"));
            assert!(html.contains("Nothing to show for this period."));
            assert_eq!(table_cells(&html).len(), 2);
        }
        let empty = in_english(|| {
            view! {
                <Bars
                    id="response"
                    title="Median first response".to_string()
                    description="No replies.".to_string()
                    labels=Vec::new()
                    values=Vec::new()
                    unit=ChartUnit::Minutes
                    format=minutes
                />
            }
            .to_html()
        });
        assert!(!empty.contains("<svg") && !empty.contains("<table"));
    }

    fn week() -> Vec<[u64; 24]> {
        (0..7u64)
            .map(|day| std::array::from_fn(|hour| day * (hour as u64 % 5)))
            .collect()
    }

    #[test]
    fn heatmap_has_a_titled_cell_for_every_hour_of_the_week() {
        let html = in_english(|| {
            view! {
                <Heatmap
                    id="load"
                    title="Messages by hour".to_string()
                    description="Busiest on Sunday afternoons, UTC.".to_string()
                    counts=week()
                    unit=ChartUnit::Messages
                />
            }
            .to_html()
        });

        assert_labelled(&html, "load");
        assert_drawable(&html);
        assert_eq!(html.matches("<rect").count(), 168);
        assert_eq!(html.matches("<title>").count(), 168);
        assert!(html.contains("<title>Tuesday 14:00–15:00: 4 messages</title>"));
        assert!(html.contains("<title>Tuesday 01:00–02:00: 1 message</title>"));
        assert!(html.contains("<title>Sunday 23:00–24:00: 18 messages</title>"));
        // The busiest hours (6 × 4 = 24) take the darkest shade; empty ones the lightest.
        assert!(html.contains(r#"class="heat-4""#) && html.contains(r#"class="heat-0""#));
        assert!(html.contains("13–18 messages"));
        let cells = table_cells(&html);
        assert_eq!(cells.len(), 7 * 25);
        assert_eq!(cells[24], "0");
        assert_eq!(cells[25 + 4], "4");
        // Tuesday's total: four rounds of 0+1+2+3+4, then 0+1+2+3.
        assert_eq!(cells[25 + 24], "46");
    }

    #[test]
    fn heatmap_with_nothing_says_so_instead_of_drawing() {
        for counts in [vec![[0; 24]; 7], Vec::new()] {
            let rows = counts.len();
            let html = in_english(|| {
                view! {
                    <Heatmap
                        id="load"
                        title="Messages by hour".to_string()
                        description="Nothing yet.".to_string()
                        counts=counts
                        unit=ChartUnit::Messages
                    />
                }
                .to_html()
            });
            assert_drawable(&html);
            assert!(!html.contains("<svg"));
            assert!(html.contains("No messages in this period."));
            // Seven rows of zeros are still data; no rows at all is not.
            assert_eq!(html.contains("<table"), rows > 0);
        }
    }

    #[test]
    fn scale_tops_are_round_and_never_below_the_largest_value() {
        assert_eq!(axis_maximum(0.0), None);
        assert_eq!(axis_maximum(f64::NAN), None);
        assert_eq!(axis_maximum(-3.0), None);
        assert_eq!(axis_maximum(1.0), Some(1.0));
        assert_eq!(axis_maximum(2.3), Some(3.0));
        assert_eq!(axis_maximum(19.0), Some(20.0));
        assert_eq!(axis_maximum(113.0), Some(120.0));
        assert_eq!(axis_maximum(1234.0), Some(1500.0));
        for largest in [0.003, 0.7, 9.99, 99.5, 1e-300, 1e300, f64::MAX] {
            let top = axis_maximum(largest).expect("a scale");
            assert!(top.is_finite() && top >= largest, "{largest} → {top}");
        }
    }

    #[test]
    fn heat_levels_split_the_busiest_count_in_quarters() {
        assert_eq!(heat_level(0, 8), 0);
        assert_eq!(heat_level(1, 8), 1);
        assert_eq!(heat_level(2, 8), 1);
        assert_eq!(heat_level(3, 8), 2);
        assert_eq!(heat_level(8, 8), 4);
        assert_eq!(heat_level(u64::MAX, u64::MAX), 4);
        in_english(|| {
            assert_eq!(heat_range(1, 2, ChartUnit::Messages), None);
            assert_eq!(
                heat_range(0, 2, ChartUnit::Messages).as_deref(),
                Some("0 messages")
            );
            assert_eq!(
                heat_range(2, 2, ChartUnit::Messages).as_deref(),
                Some("1 message")
            );
            assert_eq!(
                heat_range(4, 8, ChartUnit::Messages).as_deref(),
                Some("7–8 messages")
            );
        });
    }
}
