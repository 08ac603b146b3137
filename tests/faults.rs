//! Faults: result directories that cannot be written, and sweeps killed
//! with SIGKILL again and again.
//!
//! - A directory made read-only three ways (mode 0555, a read-only bind
//!   mount, the immutable attribute): `run`, `sweep`, `merge` and `report`
//!   fail with exit status 1 and a message naming the file, and the
//!   directory keeps its earlier results byte for byte.
//! - A full file system (a small tmpfs, filled to leave 0 bytes to 90% of
//!   what the command needs): the same, with "No space left on device", and
//!   no temporary file left behind. A sweep stopped by a full disk finishes
//!   with `--resume` once there is space, to the uninterrupted result.
//! - Sweeps killed with SIGKILL at seeded random moments (between chunks,
//!   while a chunk is written, while the result files are written), four
//!   times in a row each, and resumed: after every kill each result file is
//!   absent or whole, and the finished files equal an uninterrupted run's.
//!
//! CI runs as root, where mode 0555 stops no one: the child then runs as
//! `nobody` (setpriv), and the mounts and the immutable attribute need root
//! anyway. A read-only way that this machine cannot provide is skipped with
//! a printed reason, and the test fails if it could try none; the full-disk
//! test needs root to mount its tmpfs and says so when it is not.

mod common;
#[path = "faults/kills.rs"]
mod kills;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::example;

fn bin() -> PathBuf {
    PathBuf::from(assert_cmd::cargo::cargo_bin!("parkflow"))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Run a system command, returning whether it succeeded (and what it said if not).
fn system(program: &str, args: &[&str]) -> Result<(), String> {
    match Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("`{program}` could not be started: {e}")),
    }
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every file under `dir` (hidden ones too), by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Temporary files (`.<name>.<pid>-<n>.tmp`) anywhere under `dir`.
fn temporary_files(dir: &Path) -> Vec<PathBuf> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect()
}

/// Assert `dir` holds exactly `before`, naming what changed.
#[track_caller]
fn assert_unchanged(dir: &Path, before: &BTreeMap<PathBuf, Vec<u8>>, what: &str) {
    assert_same(before, &snapshot(dir), dir, what);
}

/// Assert two snapshots of `dir` agree, naming the files that differ.
#[track_caller]
fn assert_same(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    dir: &Path,
    what: &str,
) {
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "{what}: in {}, these changed: {changed:?}",
        dir.display()
    );
}

/// A mount, undone when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, bytes: u64) -> Result<Mount, String> {
        std::fs::create_dir_all(at).unwrap();
        let size = format!("size={bytes}");
        system(
            "mount",
            &["-t", "tmpfs", "-o", &size, "tmpfs", at.to_str().unwrap()],
        )?;
        Ok(Mount(at.to_path_buf()))
    }

    fn read_only_bind(dir: &Path) -> Result<Mount, String> {
        let d = dir.to_str().unwrap();
        system("mount", &["--bind", d, d])?;
        let mount = Mount(dir.to_path_buf());
        system("mount", &["-o", "remount,bind,ro", d])?;
        Ok(mount)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let at = self.0.to_str().unwrap();
        if system("umount", &[at]).is_err() {
            let _ = system("umount", &["-l", at]);
        }
    }
}

/// How a directory is made read-only for the command under test.
enum ReadOnly {
    /// Mode 0555; as root, the command runs as `nobody`.
    Mode { dir: PathBuf, as_nobody: bool },
    /// A read-only bind mount of the directory on itself.
    Mount(#[allow(dead_code)] Mount),
    /// `chattr +i`: no entry of the directory can be added, renamed or removed.
    Immutable(PathBuf),
}

const WAYS: [&str; 3] = ["mode 0555", "read-only bind mount", "immutable attribute"];

impl ReadOnly {
    fn make(way: &str, dir: &Path) -> Result<ReadOnly, String> {
        let root = is_root();
        match way {
            "mode 0555" => {
                if root {
                    // nobody must reach the binary and the files it reads.
                    let probe = Command::new("setpriv")
                        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                        .arg(bin())
                        .arg("--version")
                        .output()
                        .map_err(|e| format!("setpriv could not be started: {e}"))?;
                    if !probe.status.success() {
                        return Err(format!(
                            "root ignores mode 0555, and nobody cannot run {}: {}",
                            bin().display(),
                            String::from_utf8_lossy(&probe.stderr).trim()
                        ));
                    }
                }
                chmod(dir, 0o555);
                Ok(ReadOnly::Mode {
                    dir: dir.to_path_buf(),
                    as_nobody: root,
                })
            }
            "read-only bind mount" if root => Mount::read_only_bind(dir).map(ReadOnly::Mount),
            "immutable attribute" if root => {
                system("chattr", &["+i", dir.to_str().unwrap()])?;
                Ok(ReadOnly::Immutable(dir.to_path_buf()))
            }
            _ => Err("needs root".into()),
        }
    }

