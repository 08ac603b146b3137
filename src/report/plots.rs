//! The run plots, drawn with plotters into both SVG and PNG: linkage by year
//! against the targets, emissions by pollutant against the caps, and the
//! largest sources in each cap year.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::Result;

use super::names::Names;
use super::terms::Term;
use super::{FAMILY, PALETTE, Picture, RunResults, group, invalid};

/// A drawing error from plotters, as text.
#[derive(Debug)]
pub(crate) struct PlotError(pub String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

pub(crate) type Drawn = std::result::Result<(), PlotError>;

/// Something plotters can draw on any backend.
pub(crate) trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draw on a white area of `size()`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn;
}

/// Draw `figure` on a white `root` and flush it.
fn paint<DB: DrawingBackend, F: Figure>(root: &DrawingArea<DB, Shift>, figure: &F) -> Drawn {
    root.fill(&WHITE)?;
    figure.draw(root)?;
    root.present()?;
    Ok(())
}

/// Draw a figure as SVG and PNG.
pub(crate) fn render<F: Figure>(name: &str, figure: &F) -> Result<Picture> {
    let (w, h) = figure.size();
    let fail = |e: PlotError| invalid(std::path::Path::new(name), format!("drawing: {}", e.0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        paint(&root, figure).map_err(fail)?;
    }
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        paint(&root, figure).map_err(fail)?;
    }
    let png = encode_png(&pixels, w, h)
        .map_err(|e| invalid(std::path::Path::new(name), format!("PNG: {e}")))?;
    Ok(Picture {
        name: name.to_string(),
        svg,
        png: Some(png),
    })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

pub(crate) fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

const DARK: RGBColor = RGBColor(40, 40, 40);
const GREY: RGBColor = RGBColor(120, 120, 120);
const MISSED: RGBColor = RGBColor(200, 30, 30);
const MET: RGBColor = RGBColor(20, 120, 50);

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&DARK)
}

fn year_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{:.0}", x)
    } else {
        String::new()
    }
}

/// Short axis numbers: 140k, 1.2M, 0.35.
pub(crate) fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else {
        trim(v)
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The linkage plot.
struct Linkage<'a> {
    r: &'a RunResults,
    chinese: bool,
}

