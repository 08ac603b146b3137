//! Sweep plots: a histogram per output with its target or cap and the
//! probability of meeting it, a fan chart of linkage in the target years
//! (a box per simulated year, its target marked),
//! a tornado of Spearman correlations, and S1/ST bars for Sobol sweeps.
//!
//! The sweep's files do not hold the targets and caps themselves, so the
//! line is the target or cap recorded in the sweep's `thresholds`; for
//! results without them, it is placed between the runs that met and the
//! runs that missed (the `<output>_met` flags), and left out when every run
//! met, or none did.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::Result;

use super::plots::{Drawn, Figure, colour, render, short};
use super::terms::Term;
use super::{FAMILY, HISTOGRAM_BINS, Picture, SweepResults, Threshold};

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&RGBColor(40, 40, 40))
}

struct Histograms<'a> {
    r: &'a SweepResults,
    outputs: Vec<String>,
    chinese: bool,
}

impl Figure for Histograms<'_> {
    fn size(&self) -> (u32, u32) {
        let rows = self.outputs.len().div_ceil(2).max(1) as u32;
        (1000, 50 + rows * 300)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let root = root.titled(Term::HistogramsTitle.text(self.chinese), font(20))?;
        let rows = self.outputs.len().div_ceil(2).max(1);
        let panels = root.split_evenly((rows, 2));
        for (i, name) in self.outputs.iter().enumerate() {
            let Some(h) = self.r.histograms.get(name) else {
                continue;
            };
            let (a, b) = h.range;
            let width = (b - a) / HISTOGRAM_BINS as f64;
            let counts = &h.counts;
            let top = *counts.iter().max().unwrap_or(&1) as f64 * 1.25;
            let prob = self.r.summary.probabilities.get(name).copied();
            let caption = match prob {
                Some(p) => {
                    Term::MetInRuns.fill(self.chinese, &[name, &format!("{:.0}", p * 100.0)])
                }
                None => name.clone(),
            };
            let mut chart = ChartBuilder::on(&panels[i])
                .caption(caption, font(15))
                .margin(10)
                .x_label_area_size(26)
                .y_label_area_size(46)
                .build_cartesian_2d(a..b, 0.0..top)?;
            chart
                .configure_mesh()
                .x_labels(6)
                .x_label_formatter(&|v| short(*v))
                .y_label_formatter(&|v| format!("{v:.0}"))
                .label_style(font(11))
                .disable_x_mesh()
                .light_line_style(WHITE)
                .draw()?;
            let col = colour(i);
            chart.draw_series(counts.iter().enumerate().map(|(k, &c)| {
                let x0 = a + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, c as f64)], col.mix(0.75).filled())
            }))?;
            if let Some(Threshold {
                value: t,
                at_least,
                recorded: exact,
            }) = h.line
            {
                let red = RGBColor(200, 30, 30);
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(t, 0.0), (t, top)],
                    red.stroke_width(2),
                )))?;
                let term = match (at_least, exact) {
                    (true, true) => Term::TargetLine,
                    (false, true) => Term::CapLine,
                    (true, false) => Term::TargetAbout,
                    (false, false) => Term::CapAbout,
                };
                let text = term.fill(self.chinese, &[&short(t)]);
                // Near the right edge the label goes left of the line.
                let side = if t > a + 0.7 * (b - a) {
                    HPos::Right
                } else {
                    HPos::Left
                };
                chart.draw_series(std::iter::once(Text::new(
                    text,
                    (t, top * 0.97),
                    font(12).color(&red).pos(Pos::new(side, VPos::Top)),
                )))?;
            }
        }
        Ok(())
    }
}

/// One simulated year of the fan chart: the linkage output's 5, 25, 50,
/// 75 and 95% points across runs, and its target if any.
struct FanYear {
    year: f64,
    points: [f64; 5],
    target: Option<f64>,
}

/// The linkage outputs in their years: a box and whiskers per simulated
/// year, nothing drawn between years (no run simulated them), and each
/// target marked within the axis.
struct Fan {
    years: Vec<FanYear>,
    chinese: bool,
}

