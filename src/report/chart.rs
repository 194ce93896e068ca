//! The transitions chart drawn: a self-contained SVG (no script, no external font or image) that
//! GitHub shows through an image link and the HTML preview embeds inline. Its data types live in
//! the leaf `crate::timeline`, which the transitions step fills.

pub use crate::timeline::{Mark, StateBand, TimelineChart};

use crate::i18n::Lang;
use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use std::fmt::Write;

const WIDTH: f64 = 860.0;
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = WIDTH - 24.0;
const PLOT_HEIGHT: f64 = 220.0;
const TITLE_HEIGHT: f64 = 34.0;
const LABEL_ROW: f64 = 16.0;
const AXIS_HEIGHT: f64 = 44.0;
const LEGEND_HEIGHT: f64 = 28.0;
/// Tick spacings the time axis chooses from, in minutes: a few minutes to a few hours.
const TICK_STEPS: [i64; 12] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720];
const MAX_TICKS: i64 = 8;
/// The fill opacity of the state bands, and of the legend's swatches that name them.
const BAND_OPACITY: f64 = 0.16;

pub fn state_colour(state: &str) -> &'static str {
    match state {
        "OK" => "#2e7d32",
        "ALARM" => "#c62828",
        _ => "#9e9e9e",
    }
}

fn state_label(state: &str, lang: Lang) -> String {
    match state {
        "OK" => "OK".into(),
        "ALARM" => lang.pick("ALARM", "ALARM（アラーム状態）").into(),
        "INSUFFICIENT_DATA" => lang
            .pick("INSUFFICIENT_DATA", "INSUFFICIENT_DATA（データ不足）")
            .into(),
        other => other.to_string(),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An estimate of a label's width in pixels at 12 px sans-serif (CJK characters are square).
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 7.0 } else { 12.5 })
        .sum()
}

fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("+09:00")
}

/// The tick spacing (minutes) that gives at most [`MAX_TICKS`] ticks over `span_minutes`.
pub fn tick_step_minutes(span_minutes: f64) -> i64 {
    TICK_STEPS
        .iter()
        .copied()
        .find(|step| span_minutes / (*step as f64) <= MAX_TICKS as f64)
        .unwrap_or(1440)
}

/// The ticks of the time axis: multiples of the step in Japan time (so a two-hour step falls on
/// 10:00, 12:00, … JST), inside `[from, to]`.
pub fn time_ticks(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let span = (to - from).num_seconds() as f64 / 60.0;
    let step = tick_step_minutes(span);
    let local = from.with_timezone(&jst());
    let minutes_of_day = i64::from(local.hour()) * 60 + i64::from(local.minute());
    let seconds = i64::from(local.second());
    let mut first_offset = (step - minutes_of_day % step) % step;
    if first_offset == 0 && (seconds > 0 || local.nanosecond() > 0) {
        first_offset = step;
    }
    let start =
        from - Duration::seconds(seconds) - Duration::nanoseconds(i64::from(local.nanosecond()))
            + Duration::minutes(first_offset);
    let mut ticks = Vec::new();
    let mut tick = start;
    while tick <= to {
        ticks.push(tick);
        tick += Duration::minutes(step);
    }
    ticks
}

struct Scale {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    y_max: f64,
    plot_top: f64,
}

impl Scale {
    fn x(&self, at: DateTime<Utc>) -> f64 {
        let span = (self.to - self.from).num_milliseconds().max(1) as f64;
        let offset = (at - self.from).num_milliseconds() as f64;
        PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * (offset / span).clamp(0.0, 1.0)
    }
    fn y(&self, value: f64) -> f64 {
        self.plot_top + PLOT_HEIGHT * (1.0 - (value / self.y_max).clamp(0.0, 1.0))
    }
}

/// The time span the chart shows: everything it holds, at least two minutes.
fn domain(chart: &TimelineChart) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let times = chart
        .points
        .iter()
        .map(|(t, _)| *t)
        .chain(chart.bands.iter().flat_map(|b| [b.from, b.to]))
        .chain(chart.marks.iter().map(|m| m.at));
    let (from, to) = times.fold(None, |acc: Option<(DateTime<Utc>, DateTime<Utc>)>, t| {
        Some(match acc {
            None => (t, t),
            Some((a, b)) => (a.min(t), b.max(t)),
        })
    })?;
    let minimum = Duration::minutes(2);
    if to - from < minimum {
        let pad = (minimum - (to - from)) / 2;
        return Some((from - pad, to + pad));
    }
    Some((from, to))
}