impl Figure for Linkage<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let r = self.r;
        let zh = self.chinese;
        let (y0, y1) = (
            r.years.first().map_or(0, |y| y.year) as f64,
            r.years.last().map_or(1, |y| y.year) as f64,
        );
        let top = r
            .years
            .iter()
            .flat_map(|y| [y.linkage_mass, y.linkage_product, y.linkage_enterprise])
            .chain(r.summary.targets.iter().map(|t| t.target))
            .fold(0.0f64, f64::max);
        let top = if top > 0.6 { 1.0 } else { (top * 1.3).max(0.1) };
        let judged = r.summary.metric.as_str();
        let mut chart = ChartBuilder::on(root)
            .caption(Term::LinkageTitle.fill(zh, &[&r.summary.park]), font(22))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((y0 - 0.5)..(y1 + 0.7), 0.0..top)?;
        chart
            .configure_mesh()
            .x_labels((y1 - y0) as usize + 2)
            .x_label_formatter(&year_label)
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .y_desc(Term::LinkageRate.text(zh))
            .label_style(font(15))
            .axis_desc_style(font(15))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;

        let series = [
            ("mass", Term::ByMass.text(zh), 0usize),
            // Not the red that marks a missed target.
            ("product", Term::ByProduct.text(zh), 6),
            ("enterprise", Term::ByEnterprise.text(zh), 1),
        ];
        for (metric, label, c) in series {
            let col = colour(c);
            let points: Vec<(f64, f64)> = r
                .years
                .iter()
                .map(|y| {
                    let v = match metric {
                        "mass" => y.linkage_mass,
                        "product" => y.linkage_product,
                        _ => y.linkage_enterprise,
                    };
                    (y.year as f64, v)
                })
                .collect();
            let width = if metric == judged { 3 } else { 2 };
            let label = if metric == judged {
                Term::Judged.fill(zh, &[&label])
            } else {
                label.to_string()
            };
            chart
                .draw_series(LineSeries::new(points.clone(), col.stroke_width(width)))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(width))
                });
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, col.filled())))?;
        }

        if let Some(b) = &r.summary.baseline {
            let p = (b.year as f64, b.target);
            chart
                .draw_series(std::iter::once(Cross::new(p, 7, GREY.stroke_width(3))))?
                .label(
                    Term::BaselineLegend.fill(zh, &[&format!("{:.0}", b.target * 100.0), &b.year]),
                )
                .legend(|(x, y)| Cross::new((x + 10, y), 5, GREY.stroke_width(2)));
            chart.draw_series(std::iter::once(Text::new(
                Term::Baseline.fill(zh, &[&format!("{:.0}", b.target * 100.0)]),
                (p.0 + 0.12, p.1 + top * 0.04),
                font(14).color(&GREY),
            )))?;
        }

        let mut first = true;
        for t in &r.summary.targets {
            let x = t.year as f64;
            let col = if t.met { MET } else { MISSED };
            let marker = chart.draw_series(std::iter::once(TriangleMarker::new(
                (x, t.target),
                9,
                col.filled(),
            )))?;
            if first {
                marker
                    .label(Term::TargetLegend.text(zh))
                    .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, MISSED.filled()));
                first = false;
            }
            chart.draw_series(DashedLineSeries::new(
                vec![(x, t.value), (x, t.target)],
                6,
                4,
                col.stroke_width(2),
            ))?;
            let gap = (t.value - t.target) * 100.0;
            let verdict = if t.met {
                Term::TargetMet.fill(zh, &[&format!("{gap:.1}")])
            } else {
                Term::TargetMissed.fill(zh, &[&format!("{:.1}", -gap)])
            };
            let mid = (t.value + t.target) / 2.0;
            chart.draw_series(std::iter::once(Text::new(
                Term::Target.fill(zh, &[&format!("{:.0}", t.target * 100.0)]),
                (x, t.target + top * 0.035),
                font(14)
                    .color(&col)
                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                verdict,
                (x - 0.1, mid),
                font(14)
                    .color(&col)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            )))?;
        }

        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(14))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
        Ok(())
    }
}

/// `linkage.svg` and `linkage.png`.
pub fn linkage(r: &RunResults, names: &Names) -> Result<Picture> {
    let chinese = names.chinese;
    render("linkage", &Linkage { r, chinese })
}

/// The emissions panels.
struct Emissions<'a> {
    r: &'a RunResults,
    names: &'a Names,
}

impl Emissions<'_> {
    fn grid(&self) -> (usize, usize) {
        let n = self.r.pollutants.len().max(1);
        let cols = if n == 1 { 1 } else { 2 };
        (n.div_ceil(cols), cols)
    }
}

