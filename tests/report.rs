//! Pictures and the report as a reader meets them: the files a run writes,
//! PNGs that decode, a report that says what happened in words, names from
//! the model shown as text however hostile, and a real browser that renders
//! the page.

mod common;

use common::{acid_sweep, example, parkflow};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use predicates::str::contains;

fn run(park: Option<&Path>, out: &Path, extra: &[&str]) {
    let mut cmd = parkflow();
    cmd.arg("run");
    if let Some(p) = park {
        cmd.arg(p);
    }
    cmd.arg("--out").arg(out).arg("--quiet").args(extra);
    cmd.assert().success();
}

fn report(dir: &Path) -> String {
    parkflow()
        .arg("report")
        .arg(dir)
        .assert()
        .success()
        .stdout(contains("report.html"));
    std::fs::read_to_string(dir.join("report.html")).unwrap()
}

#[test]
fn a_sweep_report_reads_its_samples_and_names_a_broken_row() {
    let dir = tempfile::tempdir().unwrap();
    let params = r#"Param(path: "processes.mma.capacity", dist: Uniform(50, 150))"#;
    let out = acid_sweep(dir.path(), 300, params);
    let html = report(&out);
    assert!(html.contains("processes.mma.capacity"));
    // A row cut short: the report refuses the file and says where.
    let samples = std::fs::read_to_string(out.join("samples.csv")).unwrap();
    let mut lines: Vec<&str> = samples.lines().collect();
    let short = lines[5].rsplit_once(',').unwrap().0.to_string();
    lines[5] = &short;
    std::fs::write(out.join("samples.csv"), lines.join("\n") + "\n").unwrap();
    parkflow()
        .arg("report")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("samples.csv"))
        .stderr(contains("line: 6"));
}

/// Decode a PNG, returning (width, height, RGB(A) pixels, bytes per pixel).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let bpp = info.color_type.samples();
    (info.width, info.height, buf, bpp)
}

/// How many distinct colours an image has (capped, for speed).
fn colours(pixels: &[u8], bpp: usize) -> usize {
    let mut seen = std::collections::HashSet::new();
    for p in pixels.chunks(bpp) {
        seen.insert(p[..3.min(bpp)].to_vec());
        if seen.len() > 50 {
            break;
        }
    }
    seen.len()
}

#[test]
fn a_run_of_the_default_park_draws_linkage_emissions_sources_and_the_last_target_years_sankey() {
    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &[]);
    for name in [
        "linkage.svg",
        "linkage.png",
        "emissions.svg",
        "emissions.png",
        "sources.svg",
        "sources.png",
        "sankey-2020.svg",
        "park.json",
    ] {
        let len = std::fs::metadata(out.path().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .len();
        assert!(len > 1000, "{name} is only {len} bytes");
    }
    for name in ["linkage.png", "emissions.png", "sources.png"] {
        let (w, h, pixels, bpp) = decode_png(&out.path().join(name));
        assert!(w >= 800 && h >= 400, "{name} is {w}×{h}");
        assert!(colours(&pixels, bpp) > 10, "{name} looks blank");
    }
    let svg = std::fs::read_to_string(out.path().join("linkage.svg")).unwrap();
    assert!(
        svg.contains("missed by 28.5 pts"),
        "gap to the 2017 target labelled"
    );
    let sankey = std::fs::read_to_string(out.path().join("sankey-2020.svg")).unwrap();
    assert!(sankey.starts_with("<svg"));
    assert!(sankey.contains("Spent sulfuric acid") || sankey.contains("spent"));
    assert!(
        sankey.contains("Not drawn (no tonnes conversion)"),
        "materials without a tonnes conversion are named, not silently dropped"
    );
}