/// Where the series' last value stops: one point spacing (the metric's period) after the last
/// point, the smallest gap between points; `None` for a single point.
fn series_end(points: &[(DateTime<Utc>, f64)]) -> Option<DateTime<Utc>> {
    let period = points
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .filter(|gap| *gap > Duration::zero())
        .min()?;
    points.last().map(|(t, _)| *t + period)
}

/// Rows for the marks' labels so that no two overlap: each label goes in the first row whose
/// last label ends before it starts.
fn label_rows(xs: &[(f64, f64)]) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    xs.iter()
        .map(
            |&(start, end)| match row_ends.iter().position(|&e| e + 6.0 <= start) {
                Some(row) => {
                    row_ends[row] = end;
                    row
                }
                None => {
                    row_ends.push(end);
                    row_ends.len() - 1
                }
            },
        )
        .collect()
}

/// The chart as an SVG document: the series as a step line, alarm states as coloured bands,
/// vertical marks with labels above the plot, the time axis in JST.
pub fn render_svg(chart: &TimelineChart, lang: Lang) -> String {
    let (from, to) = domain(chart).unwrap_or_else(|| {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        (now, now + Duration::minutes(5))
    });
    let max_value = chart.points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let y_max = if max_value <= 0.0 {
        1.0
    } else {
        (max_value * 1.25).ceil().max(max_value + 1.0)
    };

    // Marks' labels, laid out before the height is known.
    let mut marks: Vec<&Mark> = chart.marks.iter().collect();
    marks.sort_by_key(|m| m.at);
    let provisional = Scale {
        from,
        to,
        y_max,
        plot_top: 0.0,
    };
    let spans: Vec<(f64, f64)> = marks
        .iter()
        .map(|m| {
            let x = provisional.x(m.at);
            let width = text_width(&m.label) + 4.0;
            // Labels start at their line, or end at it near the right edge.
            if x + width > WIDTH - 4.0 {
                (x - width, x)
            } else {
                (x, x + width)
            }
        })
        .collect();
    let rows = label_rows(&spans);
    let row_count = rows.iter().max().map_or(0, |r| r + 1);
    let plot_top = TITLE_HEIGHT + LABEL_ROW * row_count as f64 + 8.0;
    let height = plot_top + PLOT_HEIGHT + AXIS_HEIGHT + LEGEND_HEIGHT;
    let scale = Scale {
        from,
        to,
        y_max,
        plot_top,
    };
    let plot_bottom = plot_top + PLOT_HEIGHT;

    let mut svg = String::new();
    let title = escape(&chart.title);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, "<title>{title}</title>");
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        svg,
        r##"<text x="{PLOT_LEFT}" y="22" font-size="15" font-weight="bold" fill="#222222">{title}</text>"##
    );

    let series = escape(&chart.series_label);
    draw_bands(&mut svg, chart, &scale);
    draw_value_axis(&mut svg, &scale, &series);
    draw_time_axis(&mut svg, &scale, lang);
    draw_series(&mut svg, chart, &scale, &series);

    // Marks: a dashed line through the plot, the label above it.
    let _ = writeln!(svg, r#"<g class="marks">"#);
    for ((mark, (start, _)), row) in marks.iter().zip(&spans).zip(&rows) {
        let x = scale.x(mark.at);
        let label_y = TITLE_HEIGHT + LABEL_ROW * (*row as f64) + 12.0;
        let label = escape(&mark.label);
        let anchor_x = start + 2.0;
        let _ = writeln!(
            svg,
            r##"<line class="mark" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{plot_bottom:.1}" stroke="#333333" stroke-width="1" stroke-dasharray="4 3"/><text class="mark-label" x="{anchor_x:.1}" y="{label_y:.1}" fill="#222222">{label}</text>"##,
            label_y + 3.0
        );
    }
    let _ = writeln!(svg, "</g>");

    draw_legend(
        &mut svg,
        chart,
        lang,
        plot_bottom + AXIS_HEIGHT + 12.0,
        &series,
    );
    svg.push_str("</svg>\n");
    svg
}

