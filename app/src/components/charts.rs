//! Charts drawn on the server as SVG, each with a table of the same numbers beside it (for
//! screen readers, and for reading a figure off exactly). No chart library: a bar is a
//! rectangle, and the browser downloads nothing more for it.

use crate::domain::evaluation::calibration::GradeBar;
use crate::i18n::use_texts;
use leptos::prelude::*;
use rust_decimal::Decimal;

/// The grade distribution as bars (actual share filled, target share outlined beside it),
/// and the same numbers as a table for screen readers and for reading off exactly.
#[component]
pub fn DistributionChart(bars: Vec<GradeBar>, graded: usize) -> impl IntoView {
    let t = use_texts();
    const WIDTH: f64 = 560.0;
    const HEIGHT: f64 = 200.0;
    const TOP: f64 = 20.0;
    const BOTTOM: f64 = 30.0;
    let highest = bars
        .iter()
        .flat_map(|b| [b.percent, b.target.unwrap_or(Decimal::ZERO)])
        .max()
        .unwrap_or(Decimal::ONE_HUNDRED)
        .max(Decimal::from(10));
    let scale = |percent: Decimal| -> f64 {
        let share: f64 = (percent / highest).try_into().unwrap_or(0.0);
        share * (HEIGHT - TOP - BOTTOM)
    };
    let slot = WIDTH / bars.len().max(1) as f64;
    let shapes = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let x = i as f64 * slot + slot * 0.2;
            let width = slot * 0.3;
            let actual = scale(bar.percent);
            let target = bar.target.map(scale);
            let base = HEIGHT - BOTTOM;
            let class = if bar.over_target() { "bar bar--over" } else { "bar" };
            view! {
                <g>
                    <rect class=class x=x y=base - actual width=width height=actual />
                    <text class="bar__value" x=x + width / 2.0 y=base - actual - 4.0 text-anchor="middle">
                        {format!("{}%", bar.percent.normalize())}
                    </text>
                    {target.map(|h| view! {
                        <rect class="bar bar--target" x=x + width + 2.0 y=base - h width=width height=h />
                    })}
                    <text class="bar__grade" x=x + width y=HEIGHT - 10.0 text-anchor="middle">{bar.grade.clone()}</text>
                </g>
            }
        })
        .collect_view();
    let rows = bars
        .into_iter()
        .map(|bar| {
            let over = bar.over_target();
            view! {
                <tr class:row--over=over>
                    <th scope="row">{bar.grade.clone()}</th>
                    <td class="num">{bar.count}</td>
                    <td class="num">{format!("{}%", bar.percent.normalize())}</td>
                    <td class="num">{bar.target.map(|p| format!("{}%", p.normalize())).unwrap_or_else(|| "—".into())}</td>
                    <td class="num">{bar.allowed.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                    <td>{over.then(|| view! { <span class="badge badge--late">{move || t().calibration.over}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="distribution">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=move || (t().calibration.chart_label)(graded)>
                <line class="axis" x1="0" y1=HEIGHT - BOTTOM x2=WIDTH y2=HEIGHT - BOTTOM />
                {shapes}
            </svg>
            <figcaption>
                <span class="legend legend--actual"></span>{move || t().calibration.actual_legend}" "
                <span class="legend legend--target"></span>{move || t().calibration.target_legend}
            </figcaption>
        </figure>
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t().calibration.chart_heading>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{move || t().calibration.grade}</th>
                        <th scope="col">{move || t().calibration.count}</th>
                        <th scope="col">{move || t().calibration.share}</th>
                        <th scope="col">{move || t().calibration.target}</th>
                        <th scope="col">{move || t().calibration.allowed}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// How far a set of sheets has come, one bar per phase: the share past it filled, the
/// share late in it marked after that; the same numbers in the table below.
#[component]
pub fn PhaseChart(
    tally: crate::domain::evaluation::progress::Tally,
    deadlines: Vec<crate::domain::evaluation::period::Deadline>,
) -> impl IntoView {
    use crate::i18n::{in_lang, phase_name, use_lang};
    let t = use_texts();
    let lang = use_lang();
    // Narrow enough that a phone shows the labels at a readable size; the label column
    // fits 調整（キャリブレーション）.
    const WIDTH: f64 = 480.0;
    const LABEL: f64 = 178.0;
    const ROW: f64 = 28.0;
    let total = tally.total;
    let height = ROW * tally.phases.len() as f64 + 8.0;
    let share = |n: usize| {
        if total == 0 {
            0.0
        } else {
            n as f64 / total as f64
        }
    };
    let span = WIDTH - LABEL - 60.0;
    let bars = tally
        .phases
        .iter()
        .enumerate()
        .map(|(i, count)| {
            let y = 4.0 + i as f64 * ROW;
            let done = share(count.done) * span;
            let late = share(count.late) * span;
            let phase = count.phase;
            let percent = tally.percent_done(phase);
            view! {
                <g>
                    <text class="bar__grade" x=LABEL - 8.0 y=y + 17.0 text-anchor="end">
                        {move || in_lang(phase_name(phase), lang.get())}
                    </text>
                    <rect class="bar bar--track" x=LABEL y=y + 4.0 width=span height=ROW - 10.0 />
                    <rect class="bar" x=LABEL y=y + 4.0 width=done height=ROW - 10.0 />
                    <rect class="bar bar--over" x=LABEL + done y=y + 4.0 width=late height=ROW - 10.0 />
                    <text class="bar__value" x=LABEL + span + 6.0 y=y + 17.0>{format!("{}%", percent.normalize())}</text>
                </g>
            }
        })
        .collect_view();
    let rows = tally
        .phases
        .iter()
        .map(|count| {
            let phase = count.phase;
            let deadline = deadlines
                .iter()
                .find(|d| d.phase == phase)
                .and_then(|d| d.date)
                .map(|d| d.iso())
                .unwrap_or_else(|| "—".into());
            view! {
                <tr>
                    <th scope="row">{move || in_lang(phase_name(phase), lang.get())}</th>
                    <td>{deadline}</td>
                    <td class="num">{count.done}</td>
                    <td class="num">{total}</td>
                    <td class="num">{format!("{}%", tally.percent_done(phase).normalize())}</td>
                    <td class="num">{count.late}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="distribution">
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img"
                aria-label=move || (t().progress.phase_chart_label)(total)>
                {bars}
            </svg>
            <figcaption>
                <span class="legend legend--actual"></span>{move || t().progress.legend_done}" "
                <span class="legend legend--over"></span>{move || t().progress.legend_late}
            </figcaption>
        </figure>
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t().progress.phase_heading>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{move || t().progress.phase}</th>
                        <th scope="col">{move || t().progress.deadline}</th>
                        <th scope="col">{move || t().progress.done}</th>
                        <th scope="col">{move || t().progress.total}</th>
                        <th scope="col">{move || t().progress.percent}</th>
                        <th scope="col">{move || t().progress.late}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
