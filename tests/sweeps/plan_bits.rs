//! Sweeps whose draws land in the compiled plan give the bits of a park
//! written with the drawn values; a run of only the output years gives the
//! rows of a run of every year; a failed sweep names its first failed run;
//! samples.csv is the saved chunks when they are in order. Part of the
//! `sweeps` test binary, whose helpers it uses.

use super::*;

#[test]
fn coefficients_drawn_into_the_compiled_plan_give_the_bits_of_a_park_written_with_them() {
    // A sweep writes input and output coefficients into the compiled plan,
    // where each link's wiring keeps copies of them: a park written with the
    // drawn values and compiled afresh must give the same bits.
    // The Feed plant emits SO2, so its activity (delivered over its feed
    // coefficient) reaches an output.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(flows("examples/acid.ron"))
        .unwrap()
        .replace(
            r#"inputs: {"spent_acid": 1.0, "ammonia": 0.2},"#,
            r#"inputs: {"spent_acid": 1.0, "ammonia": 0.2}, emissions: {"so2": 0.001},"#,
        );
    let park_path = dir.path().join("park.ron");
    std::fs::write(&park_path, &text).unwrap();
    let sweep_path = dir.path().join("coefficients.ron");
    std::fs::write(
        &sweep_path,
        format!(
            r#"Sweep(id: "coefficients", park: "{}", samples: 20, seed: 7, design: MonteCarlo, params: [
                Param(path: "processes.mma.outputs.spent_acid", dist: Uniform(0.6, 1.6)),
                Param(path: "processes.as_plant.inputs.spent_acid", dist: Uniform(0.5, 1.5)),
            ])"#,
            park_path.display()
        ),
    )
    .unwrap();
    let prep = load_sweep(&sweep_path).unwrap();
    assert_eq!(prep.output_names, ["linkage_2013", "cod_2013", "so2_2013"]);
    let table = run_sweep(&prep, (0..20).collect(), 1, &|| {}).unwrap();
    let mut flows_seen = 0;
    for row in table.rows.chunks(table.width) {
        let (output, input) = (row[0], row[1]);
        let edited = text
            .replace(
                r#"outputs: {"spent_acid": 1.1}"#,
                &format!(r#"outputs: {{"spent_acid": {output:?}}}"#),
            )
            .replace(
                r#"inputs: {"spent_acid": 1.0,"#,
                &format!(r#"inputs: {{"spent_acid": {input:?},"#),
            );
        assert_ne!(edited, text);
        let fresh = acid_outputs_2013(&edited);
        for (name, (swept, fresh)) in prep.output_names.iter().zip(row[2..5].iter().zip(fresh)) {
            assert_eq!(
                swept.to_bits(),
                fresh.to_bits(),
                "{name} with output {output}, input {input}: {swept} swept, {fresh} compiled"
            );
        }
        flows_seen += usize::from(fresh[0] > 0.0);
    }
    assert!(flows_seen > 0, "the acid link never carried anything");
}

#[test]
fn years_limits_and_series_drawn_into_the_compiled_plan_give_the_bits_of_a_park_written_with_them()
{
    // The solver reads packed copies of a link's years and limit, and keeps
    // process series and abatements apart from the rest of the plan: a
    // park written with the drawn values and compiled afresh must give the
    // same bits. One link field is drawn per sweep, as writing one
    // refreshes the copy of all three.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(flows("examples/acid.ron")).unwrap();
    for (field, dist) in [
        ("start", "Choice([2011, 2012, 2013, 2014])"),
        ("end", "Choice([2011, 2012, 2013])"),
        ("max_rate", "Uniform(30, 90)"),
    ] {
        let params = format!(
            r#"
            Param(path: "links.acid.{field}", dist: {dist}),
            Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
            Param(path: "processes.mma.abatement.so2", dist: Uniform(0.2, 0.8)),
        "#
        );
        let prep = load_sweep(&sweep_file(dir.path(), "MonteCarlo", 40, &params)).unwrap();
        assert_eq!(prep.output_names, ["linkage_2013", "cod_2013", "so2_2013"]);
        let table = run_sweep(&prep, (0..40).collect(), 2, &|| {}).unwrap();
        let (mut carried, mut idle) = (0, 0);
        for row in table.rows.chunks(table.width) {
            let [value, capacity, abatement] = [row[0], row[1], row[2]];
            let drawn = if field == "max_rate" {
                format!("max_rate: {value:?},")
            } else {
                format!("max_rate: 60, {field}: {value},")
            };
            let edited = text
                .replace("max_rate: 60,", &drawn)
                .replace("capacity: 100,", &format!("capacity: {capacity:?},"))
                .replace(
                    r#"abatement: {"so2": 0.5}"#,
                    &format!(r#"abatement: {{"so2": {abatement:?}}}"#),
                );
            assert_ne!(edited, text);
            let fresh = acid_outputs_2013(&edited);
            let swept = &row[3..6];
            for (name, (swept, fresh)) in prep.output_names.iter().zip(swept.iter().zip(fresh)) {
                assert_eq!(
                    swept.to_bits(),
                    fresh.to_bits(),
                    "{name} with {field} {value}: {swept} swept, {fresh} compiled"
                );
            }
            if fresh[0] > 0.0 {
                carried += 1;
            } else {
                idle += 1;
            }
        }
        // The link carried in some runs, and (for its years) not in others.
        assert!(carried > 0, "{field}: never carried");
        assert!(field == "max_rate" || idle > 0, "{field}: always carried");
    }
}

#[test]
fn running_only_the_output_years_gives_the_rows_of_running_every_year() {
    // The default park has no storage, so a sweep run simulates only the
    // years its outputs read (2017 and 2020). Drawn tonnes per unit must
    // reach indicators that first see the run in 2017; a link start drawn
    // must be read in years that are not the plan's first.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sweep.ron");
    std::fs::write(
        &path,
        r#"Sweep(id: "years", samples: 64, seed: 11, design: MonteCarlo, params: [
            Param(path: "materials.cog.t_per_unit", dist: Uniform(0.0003, 0.0006)),
            Param(path: "links.cog_to_methanol.start", dist: Choice([2015, 2017, 2018])),
            Param(path: "processes.jpcc_mma.utilization", dist: Uniform(0.7, 0.9)),
            Param(path: "background.*", dist: Uniform(0.95, 1.05), apply: Scale, each: true),
        ])"#,
    )
    .unwrap();
    let mut prep = load_sweep(&path).unwrap();
    assert!(prep.plan.topology.storages.is_empty());
    assert_eq!(prep.years, [2017, 2020]);
    let only = run_sweep(&prep, (0..64).collect(), 2, &|| {}).unwrap();
    prep.years = (prep.plan.topology.start..=prep.plan.topology.end).collect();
    let every = run_sweep(&prep, (0..64).collect(), 2, &|| {}).unwrap();
    let bits = |rows: &[f64]| rows.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&only.rows), bits(&every.rows));
    // The draws moved the outputs: the test compares something.
    let width = only.width;
    let linkage: Vec<f64> = only.rows.chunks(width).map(|r| r[r.len() - 12]).collect();
    assert!(linkage.iter().any(|&v| v != linkage[0]));
}

