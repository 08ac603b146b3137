//! Result files (docs/MODEL.md, "Result files"), as [`schema`] describes them, each written to a
//! temporary name and renamed into place, so a crash never leaves a
//! half-written file. The files of one result directory are written as a
//! [`Batch`]: all renamed once all are written, so a failed write
//! (read-only directory, full disk) leaves the earlier results as they were.

mod dir;
mod record;
pub mod schema;
mod xlsx;

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use dir::{SOURCE_FILE, check_source, remove_stale_run_files};
pub use record::{Simulation, StepRecord, YearEmissions, simulate};
pub use xlsx::xlsx_bytes;

use schema::{
    EmissionRow, ImportRow, LinkRow, PollutantYear, PoolRow, ProcessRow, RunSummary,
    SummaryEmissions, SummaryYear, UnmodelledRow, YearRow, csv_bytes,
};

use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::model::Park;

/// The directory a run writes by default: `results/<park>[-<scenario>]`.
pub fn default_dir(park: &Park, scenario: Option<&str>) -> PathBuf {
    let name = match scenario {
        Some(s) => format!("{}-{s}", park.id),
        None => park.id.clone(),
    };
    Path::new("results").join(name)
}

/// An I/O error on `path`, saying it could not be written (the system's
/// reason, such as "No space left on device", follows).
fn write_error(path: &Path, what: &str, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(source.kind(), format!("cannot {what}: {source}")),
    }
}

/// Create `dir` and its parents, with an error naming it.
pub fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, "create this directory", e))
}

/// A written and synced temporary file, removed when dropped unless it was
/// renamed into place.
struct Staged {
    tmp: PathBuf,
    renamed: bool,
}

impl Staged {
    fn rename_to(mut self, path: &Path) -> Result<()> {
        std::fs::rename(&self.tmp, path)
            .map_err(|e| write_error(path, "rename a temporary file to it", e))?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A new file `.<name>.<pid>-<n>.tmp` in `staging`: hidden, and never one
/// that exists (a killed process may have left one of the same name).
fn create_temporary(name: &str, staging: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = staging.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o644);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Stream a file into a new temporary file in `staging`, synced, ready to be
/// renamed to `path`. Errors name `path`.
fn stage(
    path: &Path,
    staging: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<Staged> {
    let io = |e| write_error(path, "write it", e);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, file) = create_temporary(&name, staging).map_err(io)?;
    let staged = Staged {
        tmp,
        renamed: false,
    };
    let mut w = BufWriter::with_capacity(1 << 20, file);
    fill(&mut w).map_err(io)?;
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(staged)
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Make renames in `dir` durable. Best effort: some file systems refuse to
/// sync a directory, and the files themselves are already synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Stream a file to a temporary name beside `path`, then rename it into place.
pub fn write_streamed(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<()> {
    stage(path, parent(path), fill)?.rename_to(path)?;
    sync_dir(parent(path));
    Ok(())
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_streamed(path, |w| w.write_all(bytes))
}

/// Files of one result directory, written all or none: each is written to
/// a temporary file and synced as it is added, and [`Batch::commit`]
/// renames them all into place once every one was written. A batch dropped
/// without commit (a write failed: a read-only directory, a full disk)
/// removes its temporary files, so the directory keeps its earlier results
/// byte for byte and no temporary file is left behind.
///
/// The files are written before the first rename, so a full disk stops a
/// batch before it changes anything (a rename replaces a name, needing no
/// new blocks when the name exists). A crash during the renames (they take
/// microseconds) can leave a mix of new and earlier files, each whole.
pub struct Batch {
    dir: PathBuf,
    staging: PathBuf,
    staged: Vec<(PathBuf, Staged)>,
}

impl Batch {
    /// A batch of files for `dir`, created if need be, staged beside them.
    pub fn new(dir: &Path) -> Result<Batch> {
        Batch::staged_in(dir, dir)
    }

    /// A batch of files for `dir` whose temporary files go to `staging`
    /// (created if need be), a directory on the same file system, such as
    /// a sweep's checkpoint directory, removed later with what a kill left there.
    pub fn staged_in(dir: &Path, staging: &Path) -> Result<Batch> {
        create_dir(dir)?;
        create_dir(staging)?;
        Ok(Batch {
            dir: dir.to_path_buf(),
            staging: staging.to_path_buf(),
            staged: Vec::new(),
        })
    }

    /// The directory the files are for.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stage file `name` with the given bytes.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        self.add_streamed(name, |w| w.write_all(bytes))
    }

    /// Stage file `name`, streamed by `fill`.
    pub fn add_streamed(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
    ) -> Result<()> {
        let path = self.dir.join(name);
        let staged = stage(&path, &self.staging, fill)?;
        self.staged.push((path, staged));
        Ok(())
    }

    /// Rename every staged file into place, in the order they were added.
    pub fn commit(self) -> Result<()> {
        for (path, staged) in self.staged {
            staged.rename_to(&path)?;
        }
        sync_dir(&self.dir);
        Ok(())
    }
}

/// A number as result files show it: shortest round-trip form, no `-0`.
pub fn num(v: f64) -> String {
    debug_assert!(v.is_finite(), "non-finite value reached a result file");
    if v == 0.0 { "0".into() } else { v.to_string() }
}

/// [`num`] into a reused buffer, for writers of many rows.
pub fn push_num(buf: &mut String, v: f64) {
    use std::fmt::Write as _;
    debug_assert!(v.is_finite(), "non-finite value reached a result file");
    if v == 0.0 {
        buf.push('0');
    } else {
        let _ = write!(buf, "{v}");
    }
}

/// Hex SHA-256 of the model text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What identifies a run in its summary.
pub struct RunInfo<'a> {
    /// The park as run.
    pub park: &'a Park,
    /// The model file's text (for its hash).
    pub model_text: &'a str,
    /// Scenario id, if the run applied one.
    pub scenario: Option<&'a str>,
}

/// All result files of a run, as (file name, bytes), in the order they are written.
pub fn run_files(
    info: &RunInfo,
    plan: &Plan,
    sim: &Simulation,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        (schema::YEARS_FILE, years_csv(plan, sim)?),
        (schema::PROCESSES_FILE, processes_csv(plan, sim)?),
        (schema::LINKS_FILE, links_csv(plan, sim)?),
        (schema::MATERIALS_FILE, materials_csv(plan, sim)?),
        (schema::IMPORTS_FILE, imports_csv(plan, sim)?),
        (schema::EMISSIONS_FILE, emissions_csv(plan, sim)?),
        (
            schema::UNMODELLED_FILE,
            unmodelled_csv(info.park, plan, sim)?,
        ),
        (schema::SUMMARY_FILE, summary_json(info, plan, sim)?),
    ])
}

