//! The sweep's report: its findings in plain words, the parameters drawn,
//! its pictures and a table of its outputs. Every string from a result
//! file goes through [`escape`].

use std::fmt::Write as _;

use super::html::{escape, figure, findings_list, head};
use super::{Picture, SweepResults, group};

/// The parameters drawn: path, distribution, apply mode. A summary written
/// before they were recorded names only the draw columns of samples.csv.
fn params_table(o: &mut String, r: &SweepResults) {
    o.push_str("<h2>Parameters</h2>\n<table id=\"params\">\n<tr><th>parameter path</th><th>distribution</th><th>apply</th></tr>\n");
    if r.summary.params.is_empty() {
        let outputs = r.outputs();
        let drawn = (r.columns.iter().skip(1)).take_while(|c| !outputs.contains(c));
        for column in drawn {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>not recorded</td><td>not recorded</td></tr>",
                escape(column)
            );
        }
    }
    for p in &r.summary.params {
        let apply = match p.apply.as_str() {
            "set" => "Set",
            "scale" => "Scale",
            other => other,
        };
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&p.path),
            escape(&p.dist),
            escape(apply)
        );
    }
    o.push_str("</table>\n");
}

/// The findings of a sweep in plain words.
pub fn sweep_findings(r: &SweepResults) -> Vec<(String, Option<bool>)> {
    let mut f = Vec::new();
    let s = &r.summary;
    let (runs, design) = (s.runs, s.design.as_str());
    f.push((
        format!(
            "{} runs ({}).",
            group(runs as f64, 0),
            design.replace('_', " ")
        ),
        None,
    ));
    for (name, stats) in &s.outputs {
        let prob = s.probabilities.get(name).copied();
        let digits = if stats.p50.abs() < 10.0 { 2 } else { 0 };
        let mut text = format!(
            "{name}: median {}, 90% range {}–{}",
            group(stats.p50, digits),
            group(stats.p05, digits),
            group(stats.p95, digits)
        );
        if let Some(prob) = prob {
            let _ = write!(text, "; met in {:.0}% of runs", prob * 100.0);
        }
        text.push('.');
        f.push((text, prob.map(|p| p >= 0.5)));
    }
    if let Some(&all) = s.probabilities.get("all") {
        f.push((
            format!(
                "Every target and cap met together in {:.1}% of runs.",
                all * 100.0
            ),
            Some(all >= 0.5),
        ));
    }
    f
}

/// The report of a sweep.
pub fn sweep_report(r: &SweepResults, pictures: &[Picture]) -> String {
    let mut o = String::new();
    let id = r.summary.sweep.clone();
    head(&mut o, &format!("{id}: parkflow sweep report"));
    let _ = writeln!(o, "<h1>Sweep {}</h1>", escape(&id));
    let seed = r.summary.seed.to_string();
    let _ = writeln!(
        o,
        "<p class=\"meta\">Seed {}. Written by parkflow {}.</p>",
        escape(&seed),
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("<h2>Findings</h2>\n");
    findings_list(&mut o, &sweep_findings(r));
    params_table(&mut o, r);
    o.push_str("<h2>Pictures</h2>\n");
    for p in pictures {
        figure(&mut o, p, "", false);
    }
    let outputs = &r.summary.outputs;
    if !outputs.is_empty() {
        o.push_str("<h2>Outputs</h2>\n<table id=\"outputs\">\n<tr><th>output</th><th>mean</th><th>sd</th><th>5%</th><th>25%</th><th>50%</th><th>75%</th><th>95%</th><th>P(met)</th></tr>\n");
        for (name, stats) in outputs {
            let _ = write!(o, "<tr><td>{}</td>", escape(name));
            let values = [stats.mean, stats.sd, stats.p05, stats.p25, stats.p50];
            for v in values.into_iter().chain([stats.p75, stats.p95]) {
                let _ = write!(o, "<td class=\"n\">{}</td>", fmt_stat(v));
            }
            let prob = (r.summary.probabilities.get(name))
                .map(|p| format!("{p:.3}"))
                .unwrap_or_default();
            let _ = writeln!(o, "<td class=\"n\">{prob}</td></tr>");
        }
        o.push_str("</table>\n");
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn fmt_stat(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v.abs() < 10.0 {
        format!("{v:.3}")
    } else {
        group(v, 1)
    }
}