#[test]
fn a_failed_sweep_names_its_first_failed_run_at_any_thread_count() {
    // Miller & Blair's two sectors with sector 2's own input drawn: above
    // 1 − 0.05 / 0.85 ≈ 0.941 the block is not productive and the run fails.
    let dir = tempfile::tempdir().unwrap();
    let park = std::fs::read_to_string(flows("examples/miller_blair.ron"))
        .unwrap()
        .replace(
            r#"    materials: ["#,
            r#"    pollutants: [Pollutant(id: "co2", name: "CO2", unit: "t")],
    caps: [Cap(year: 2000, scope: Park, limits: {"co2": 1e9})],
    materials: ["#,
        )
        .replace(
            r#"demand: 600,"#,
            r#"demand: 600, emissions: {"co2": 1.0},"#,
        );
    let park_path = dir.path().join("park.ron");
    std::fs::write(&park_path, park).unwrap();
    let path = dir.path().join("sweep.ron");
    std::fs::write(
        &path,
        format!(
            r#"Sweep(id: "fails", park: "{}", samples: 1000, seed: 5, design: MonteCarlo,
                  params: [Param(path: "processes.s2.inputs.good2", dist: Uniform(0.0, 0.95))])"#,
            park_path.display()
        ),
    )
    .unwrap();
    let prep = load_sweep(&path).unwrap();
    let failed: Vec<u64> = (0..1000)
        .filter(|&i| run_sweep(&prep, vec![i], 1, &|| {}).is_err())
        .collect();
    assert!(
        !failed.is_empty() && failed.len() < 30,
        "failed runs: {failed:?}"
    );
    for threads in [1, 2] {
        let Err(e) = run_sweep(&prep, (0..1000).collect(), threads, &|| {}) else {
            panic!("the sweep succeeded on {threads} threads");
        };
        let message = e.to_string();
        assert!(
            message.contains(&format!("run {}: ", failed[0])),
            "{threads} threads: {message}"
        );
    }
}