#[test]
fn plots_can_be_skipped_and_the_sankey_year_chosen() {
    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &["--no-plots"]);
    assert!(!out.path().join("linkage.svg").exists());
    assert!(out.path().join("years.csv").exists());

    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &["--sankey-year", "2015"]);
    assert!(out.path().join("sankey-2015.svg").exists());
    assert!(!out.path().join("sankey-2020.svg").exists());

    parkflow()
        .args(["run", "--quiet", "--sankey-year", "1999", "--out"])
        .arg(out.path())
        .assert()
        .code(1)
        .stderr(contains("--sankey-year 1999 is not a simulated year"));
}

#[test]
fn a_recycling_loop_is_routed_below_the_lanes() {
    // Miller–Blair: each sector uses both sectors' output, so flows run in cycles.
    let out = tempfile::tempdir().unwrap();
    run(Some(&example("miller_blair.ron")), out.path(), &[]);
    let sankey = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().starts_with("sankey-"))
        .expect("a Sankey diagram");
    let svg = std::fs::read_to_string(sankey.path()).unwrap();
    assert!(svg.contains("loop: "), "loops are labelled");
    assert!(
        svg.contains("fill=\"none\""),
        "loops are drawn as routed strokes"
    );
}

#[test]
fn the_report_opens_with_the_findings_in_plain_words() {
    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &["--no-plots"]);
    let html = report(out.path());
    assert!(html.contains(
        "2017 linkage 0.41, target 0.70: missed by 29 points, met in 0% of the draws of the park&#39;s uncertainty, 5–95% 0.30–0.45."
    ));
    // Met at the central values, but in fewer than 90% of the draws.
    assert!(html.contains(
        "2017 SO2 (city total 69,969 t, cap 80,600 t): within its cap by 13.2%, met in 69% of the draws of the park&#39;s uncertainty (AT RISK), 5–95% 55,839–89,953; "
    ));
    assert!(
        html.contains("吉林化学工业循环经济示范园区"),
        "Chinese names shown"
    );
    assert!(html.contains("吉政发"), "the model's sources listed");
    assert!(html.contains("<svg"), "pictures inline");
    assert!(!html.contains("<script"), "no script at all");
    for external in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(
            !html.contains(external),
            "report fetches nothing: {external}"
        );
    }
}

#[test]
fn an_exceeded_cap_is_reported_as_exceeded() {
    let out = tempfile::tempdir().unwrap();
    run(Some(&example("acid.ron")), out.path(), &[]);
    let html = report(out.path());
    assert!(html.contains("2013 linkage 0.55, target 0.60: missed by 5 points."));
    assert!(html.contains("2013 COD (city total 105 t, cap 104 t): exceeds its cap by 1.0%; 95% of the total is the background"));
    let svg = std::fs::read_to_string(out.path().join("emissions.svg")).unwrap();
    assert!(svg.contains("EXCEEDED by 1.0%"));
}

/// A park whose every name tries to break out of the page.
fn hostile_park(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(example("acid.ron")).unwrap();
    let text = text
        .replacen(
            "name: \"Spent acid to ammonium sulfate\"",
            "name: \"<script>alert(1)</script> Park\", name_zh: \"<img src=x onerror=alert(2)>\"",
            1,
        )
        .replacen(
            "name: \"Acme Chemicals\"",
            "name: \"Acme \\\"quoted\\\" 'single' & <b>bold</b>\"",
            1,
        )
        .replacen("name: \"MMA plant\"", "name: \"javascript:alert(3)\"", 1)
        .replacen(
            "name: \"Spent sulfuric acid\"",
            "name: \"<script>alert(4)</script>\"",
            1,
        )
        .replacen(
            "source: \"illustrative\"",
            "source: \"</td></tr></table><script>alert(5)</script>\"",
            1,
        );
    let path = dir.join("hostile.ron");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn names_containing_markup_are_shown_as_text() {
    let work = tempfile::tempdir().unwrap();
    let park = hostile_park(work.path());
    let out = work.path().join("out");
    run(Some(&park), &out, &[]);
    let html = report(&out);
    assert!(!html.contains("<script"), "no script element");
    assert!(!html.contains("<img"), "no injected element");
    assert!(!html.contains("<b>bold"), "no injected markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; Park"));
    assert!(html.contains("&quot;quoted&quot; &#39;single&#39; &amp;"));
    assert!(html.contains("javascript:alert(3)"), "shown as text");
    assert!(!html.contains("href=\"javascript"), "never a link");
    for svg in ["sankey-2013.svg", "sources.svg", "emissions.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(!text.contains("<script"), "{svg} has a script element");
    }
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"].iter().find_map(|name| {
        let ok = Process::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| PathBuf::from(name))
    })
}