impl Figure for Emissions<'_> {
    fn size(&self) -> (u32, u32) {
        let (rows, _) = self.grid();
        (1000, 60 + 330 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let r = self.r;
        let root = root.titled(
            &self.names.fill(Term::EmissionsTitle, &[&r.summary.park]),
            font(20),
        )?;
        let (rows, cols) = self.grid();
        let panels = root.split_evenly((rows, cols));
        let (y0, y1) = (
            r.years.first().map_or(0, |y| y.year) as f64,
            r.years.last().map_or(1, |y| y.year) as f64,
        );
        for (k, id) in r.pollutants.iter().enumerate() {
            let area = &panels[k];
            let col = colour(k);
            let light = col.mix(0.3);
            let top = r
                .years
                .iter()
                .flat_map(|y| [y.emissions[k].total, y.emissions[k].limit.unwrap_or(0.0)])
                .fold(0.0f64, f64::max)
                .max(1e-9)
                * 1.22;
            let caps: Vec<_> = r
                .summary
                .caps
                .iter()
                .filter(|c| &c.pollutant == id)
                .collect();
            let mut chart = ChartBuilder::on(area)
                .caption(
                    format!(
                        "{} ({})",
                        self.names.pollutant(id),
                        self.names.pollutant_unit(id)
                    ),
                    font(17),
                )
                .margin(10)
                .x_label_area_size(28)
                .y_label_area_size(52)
                .build_cartesian_2d((y0 - 0.6)..(y1 + 0.6), 0.0..top)?;
            chart
                .configure_mesh()
                .x_labels((y1 - y0) as usize + 2)
                .x_label_formatter(&year_label)
                .y_label_formatter(&|v| short(*v))
                .label_style(font(12))
                .disable_x_mesh()
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(220, 220, 220))
                .draw()?;
            for y in &r.years {
                let e = y.emissions[k];
                let x = y.year as f64;
                chart.draw_series([
                    Rectangle::new([(x - 0.35, 0.0), (x + 0.35, e.park)], col.filled()),
                    Rectangle::new([(x - 0.35, e.park), (x + 0.35, e.total)], light.filled()),
                ])?;
            }
            // The park is often a sliver of the total: say how much.
            if let Some(last) = r.years.last() {
                let e = last.emissions[k];
                let share = if e.total > 0.0 {
                    e.park / e.total * 100.0
                } else {
                    0.0
                };
                chart.draw_series(std::iter::once(Text::new(
                    self.names.fill(
                        Term::ParkShare,
                        &[&group(e.park, 0), &last.year, &format!("{share:.1}")],
                    ),
                    (y0 - 0.5, top * 0.985),
                    font(12).color(&col).pos(Pos::new(HPos::Left, VPos::Top)),
                )))?;
            }
            for c in caps {
                let x = c.year as f64;
                let colr = if c.met { MET } else { MISSED };
                if !c.met {
                    let bar_top = c.value;
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.4, 0.0), (x + 0.4, bar_top)],
                        MISSED.stroke_width(3),
                    )))?;
                }
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x - 0.55, c.limit), (x + 0.55, c.limit)],
                    MISSED.stroke_width(3),
                )))?;
                let pct = if c.limit > 0.0 {
                    c.margin / c.limit * 100.0
                } else {
                    0.0
                };
                let (term, pct) = if c.met {
                    (Term::CapWithin, pct)
                } else {
                    (Term::CapExceeded, -pct)
                };
                let verdict = self
                    .names
                    .fill(term, &[&short(c.limit), &format!("{pct:.1}")]);
                // Keep the label inside the panel: right-aligned near the end.
                let (hx, anchor) = if x > (y0 + y1) / 2.0 {
                    (x + 0.55, HPos::Right)
                } else {
                    (x - 0.55, HPos::Left)
                };
                chart.draw_series(std::iter::once(Text::new(
                    verdict,
                    (hx, c.limit.max(c.value) + top * 0.04),
                    font(13).color(&colr).pos(Pos::new(anchor, VPos::Bottom)),
                )))?;
            }
        }
        Ok(())
    }
}

/// `emissions.svg` and `emissions.png`.
pub fn emissions(r: &RunResults, names: &Names) -> Result<Picture> {
    render("emissions", &Emissions { r, names })
}

/// How many sources each panel of `sources` shows.
const TOP_SOURCES: usize = 8;

/// One panel of `sources`: a cap and its largest park sources.
struct SourcePanel {
    title: String,
    bars: Vec<(String, f64)>,
}

struct Sources {
    panels: Vec<SourcePanel>,
    chinese: bool,
}