/// The alarm's states as coloured bands across the plot.
fn draw_bands(svg: &mut String, chart: &TimelineChart, scale: &Scale) {
    let plot_top = scale.plot_top;
    // Alarm state bands.
    let _ = writeln!(svg, r#"<g class="bands">"#);
    for band in &chart.bands {
        let (x1, x2) = (scale.x(band.from), scale.x(band.to));
        let colour = state_colour(&band.state);
        let state = escape(&band.state);
        let _ = writeln!(
            svg,
            r#"<rect class="band" data-state="{state}" x="{x1:.1}" y="{plot_top:.1}" width="{:.1}" height="{PLOT_HEIGHT}" fill="{colour}" fill-opacity="{BAND_OPACITY}"/>"#,
            (x2 - x1).max(0.5)
        );
        let _ = writeln!(
            svg,
            r#"<rect x="{x1:.1}" y="{plot_top:.1}" width="{:.1}" height="5" fill="{colour}"/>"#,
            (x2 - x1).max(0.5)
        );
        if x2 - x1 > text_width(&band.state) + 8.0 {
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" fill="{colour}" font-size="11">{state}</text>"#,
                x1 + 4.0,
                plot_top + 18.0
            );
        }
    }
    let _ = writeln!(svg, "</g>");
}

/// The value axis with its grid lines, and the series' name beside it.
fn draw_value_axis(svg: &mut String, scale: &Scale, series: &str) {
    let (y_max, plot_top) = (scale.y_max, scale.plot_top);
    // Value axis and grid.
    let y_step = if y_max <= 10.0 {
        1.0
    } else {
        (y_max / 5.0).ceil()
    };
    let mut value = 0.0;
    while value <= y_max + 1e-9 {
        let y = scale.y(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{PLOT_LEFT}" y1="{y:.1}" x2="{PLOT_RIGHT}" y2="{y:.1}" stroke="#dddddd" stroke-width="1"/>"##
        );
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#444444">{value}</text>"##,
            PLOT_LEFT - 6.0,
            y + 4.0
        );
        value += y_step;
    }
    let _ = writeln!(
        svg,
        r##"<text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle" fill="#444444">{series}</text>"##,
        plot_top + PLOT_HEIGHT / 2.0,
        plot_top + PLOT_HEIGHT / 2.0
    );
}

/// The time axis in JST: ticks, their labels and the axis title with the date.
fn draw_time_axis(svg: &mut String, scale: &Scale, lang: Lang) {
    let (from, to) = (scale.from, scale.to);
    let plot_bottom = scale.plot_top + PLOT_HEIGHT;
    // Time axis in JST.
    let _ = writeln!(
        svg,
        r##"<line x1="{PLOT_LEFT}" y1="{plot_bottom:.1}" x2="{PLOT_RIGHT}" y2="{plot_bottom:.1}" stroke="#444444" stroke-width="1"/>"##
    );
    let _ = writeln!(svg, r#"<g class="ticks">"#);
    for tick in time_ticks(from, to) {
        let x = scale.x(tick);
        let label = tick.with_timezone(&jst()).format("%H:%M");
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{plot_bottom:.1}" x2="{x:.1}" y2="{:.1}" stroke="#444444"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#444444">{label}</text>"##,
            plot_bottom + 5.0,
            plot_bottom + 18.0
        );
    }
    let _ = writeln!(svg, "</g>");
    let axis_title = escape(&format!(
        "{} {}",
        lang.pick("Time (JST)", "時刻（日本時間）"),
        from.with_timezone(&jst()).format("%Y-%m-%d")
    ));
    let _ = writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#444444">{axis_title}</text>"##,
        (PLOT_LEFT + PLOT_RIGHT) / 2.0,
        plot_bottom + 36.0
    );
}

/// The series as a step line with its points.
fn draw_series(svg: &mut String, chart: &TimelineChart, scale: &Scale, series: &str) {
    // The series as a step line: each value holds until the next point, and the last one for
    // its own period (the spacing of the points), so the line ends where the data ends instead
    // of with a vertical jump that reads as an event.
    let mut points = chart.points.clone();
    points.sort_by_key(|(t, _)| *t);
    if let Some(((t0, v0), rest)) = points.split_first() {
        let mut d = format!("M{:.1},{:.1}", scale.x(*t0), scale.y(*v0));
        for (t, v) in rest {
            let _ = write!(d, " H{:.1} V{:.1}", scale.x(*t), scale.y(*v));
        }
        if let Some(end) = series_end(&points) {
            let _ = write!(d, " H{:.1}", scale.x(end));
        }
        let _ = writeln!(
            svg,
            r##"<path class="series" data-label="{series}" d="{d}" fill="none" stroke="#1565c0" stroke-width="2.5"/>"##
        );
        if points.len() <= 60 {
            for (t, v) in &points {
                let _ = writeln!(
                    svg,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="#1565c0"/>"##,
                    scale.x(*t),
                    scale.y(*v)
                );
            }
        }
    }
}