fn years_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let rows: Vec<YearRow> = sim
        .years
        .iter()
        .map(|y| {
            let band = sim.year_bands.iter().find(|b| b.year == y.year);
            YearRow {
                year: y.year,
                linkage_mass: y.linkage_mass,
                linkage_product: y.linkage_product,
                linkage_enterprise: y.linkage_enterprise,
                linkage_band: band.map(|b| b.linkage),
                emissions: (0..plan.topology.pollutants.len())
                    .map(|k| PollutantYear {
                        total_band: band.map(|b| b.totals[k]),
                        park: y.park[k],
                        total: y.total(k),
                        limit: plan
                            .params
                            .caps
                            .iter()
                            .filter(|c| c.year == y.year)
                            .flat_map(|c| c.limits.iter())
                            .find(|(kk, _)| *kk == k)
                            .map(|(_, l)| *l),
                    })
                    .collect(),
            }
        })
        .collect();
    YearRow::csv(&plan.topology.pollutants, &rows)
}

fn processes_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let rows = sim.steps.iter().flat_map(|s| {
        plan.topology
            .processes
            .iter()
            .enumerate()
            .map(move |(p, proc_)| ProcessRow {
                year: s.year,
                step: s.step,
                process: proc_.id.clone(),
                enterprise: plan.topology.enterprises[proc_.enterprise].clone(),
                activity: s.activity[p],
                capacity: Some(s.capacity[p]).filter(|c| c.is_finite()),
            })
    });
    csv_bytes(rows)
}

fn links_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let order = plan.links_in_file_order();
    let order = &order;
    let rows = sim.steps.iter().flat_map(|s| {
        order
            .iter()
            .map(|&l| (l, &plan.topology.links[l]))
            .filter(|(l, _)| s.active[*l])
            .map(move |(l, link)| LinkRow {
                year: s.year,
                step: s.step,
                link: plan.topology.link_ids[l].clone(),
                from: plan.topology.processes[plan.link_from(l)].id.clone(),
                to: plan.topology.processes[plan.link_to(l)].id.clone(),
                material: plan.topology.materials[plan.link_material(l)].id.clone(),
                flow: s.flow[l],
                inter_enterprise: link.inter_enterprise,
            })
    });
    csv_bytes(rows)
}

fn materials_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let keys: Vec<_> = (plan.topology.pools.iter())
        .map(|p| (p.process as usize, p.material as usize))
        .collect();
    csv_bytes(process_material_rows(
        plan,
        sim,
        &keys,
        &|s, i, process, material| {
            let [
                generated,
                linked_inter,
                linked_intra,
                stored,
                sold,
                disposed,
            ] = s.pools[i];
            PoolRow {
                year: s.year,
                step: s.step,
                process,
                material,
                generated,
                linked_inter,
                linked_intra,
                stored,
                sold,
                disposed,
            }
        },
    ))
}

