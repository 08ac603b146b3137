//! Sweeps killed with SIGKILL at seeded random moments and resumed: after
//! every kill each result file is absent or whole, and the finished files
//! equal an uninterrupted run's. Part of the `faults` test binary, whose
//! helpers it uses.

use super::*;

/// Chunks saved in `out`'s checkpoint directory.
fn saved_chunks(out: &Path) -> usize {
    checkpoint_dir(out)
        .and_then(|d| std::fs::read_dir(out.join(d)).ok())
        .map_or(0, |entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("chunk-"))
                .count()
        })
}

/// SplitMix64: the test's own seeded random stream.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        // SplitMix64: the output is the mix of the state before the step.
        let out = parkflow::sweep::design::mix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        out
    }

    /// A whole number in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

#[test]
fn sweeps_killed_again_and_again_resume_to_the_uninterrupted_result() {
    // Three sweeps, each killed with SIGKILL four times in a row, at seeded
    // random moments: after a random number of saved chunks and a random
    // delay, or after the last chunk, while the result files are written.
    // Each restart resumes with another thread count and chunk size.
    const KILLS_PER_SWEEP: usize = 4;
    let mut random = Random(20_140_624);
    let tmp = tempfile::tempdir().unwrap();
    let sweeps = [
        ("MonteCarlo", 20_000, 7),
        ("LatinHypercube", 12_000, 11),
        ("Sobol", 3_000, 13), // 15,000 runs
    ];
    let (mut kills, mut resumes, mut lost) = (0, 0, 0);
    let mut aimed = [0; 3];
    let (mut in_chunk, mut in_results) = (0, 0);
    let mut log = Vec::new();
    for (design, samples, seed) in sweeps {
        let file = acid_sweep(tmp.path(), &format!("{design}.ron"), design, samples, seed);
        let whole = tmp.path().join(format!("{design}-whole"));
        ok(Command::new(bin())
            .args(["sweep", "--quiet", "--threads", "2", "--out"])
            .arg(&whole)
            .arg(&file));
        let reference: Vec<Vec<u8>> = SWEEP_FILES
            .iter()
            .map(|n| std::fs::read(whole.join(n)).unwrap())
            .collect();
        let runs = reference[0].iter().filter(|b| **b == b'\n').count() - 1;

        let out = tmp.path().join(format!("{design}-killed"));
        let mut killed_here = 0;
        let mut attempt = 0;
        while killed_here < KILLS_PER_SWEEP {
            assert!(
                attempt < 4 * KILLS_PER_SWEEP,
                "{design}: the sweep outran every kill"
            );
            let threads = random.between(1, 2).to_string();
            let chunk = [300, 500, 800][random.between(0, 2) as usize];
            let mut cmd = Command::new(bin());
            cmd.args(["sweep", "--quiet", "--threads", &threads, "--chunk"])
                .arg(chunk.to_string())
                .arg("--out")
                .arg(&out)
                .arg(&file);
            if attempt > 0 {
                cmd.arg("--resume");
                resumes += 1;
            }
            attempt += 1;
            let saved = saved_chunks(&out);
            let all = runs.div_ceil(chunk);
            // The moment, one of three kinds: once `wait_for` chunks are
            // saved (by this or earlier attempts), then up to 2 ms; as soon
            // as a chunk is being written (its temporary file appears),
            // then up to 0.2 ms; or once the result files are being
            // written, then up to 5 ms.
            let moment = random.between(0, 2);
            let hi = (all as u64).saturating_sub(1).max(saved as u64);
            let wait_for = random.between(saved as u64, hi) as usize;
            let delay_us = match moment {
                0 => random.between(0, 2_000),
                1 => random.between(0, 200),
                _ => random.between(0, 5_000),
            };
            let mut child = cmd.spawn().unwrap();
            let pid = child.id();
            let started = Instant::now();
            while child.try_wait().unwrap().is_none() {
                let reached = match moment {
                    0 => saved_chunks(&out) >= wait_for,
                    1 => staged_files(&out, pid)
                        .iter()
                        .any(|n| n.starts_with(".chunk-")),
                    _ => staged_files(&out, pid)
                        .iter()
                        .any(|n| !n.starts_with(".chunk-")),
                };
                if reached {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(120),
                    "{design}: stuck"
                );
                std::thread::sleep(Duration::from_micros(100));
            }
            std::thread::sleep(Duration::from_micros(delay_us));
            let _ = child.kill();
            let status = child.wait().unwrap();
            let was_killed = status.signal() == Some(9);
            // What the kill interrupted, told by the temporary files it
            // left in the checkpoint directory: a chunk, or result files.
            let staged = staged_files(&out, pid);
            let writing_chunk = staged.iter().any(|n| n.starts_with(".chunk-"));
            let writing_results = staged.iter().any(|n| !n.starts_with(".chunk-"));
            if was_killed {
                kills += 1;
                killed_here += 1;
                aimed[moment as usize] += 1;
                in_chunk += usize::from(writing_chunk);
                in_results += usize::from(writing_results);
            } else {
                assert!(status.success(), "{design}: the sweep failed: {status}");
            }
            // Killed or not, every result file is absent or whole.
            for (name, want) in SWEEP_FILES.iter().zip(&reference) {
                if let Ok(got) = std::fs::read(out.join(name)) {
                    if got != *want {
                        println!("{design}: {name} is half-written or wrong after a kill");
                        lost += 1;
                    }
                }
            }
            let stray: Vec<_> = std::fs::read_dir(&out)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect();
            assert!(
                stray.is_empty(),
                "{design}: temporary files beside the results: {stray:?}"
            );
            log.push(format!(
                "{design} attempt {attempt}: threads {threads}, chunk {chunk}, {} after {:.0} ms with {} chunks saved{}",
                if was_killed { "killed" } else { "finished" },
                started.elapsed().as_secs_f64() * 1e3,
                saved_chunks(&out),
                match (writing_chunk, writing_results) {
                    (_, true) => ", while writing the result files",
                    (true, _) => ", while writing a chunk",
                    _ => "",
                }
            ));
        }
        ok(Command::new(bin())
            .args(["sweep", "--quiet", "--resume", "--out"])
            .arg(&out)
            .arg(&file));
        resumes += 1;
        for (name, want) in SWEEP_FILES.iter().zip(&reference) {
            if std::fs::read(out.join(name)).unwrap() != *want {
                println!("{design}: resumed {name} differs from the uninterrupted run's");
                lost += 1;
            }
        }
        assert_eq!(checkpoint_dir(&out), None, "{design}: checkpoints removed");
    }
    for line in &log {
        println!("{line}");
    }
    println!(
        "SIGKILL: {kills} kills of {} sweeps (aimed: {} between chunks, {} at a chunk's writing, {} at the result files' writing; landed: {in_chunk} while a chunk was written, {in_results} while the result files were), {resumes} resumes; result files that differed from an uninterrupted run: {lost}",
        sweeps.len(),
        aimed[0],
        aimed[1],
        aimed[2]
    );
    assert_eq!(lost, 0, "result files lost or wrong");
    assert!(kills >= 10);
}