    /// The parkflow command, run as the user this way stops.
    fn parkflow(&self) -> Command {
        match self {
            ReadOnly::Mode {
                as_nobody: true, ..
            } => {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                    .arg(bin());
                c
            }
            _ => Command::new(bin()),
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        match self {
            ReadOnly::Mode { dir, .. } => chmod(dir, 0o755),
            ReadOnly::Mount(_) => {}
            ReadOnly::Immutable(dir) => {
                let _ = system("chattr", &["-i", dir.to_str().unwrap()]);
            }
        }
    }
}

/// The acid example's sweep with the given seed and samples.
fn acid_sweep(dir: &Path, name: &str, design: &str, samples: u64, seed: u64) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            r#"Sweep(id: "acid-sweep", park: "{}", samples: {samples}, seed: {seed}, design: {design}, params: [
                Param(path: "processes.mma.capacity", dist: Uniform(50, 150)),
                Param(path: "links.acid.max_rate", dist: Triangular(40, 60, 80)),
                Param(path: "background.cod", dist: Normal(mean: 1.0, sd: 0.05, min: 0.8, max: 1.2), apply: Scale),
            ])"#,
            example("acid.ron").display()
        ),
    )
    .unwrap();
    path
}

/// A scenario of the acid example that changes every number of its run.
fn acid_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("bigger-mma.ron");
    std::fs::write(
        &path,
        format!(
            r#"Scenario(id: "bigger-mma", park: "{}", changes: [Scale(path: "processes.mma.capacity", by: 1.2)])"#,
            example("acid.ron").display()
        ),
    )
    .unwrap();
    path
}

/// Run parkflow (as `cmd` sets it up), asserting success.
#[track_caller]
fn ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Run parkflow expecting exit status 1 and one error message that names a
/// file under `dir` and says `reason`.
#[track_caller]
fn refused(cmd: &mut Command, dir: &Path, reasons: &[&str], what: &str) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{what}: exit status; {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(&*dir.to_string_lossy()),
        "{what}: the message names the directory {}: {stderr}",
        dir.display()
    );
    assert!(
        reasons.iter().any(|r| stderr.contains(r)),
        "{what}: the message says why ({reasons:?}): {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    stderr
}

const READ_ONLY_REASONS: [&str; 3] = [
    "Permission denied",
    "Read-only file system",
    "Operation not permitted",
];

/// Earlier results of every kind, in directories under `root` that the
/// user `nobody` can traverse: a run with its report, a sweep with its
/// report, a merged sweep; and inputs that would change every one of their
/// files: a scenario, another sweep (another seed), and its shard parts.
struct Earlier {
    run: PathBuf,
    sweep: PathBuf,
    merged: PathBuf,
    scenario: PathBuf,
    other_sweep: PathBuf,
    other_parts: PathBuf,
}

fn earlier_results(root: &Path) -> Earlier {
    chmod(root, 0o755);
    let e = Earlier {
        run: root.join("run"),
        sweep: root.join("sweep"),
        merged: root.join("merged"),
        scenario: acid_scenario(root),
        other_sweep: acid_sweep(root, "other.ron", "MonteCarlo", 300, 8),
        other_parts: root.join("other-parts"),
    };
    let sweep_file = acid_sweep(root, "sweep.ron", "MonteCarlo", 300, 7);
    let parts = root.join("parts");
    let p = |args: &[&str], dir: &Path| {
        ok(Command::new(bin()).args(args).arg(dir));
    };
    p(
        &[
            "run",
            example("acid.ron").to_str().unwrap(),
            "--quiet",
            "--out",
        ],
        &e.run,
    );
    p(&["report", "--quiet"], &e.run);
    let sweep = sweep_file.to_str().unwrap();
    p(&["sweep", sweep, "--quiet", "--out"], &e.sweep);
    p(&["report", "--quiet"], &e.sweep);
    let other = e.other_sweep.to_str().unwrap();
    for k in ["1/2", "2/2"] {
        p(&["sweep", sweep, "--quiet", "--shard", k, "--out"], &parts);
        p(
            &["sweep", other, "--quiet", "--shard", k, "--out"],
            &e.other_parts,
        );
    }
    p(&["merge", parts.to_str().unwrap(), "--out"], &e.merged);
    e
}

