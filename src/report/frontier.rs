//! The cost against linkage frontier of `parkflow links` (`frontier.svg`):
//! each set of candidate links tried as a point at its capital cost and the
//! judged linkage it reaches in the last target year, the efficient sets
//! joined by a step line, and the target as a dashed line.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::candidates::FrontierPoint;
use crate::error::Result;

use super::Picture;
use super::plots::{Drawn, Figure, colour, render, short};
use super::{FAMILY, font};

struct Frontier<'a> {
    points: &'a [FrontierPoint],
    /// The last target year and its target.
    target: (i32, f64),
    metric: &'a str,
}

impl Figure for Frontier<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let text = |size: u32| (FAMILY, size).into_font().color(&RGBColor(40, 40, 40));
        let max_cost = self.points.iter().map(|p| p.cost).fold(0.0, f64::max);
        let x1 = if max_cost > 0.0 { max_cost * 1.08 } else { 1.0 };
        let top = (self.points.iter().map(|p| p.linkage))
            .chain([self.target.1])
            .fold(0.0, f64::max);
        let y1 = (top * 1.1).clamp(0.05, 1.0);
        let (year, target) = self.target;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Capital cost against {} linkage in {year}", self.metric),
                text(22),
            )
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..x1, 0.0..y1)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .x_desc("capital cost of the set (CNY)")
            .y_desc("linkage rate")
            .label_style(text(15))
            .axis_desc_style(text(15))
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;
        let grey = RGBColor(150, 150, 150);
        chart
            .draw_series(
                (self.points.iter().filter(|p| !p.efficient))
                    .map(|p| Circle::new((p.cost, p.linkage), 4, grey.filled())),
            )?
            .label("a set of candidates")
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, grey.filled()));
        let efficient: Vec<&FrontierPoint> = self.points.iter().filter(|p| p.efficient).collect();
        let line = colour(0);
        let mut steps = Vec::new();
        for (i, p) in efficient.iter().enumerate() {
            if i > 0 {
                steps.push((p.cost, efficient[i - 1].linkage));
            }
            steps.push((p.cost, p.linkage));
        }
        chart
            .draw_series(LineSeries::new(steps, line.stroke_width(2)))?
            .label("frontier: most linkage for the cost")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], line.stroke_width(2))
            });
        chart.draw_series(
            (efficient.iter()).map(|p| Circle::new((p.cost, p.linkage), 5, line.filled())),
        )?;
        let red = RGBColor(200, 30, 30);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, target), (x1, target)],
                6,
                4,
                red.stroke_width(2),
            ))?
            .label(format!("target {:.0}% ({year})", target * 100.0))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], red.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(text(14))
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(200, 200, 200))
            .draw()?;
        Ok(())
    }
}

/// Draw the frontier of `points` against the last target `(year, value)` of
/// the judged `metric`, with the bundled font.
pub fn frontier_svg(points: &[FrontierPoint], target: (i32, f64), metric: &str) -> Result<String> {
    font::register(None)?;
    let picture: Picture = render(
        "frontier",
        &Frontier {
            points,
            target,
            metric,
        },
    )?;
    Ok(picture.svg)
}