/// Temporary files of process `pid` (`.<name>.<pid>-<n>.tmp`) in `out`'s
/// checkpoint directory: what it is writing, or what a kill left.
fn staged_files(out: &Path, pid: u32) -> Vec<String> {
    let mark = format!(".{pid}-");
    checkpoint_dir(out)
        .and_then(|d| std::fs::read_dir(out.join(d)).ok())
        .map_or(Vec::new(), |entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') && n.ends_with(".tmp") && n.contains(&mark))
                .collect()
        })
}

#[test]
fn ctrl_c_stops_a_sweep_saying_what_it_saved_and_how_to_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let file = acid_sweep(tmp.path(), "sweep.ron", "MonteCarlo", 200_000, 3);
    let out = tmp.path().join("out");
    let sweep = |extra: &[&str]| {
        let mut cmd = Command::new(bin());
        cmd.args(["sweep", "--quiet", "--threads", "1", "--chunk", "500"])
            .args(extra)
            .arg("--out")
            .arg(&out)
            .arg(&file);
        cmd
    };
    let child = sweep(&[])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while saved_chunks(&out) < 2 {
        assert!(started.elapsed().as_secs() < 120, "no chunk saved");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // SAFETY: sends SIGINT, as Ctrl-C does, to the child we started.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("of 200000 runs are saved in"), "{stderr}");
    assert!(stderr.contains(".partial-"), "{stderr}");
    assert!(
        stderr.contains("--resume"),
        "the command that goes on: {stderr}"
    );
    assert!(
        !out.join("samples.csv").exists(),
        "no result of a stopped sweep"
    );
    let saved = saved_chunks(&out);
    assert!(saved >= 2, "the saved chunks are kept ({saved})");

    // The sweep file changes: its saved runs can never be resumed.
    let stale = checkpoint_dir(&out).unwrap();
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("samples: 200000, seed: 3", "samples: 2000, seed: 4"),
    )
    .unwrap();
    let resumed = sweep(&["--resume"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{stderr}");
    assert!(
        stderr.contains("are of a different sweep file or park") && stderr.contains("starts over"),
        "{stderr}"
    );
    assert!(
        !out.join(&stale).exists(),
        "the stale checkpoint is removed"
    );
    assert!(checkpoint_dir(&out).is_none(), "nothing left behind");
    let rows = std::fs::read_to_string(out.join("samples.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 2001);
}
