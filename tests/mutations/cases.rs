//! The cases of the `mutations` test binary: each kind of mutation of
//! every file through the library pipeline, a sample of mutants through the
//! binary, and the refusals found by mutation kept as fixed cases.

use super::*;

#[test]
fn every_number_of_the_example_parks_replaced_by_every_extreme_ends_well() {
    // acid, candidates, miller_blair and the starter park: small parks that
    // run in a millisecond. PARKFLOW_MUTATION_EVERY=1 takes every file.
    let files: Vec<usize> = if std::env::var_os("PARKFLOW_MUTATION_EVERY").is_some() {
        (0..FILES.len()).collect()
    } else {
        vec![1, 2, 3, 10]
    };
    let cases = every_number(&files);
    eprintln!("every number: {cases} cases");
}

#[test]
fn deleting_a_field_or_an_item_ends_in_ok_or_a_readable_error() {
    mutants(Kind::Delete, 120);
}

#[test]
fn duplicating_a_field_or_an_item_ends_in_ok_or_a_readable_error() {
    mutants(Kind::Duplicate, 120);
}

#[test]
fn swapped_mistyped_and_hostile_ids_end_in_ok_or_a_readable_error() {
    mutants(Kind::Ids, 120);
}

#[test]
fn extreme_numbers_end_in_ok_or_a_readable_error() {
    mutants(Kind::Extreme, 120);
}

#[test]
fn non_finite_numbers_end_in_ok_or_a_readable_error() {
    mutants(Kind::NonFinite, 80);
}

#[test]
fn huge_series_end_in_ok_or_a_readable_error() {
    mutants(Kind::HugeSeries, 60);
}

#[test]
fn deep_nesting_ends_in_a_readable_error_without_overflowing_the_stack() {
    mutants(Kind::DeepNesting, 60);
}

#[test]
fn emptied_lists_and_maps_end_in_ok_or_a_readable_error() {
    mutants(Kind::Empty, 120);
}

#[test]
fn files_cut_at_any_byte_end_in_ok_or_a_readable_error() {
    mutants(Kind::Truncate, 120);
}

#[test]
fn flipped_bytes_end_in_ok_or_a_readable_error() {
    mutants(Kind::ByteFlip, 120);
}

// ---------------------------------------------------------------------------
// A sample of mutants through the binary.

/// Mutants of each kind run through `parkflow`.
const CLI_PER_KIND: usize = 10;

/// One mutant in `plots_every` runs with its plots (a second or three each
/// in a debug build); the others with `--no-plots`.
const CLI_PLOTS_EVERY: usize = 10;

/// One mutant in `links_every` also goes through `parkflow links`.
const CLI_LINKS_EVERY: usize = 5;

/// A file's text as the binary sample mutates it: sweeps cut to a few
/// samples, so that a mutant that still runs finishes at once.
fn cli_original(file: usize) -> String {
    let text = original(file);
    if !FILES[file].contains("sweep") {
        return text.to_string();
    }
    text.replacen("samples: 10000,", "samples: 3,", 1)
        .replacen("samples: 2000,", "samples: 2,", 1)
        .replacen("samples: 1000,", "samples: 3,", 1)
}

/// Run `parkflow args`; the status is 0 or 1, stderr has no panic, an error
/// is one message, and no CSV or JSON file in `out` holds a non-finite number.
fn binary(args: &[&std::ffi::OsStr], out: &Path, case: &str) -> i32 {
    let output = common::parkflow().args(args).output().unwrap();
    let code = output.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `caps` exits 3 when a cap is exceeded.
    let caps = args[0] == "caps" && code == 3;
    assert!(
        code == 0 || code == 1 || caps,
        "{case}: {args:?} exited {code}:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{case}: {args:?}:\n{stderr}");
    if code == 1 {
        assert!(stderr.starts_with("error: "), "{case}: {stderr}");
        let message = stderr.trim_start_matches("error: ");
        assert!(debug_dump(message).is_none(), "{case}: {stderr}");
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".csv") || name.ends_with(".json") {
                assert_finite_file(&name, &std::fs::read(entry.path()).unwrap());
            }
        }
    }
    code
}