/// The saved chunks become samples.csv when they hold the runs in order,
/// and samples.csv is formatted anew when a resume's chunks interleave:
/// both are the bytes of formatting the table.
#[test]
fn samples_csv_is_the_saved_chunks_when_they_are_in_order_and_formatted_when_not() {
    use parkflow::output::Batch;
    use parkflow::sweep::write_sweep;
    use parkflow::sweep::{Resumed, run_checkpointed};
    let dir = tempfile::tempdir().unwrap();
    let prep = load_sweep(&sweep_file(dir.path(), "MonteCarlo", 50, ACID_PARAMS)).unwrap();
    let info = prep.info();
    let runs = prep.shard_runs(1, 1).unwrap();
    let partial = dir.path().join("partial");
    let run = |chunk, resume| {
        run_checkpointed(
            &prep,
            &info,
            runs.clone(),
            1,
            chunk,
            &partial,
            resume,
            &|| (),
        )
        .unwrap()
    };
    let samples = |name: &str, table, chunks: Option<&[PathBuf]>| {
        let out = dir.path().join(name);
        write_sweep(Batch::new(&out).unwrap(), &info, table, chunks).unwrap();
        std::fs::read(out.join("samples.csv")).unwrap()
    };
    // Chunks of 10 runs, in order.
    let whole = run(10, false);
    assert_eq!(
        whole.resumed,
        Resumed::default(),
        "nothing was saved before"
    );
    let chunks = whole.chunks.clone().expect("chunks in run order");
    assert_eq!(chunks.len(), 5);
    let copied = samples("copied", &whole.table, Some(&chunks));
    let formatted = samples("formatted", &whole.table, None);
    assert!(
        copied == formatted,
        "copied chunks differ from the formatted table"
    );
    let text = String::from_utf8(copied).unwrap();
    assert_eq!(text.lines().count(), 51);
    assert_eq!(text.matches("sample,").count(), 1, "one header");

    // Runs 10–19 and 30–39 lost; a resume in chunks of 25 runs them as one
    // chunk, which interleaves with the chunk of runs 20–29.
    for lost in [&chunks[1], &chunks[3]] {
        std::fs::remove_file(lost).unwrap();
    }
    let resumed = run(25, true);
    // 5 chunks of 10 runs, 2 lost: 3 chunks, 30 of the 50 runs read back.
    assert_eq!(
        resumed.resumed,
        Resumed {
            chunks: 3,
            runs: 30
        }
    );
    assert!(
        resumed.chunks.is_none(),
        "interleaved chunks are not copied"
    );
    assert_eq!(resumed.table.runs, whole.table.runs);
    assert_eq!(resumed.table.rows, whole.table.rows);
    assert!(samples("resumed", &resumed.table, None) == formatted);
}