/// The commands of the fault tests, each with the directory it writes:
/// every one would change every earlier file it touches.
fn commands(e: &Earlier) -> Vec<(&'static str, Vec<String>, PathBuf)> {
    let s = |p: &Path| p.to_str().unwrap().to_string();
    vec![
        (
            // Another file's run, replacing the earlier results on purpose.
            "run",
            vec![
                "run".into(),
                s(&e.scenario),
                "--force".into(),
                "--out".into(),
                s(&e.run),
            ],
            e.run.clone(),
        ),
        (
            "report of a run",
            vec![
                "report".into(),
                s(&e.run),
                "--sankey-year".into(),
                "2012".into(),
            ],
            e.run.clone(),
        ),
        (
            "sweep",
            vec![
                "sweep".into(),
                s(&e.other_sweep),
                "--out".into(),
                s(&e.sweep),
            ],
            e.sweep.clone(),
        ),
        (
            "report of a sweep",
            vec!["report".into(), s(&e.sweep)],
            e.sweep.clone(),
        ),
        (
            "merge",
            vec![
                "merge".into(),
                s(&e.other_parts),
                "--out".into(),
                s(&e.merged),
            ],
            e.merged.clone(),
        ),
    ]
}

#[test]
fn a_read_only_directory_keeps_its_earlier_results() {
    let tmp = tempfile::tempdir().unwrap();
    // The user nobody must reach the results (a temporary directory is 0700).
    chmod(tmp.path(), 0o755);
    let mut tried = Vec::new();
    for way in WAYS {
        let root = tmp.path().join(way.replace(' ', "-"));
        std::fs::create_dir_all(&root).unwrap();
        let e = earlier_results(&root);
        let dirs = [&e.run, &e.sweep, &e.merged];
        let before: Vec<_> = dirs.iter().map(|d| snapshot(d)).collect();
        let locks: Vec<ReadOnly> = match dirs.iter().map(|d| ReadOnly::make(way, d)).collect() {
            Ok(locks) => locks,
            Err(why) => {
                println!("read-only directory by {way}: skipped, {why}");
                continue;
            }
        };
        let mut cases = commands(&e);
        let new_dir = e.run.join("new").to_str().unwrap().to_string();
        cases.push((
            "run into a new directory",
            vec!["run".into(), "--no-plots".into(), "--out".into(), new_dir],
            e.run.clone(),
        ));
        for (what, args, dir) in &cases {
            let what = format!("{what} into a directory made read-only by {way}");
            let mut cmd = locks[0].parkflow();
            cmd.args(args);
            let stderr = refused(&mut cmd, dir, &READ_ONLY_REASONS, &what);
            // A message that points to saved runs points to ones that exist.
            if let Some(kept) = stderr.split("saved so far are kept in ").nth(1) {
                let kept = kept.split(':').next().unwrap_or_default();
                assert!(Path::new(kept).is_dir(), "{what}: {stderr}");
            }
        }
        drop(locks);
        for (d, before) in dirs.iter().zip(&before) {
            assert_unchanged(d, before, way);
        }
        println!(
            "read-only directory by {way}: {} commands refused with exit status 1, earlier results unchanged",
            cases.len()
        );
        tried.push(way);
    }
    assert!(
        !tried.is_empty(),
        "no way to make a directory read-only here"
    );
}

/// Free bytes on the file system holding `dir`.
fn free_bytes(dir: &Path) -> u64 {
    let out = Command::new("stat")
        .args(["-f", "-c", "%a %S"])
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut it = text.split_whitespace().map(|n| n.parse::<u64>().unwrap());
    it.next().unwrap() * it.next().unwrap()
}

/// Fill the file system of `dir` with `filler` until `free` bytes are left.
fn fill(filler: &Path, free: u64) {
    let _ = std::fs::remove_file(filler);
    let avail = free_bytes(filler.parent().unwrap());
    assert!(avail >= free, "{avail} bytes free, wanted {free}");
    std::fs::write(filler, vec![0u8; (avail - free) as usize]).unwrap();
}