/// Half the width of a year's box, in years.
const BOX: f64 = 0.18;

impl Figure for Fan {
    fn size(&self) -> (u32, u32) {
        (1000, 460)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let (x0, x1) = (
            self.years.first().map_or(0.0, |p| p.year),
            self.years.last().map_or(1.0, |p| p.year),
        );
        let top = (self.years.iter())
            .flat_map(|p| [p.points[4], p.target.unwrap_or(0.0)])
            .fold(0.0f64, f64::max)
            .max(0.1)
            * 1.2;
        let mut chart = ChartBuilder::on(root)
            .caption(Term::FanTitle.text(self.chinese), font(18))
            .margin(14)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d((x0 - 0.7)..(x1 + 0.7), 0.0..top)?;
        let simulated: Vec<f64> = self.years.iter().map(|p| p.year).collect();
        chart
            .configure_mesh()
            .x_labels(((x1 - x0) as usize + 2).min(12))
            .x_label_formatter(&|x| {
                // Only the simulated years are named.
                if simulated.iter().any(|y| (x - y).abs() < 1e-6) {
                    format!("{x:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .label_style(font(13))
            .disable_x_mesh()
            .light_line_style(WHITE)
            .draw()?;
        let blue = colour(0);
        for p in &self.years {
            let (x, [p05, p25, p50, p75, p95]) = (p.year, p.points);
            chart.draw_series([
                Rectangle::new(
                    [(x - BOX / 3.0, p05), (x + BOX / 3.0, p95)],
                    blue.mix(0.2).filled(),
                ),
                Rectangle::new([(x - BOX, p25), (x + BOX, p75)], blue.mix(0.45).filled()),
            ])?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x - BOX, p50), (x + BOX, p50)],
                blue.stroke_width(3),
            )))?;
        }
        let red = RGBColor(200, 30, 30);
        for p in &self.years {
            let Some(t) = p.target else { continue };
            chart.draw_series(std::iter::once(TriangleMarker::new(
                (p.year + BOX + 0.08, t),
                8,
                red.filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                Term::Target.fill(self.chinese, &[&format!("{:.0}", t * 100.0)]),
                (p.year + BOX + 0.16, t),
                font(13).color(&red).pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        Ok(())
    }
}

/// A 95% interval.
type Interval = (f64, f64);

/// One parameter's bar: label, value and interval, and an optional second
/// value with its interval (ST beside S1).
type BarRow = (
    String,
    f64,
    Option<Interval>,
    Option<(f64, Option<Interval>)>,
);

/// Horizontal bars per parameter: Spearman (tornado) or S1/ST with intervals.
struct Bars {
    title: String,
    rows: Vec<BarRow>,
    range: (f64, f64),
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        (1000, 90 + 30 * self.rows.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let n = self.rows.len().max(1) as i32;
        let labels: Vec<String> = self.rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, font(17))
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(380)
            .build_cartesian_2d(
                self.range.0..self.range.1,
                (0..(n - 1).max(1)).into_segmented(),
            )?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|v| format!("{v:.2}"))
            .label_style(font(12))
            .light_line_style(WHITE)
            .draw()?;
        let two = self.rows.iter().any(|r| r.3.is_some());
        for (j, row) in self.rows.iter().enumerate() {
            let j = j as i32;
            let (first_col, second_col) = (colour(0), colour(1));
            let c = if !two && row.1 < 0.0 {
                colour(2)
            } else {
                first_col
            };
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(j)),
                    (row.1, SegmentValue::Exact(j + 1)),
                ],
                c.filled(),
            );
            if two {
                bar.set_margin(15, 3, 0, 0);
            } else {
                bar.set_margin(4, 4, 0, 0);
            }
            chart.draw_series(std::iter::once(bar))?;
            if let Some((v, _)) = row.3 {
                let mut bar2 = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(j)),
                        (v, SegmentValue::Exact(j + 1)),
                    ],
                    second_col.filled(),
                );
                bar2.set_margin(3, 15, 0, 0);
                chart.draw_series(std::iter::once(bar2))?;
            }
            for ci in [row.2, row.3.and_then(|s| s.1)].into_iter().flatten() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![
                        (ci.0, SegmentValue::CenterOf(j)),
                        (ci.1, SegmentValue::CenterOf(j)),
                    ],
                    BLACK.stroke_width(1),
                )))?;
            }
        }
        Ok(())
    }
}

