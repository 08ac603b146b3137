//! A run's verdicts as the report words them: a target's or cap's
//! probability of being met and its 5–95 % band over the draws of the
//! park's declared uncertainty (docs/MODEL.md, "Uncertainty"), judged at
//! the default confidence, and the table of enterprises' permits.

use std::fmt::Write as _;

use super::group;
use super::html::{both, escape};
use super::names::Names;
use crate::indicators::{Band, DEFAULT_CONFIDENCE, PermitResult, Status, margin_percent};

/// The probability and band of a judged value, for a finding: empty when
/// no bands were drawn.
pub(super) fn how_sure(met: bool, band: Option<&Band>, decimals: usize) -> String {
    band.map_or(String::new(), |b| {
        let status = if Status::of(met, Some(b), DEFAULT_CONFIDENCE) == Status::AtRisk {
            " (AT RISK)"
        } else {
            ""
        };
        format!(
            ", met in {:.0}% of the draws of the park's uncertainty{status}, 5–95% {}–{}",
            b.p_met * 100.0,
            group(b.p05, decimals),
            group(b.p95, decimals)
        )
    })
}

/// A finding's mark: met, not met, or neither when met but AT RISK.
pub(super) fn judged(met: bool, band: Option<&Band>) -> Option<bool> {
    match Status::of(met, band, DEFAULT_CONFIDENCE) {
        Status::Met => Some(true),
        Status::AtRisk => None,
        Status::NotMet => Some(false),
    }
}

/// The table of permits: one row per permit, at its tightest year (the
/// smallest margin; the first such year), with the years judged and those
/// exceeded. Every year's row is in `summary.json` and `caps`.
pub(super) fn permits_table(o: &mut String, permits: &[PermitResult], names: &Names) {
    if permits.is_empty() {
        return;
    }
    let banded = permits.iter().any(|p| p.band.is_some());
    let band_heads = if banded {
        "<th>discharge 5–95%</th><th>P(met)</th>"
    } else {
        ""
    };
    let _ = writeln!(
        o,
        "<h2>Enterprise permits</h2>\n<table id=\"permits\">\n<tr><th>enterprise</th><th>pollutant</th><th>years judged</th><th>tightest year</th><th>discharge</th><th>limit</th><th>margin</th>{band_heads}<th>status</th></tr>"
    );
    let mut start = 0;
    while start < permits.len() {
        let first = &permits[start];
        let end = start
            + permits[start..]
                .iter()
                .take_while(|p| p.enterprise == first.enterprise && p.pollutant == first.pollutant)
                .count();
        let years = &permits[start..end];
        let margin = |p: &PermitResult| p.limit - p.value;
        let tightest = years
            .iter()
            .reduce(|a, b| if margin(b) < margin(a) { b } else { a })
            .expect("a permit has a judged year");
        let exceeded: Vec<String> = (years.iter())
            .filter(|p| !p.met)
            .map(|p| p.year.to_string())
            .collect();
        let judged = format!(
            "{}–{}{}",
            years[0].year,
            years[years.len() - 1].year,
            if exceeded.is_empty() {
                String::new()
            } else {
                format!("<br><small>exceeded in {}</small>", exceeded.join(", "))
            }
        );
        let (en, zh) = names.enterprise_both(&first.enterprise);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{judged}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>",
            both(&en, zh.as_deref()),
            escape(&names.pollutant(&first.pollutant)),
            tightest.year,
            group(tightest.value, 1),
            group(tightest.limit, 1),
            group(margin(tightest), 1),
            verdict_cells(
                tightest.met,
                tightest.band.as_ref(),
                margin_percent(margin(tightest), tightest.limit)
            ),
        );
        start = end;
    }
    o.push_str("</table>\n");
}

/// The cells that end a cap's or permit's row: its band and P(met) when
/// drawn, then its status and margin in percent.
pub(super) fn verdict_cells(met: bool, band: Option<&Band>, pct: f64) -> String {
    let band_cells = band.map_or(String::new(), |b| {
        format!(
            "<td class=\"n\">{}–{}</td><td class=\"n\">{:.2}</td>",
            group(b.p05, 1),
            group(b.p95, 1),
            b.p_met
        )
    });
    let status = Status::of(met, band, DEFAULT_CONFIDENCE);
    format!(
        "{band_cells}<td class=\"{}\">{} ({pct:+.1}%)</td>",
        if met { "met" } else { "missed" },
        status.word("EXCEEDED").to_lowercase()
    )
}