fn headless(browser: &Path, profile: &Path) -> Process {
    let mut cmd = Process::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn a_headless_browser_renders_the_report_with_its_findings_and_runs_no_script() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not on PATH (.ci/run installs it)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let park = hostile_park(work.path());
    let out = work.path().join("out");
    run(Some(&park), &out, &[]);
    report(&out);
    let page = format!("file://{}", out.join("report.html").display());

    let shot = work.path().join("shot.png");
    let status = headless(&browser, &work.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        status.status.success() && shot.exists(),
        "chromium failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (w, h, pixels, bpp) = decode_png(&shot);
    assert!(w > 0 && h > 0);
    assert!(colours(&pixels, bpp) > 10, "the screenshot is blank");

    let dom = headless(&browser, &work.path().join("profile-dom"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .unwrap();
    assert!(dom.status.success());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("2013 linkage 0.55, target 0.60: missed by 5 points."),
        "findings rendered"
    );
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt; Park"),
        "name rendered as text"
    );
    assert!(
        !dom.contains("<script"),
        "no script element in the rendered DOM"
    );
}

/// Chromium, and a directory whose `out/` holds a run of the default park
/// and its report (also returned); `None`, said on stderr, without chromium.
fn default_report_in_a_browser() -> Option<(PathBuf, tempfile::TempDir, String)> {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not on PATH (.ci/run installs it)");
        return None;
    };
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    run(None, &out, &[]);
    let html = report(&out);
    Some((browser, work, html))
}

