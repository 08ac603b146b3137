//! `report.html`: one self-contained page (inline SVG and CSS, no script, no
//! network) opening with the findings in plain words, then the pictures,
//! tables of years, caps and the largest flows, and the model's sources.
//!
//! Every string that comes from a model or result file goes through
//! [`escape`], and a Content-Security-Policy forbids scripts besides, so a
//! park named `<script>…</script>` shows as text.

use std::fmt::Write as _;

use super::status::{how_sure, judged, verdict_cells};
use crate::indicators::margin_percent;
use crate::model::Kind;
use crate::model::Park;

use super::names::Names;
use super::{Picture, RunResults, group, tonnes};

/// Escape text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, Arial, "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", SimHei, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #222; line-height: 1.45; }
h1 { font-size: 26px; margin-bottom: 4px; }
h1 small { display: block; font-size: 17px; color: #555; font-weight: normal; }
h2 { font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 36px; }
.meta { color: #666; font-size: 13px; }
ul.findings { font-size: 17px; background: #f6f8fa; border-left: 4px solid #4e79a7; padding: 12px 12px 12px 36px; }
ul.findings li { margin: 4px 0; }
.missed { color: #b01e1e; font-weight: bold; }
.met { color: #14783a; font-weight: bold; }
figure { margin: 16px 0; }
figure svg { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; border: 1px solid #eee; }
.scroll svg { max-width: none; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
.zh { color: #555; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  ul.findings { font-size: 13px; }
  .scroll { overflow: visible; border: none; }
  figure svg, .scroll svg, figure img { max-width: 100% !important; height: auto !important; }
  figure { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9px; }
  th, td { padding: 1px 4px; }
}
"#;

pub(super) fn head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

pub(super) fn both(en: &str, zh: Option<&str>) -> String {
    match zh {
        Some(zh) if !zh.is_empty() => {
            format!("{} <span class=\"zh\">{}</span>", escape(en), escape(zh))
        }
        _ => escape(en),
    }
}

pub(super) fn figure(o: &mut String, p: &Picture, caption: &str, scroll: bool) {
    // The SVG is ours: plotters escapes its text, and the Sankey escapes names.
    let svg = p
        .svg
        .trim_start()
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .unwrap_or(&p.svg);
    let _ = writeln!(
        o,
        "<figure id=\"{}\"><div class=\"{}\">{}</div><figcaption>{}</figcaption></figure>",
        escape(&p.name),
        if scroll { "scroll" } else { "plot" },
        svg.trim(),
        caption
    );
}

/// The findings of a run in plain words, one sentence each.
pub fn run_findings(r: &RunResults, names: &Names) -> Vec<(String, Option<bool>)> {
    let mut f = Vec::new();
    let metric = match r.summary.metric.as_str() {
        "enterprise" => "linkage (by enterprise)",
        "product" => "linkage (by product)",
        _ => "linkage",
    };
    if let Some(b) = &r.summary.baseline {
        f.push((
            format!(
                "{} {metric} {:.2}, baseline {:.2} (reported, not judged).",
                b.year, b.value, b.target
            ),
            None,
        ));
    }
    for t in &r.summary.targets {
        let gap = (t.value - t.target) * 100.0;
        let verdict = if t.met {
            format!("met with {gap:.0} points to spare")
        } else {
            format!("missed by {:.0} points", -gap)
        };
        f.push((
            format!(
                "{} {metric} {:.2}, target {:.2}: {verdict}{}.",
                t.year,
                t.value,
                t.target,
                how_sure(t.met, t.band.as_ref(), 2)
            ),
            judged(t.met, t.band.as_ref()),
        ));
    }
    for c in &r.summary.caps {
        let pct = margin_percent(c.margin, c.limit);
        let who = if c.scope == "city" {
            "city total"
        } else {
            "park"
        };
        let verdict = if c.met {
            format!("within its cap by {pct:.1}%")
        } else {
            format!("exceeds its cap by {:.1}%", -pct)
        };
        // A city total is mostly what the park does not model: say how
        // much, as the verdict rests on it.
        let background = (c.scope == "city")
            .then(|| background_share(r, c.year, &c.pollutant))
            .flatten()
            .map_or(String::new(), |share| {
                format!(
                    "; {:.0}% of the total is the background, which the park's model does not compute: the verdict is only as sure as that figure",
                    share * 100.0
                )
            });
        f.push((
            format!(
                "{} {} ({who} {} {unit}, cap {} {unit}): {verdict}{}{background}.",
                c.year,
                names.pollutant(&c.pollutant),
                group(c.value, 0),
                group(c.limit, 0),
                how_sure(c.met, c.band.as_ref(), 0),
                unit = names.pollutant_unit(&c.pollutant),
            ),
            judged(c.met, c.band.as_ref()),
        ));
    }
    if f.is_empty() {
        f.push((
            "The park sets no linkage targets and no emission caps.".to_string(),
            None,
        ));
    }
    f
}

/// The share of a pollutant's city total in `year` that is background, from
/// years.csv (`None` without that year or a positive total).
fn background_share(r: &RunResults, year: i32, pollutant: &str) -> Option<f64> {
    let k = r.pollutant_index(pollutant)?;
    let e = r.years.iter().find(|y| y.year == year)?.emissions.get(k)?;
    (e.total > 0.0).then(|| (e.total - e.park) / e.total)
}

pub(super) fn findings_list(o: &mut String, findings: &[(String, Option<bool>)]) {
    o.push_str("<ul class=\"findings\" id=\"findings\">\n");
    for (text, met) in findings {
        let class = match met {
            Some(true) => " class=\"met\"",
            Some(false) => " class=\"missed\"",
            None => "",
        };
        let _ = writeln!(o, "<li><span{class}>{}</span></li>", escape(text));
    }
    o.push_str("</ul>\n");
}

/// How many flows the "largest flows" table lists.
const LARGEST_FLOWS: usize = 20;

/// The report of a run.
pub fn run_report(
    r: &RunResults,
    park: Option<&Park>,
    names: &Names,
    pictures: &[Picture],
) -> String {
    let mut o = String::new();
    let title = park.map_or_else(|| r.summary.park.clone(), |p| p.name.clone());
    head(&mut o, &format!("{title}: parkflow report"));
    let _ = writeln!(
        o,
        "<h1>{}<small>{}</small></h1>",
        escape(&title),
        park.and_then(|p| p.name_zh.as_deref())
            .map(escape)
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "<p class=\"meta\">Park <code>{}</code>{}, {}–{}. Judged metric: {}. Model SHA-256 <code>{}</code>. Written by parkflow {}.</p>",
        escape(&r.summary.park),
        r.summary
            .scenario
            .as_deref()
            .map(|s| format!(", scenario <code>{}</code>", escape(s)))
            .unwrap_or_default(),
        r.years.first().map_or(0, |y| y.year),
        r.years.last().map_or(0, |y| y.year),
        escape(&r.summary.metric),
        escape(&r.summary.model_sha256),
        env!("CARGO_PKG_VERSION"),
    );
    o.push_str("<h2>Findings</h2>\n");
    findings_list(&mut o, &run_findings(r, names));

    o.push_str("<h2>Pictures</h2>\n");
    for p in pictures {
        let (caption, scroll) = match p.name.as_str() {
            "linkage" => (
                "Linkage rates by year against the targets. The gap to each target is labelled."
                    .to_string(),
                false,
            ),
            "emissions" => (
                "Emissions by pollutant: the park (dark) and the background (light) stacked; caps in red."
                    .to_string(),
                false,
            ),
            "sources" => (
                "The largest park sources of each capped pollutant in its cap year.".to_string(),
                false,
            ),
            n if n.starts_with("sankey-") => (
                format!(
                    "Where every tonne went in {}: hover a ribbon for its material and amount.",
                    escape(n.trim_start_matches("sankey-"))
                ),
                true,
            ),
            _ => (String::new(), false),
        };
        figure(&mut o, p, &caption, scroll);
    }

    // Years.
    o.push_str("<h2>Years</h2>\n<table id=\"years\">\n<tr><th>year</th><th>linkage (mass)</th><th>linkage (product)</th><th>linkage (enterprise)</th><th>target</th>");
    for k in &r.pollutants {
        let _ = write!(
            o,
            "<th>{} total ({})</th>",
            escape(&names.pollutant(k)),
            escape(&names.pollutant_unit(k))
        );
    }
    o.push_str("</tr>\n");
    for y in &r.years {
        let target = r
            .summary
            .targets
            .iter()
            .find(|t| t.year == y.year)
            .map(|t| format!("{:.2}", t.target))
            .unwrap_or_default();
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{target}</td>",
            y.year, y.linkage_mass, y.linkage_product, y.linkage_enterprise
        );
        for e in &y.emissions {
            let limit = e
                .limit
                .map(|l| format!(" / cap {}", group(l, 0)))
                .unwrap_or_default();
            let _ = write!(o, "<td class=\"n\">{}{limit}</td>", group(e.total, 1));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");

    // Caps.
    if !r.summary.caps.is_empty() {
        let banded = r.summary.caps.iter().any(|c| c.band.is_some());
        let band_heads = if banded {
            "<th>total 5–95%</th><th>P(met)</th>"
        } else {
            ""
        };
        let _ = writeln!(
            o,
            "<h2>Caps</h2>\n<table id=\"caps\">\n<tr><th>year</th><th>scope</th><th>pollutant</th><th>total</th><th>limit</th><th>margin</th>{band_heads}<th>status</th></tr>"
        );
        for c in &r.summary.caps {
            let pct = margin_percent(c.margin, c.limit);
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>",
                c.year,
                escape(&c.scope),
                escape(&names.pollutant(&c.pollutant)),
                group(c.value, 1),
                group(c.limit, 1),
                group(c.margin, 1),
                verdict_cells(c.met, c.band.as_ref(), pct),
            );
        }
        o.push_str("</table>\n");
    }

    super::status::permits_table(&mut o, &r.summary.permits, names);

    // Largest flows in the Sankey's year.
    if let Some(year) = pictures
        .iter()
        .find_map(|p| p.name.strip_prefix("sankey-"))
        .and_then(|y| y.parse::<i32>().ok())
    {
        let mut flows: Vec<(f64, &super::LinkRow)> = Vec::new();
        for l in r.links.iter().filter(|l| l.year == year && l.flow > 0.0) {
            if let Some(i) = flows.iter().position(|(_, x)| x.link == l.link) {
                flows[i].0 += l.flow;
            } else {
                flows.push((l.flow, l));
            }
        }
        let t = |(f, l): &(f64, &super::LinkRow)| names.t_per_unit(&l.material).map(|t| f * t);
        flows.sort_by(|a, b| {
            t(b).unwrap_or(-1.0)
                .total_cmp(&t(a).unwrap_or(-1.0))
                .then(a.1.link.cmp(&b.1.link))
        });
        // Byproducts first, apart: the exchanges the linkage rate counts,
        // which larger flows of products and effluents would push off the
        // list.
        let byproduct = |l: &super::LinkRow| {
            names.material_info(&l.material).and_then(|m| m.kind) == Some(Kind::Byproduct)
        };
        for (title, id, byproducts) in [
            ("Largest byproduct flows", "flows", true),
            ("Largest other flows", "other-flows", false),
        ] {
            let group_flows: Vec<&(f64, &super::LinkRow)> = flows
                .iter()
                .filter(|f| byproduct(f.1) == byproducts)
                .collect();
            if group_flows.is_empty() {
                continue;
            }
            flows_table(&mut o, names, title, id, year, &group_flows, &t);
        }
    }

    // The model and its sources.
    o.push_str("<h2>The model and its sources</h2>\n");
    match park {
        None => o.push_str(
            "<p>The park file was not found beside the results (no <code>park.json</code>); names are ids. Run <code>parkflow report DIR --model FILE</code> to name things.</p>\n",
        ),
        Some(park) => {
            if !park.sources.is_empty() {
                o.push_str("<p>Sources:</p>\n<ol id=\"sources\">\n");
                for s in &park.sources {
                    let _ = writeln!(o, "<li>{}</li>", escape(s));
                }
                o.push_str("</ol>\n");
            }
            o.push_str("<table id=\"processes\">\n<tr><th>enterprise</th><th>process</th><th>product</th><th>source of its numbers</th></tr>\n");
            for p in &park.processes {
                let (e_en, e_zh) = names.enterprise_both(&p.enterprise);
                let (m_en, m_zh) = names.material_both(&p.product);
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    both(&e_en, e_zh.as_deref()),
                    both(&p.name, p.name_zh.as_deref()),
                    both(&m_en, m_zh.as_deref()),
                    escape(p.source.as_deref().unwrap_or(""))
                );
            }
            o.push_str("</table>\n");
            if park.links.iter().any(|l| l.source.is_some()) {
                o.push_str("<table id=\"links\">\n<tr><th>link</th><th>material</th><th>from → to</th><th>source</th></tr>\n");
                for l in &park.links {
                    let (m_en, m_zh) = names.material_both(&l.material);
                    let _ = writeln!(
                        o,
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
                        escape(&l.id),
                        if l.candidate { " (candidate)" } else { "" },
                        both(&m_en, m_zh.as_deref()),
                        escape(&names.process_both(&l.from).0),
                        escape(&names.process_both(&l.to).0),
                        escape(l.source.as_deref().unwrap_or(""))
                    );
                }
                o.push_str("</table>\n");
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// One table of the largest flows of a year.
fn flows_table(
    o: &mut String,
    names: &Names,
    title: &str,
    id: &str,
    year: i32,
    flows: &[&(f64, &super::LinkRow)],
    t: &impl Fn(&(f64, &super::LinkRow)) -> Option<f64>,
) {
    let _ = writeln!(
        o,
        "<h2>{title} in {year}</h2>\n<table id=\"{id}\">\n<tr><th>link</th><th>material</th><th>from</th><th>to</th><th>amount</th><th>tonnes</th><th>between enterprises</th></tr>"
    );
    for &f in flows.iter().take(LARGEST_FLOWS) {
        let l = f.1;
        let (m_en, m_zh) = names.material_both(&l.material);
        let unit = names
            .material_info(&l.material)
            .map_or_else(|| "t".to_string(), |m| m.unit.clone());
        let endpoint = |p: &str| {
            let (en, zh) = names.process_both(p);
            let e = names.enterprise_of(p).unwrap_or("?");
            let (e_en, e_zh) = names.enterprise_both(e);
            format!(
                "{}<br><small>{}</small>",
                both(&en, zh.as_deref()),
                both(&e_en, e_zh.as_deref())
            )
        };
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{} {}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&l.link),
            both(&m_en, m_zh.as_deref()),
            endpoint(&l.from),
            endpoint(&l.to),
            group(f.0, 0),
            escape(&unit),
            t(f).map_or_else(|| "n/a".to_string(), tonnes),
            if l.inter_enterprise { "yes" } else { "no" }
        );
    }
    o.push_str("</table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