/// The legend: the series' line and one swatch per alarm state.
fn draw_legend(svg: &mut String, chart: &TimelineChart, lang: Lang, legend_y: f64, series: &str) {
    let mut x = PLOT_LEFT;
    let _ = writeln!(
        svg,
        r##"<line x1="{x}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1565c0" stroke-width="2.5"/><text x="{:.1}" y="{:.1}" fill="#222222">{series}</text>"##,
        legend_y - 4.0,
        x + 18.0,
        legend_y - 4.0,
        x + 24.0,
        legend_y
    );
    x += 24.0 + text_width(&chart.series_label) + 18.0;
    for state in ["OK", "ALARM", "INSUFFICIENT_DATA"] {
        let label = state_label(state, lang);
        // Drawn as the bands are: a pale fill under a solid top edge.
        let colour = state_colour(state);
        let _ = writeln!(
            svg,
            r##"<rect class="legend-swatch" data-state="{state}" x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}" fill-opacity="{BAND_OPACITY}"/><rect x="{x:.1}" y="{:.1}" width="12" height="3" fill="{colour}"/><text x="{:.1}" y="{legend_y:.1}" fill="#222222">{}</text>"##,
            legend_y - 10.0,
            legend_y - 10.0,
            x + 16.0,
            escape(&label)
        );
        x += 16.0 + text_width(&label) + 18.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A hand-made timeline like the transitions step's: Unicorn stopped at 01:02, ALARM at
    /// 01:05, mail at 01:05:30, Unicorn started at 01:10, OK at 01:13.
    pub(crate) fn sample(minutes: i64) -> TimelineChart {
        let start = at("2026-11-21T01:00:00Z");
        let scale = |m: f64| start + Duration::seconds((m * minutes as f64 / 15.0 * 60.0) as i64);
        TimelineChart {
            title: "HealthyHostCount & <alarm> \"lecture06\"".into(),
            series_label: "HealthyHostCount".into(),
            points: (0..=15)
                .map(|m| {
                    (
                        scale(m as f64),
                        if (2..10).contains(&m) { 0.0 } else { 1.0 },
                    )
                })
                .collect(),
            bands: vec![
                StateBand {
                    from: scale(0.0),
                    to: scale(5.0),
                    state: "OK".into(),
                },
                StateBand {
                    from: scale(5.0),
                    to: scale(13.0),
                    state: "ALARM".into(),
                },
                StateBand {
                    from: scale(13.0),
                    to: scale(15.0),
                    state: "OK".into(),
                },
            ],
            marks: vec![
                Mark {
                    at: scale(2.0),
                    label: "Unicorn stopped".into(),
                },
                Mark {
                    at: scale(5.5),
                    label: "ALARM mail".into(),
                },
                Mark {
                    at: scale(10.0),
                    label: "Unicornを起動".into(),
                },
                Mark {
                    at: scale(13.5),
                    label: "OK mail".into(),
                },
            ],
        }
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed: {e}\n{svg}"))
    }

    #[test]
    fn svg_is_well_formed_with_series_bands_and_marks() {
        let svg = render_svg(&sample(15), Lang::En);
        let doc = parse(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let with_class = |class: &str| {
            doc.descendants()
                .filter(|n| n.attribute("class") == Some(class))
                .collect::<Vec<_>>()
        };
        let series = with_class("series");
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].attribute("data-label"), Some("HealthyHostCount"));
        // 16 points: a move, 15 horizontal+vertical steps, and the last value held for its
        // own minute: the line ends flat, not on a vertical jump.
        let d = series[0].attribute("d").unwrap();
        assert_eq!(d.matches(" H").count(), 16);
        let last = d.rsplit(' ').next().unwrap();
        assert!(last.starts_with('H'), "{d}");
        // The legend's swatches are drawn as the bands are (same colour, same opacity).
        for swatch in with_class("legend-swatch") {
            let state = swatch.attribute("data-state").unwrap();
            assert_eq!(swatch.attribute("fill"), Some(state_colour(state)));
            assert_eq!(
                swatch.attribute("fill-opacity"),
                with_class("band")[0].attribute("fill-opacity")
            );
        }
        assert_eq!(with_class("legend-swatch").len(), 3);
        let bands: Vec<&str> = with_class("band")
            .iter()
            .map(|n| n.attribute("data-state").unwrap())
            .collect();
        assert_eq!(bands, ["OK", "ALARM", "OK"]);
        let ok_fill = with_class("band")[0].attribute("fill").unwrap();
        let alarm_fill = with_class("band")[1].attribute("fill").unwrap();
        assert_eq!((ok_fill, alarm_fill), ("#2e7d32", "#c62828"));
        let labels: Vec<&str> = with_class("mark-label")
            .iter()
            .map(|n| n.text().unwrap())
            .collect();
        assert_eq!(
            labels,
            ["Unicorn stopped", "ALARM mail", "Unicornを起動", "OK mail"]
        );
        assert_eq!(with_class("mark").len(), 4);
        // The title is escaped, not broken.
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(
            title.text(),
            Some("HealthyHostCount & <alarm> \"lecture06\"")
        );
    }

    #[test]
    fn the_last_value_holds_for_one_period_of_the_points() {
        let points = [
            (at("2026-11-21T01:05:00Z"), 0.0),
            (at("2026-11-21T01:06:00Z"), 1.0),
            (at("2026-11-21T01:08:00Z"), 1.0),
        ];
        assert_eq!(series_end(&points), Some(at("2026-11-21T01:09:00Z")));
        assert_eq!(series_end(&points[..1]), None);
    }

    #[test]
    fn svg_has_no_script_no_external_reference() {
        let svg = render_svg(&sample(15), Lang::Ja);
        let doc = parse(&svg);
        for node in doc.descendants() {
            assert!(
                !node.has_tag_name("script")
                    && !node.has_tag_name("image")
                    && !node.has_tag_name("style")
            );
            for attr in node.attributes() {
                assert!(
                    !attr.name().starts_with("on"),
                    "event handler {}",
                    attr.name()
                );
                assert!(!attr.value().contains("http") || attr.name() == "xmlns");
            }
        }
        assert!(!svg.contains("@import") && !svg.contains("url("));
        assert!(svg.contains("時刻（日本時間）"));
    }

    fn tick_labels(svg: &str) -> Vec<String> {
        let doc = parse(svg);
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("tick"))
            .map(|n| n.text().unwrap().to_string())
            .collect()
    }

    #[test]
    fn time_axis_scales_to_five_minutes() {
        let svg = render_svg(&sample(5), Lang::En);
        // 10:00 to 10:05 JST: one-minute ticks.
        assert_eq!(
            tick_labels(&svg),
            ["10:00", "10:01", "10:02", "10:03", "10:04", "10:05"]
        );
    }

    #[test]
    fn time_axis_scales_to_three_hours() {
        let svg = render_svg(&sample(180), Lang::En);
        // 10:00 to 13:00 JST: half-hour ticks.
        assert_eq!(
            tick_labels(&svg),
            [
                "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00"
            ]
        );
        let doc = parse(&svg);
        // Every drawn x stays inside the picture.
        for node in doc.descendants() {
            for name in ["x", "x1", "x2", "cx"] {
                if let Some(x) = node.attribute(name) {
                    let x: f64 = x.parse().unwrap();
                    assert!((0.0..=WIDTH).contains(&x), "{name}={x}");
                }
            }
        }
    }

    #[test]
    fn ticks_fall_on_round_jst_times() {
        let ticks = time_ticks(at("2026-11-21T01:07:30Z"), at("2026-11-21T07:00:00Z"));
        let labels: Vec<String> = ticks
            .iter()
            .map(|t| t.with_timezone(&jst()).format("%H:%M").to_string())
            .collect();
        assert_eq!(
            labels,
            ["11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
        );
    }

    #[test]
    fn close_marks_get_their_own_label_rows() {
        let start = at("2026-11-21T01:00:00Z");
        let mut chart = sample(180);
        chart.marks = vec![
            Mark {
                at: start,
                label: "Unicorn stopped".into(),
            },
            Mark {
                at: start + Duration::minutes(3),
                label: "ALARM mail".into(),
            },
        ];
        let svg = render_svg(&chart, Lang::En);
        let doc = parse(&svg);
        let ys: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("mark-label"))
            .map(|n| n.attribute("y").unwrap())
            .collect();
        assert_eq!(ys.len(), 2);
        assert_ne!(ys[0], ys[1], "overlapping labels are put on separate rows");
    }

    #[test]
    fn empty_chart_still_renders() {
        let chart = TimelineChart {
            title: "empty".into(),
            series_label: "HealthyHostCount".into(),
            points: vec![],
            bands: vec![],
            marks: vec![],
        };
        parse(&render_svg(&chart, Lang::En));
    }
}
