//! Nothing let through: every string that `report.html` and the pictures
//! take from a model or result file is shown as text, never as markup.
//!
//! Each free-text field of a park (names, Chinese names, units, sources)
//! gets a payload of script tags, quotes, an ampersand, an `<img onerror>`,
//! an `<svg onload>`, a `javascript:` URL and an `<a href="javascript:…">`,
//! labelled with the field's name. The run's `report.html` and its SVG files
//! are then read tag by tag: no tag or attribute may appear that the report
//! of the plain park does not have, no attribute named `on…`, no URL
//! attribute other than `http(s)://`, `#…` or `data:image/` (so no
//! `javascript:` link), and no `javascript:` or `url(` in a style attribute. The labels show which fields are on the
//! page, so the test also sees that the payloads were there to escape.
//! The same holds for a results directory whose files were edited by hand
//! (`park.json` with markup in its ids, a sweep's `summary.json` and
//! `samples.csv` with markup in names), which `parkflow report` reads
//! without validating them as a model.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{acid_sweep, example, parkflow};
use parkflow::model::{Park, parse_park};

/// What an attacker would write in a field labelled `label`.
fn payload(label: &str) -> String {
    format!(
        r#"<script>alert('{label}')</script> "{label}" '{label}' & <img src=x onerror=alert('{label}')> <svg onload=alert('{label}')> javascript:alert('{label}') <a href="javascript:alert('{label}')">{label}</a>"#
    )
}

/// The acid example with a payload in every free-text field, and the
/// labels of the fields, in the order they were set.
fn hostile_park() -> (Park, Vec<String>) {
    park_with(payload)
}

/// The same park with plain text in the same fields: its report has every
/// element the hostile park's report may have.
fn plain_park() -> Park {
    park_with(|label| format!("plain {label}")).0
}

/// The acid example with `text(label)` in every free-text field.
fn park_with(text: fn(&str) -> String) -> (Park, Vec<String>) {
    let acid = std::fs::read_to_string(example("acid.ron")).unwrap();
    let mut park = parse_park(&acid, "acid.ron").unwrap();
    let mut labels = Vec::new();
    let mut mark = |label: String| -> String {
        let t = text(&label);
        labels.push(label);
        t
    };
    park.name = mark("F-park-name".into());
    park.name_zh = Some(mark("F-park-name_zh".into()));
    let sources = mark("F-park-sources".into());
    mark("F-source-url".into());
    park.sources = vec![
        sources,
        // A bare URL, as a linkifier would see it.
        format!("javascript:alert('F-source-url') {}", text("F-source-url")),
        "https://example.org/report?a=1&b=<2>".into(),
    ];
    for p in &mut park.pollutants {
        p.name = mark(format!("F-pollutant-{}-name", p.id));
        p.unit = mark(format!("F-pollutant-{}-unit", p.id));
    }
    for m in &mut park.materials {
        m.name = mark(format!("F-material-{}-name", m.id));
        m.name_zh = Some(mark(format!("F-material-{}-name_zh", m.id)));
        m.unit = mark(format!("F-material-{}-unit", m.id));
        // A unit other than "t" needs a conversion to count in tonnes.
        m.t_per_unit = Some(m.t_per_unit.unwrap_or(1.0));
    }
    for e in &mut park.enterprises {
        e.name = mark(format!("F-enterprise-{}-name", e.id));
        e.name_zh = Some(mark(format!("F-enterprise-{}-name_zh", e.id)));
    }
    for p in &mut park.processes {
        p.name = mark(format!("F-process-{}-name", p.id));
        p.name_zh = Some(mark(format!("F-process-{}-name_zh", p.id)));
        p.source = Some(mark(format!("F-process-{}-source", p.id)));
    }
    for l in &mut park.links {
        l.source = Some(mark(format!("F-link-{}-source", l.id)));
    }
    (park, labels)
}

