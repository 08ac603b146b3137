//! The report of a reconciliation directory (`reconcile.json`): the global
//! test, the flagged readings, and each measured and determined quantity
//! with its 95 % interval before and after (docs/MODEL.md, "Reconciliation
//! results").

use std::fmt::Write as _;
use std::path::Path;

use super::html::{escape, findings_list, head};
use super::invalid;
use crate::error::Result;
use crate::reconcile::files::{JSON, ReconcileJson, VariableJson};

/// The two-sided 95 % point of the normal distribution, for the intervals.
const Z95: f64 = 1.96;

/// Whether `dir` holds a reconciliation's results.
pub fn is_reconcile_dir(dir: &Path) -> bool {
    dir.join(JSON).is_file()
}

/// The report page of the reconciliation in `dir`.
pub fn reconcile_report(dir: &Path) -> Result<String> {
    let path = dir.join(JSON);
    let text = crate::limits::read_input_text(&path)?;
    let r: ReconcileJson = serde_json::from_str(&text)
        .map_err(|e| invalid(&path, format!("not a reconcile.json: {e}")))?;
    let mut o = String::new();
    head(&mut o, &format!("{}: parkflow reconciliation report", r.id));
    let _ = writeln!(o, "<h1>Reconciliation {}</h1>", escape(&r.id));
    let _ = writeln!(
        o,
        "<p class=\"meta\">Written by parkflow {}. Intervals are estimate ± {Z95} sd (95 %).</p>",
        env!("CARGO_PKG_VERSION")
    );
    o.push_str("<h2>Findings</h2>\n");
    findings_list(&mut o, &findings(&r));
    let rows = |status: &str| -> Vec<&VariableJson> {
        r.variables.iter().filter(|v| v.status == status).collect()
    };
    let measured = rows("measured");
    if !measured.is_empty() {
        o.push_str("<h2>Measured quantities</h2>\n<table id=\"measured\">\n<tr><th>id</th><th>kind</th><th>measured</th><th>95% interval</th><th>reconciled</th><th>95% interval</th><th>z</th></tr>\n");
        for v in measured {
            let flag = if v.flagged { " class=\"flagged\"" } else { "" };
            let _ = writeln!(
                o,
                "<tr{flag}><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}{}</td></tr>",
                escape(&v.id),
                escape(&v.kind),
                number(v.measured),
                interval(v.measured, v.sd),
                number(v.reconciled),
                interval(v.reconciled, v.reconciled_sd),
                v.z.map_or_else(|| "–".to_string(), |z| format!("{z:.2}")),
                if v.flagged { " ⚠" } else { "" }
            );
        }
        o.push_str("</table>\n");
    }
    let determined = rows("determined");
    if !determined.is_empty() {
        o.push_str("<h2>Determined by the measurements</h2>\n<table id=\"determined\">\n<tr><th>id</th><th>kind</th><th>estimate</th><th>95% interval</th></tr>\n");
        for v in determined {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&v.id),
                escape(&v.kind),
                number(v.reconciled),
                interval(v.reconciled, v.reconciled_sd)
            );
        }
        o.push_str("</table>\n");
    }
    let (constants, unobservable) = (rows("constant").len(), rows("unobservable"));
    let _ = writeln!(
        o,
        "<p>{constants} constants are not shown. {} quantities are unobservable: the measurements do not determine them{}</p>",
        unobservable.len(),
        if unobservable.is_empty() {
            ".".to_string()
        } else {
            format!(
                " (<code>{}</code>{}).",
                unobservable
                    .iter()
                    .take(20)
                    .map(|v| escape(&v.id))
                    .collect::<Vec<_>>()
                    .join("</code>, <code>"),
                if unobservable.len() > 20 { ", …" } else { "" }
            )
        }
    );
    o.push_str("</body>\n</html>\n");
    Ok(o)
}

/// The global test and the flagged readings, as findings.
fn findings(r: &ReconcileJson) -> Vec<(String, Option<bool>)> {
    let mut f = Vec::new();
    match r.p_value {
        Some(p) => f.push((
            format!(
                "Global test {} at {}%: χ² = {:.4} on {} degree{} of freedom, p = {p:.4}.",
                r.verdict,
                r.alpha * 100.0,
                r.chi2,
                r.dof,
                if r.dof == 1 { "" } else { "s" }
            ),
            Some(p >= r.alpha),
        )),
        None => f.push((
            "No global test: no equation checks one reading against another.".to_string(),
            None,
        )),
    }
    let mut flagged: Vec<&VariableJson> = r.variables.iter().filter(|v| v.flagged).collect();
    flagged.sort_by(|a, b| {
        let z = |v: &VariableJson| v.z.unwrap_or(0.0).abs();
        z(b).total_cmp(&z(a))
    });
    if flagged.is_empty() {
        f.push((
            format!("No reading is flagged (|z| > {}).", r.z_critical),
            Some(true),
        ));
    } else {
        let names: Vec<String> = flagged
            .iter()
            .map(|v| format!("{} (z = {:.2})", v.id, v.z.unwrap_or(0.0)))
            .collect();
        f.push((
            format!(
                "Flagged readings (|z| > {}), largest first; check the first one first: {}.",
                r.z_critical,
                names.join(", ")
            ),
            Some(false),
        ));
    }
    f
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| super::group(x, 2))
}

fn interval(v: Option<f64>, sd: Option<f64>) -> String {
    match (v, sd) {
        (Some(x), Some(s)) => format!(
            "{} … {}",
            super::group(x - Z95 * s, 2),
            super::group(x + Z95 * s, 2)
        ),
        _ => "–".to_string(),
    }
}