#[test]
fn the_default_parks_report_prints_on_a_dozen_a4_pages_or_fewer() {
    // Printed to PDF, as a bureau sends it: print styles fit every picture
    // (the Sankey too) to the page and keep table rows whole. Without them
    // the report ran to 24 pages, the Sankey cut at the page's edge.
    let Some((browser, work, _)) = default_report_in_a_browser() else {
        return;
    };
    let out = work.path().join("out");
    let pdf = work.path().join("report.pdf");
    let status = headless(&browser, &work.path().join("profile-pdf"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", out.join("report.html").display()))
        .output()
        .unwrap();
    assert!(status.status.success() && pdf.exists(), "chromium failed");
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    // Page objects: `/Type /Page`, not the `/Type /Pages` tree.
    let pages = (text.split("/Type").skip(1))
        .filter(|t| {
            let t = t.trim_start();
            t.starts_with("/Page") && !t.starts_with("/Pages")
        })
        .count();
    assert!((1..=12).contains(&pages), "{pages} pages");
}

/// How far the widest picture of `html` reaches past the page's content
/// width, in CSS pixels, as chromium lays it out in a window as wide as an
/// A4 page's content (210 mm less two 12 mm margins: 703 px at 96 dpi).
/// With `print`, the report's print styles apply, as when printed. The
/// copy drops the report's policy against scripts and gains one that writes
/// each picture's right edge into the page, which `--dump-dom` returns.
fn picture_overflow(browser: &Path, work: &Path, html: &str, print: bool) -> f64 {
    const SCRIPT: &str = "<script>const w = document.documentElement.clientWidth; \
        const over = [...document.querySelectorAll('figure svg, figure img')] \
        .map(e => e.getBoundingClientRect().right - w); \
        const p = document.createElement('pre'); p.id = 'overflow'; \
        p.textContent = 'overflow ' + Math.max(...over) + ' of ' + over.length; \
        document.body.appendChild(p);</script>";
    let mut copy = html
        .replace("http-equiv=\"Content-Security-Policy\"", "name=\"was-csp\"")
        .replace("</body>", &format!("{SCRIPT}</body>"));
    if print {
        copy = copy.replace("@media print", "@media all");
    }
    let name = if print { "print.html" } else { "screen.html" };
    let page = work.join(name);
    std::fs::write(&page, copy).unwrap();
    let dom = headless(browser, &work.join(format!("profile-{name}")))
        .arg("--window-size=703,1000")
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let line = dom
        .split("<pre id=\"overflow\">overflow ")
        .nth(1)
        .unwrap_or_else(|| panic!("the script wrote no widths: {dom:.400}"));
    let (max, rest) = line.split_once(" of ").unwrap();
    let count: usize = rest.split('<').next().unwrap().parse().unwrap();
    assert!(count >= 4, "{count} pictures measured");
    max.parse().unwrap()
}

#[test]
fn no_picture_of_the_printed_report_is_wider_than_the_page() {
    let Some((browser, work, html)) = default_report_in_a_browser() else {
        return;
    };
    // On screen the Sankey scrolls sideways, wider than a page: the measure
    // sees it.
    let screen = picture_overflow(&browser, work.path(), &html, false);
    assert!(
        screen > 100.0,
        "the Sankey on screen reaches {screen} px past"
    );
    let print = picture_overflow(&browser, work.path(), &html, true);
    assert!(
        print <= 0.5,
        "a printed picture reaches {print} px past the page"
    );
}

#[test]
fn the_committed_pictures_of_the_default_park_are_current() {
    // README.md shows these; regenerate with `cargo run --release -- run`.
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("results/jilin-chem-park");
    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &[]);
    let stale = "is stale: regenerate with `cargo run --release -- run`";
    for name in [
        "linkage.svg",
        "emissions.svg",
        "sources.svg",
        "sankey-2020.svg",
        "park.json",
    ] {
        let fresh = std::fs::read(out.path().join(name)).unwrap();
        let old = std::fs::read(committed.join(name))
            .unwrap_or_else(|e| panic!("results/jilin-chem-park/{name}: {e}"));
        assert!(fresh == old, "results/jilin-chem-park/{name} {stale}");
    }
    for name in ["linkage.png", "emissions.png", "sources.png"] {
        let fresh = decode_png(&out.path().join(name));
        let old = decode_png(&committed.join(name));
        assert!(fresh == old, "results/jilin-chem-park/{name} {stale}");
    }
}

#[test]
fn the_sankey_colours_ribbons_by_material_class_and_byproduct_flows_come_first() {
    let out = tempfile::tempdir().unwrap();
    run(None, out.path(), &[]);
    let svg = std::fs::read_to_string(out.path().join("sankey-2020.svg")).unwrap();
    // A handful of colours a reader can tell apart, named in the legend.
    let mut fills: Vec<&str> = (svg.split("fill=\"").skip(1))
        .filter_map(|f| f.split('"').next())
        .filter(|f| f.starts_with('#') && f.len() == 7)
        .collect();
    fills.sort_unstable();
    fills.dedup();
    for class in ["products", "byproducts", "effluents"] {
        assert!(
            svg.contains(&format!(">{class}</text>")),
            "legend names {class}"
        );
    }
    assert!(!svg.contains("hsl("), "no colour per material");
    let html = report(out.path());
    let first = html
        .split("<table id=\"flows\">")
        .nth(1)
        .expect("a byproduct table");
    let first_row = first.split("<tr><td>").nth(1).unwrap();
    assert!(
        !first_row.contains("wastewater"),
        "byproducts first: {first_row}"
    );
    assert!(html.contains("Largest other flows"), "the rest apart");
    assert!(fills.len() <= 12, "{fills:?}");
}