/// A start tag: its name and attributes (values with entities decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// What a browser would see as start tags in `text` (HTML or SVG), and
/// every `<` that starts no tag, which escaped text never has.
fn tags(text: &str) -> (Vec<Tag>, usize) {
    let b = text.as_bytes();
    let (mut tags, mut stray) = (Vec::new(), 0);
    let mut i = 0;
    let skip_to = |from: usize, end: &str| {
        text[from..]
            .find(end)
            .map_or(text.len(), |k| from + k + end.len())
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("<!--") {
            i = skip_to(i, "-->");
        } else if rest.starts_with("<!") || rest.starts_with("<?") || rest.starts_with("</") {
            i = skip_to(i, ">");
        } else if b.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b"-:_".contains(&b[j])) {
                j += 1;
            }
            let name = text[i + 1..j].to_ascii_lowercase();
            let mut attributes = Vec::new();
            loop {
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'>' {
                    j += 1;
                    break;
                }
                let start = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && !b"=>/".contains(&b[j]) {
                    j += 1;
                }
                let attribute = text[start..j].to_ascii_lowercase();
                let mut value = String::new();
                if b.get(j) == Some(&b'=') {
                    j += 1;
                    let (from, to) = match b.get(j) {
                        Some(&q @ (b'"' | b'\'')) => {
                            let end = text[j + 1..].find(q as char).map_or(b.len(), |k| j + 1 + k);
                            (j + 1, end)
                        }
                        _ => {
                            let mut end = j;
                            while end < b.len() && !b[end].is_ascii_whitespace() && b[end] != b'>' {
                                end += 1;
                            }
                            (j, end)
                        }
                    };
                    value = decode(&text[from..to]);
                    j = if to < b.len() && (b[to] == b'"' || b[to] == b'\'') {
                        to + 1
                    } else {
                        to
                    };
                }
                attributes.push((attribute, value));
            }
            // The content of a style element is CSS, not markup.
            i = if name == "style" {
                skip_to(j, "</style>")
            } else {
                j
            };
            tags.push(Tag { name, attributes });
        } else {
            stray += 1;
            i += 1;
        }
    }
    (tags, stray)
}