/// Shares of what a command needs that are left free on the disk.
const FREE_SHARES: [f64; 5] = [0.0, 0.1, 0.5, 0.75, 0.9];

/// A snapshot without the sweep checkpoints (`.partial-*`), which a sweep
/// stopped by a full disk keeps, to resume from.
fn results(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = snapshot(dir);
    files.retain(|p, _| !p.to_string_lossy().starts_with(".partial-"));
    files
}

#[test]
fn a_full_disk_keeps_earlier_results_and_leaves_no_temporary_file() {
    if !is_root() {
        println!("full disk: skipped, mounting a small tmpfs needs root (CI runs as root)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    let _mount = Mount::tmpfs(&disk, 16 << 20).unwrap_or_else(|e| panic!("{e}"));
    let filler = disk.join("filler");
    let e = earlier_results(&disk);

    // What each command writes, measured by running it on a copy of the
    // earlier results in a directory with room.
    let roomy = tmp.path().join("roomy");
    let copy = |from: &Path| {
        let to = roomy.join(from.file_name().unwrap());
        for (path, bytes) in snapshot(from) {
            std::fs::create_dir_all(to.join(&path).parent().unwrap()).unwrap();
            std::fs::write(to.join(&path), bytes).unwrap();
        }
        to
    };
    let roomy_earlier = Earlier {
        run: copy(&e.run),
        sweep: copy(&e.sweep),
        merged: copy(&e.merged),
        scenario: e.scenario.clone(),
        other_sweep: e.other_sweep.clone(),
        other_parts: e.other_parts.clone(),
    };
    let mut needs = Vec::new();
    for (what, args, dir) in commands(&roomy_earlier) {
        // On the full disk the run before it is refused, so the report of
        // a run reads the earlier results: measure it on them (the roomy
        // run replaced them, and removed the report it did not write).
        if what == "report of a run" {
            std::fs::remove_dir_all(&dir).unwrap();
            copy(&e.run);
        }
        let before = results(&dir);
        ok(Command::new(bin()).args(&args));
        let written: u64 = results(&dir)
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(bytes))
            .map(|(_, b)| (b.len() as u64).div_ceil(4096) * 4096)
            .sum();
        assert!(written > 0, "{what} writes something");
        println!("full disk: {what} writes {written} bytes (in 4 KiB pages)");
        needs.push(written);
    }

    let cases = commands(&e);
    let mut faults = 0;
    for ((what, args, dir), needed) in cases.iter().zip(needs) {
        for share in FREE_SHARES {
            let before = results(dir);
            let free = (needed as f64 * share) as u64;
            fill(&filler, free);
            let what = format!("{what} with {free} of the {needed} bytes it writes free");
            refused(
                Command::new(bin()).args(args),
                dir,
                &["No space left on device"],
                &what,
            );
            faults += 1;
            std::fs::remove_file(&filler).unwrap();
            assert_same(&before, &results(dir), dir, &what);
            assert_eq!(temporary_files(dir), Vec::<PathBuf>::new(), "{what}");
        }
    }
    // A sweep stopped by the full disk finishes with --resume once there is
    // room, to the files of the same sweep run without a fault.
    ok(Command::new(bin())
        .args(["sweep", "--quiet", "--resume", "--out"])
        .arg(&e.sweep)
        .arg(&e.other_sweep));
    for name in SWEEP_FILES {
        assert!(
            std::fs::read(e.sweep.join(name)).unwrap()
                == std::fs::read(roomy_earlier.sweep.join(name)).unwrap(),
            "resumed {name} differs from the sweep run without a fault"
        );
    }
    assert_eq!(checkpoint_dir(&e.sweep), None, "checkpoints removed");
    println!(
        "full disk: {faults} commands refused with exit status 1 and \"No space left on device\" ({} commands × free space of {FREE_SHARES:?} of what each writes); earlier results unchanged, no temporary file left; the sweep resumed to the result without a fault",
        cases.len()
    );
}

/// A sweep's checkpoint directory (`.partial-*`) in `out`, relative to it.
fn checkpoint_dir(out: &Path) -> Option<PathBuf> {
    std::fs::read_dir(out)
        .ok()?
        .flatten()
        .map(|e| e.file_name())
        .find(|n| n.to_string_lossy().starts_with(".partial-"))
        .map(PathBuf::from)
}

/// The files of a finished sweep.
const SWEEP_FILES: [&str; 3] = ["samples.csv", "samples.parquet", "summary.json"];