fn imports_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let keys: Vec<_> = (plan.topology.slots.iter())
        .map(|s| (s.process as usize, s.material as usize))
        .collect();
    csv_bytes(process_material_rows(
        plan,
        sim,
        &keys,
        &|s, i, process, material| {
            let [requested, delivered, imported] = s.slots[i];
            ImportRow {
                year: s.year,
                step: s.step,
                process,
                material,
                requested,
                delivered,
                imported,
            }
        },
    ))
}

/// A row for each step and each (process, material) key, made by `row`
/// from the step, the key's index and the process and material ids: pools
/// for materials.csv, input slots for imports.csv.
fn process_material_rows<'a, T>(
    plan: &'a Plan,
    sim: &'a Simulation,
    keys: &'a [(usize, usize)],
    row: &'a impl Fn(&StepRecord, usize, String, String) -> T,
) -> impl Iterator<Item = T> + 'a {
    sim.steps.iter().flat_map(move |s| {
        keys.iter()
            .enumerate()
            .map(move |(i, &(process, material))| {
                row(
                    s,
                    i,
                    plan.topology.processes[process].id.clone(),
                    plan.topology.materials[material].id.clone(),
                )
            })
    })
}

fn emissions_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let mut rows = Vec::new();
    for y in &sim.emissions {
        for (k, pollutant) in plan.topology.pollutants.iter().enumerate() {
            let row = |kind: &str, source: String, amount: f64| EmissionRow {
                year: y.year,
                pollutant: pollutant.clone(),
                kind: kind.to_string(),
                source,
                amount,
            };
            for &(p, kk, amount) in &y.process {
                if kk == k {
                    rows.push(row(
                        "process",
                        plan.topology.processes[p].id.clone(),
                        amount,
                    ));
                }
            }
            for &(pool, kk, amount) in &y.disposal {
                if kk == k {
                    rows.push(row("disposal", plan.topology.pool_name(pool), amount));
                }
            }
            rows.push(row("background", "background".into(), y.background[k]));
        }
    }
    csv_bytes(rows)
}

/// `unmodelled.csv`: each declared stream's tonnes per unit times the
/// process's activity, summed over the year's steps. The plan knows nothing
/// of these streams (they are no materials), so they come from the park.
fn unmodelled_csv(park: &Park, plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let index: HashMap<&str, usize> = (plan.topology.processes.iter().enumerate())
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    for y in &sim.years {
        let steps: Vec<&StepRecord> = sim.steps.iter().filter(|s| s.year == y.year).collect();
        for p in &park.processes {
            let Some(&i) = index.get(p.id.as_str()) else {
                continue;
            };
            let activity: f64 = steps.iter().map(|s| s.activity[i]).sum();
            for (side, streams) in [("in", &p.unmodelled_inputs), ("out", &p.unmodelled_outputs)] {
                for (stream, s) in streams.iter() {
                    let tonnes = s.tonnes * activity;
                    if !tonnes.is_finite() {
                        return Err(Error::NonFinite {
                            year: y.year,
                            what: "yearly tonnes of an unmodelled stream",
                            item: format!("{}/{stream}", p.id),
                            value: tonnes,
                        });
                    }
                    rows.push(UnmodelledRow {
                        year: y.year,
                        process: p.id.clone(),
                        stream: stream.to_string(),
                        side: side.to_string(),
                        tonnes,
                    });
                }
            }
        }
    }
    csv_bytes(rows)
}

fn summary_json(info: &RunInfo, plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let years = sim
        .years
        .iter()
        .map(|y| SummaryYear {
            year: y.year,
            linkage_mass: y.linkage_mass,
            linkage_product: y.linkage_product,
            linkage_enterprise: y.linkage_enterprise,
            emissions: plan
                .topology
                .pollutants
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let v = SummaryEmissions {
                        park: y.park[k],
                        background: y.background[k],
                        total: y.total(k),
                    };
                    (id.clone(), v)
                })
                .collect(),
        })
        .collect();
    let summary = RunSummary {
        park: info.park.id.clone(),
        scenario: info.scenario.map(str::to_string),
        parkflow_version: env!("CARGO_PKG_VERSION").to_string(),
        model_sha256: sha256_hex(info.model_text),
        metric: plan.params.metric.as_str().to_string(),
        years,
        baseline: sim.judgement.baseline.clone(),
        targets: sim.judgement.targets.clone(),
        caps: sim.judgement.caps.clone(),
        permits: sim.judgement.permits.clone(),
    };
    summary.json()
}