/// Decode the character references an attribute value may hold.
fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        let end = rest.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &rest[1..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Attributes whose value a browser follows or loads as a URL.
const URL_ATTRIBUTES: [&str; 8] = [
    "href",
    "xlink:href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
];

/// Tag names and (tag, attribute) pairs of a document.
fn vocabulary(text: &str) -> BTreeSet<(String, String)> {
    let mut v = BTreeSet::new();
    for t in tags(text).0 {
        v.insert((t.name.clone(), String::new()));
        for (a, _) in t.attributes {
            v.insert((t.name.clone(), a));
        }
    }
    v
}

/// Assert `text` (named `what`) has no markup beyond `allowed` and no
/// script by any door.
#[track_caller]
fn assert_inert(text: &str, allowed: &BTreeSet<(String, String)>, what: &str) {
    let (tags, stray) = tags(text);
    assert_eq!(
        stray, 0,
        "{what}: a `<` that starts no tag (unescaped text)"
    );
    assert!(
        !text.to_ascii_lowercase().contains("<script"),
        "{what}: a script element"
    );
    for t in &tags {
        assert!(
            allowed.contains(&(t.name.clone(), String::new())),
            "{what}: a <{}> the plain report does not have",
            t.name
        );
        for (a, v) in &t.attributes {
            assert!(
                allowed.contains(&(t.name.clone(), a.clone())),
                "{what}: <{} {a}=…>, an attribute the plain report does not have",
                t.name
            );
            assert!(!a.starts_with("on"), "{what}: <{} {a}=\"{v}\">", t.name);
            let squeezed: String = v
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            // Other attributes' values are inert text (an id, a class, a
            // title), escaped as the parse above shows.
            if a == "style" {
                assert!(
                    !squeezed.contains("javascript:") && !squeezed.contains("url("),
                    "{what}: <{} {a}=\"{v}\">",
                    t.name
                );
            }
            if URL_ATTRIBUTES.contains(&a.as_str()) {
                assert!(
                    ["http://", "https://", "#", "data:image/"]
                        .iter()
                        .any(|p| squeezed.starts_with(p)),
                    "{what}: <{} {a}=\"{v}\">, a URL that is not http(s), a fragment or an image",
                    t.name
                );
            }
        }
    }
}

/// Run `park` into `out` and write its report; return report.html and
/// the SVG files, by name.
fn run_and_report(park: &Path, out: &Path) -> BTreeMap<String, String> {
    parkflow()
        .args(["run", "--quiet", "--out"])
        .arg(out)
        .arg(park)
        .assert()
        .success();
    report_files(out)
}

fn report_files(out: &Path) -> BTreeMap<String, String> {
    parkflow()
        .args(["report", "--quiet"])
        .arg(out)
        .assert()
        .success();
    std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg") || n.ends_with(".html"))
        .map(|n| (n.clone(), std::fs::read_to_string(out.join(&n)).unwrap()))
        .collect()
}

/// The union of the vocabularies of `files`.
fn vocabulary_of(files: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<(String, String)>> {
    files
        .iter()
        .map(|(n, t)| (n.clone(), vocabulary(t)))
        .collect()
}

fn write_park(park: &Park, path: &Path) -> PathBuf {
    std::fs::write(path, parkflow::model::to_ron(park)).unwrap();
    path.to_path_buf()
}

#[test]
fn every_model_string_is_shown_as_text_in_the_report_and_the_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write_park(&plain_park(), &dir.path().join("plain.ron"));
    let plain = run_and_report(&plain, &dir.path().join("plain"));
    let allowed = vocabulary_of(&plain);

    let (park, labels) = hostile_park();
    let file = write_park(&park, &dir.path().join("hostile.ron"));
    let hostile = run_and_report(&file, &dir.path().join("hostile"));
    assert_eq!(
        hostile.keys().collect::<Vec<_>>(),
        plain.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, text) in &hostile {
        assert_inert(text, &allowed[name], name);
    }

    // The payloads were on the page to be escaped: which fields each file shows.
    let html = &hostile["report.html"];
    let shown = |text: &str| -> Vec<&String> {
        labels
            .iter()
            .filter(|l| {
                text.contains(&format!("{l}&#39;)&lt;/script&gt;"))
                    || text.contains(&format!("{l}&apos;)&lt;/script&gt;"))
                    || text.contains(&format!("{l}')"))
            })
            .collect()
    };
    let in_html = shown(html);
    for must in [
        "F-park-name",
        "F-park-name_zh",
        "F-park-sources",
        "F-source-url",
        "F-pollutant-cod-name",
        "F-pollutant-cod-unit",
        "F-material-spent_acid-name",
        "F-material-spent_acid-name_zh",
        "F-material-spent_acid-unit",
        "F-enterprise-acme-name",
        "F-enterprise-acme-name_zh",
        "F-process-mma-name",
        "F-process-mma-name_zh",
        "F-process-mma-source",
        "F-link-acid-source",
    ] {
        assert!(
            in_html.iter().any(|l| *l == must),
            "report.html shows {must} (escaped)"
        );
    }
    assert!(
        html.contains("https://example.org/report?a=1&amp;b=&lt;2&gt;"),
        "a URL in the sources is text"
    );
    let hidden: Vec<_> = labels.iter().filter(|l| !in_html.contains(l)).collect();
    println!(
        "escaping: {} fields with payloads; report.html shows {} of them, escaped (not shown: {hidden:?})",
        labels.len(),
        in_html.len()
    );
    for (name, text) in hostile.iter().filter(|(n, _)| n.ends_with(".svg")) {
        println!(
            "escaping: {name} shows {} fields, escaped",
            shown(text).len()
        );
    }
}

#[test]
fn a_hand_edited_results_directory_is_shown_as_text() {
    // park.json is read back without validation, so its ids can hold markup
    // too: every id of the park becomes a payload, in park.json and in
    // every CSV that names it.
    let dir = tempfile::tempdir().unwrap();
    let plain = write_park(&plain_park(), &dir.path().join("plain.ron"));
    let plain = run_and_report(&plain, &dir.path().join("plain"));
    let allowed = vocabulary_of(&plain);

    let (park, _) = hostile_park();
    let out = dir.path().join("edited");
    parkflow()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(write_park(&park, &dir.path().join("hostile.ron")))
        .assert()
        .success();
    let ids: Vec<String> = park
        .processes
        .iter()
        .map(|p| p.id.clone())
        .chain(park.enterprises.iter().map(|e| e.id.clone()))
        .chain(park.materials.iter().map(|m| m.id.clone()))
        .chain(park.links.iter().map(|l| l.id.clone()))
        .collect();
    let edit = |s: &str| -> String {
        match ids.iter().find(|id| *id == s) {
            Some(id) => payload(&format!("ID-{id}")),
            None => s.to_string(),
        }
    };
    for name in [
        "processes.csv",
        "links.csv",
        "materials.csv",
        "imports.csv",
        "emissions.csv",
    ] {
        let path = out.join(name);
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let header = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut writer = csv::Writer::from_path(&path).unwrap();
        writer.write_record(&header).unwrap();
        for row in rows {
            let fields: Vec<String> = row
                .iter()
                .map(|f| match f.split_once('/') {
                    // emissions.csv names disposal sources `process/material`.
                    Some((p, m)) if name == "emissions.csv" => format!("{}/{}", edit(p), edit(m)),
                    _ => edit(f),
                })
                .collect();
            writer.write_record(&fields).unwrap();
        }
        writer.flush().unwrap();
    }
    let park_json = out.join("park.json");
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&park_json).unwrap()).unwrap();
    fn walk(v: &mut serde_json::Value, edit: &dyn Fn(&str) -> String) {
        match v {
            serde_json::Value::String(s) => *s = edit(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, edit)),
            serde_json::Value::Object(o) => {
                let old = std::mem::take(o);
                for (k, mut x) in old {
                    walk(&mut x, edit);
                    o.insert(edit(&k), x);
                }
            }
            _ => {}
        }
    }
    walk(&mut json, &edit);
    std::fs::write(&park_json, serde_json::to_vec(&json).unwrap()).unwrap();

    let files = report_files(&out);
    let html = &files["report.html"];
    assert_inert(
        html,
        &allowed["report.html"],
        "report.html of an edited run",
    );
    let shown: Vec<&String> = ids
        .iter()
        .filter(|id| html.contains(&format!("ID-{id}&#39;)&lt;/script&gt;")))
        .collect();
    println!("escaping: an edited run directory's report shows the ids {shown:?}, escaped");
    assert!(!shown.is_empty(), "the edited ids are on the page, escaped");

    // A sweep's results, edited: its id, output names and column names.
    let sweep = acid_sweep(
        dir.path(),
        200,
        r#"Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
           Param(path: "links.acid.max_rate", dist: Triangular(40, 60, 80))"#,
    );
    let plain_sweep = report_files(&sweep);
    let allowed_sweep = vocabulary_of(&plain_sweep);
    let names = [
        "acid-sweep",
        "processes.mma.capacity",
        "links.acid.max_rate",
        "linkage_2013",
        "cod_2013",
        "so2_2013",
    ];
    let edit_name = |s: &str| -> String {
        let mut s = s.to_string();
        for n in names {
            s = s.replace(n, &payload(&format!("N-{n}")));
        }
        s
    };
    let samples = std::fs::read_to_string(sweep.join("samples.csv")).unwrap();
    let (header, rest) = samples.split_once('\n').unwrap();
    let header: Vec<String> = header.split(',').map(&edit_name).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    let mut edited = String::from_utf8(w.into_inner().unwrap()).unwrap();
    edited.push_str(rest);
    std::fs::write(sweep.join("samples.csv"), edited).unwrap();
    let mut summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sweep.join("summary.json")).unwrap()).unwrap();
    walk(&mut summary, &edit_name);
    std::fs::write(
        sweep.join("summary.json"),
        serde_json::to_vec(&summary).unwrap(),
    )
    .unwrap();
    let files = report_files(&sweep);
    for (name, text) in &files {
        let allowed = allowed_sweep
            .get(name)
            .unwrap_or_else(|| panic!("{name}: a file the plain sweep report does not write"));
        assert_inert(text, allowed, &format!("{name} of an edited sweep"));
    }
    assert!(
        files["report.html"].contains("N-linkage_2013&#39;)&lt;/script&gt;"),
        "the edited names are on the page, escaped"
    );
}