/// Mutate each file in turn with `kinds`, and run every mutant through
/// `check` and `run` (a sweep through `sweep`).
fn through_the_binary(kinds: &[Kind]) {
    let mut statuses: BTreeMap<(Kind, &str, i32), usize> = BTreeMap::new();
    let scratch = tempfile::tempdir().unwrap();
    let mut n = 0;
    for &kind in kinds {
        for i in 0..CLI_PER_KIND * scale() as usize {
            let file = (i * 5 + kind as usize) % FILES.len();
            let mut dice = Dice(seed() ^ ((kind as u64) << 32) ^ i as u64);
            let (bytes, what) = mutate(kind, &cli_original(file), &mut dice);
            let mutant = Mutant::write(file, &bytes);
            let case = format!("{kind} {} ({what})", FILES[file]);
            let out = scratch.path().join(format!("out-{n}"));
            let path = mutant.0.as_os_str();
            let code = binary(&["check".as_ref(), path], &out, &case);
            *statuses.entry((kind, "check", code)).or_default() += 1;
            let (command, code) = if FILES[file].contains("sweep") {
                let args = [
                    "sweep".as_ref(),
                    path,
                    "-q".as_ref(),
                    "--threads".as_ref(),
                    "1".as_ref(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ];
                ("sweep", binary(&args, &out, &case))
            } else {
                let mut args: Vec<&std::ffi::OsStr> = vec![
                    "run".as_ref(),
                    path,
                    "-q".as_ref(),
                    "--out".as_ref(),
                    out.as_os_str(),
                ];
                if n % CLI_PLOTS_EVERY != 0 {
                    args.push("--no-plots".as_ref());
                }
                ("run", binary(&args, &out, &case))
            };
            *statuses.entry((kind, command, code)).or_default() += 1;
            if !FILES[file].contains("sweep") {
                let code = binary(&["caps".as_ref(), path], &out, &case);
                *statuses.entry((kind, "caps", code)).or_default() += 1;
                // Ranking candidates runs the park once per candidate and
                // subset: one mutant in CLI_LINKS_EVERY.
                if n % CLI_LINKS_EVERY == 0 {
                    let links = scratch.path().join(format!("links-{n}"));
                    let args = ["links".as_ref(), path, "--out".as_ref(), links.as_os_str()];
                    let code = binary(&args, &links, &case);
                    *statuses.entry((kind, "links", code)).or_default() += 1;
                }
            }
            n += 1;
        }
    }
    eprintln!("through the binary: {n} mutants, (kind, command, status) → count: {statuses:?}");
}

#[test]
fn mutants_through_the_binary_exit_0_or_1_and_write_finite_files_part_1() {
    through_the_binary(&[
        Kind::Delete,
        Kind::Duplicate,
        Kind::Ids,
        Kind::Extreme,
        Kind::NonFinite,
    ]);
}

#[test]
fn mutants_through_the_binary_exit_0_or_1_and_write_finite_files_part_2() {
    through_the_binary(&[
        Kind::HugeSeries,
        Kind::DeepNesting,
        Kind::Empty,
        Kind::Truncate,
        Kind::ByteFlip,
    ]);
}

// ---------------------------------------------------------------------------
// Findings: each a mutation that once ended badly, now a regression test.

/// A mutant of file `file` (an index into FILES): `from` replaced by `to`.
fn variant(file: usize, from: &str, to: &str) -> Result<(), Error> {
    let text = original(file);
    assert!(text.contains(from), "`{from}` is not in {}", FILES[file]);
    let mutant = Mutant::write(file, text.replacen(from, to, 1).as_bytes());
    pipeline(&mutant.0, FILES[file].contains("sweep"))
}

/// The pipeline ends in one readable error that says `words`.
#[track_caller]
fn refused(r: Result<(), Error>, words: &str) -> String {
    let e = r.expect_err("the mutant should be refused");
    assert_readable(&e).unwrap();
    let m = e.to_string();
    assert!(m.contains(words), "expected `{words}` in: {m}");
    m
}

const JILIN: usize = 0;
const ACID: usize = 1;
const PLAN: usize = 6;
const SOBOL: usize = 8;
const UNCERTAINTY: usize = 9;

/// Swapping two strings of plan.ron put a share where a link's start year
/// goes; the message showed the value as `Steps([(2014, 0.9)])`.
#[test]
fn a_year_set_to_steps_is_refused_in_words_not_as_a_debug_dump() {
    let m = refused(
        variant(
            PLAN,
            r#"Shift(path: "links.cog_to_methanol.start", by: -1)"#,
            r#"Set(path: "links.cog_to_methanol.start", value: [(2014, 0.9)])"#,
        ),
        "needs a whole number here, not (year, value) steps",
    );
    assert!(m.contains("path `links.cog_to_methanol.start`"), "{m}");
    refused(
        variant(
            PLAN,
            r#"Shift(path: "links.cog_to_methanol.start", by: -1)"#,
            r#"Set(path: "links.cog_to_methanol.start", value: 2015.5)"#,
        ),
        "needs a whole number here, not 2015.5",
    );
}

/// A Sobol sweep's runs are samples × (parameters + 2): with u64::MAX
/// samples the product overflowed (a panic in a debug build).
#[test]
fn a_sobol_sweep_too_large_to_count_is_refused_not_overflowed() {
    let m = refused(
        variant(SOBOL, "samples: 2000", "samples: 18446744073709551615"),
        "more than 2^64 runs (samples × (8 parameter columns + 2))",
    );
    assert!(m.contains("a sweep makes at most 1000000000"), "{m}");
}

/// Ten trillion samples were accepted; `parkflow sweep` then collected
/// every run index into memory before running any.
#[test]
fn a_sweep_of_more_runs_than_one_process_holds_is_refused_before_allocating() {
    refused(
        variant(UNCERTAINTY, "samples: 10000", "samples: 10000000000000"),
        "samples: 10000000000000 samples make 10000000000000 runs; a sweep makes at most",
    );
    // Below the sweep's limit but above what one process runs: shards.
    let text = original(UNCERTAINTY).replacen("samples: 10000", "samples: 30000000", 1);
    let mutant = Mutant::write(UNCERTAINTY, text.as_bytes());
    let prep = sweep::load_sweep(&mutant.0).unwrap();
    let e = prep.shard_runs(1, 1).unwrap_err();
    assert!(
        e.contains("the sweep has 30000000 runs; one process runs at most 10000000: split the sweep into at least 3 shards"),
        "{e}"
    );
    let e = prep.shard_runs(2, 2).unwrap_err();
    assert!(e.starts_with("shard 2 of 2 has 15000000 runs"), "{e}");
    let text = original(UNCERTAINTY).replacen("samples: 10000", "samples: 10", 1);
    let mutant = Mutant::write(UNCERTAINTY, text.as_bytes());
    let prep = sweep::load_sweep(&mutant.0).unwrap();
    assert_eq!(prep.shard_runs(2, 3).unwrap(), [1, 4, 7]);
    assert_eq!(prep.shard_runs(1, 1).unwrap().len(), 10);
}

/// Uniform(-1e308, 1e308) on a year drew infinity (hi − lo overflows), and
/// a sweep row held it: `inf` in samples.csv, or a panic in a debug build.
#[test]
fn draws_that_would_not_be_finite_are_refused_before_the_sweep_runs() {
    let year = "Choice([2015, 2016, 2017])";
    for dist in [
        "Uniform(-1e308, 1e308)",
        "Triangular(0, 1e200, 1e200)",
        "Normal(mean: 1e308, sd: 1e308)",
    ] {
        // Refused by the parameter check (`too wide to draw from`) or, if
        // it passes, by the check of the extreme draws.
        let m = refused(variant(JILIN, year, dist), "");
        assert!(
            m.contains("some draws would not be finite numbers; narrow the distribution")
                || m.contains("its range is too wide to draw from"),
            "{m}"
        );
    }
    // A cap limit is never simulated: only this check stands between a
    // LogNormal's far tail and the file.
    refused(
        variant(
            JILIN,
            r#"Param(path: "background.cod""#,
            r#"Param(path: "caps.2017.cod", dist: LogNormal(1e300, 1e10)), Param(path: "background.cod""#,
        ),
        "LogNormal(1e300, 10000000000",
    );
    refused(
        variant(
            JILIN,
            "dist: Triangular(0.9, 1.0, 1.1), apply: Scale",
            "dist: Uniform(1.7e308, 1.7e308), apply: Scale",
        ),
        "draws can make it infinite, above 1e18, the largest quantity a park may hold",
    );
    // The MMA unit's 1.763 t of spent acid per t, scaled by at least 1e20.
    refused(
        variant(
            JILIN,
            "dist: Triangular(0.9, 1.0, 1.1), apply: Scale",
            "dist: Uniform(1e20, 1e21), apply: Scale",
        ),
        "draws can make it 1.7630000000000007e20, above 1e18",
    );
}

/// An output coefficient of 1e308 made the plant's byproduct pool infinite:
/// the engine checks activities, flows, requests and emissions, not pools,
/// so the run succeeded and materials.csv would have held `inf`.
#[test]
fn a_quantity_above_1e18_is_refused_by_validation() {
    let m = refused(
        variant(2, r#""tar": 0.5"#, r#""tar": 1e308"#),
        "process `plant`, outputs.tar: 1e308 is above 1e18, the largest quantity a park may hold",
    );
    assert!(m.contains("1 problem"), "{m}");
    refused(
        variant(ACID, "capacity: 30)", "capacity: 1e19)"),
        "storage `tank`, capacity: 1e19 is above 1e18",
    );
    // 1e18 itself is a quantity.
    variant(ACID, "capacity: 30)", "capacity: 1e18)").unwrap();
}

/// Duplicate keys were found by comparing each key with every earlier one:
/// a map of 200,000 keys took eleven minutes to read.
#[test]
fn a_map_of_two_hundred_thousand_keys_is_read_at_once_and_refused() {
    let mut map = String::from("{");
    for i in 0..200_000 {
        map.push_str(&format!("\"k{i}\": 1, "));
    }
    map.push('}');
    let started = std::time::Instant::now();
    let m = refused(
        variant(
            ACID,
            r#"emissions: {"so2": 0.01}"#,
            &format!("emissions: {map}"),
        ),
        "process `mma`, emissions: 200000 entries; at most 1000 are accepted",
    );
    assert!(m.contains("1 problem"), "{m}");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

/// A file with hundreds of problems listed every one of them.
#[test]
fn hundreds_of_problems_make_a_message_of_a_hundred_lines() {
    let keys: Vec<String> = (0..500).map(|i| format!("\"p{i}\": 1")).collect();
    let m = refused(
        variant(
            ACID,
            r#"emissions: {"so2": 0.01}"#,
            &format!("emissions: {{{}}}", keys.join(", ")),
        ),
        "500 problems:",
    );
    assert_eq!(m.lines().count(), 1 + 100 + 1, "{m}");
    assert!(m.ends_with("  ... and 400 more"), "{m}");
}
