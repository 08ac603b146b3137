//! With Chinese names, every picture speaks Chinese: no English word of
//! the table of terms (`terms.rs`) is left in a title, axis, legend,
//! caption, label or tooltip. Ids (the park's, a sweep's outputs and
//! parameter paths) are not words and stay as they are.

use std::collections::BTreeMap;
use std::path::Path;

use super::samples::{HISTOGRAM_BINS, Histogram, Threshold};
use super::terms::Term;
use super::{Names, RunResults, Sankey, SweepResults, park_for, plots, sankey_svg, sweep_plots};
use crate::sweep::SweepSummary;

/// The words (runs of ASCII letters, lower-cased) of the text an SVG
/// shows: its texts and its tooltips, with `ids` taken out.
fn shown_words(svg: &str, ids: &[&str]) -> Vec<String> {
    let mut text = String::new();
    for tag in ["<text", "<title"] {
        for element in svg.split(tag).skip(1) {
            let body = element.split_once('>').map_or("", |(_, b)| b);
            let end = if tag == "<text" {
                "</text>"
            } else {
                "</title>"
            };
            text.push_str(body.split(end).next().unwrap_or(""));
            text.push('\n');
        }
    }
    for id in ids {
        text = text.replace(id, " ");
    }
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The English words of the table that its Chinese column does not keep
/// (proper names such as Spearman stay in both).
fn english_words() -> Vec<String> {
    let mut words = Vec::new();
    for term in Term::ALL {
        let (en, zh) = term.both();
        let zh = zh.to_lowercase();
        for w in en.split(|c: char| !c.is_ascii_alphabetic()) {
            let w = w.to_lowercase();
            if w.len() >= 3 && !zh.contains(&w) && !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words
}

fn assert_no_english(name: &str, svg: &str, ids: &[&str]) {
    let english = english_words();
    let left: Vec<String> = shown_words(svg, ids)
        .into_iter()
        .filter(|w| english.contains(w))
        .collect();
    assert!(left.is_empty(), "{name} keeps English words: {left:?}");
}

/// The committed run of the default park.
fn default_run() -> (RunResults, Option<crate::model::Park>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/jilin-chem-park");
    let results = RunResults::read(&dir).unwrap();
    let park = park_for(&results, None).unwrap();
    (results, park)
}

#[test]
fn the_run_pictures_of_the_default_park_hold_no_english_word_with_chinese_names() {
    super::register_font(None).unwrap();
    let (results, park) = default_run();
    let ids = [results.summary.park.as_str()];
    for chinese in [false, true] {
        let names = Names::new(park.as_ref(), &results, chinese);
        let sankey = sankey_svg(&Sankey::build(&results, &names, 2020), &names);
        let pictures = [
            ("linkage", plots::linkage(&results, &names).unwrap().svg),
            ("emissions", plots::emissions(&results, &names).unwrap().svg),
            (
                "sources",
                plots::sources(&results, &names).unwrap().unwrap().svg,
            ),
            ("sankey", sankey),
        ];
        for (name, svg) in &pictures {
            if chinese {
                assert_no_english(name, svg, &ids);
            } else {
                // The check would see them: English pictures hold them.
                let english = english_words();
                let words = shown_words(svg, &ids);
                assert!(words.iter().any(|w| english.contains(w)), "{name}");
            }
        }
    }
}

#[test]
fn the_sweep_pictures_hold_no_english_word_with_chinese_names() {
    super::register_font(None).unwrap();
    let stats = |m: f64| {
        format!(
            r#"{{"mean": {m}, "sd": 0.01, "p05": {}, "p25": {}, "p50": {m}, "p75": {}, "p95": {}}}"#,
            m - 0.02,
            m - 0.01,
            m + 0.01,
            m + 0.02
        )
    };
    let summary = format!(
        r#"{{"design": "sobol", "outputs": {{"linkage_2017": {}, "linkage_2020": {}}},
        "params": [{{"apply": "set", "dist": "Uniform(min: 0.77, max: 0.95)", "path": "processes.jpcc_power.utilization"}}],
        "probabilities": {{"all": 0.2, "linkage_2017": 0.4, "linkage_2020": 0.3}},
        "runs": 40, "samples": 10, "seed": 1,
        "sensitivity": {{"linkage_2017": {{"processes.jpcc_power.utilization": {{"spearman": 0.9, "s1": 0.8, "s1_ci": [0.7, 0.9], "st": 0.85, "st_ci": [0.8, 0.9]}}}}}},
        "sweep": "zh", "thresholds": {{"linkage_2017": 0.7, "linkage_2020": null}}}}"#,
        stats(0.41),
        stats(0.44)
    );
    let summary: SweepSummary = serde_json::from_str(&summary).unwrap();
    let histogram = |line| Histogram {
        range: (0.3, 0.8),
        counts: [3; HISTOGRAM_BINS],
        line,
    };
    let mut histograms = BTreeMap::new();
    let target = Threshold {
        value: 0.7,
        at_least: true,
        recorded: true,
    };
    histograms.insert("linkage_2017".to_string(), histogram(Some(target)));
    let cap = Threshold {
        value: 0.5,
        at_least: false,
        recorded: false,
    };
    histograms.insert("linkage_2020".to_string(), histogram(Some(cap)));
    let r = SweepResults {
        dir: "zh".into(),
        summary,
        columns: vec![],
        histograms,
    };
    let ids = [
        "linkage_2017",
        "linkage_2020",
        "processes.jpcc_power.utilization",
    ];
    let pictures = sweep_plots::pictures(&r, true).unwrap();
    assert_eq!(pictures.len(), 4, "histograms, fan, tornado, Sobol bars");
    for p in &pictures {
        assert_no_english(&p.name, &p.svg, &ids);
    }
}