impl Figure for Sources {
    fn size(&self) -> (u32, u32) {
        let bars: usize = self.panels.iter().map(|p| p.bars.len().max(1)).sum();
        (1000, 50 + self.panels.len() as u32 * 70 + bars as u32 * 26)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let root = root.titled(Term::SourcesTitle.text(self.chinese), font(20))?;
        let heights: Vec<u32> = self
            .panels
            .iter()
            .map(|p| 70 + p.bars.len().max(1) as u32 * 26)
            .collect();
        let mut rest = root;
        for (i, p) in self.panels.iter().enumerate() {
            let (area, below) = rest.split_vertically(heights[i]);
            let n = p.bars.len().max(1) as i32;
            let top = p.bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-9) * 1.25;
            let mut chart = ChartBuilder::on(&area)
                .caption(&p.title, font(16))
                .margin(8)
                .x_label_area_size(24)
                .y_label_area_size(330)
                .build_cartesian_2d(0.0..top, (0..(n - 1).max(1)).into_segmented())?;
            let labels: Vec<String> = p.bars.iter().map(|b| b.0.clone()).collect();
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n as usize)
                .y_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => labels
                        .get(*i as usize)
                        .map(|s| clip(s, 44))
                        .unwrap_or_default(),
                    _ => String::new(),
                })
                .x_label_formatter(&|v| short(*v))
                .label_style(font(13))
                .light_line_style(WHITE)
                .bold_line_style(RGBColor(220, 220, 220))
                .draw()?;
            let col = colour(i);
            chart.draw_series(p.bars.iter().enumerate().map(|(j, (_, v))| {
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(j as i32)),
                        (*v, SegmentValue::Exact(j as i32 + 1)),
                    ],
                    col.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))?;
            chart.draw_series(p.bars.iter().enumerate().map(|(j, (_, v))| {
                Text::new(
                    group(*v, if *v < 100.0 { 1 } else { 0 }),
                    (*v + top * 0.01, SegmentValue::CenterOf(j as i32)),
                    font(12).pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))?;
            rest = below;
        }
        Ok(())
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// `sources.svg` and `sources.png`: per cap, the largest park sources of the
/// pollutant in the cap year (from `emissions.csv`). `None` without caps.
pub fn sources(r: &RunResults, names: &Names) -> Result<Option<Picture>> {
    let mut panels = Vec::new();
    for c in &r.summary.caps {
        let rows: Vec<_> = r
            .emissions
            .iter()
            .filter(|e| e.year == c.year && e.pollutant == c.pollutant)
            .collect();
        let background: f64 = rows
            .iter()
            .filter(|e| e.kind == "background")
            .map(|e| e.amount)
            .sum();
        let mut bars: Vec<(String, f64)> = rows
            .iter()
            .filter(|e| e.kind != "background" && e.amount > 0.0)
            .map(|e| (names.emission_source(&e.kind, &e.source), e.amount))
            .collect();
        let park: f64 = bars.iter().map(|b| b.1).sum();
        bars.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let others = bars.len().saturating_sub(TOP_SOURCES);
        if others > 0 {
            let rest: f64 = bars[TOP_SOURCES - 1..].iter().map(|b| b.1).sum();
            bars.truncate(TOP_SOURCES - 1);
            bars.push((names.fill(Term::OtherSources, &[&(others + 1)]), rest));
        }
        // Largest at the top: the segmented axis counts upwards.
        bars.reverse();
        let unit = names.pollutant_unit(&c.pollutant);
        let pollutant = names.pollutant(&c.pollutant);
        let title = if c.scope == "city" {
            names.fill(
                Term::SourcesCity,
                &[
                    &pollutant,
                    &c.year,
                    &group(park, 0),
                    &group(background, 0),
                    &group(c.value, 0),
                    &group(c.limit, 0),
                    &unit,
                ],
            )
        } else {
            names.fill(
                Term::SourcesPark,
                &[
                    &pollutant,
                    &c.year,
                    &group(park, 0),
                    &group(c.limit, 0),
                    &unit,
                ],
            )
        };
        panels.push(SourcePanel { title, bars });
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let chinese = names.chinese;
    render("sources", &Sources { panels, chinese }).map(Some)
}