/// All pictures of a sweep, with Chinese words when `chinese`.
pub fn pictures(r: &SweepResults, chinese: bool) -> Result<Vec<Picture>> {
    let outs = r.outputs();
    let mut pictures = Vec::new();
    if !outs.is_empty() {
        pictures.push(render(
            "histograms",
            &Histograms {
                r,
                outputs: outs.clone(),
                chinese,
            },
        )?);
    }
    // Fan chart over the linkage outputs' years: the years simulated.
    let mut years: Vec<FanYear> = Vec::new();
    for (name, s) in &r.summary.outputs {
        let Some(year) = name
            .strip_prefix("linkage_")
            .and_then(|y| y.parse::<i32>().ok())
        else {
            continue;
        };
        years.push(FanYear {
            year: f64::from(year),
            points: [s.p05, s.p25, s.p50, s.p75, s.p95],
            target: (r.summary.thresholds.get(name).copied().flatten()).filter(|t| t.is_finite()),
        });
    }
    years.sort_by(|a, b| a.year.total_cmp(&b.year));
    if years.len() >= 2 && years.iter().all(|p| p.points.iter().all(|v| v.is_finite())) {
        pictures.push(render("fan", &Fan { years, chinese })?);
    }
    // Tornado and Sobol bars for each output.
    for name in &outs {
        let Some(params) = r.summary.sensitivity.get(name) else {
            continue;
        };
        let ci = |c: Option<[Option<f64>; 2]>| c.and_then(|[lo, hi]| Some((lo?, hi?)));
        let mut rows: Vec<_> = params
            .iter()
            .filter_map(|(p, v)| v.spearman.map(|s| (p.clone(), s, None, None)))
            .collect();
        rows.sort_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if !rows.is_empty() {
            pictures.push(render(
                &format!("tornado-{name}"),
                &Bars {
                    title: Term::TornadoTitle.fill(chinese, &[name]),
                    rows,
                    range: (-1.0, 1.0),
                },
            )?);
        }
        let mut sobol: Vec<_> = params
            .iter()
            .filter_map(|(p, v)| {
                let (s1, st) = (v.s1.filter(|s| !s.is_nan())?, v.st.filter(|s| !s.is_nan())?);
                Some((p.clone(), s1, ci(v.s1_ci), Some((st, ci(v.st_ci)))))
            })
            .collect();
        if !sobol.is_empty() {
            sobol.sort_by(|a, b| {
                let (x, y) = (a.3.map_or(0.0, |s| s.0), b.3.map_or(0.0, |s| s.0));
                x.total_cmp(&y)
            });
            let hi = sobol
                .iter()
                .flat_map(|r| {
                    [
                        r.1,
                        r.2.map_or(0.0, |c| c.1),
                        r.3.map_or(0.0, |s| s.0),
                        r.3.and_then(|s| s.1).map_or(0.0, |c| c.1),
                    ]
                })
                .fold(0.0f64, f64::max)
                .max(0.1)
                * 1.1;
            let lo = sobol
                .iter()
                .flat_map(|r| [r.1, r.2.map_or(0.0, |c| c.0)])
                .fold(0.0f64, f64::min);
            pictures.push(render(
                &format!("sobol-{name}"),
                &Bars {
                    title: Term::SobolTitle.fill(chinese, &[name]),
                    rows: sobol,
                    range: (lo.min(0.0), hi),
                },
            )?);
        }
    }
    Ok(pictures)
}
