//! Result files (SPEC §5), each written to a temporary name and renamed into
//! place, so a crash never leaves a half-written file.

mod record;
mod sweep;
mod xlsx;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use record::{Simulation, StepRecord, YearEmissions, simulate};
pub use sweep::{merge_parts, part_paths, read_samples, write_part, write_samples, write_sweep};
pub use xlsx::xlsx_bytes;

use crate::engine::Plan;
use crate::error::{Error, Result};
use crate::indicators::{CapResult, TargetResult};
use crate::model::Park;

/// The directory a run writes by default: `results/<park>[-<scenario>]`.
pub fn default_dir(park: &Park, scenario: Option<&str>) -> PathBuf {
    let name = match scenario {
        Some(s) => format!("{}-{s}", park.id),
        None => park.id.clone(),
    };
    Path::new("results").join(name)
}

/// Stream a file to a temporary name beside `path`, then rename it into place.
pub fn write_streamed(
    path: &Path,
    fill: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<()>,
) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(&io)?;
    let mut w = BufWriter::with_capacity(1 << 20, tmp);
    fill(&mut w).map_err(&io)?;
    let tmp = w.into_inner().map_err(|e| io(e.into_error()))?;
    // Temporary files are created private (0600); results are for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o644);
        tmp.as_file().set_permissions(mode).map_err(&io)?;
    }
    tmp.as_file().sync_all().map_err(&io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Write `bytes` to `path` atomically: a temporary file beside it, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_streamed(path, |w| w.write_all(bytes))
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

fn csv_bytes(header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write_err = |e: csv::Error| Error::Io {
        path: PathBuf::from("<csv>"),
        source: std::io::Error::other(e),
    };
    w.write_record(header).map_err(write_err)?;
    for row in rows {
        w.write_record(&row).map_err(write_err)?;
    }
    w.into_inner().map_err(|e| Error::Io {
        path: PathBuf::from("<csv>"),
        source: e.into_error(),
    })
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
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
        ("years.csv", years_csv(plan, sim)?),
        ("processes.csv", processes_csv(plan, sim)?),
        ("links.csv", links_csv(plan, sim)?),
        ("materials.csv", materials_csv(plan, sim)?),
        ("imports.csv", imports_csv(plan, sim)?),
        ("emissions.csv", emissions_csv(plan, sim)?),
        ("summary.json", summary_json(info, plan, sim)?),
    ])
}

/// Write every result file of a run into `dir`, creating it.
pub fn write_run(dir: &Path, info: &RunInfo, plan: &Plan, sim: &Simulation) -> Result<()> {
    // Everything is rendered before anything is written.
    let files = run_files(info, plan, sim)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, bytes) in files {
        write_atomic(&dir.join(name), &bytes)?;
    }
    Ok(())
}

fn years_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let mut header = strings(&["year", "linkage_mass", "linkage_enterprise"]);
    for k in &plan.pollutants {
        header.extend([
            format!("{k}_park"),
            format!("{k}_total"),
            format!("{k}_limit"),
        ]);
    }
    let rows = sim.years.iter().map(|y| {
        let mut row = vec![
            y.year.to_string(),
            num(y.linkage_mass),
            num(y.linkage_enterprise),
        ];
        for k in 0..plan.pollutants.len() {
            let limit = plan
                .caps
                .iter()
                .filter(|c| c.year == y.year)
                .flat_map(|c| c.limits.iter())
                .find(|(kk, _)| *kk == k)
                .map_or(String::new(), |(_, l)| num(*l));
            row.extend([num(y.park[k]), num(y.total(k)), limit]);
        }
        row
    });
    csv_bytes(&header, rows)
}

fn processes_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let header = strings(&[
        "year",
        "step",
        "process",
        "enterprise",
        "activity",
        "capacity",
    ]);
    let rows = sim.steps.iter().flat_map(|s| {
        plan.processes.iter().enumerate().map(move |(p, proc_)| {
            let cap = s.capacity[p];
            vec![
                s.year.to_string(),
                s.step.to_string(),
                proc_.id.clone(),
                plan.enterprises[proc_.enterprise].clone(),
                num(s.activity[p]),
                if cap.is_finite() {
                    num(cap)
                } else {
                    String::new()
                },
            ]
        })
    });
    csv_bytes(&header, rows)
}

fn links_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let header = strings(&[
        "year",
        "step",
        "link",
        "from",
        "to",
        "material",
        "flow",
        "inter_enterprise",
    ]);
    let order = plan.links_in_file_order();
    let order = &order;
    let rows = sim.steps.iter().flat_map(|s| {
        order
            .iter()
            .map(|&l| (l, &plan.links[l]))
            .filter(|(l, _)| s.active[*l])
            .map(move |(l, link)| {
                vec![
                    s.year.to_string(),
                    s.step.to_string(),
                    link.id.clone(),
                    plan.processes[plan.link_from(l)].id.clone(),
                    plan.processes[plan.link_to(l)].id.clone(),
                    plan.materials[plan.link_material(l)].id.clone(),
                    num(s.flow[l]),
                    link.inter_enterprise.to_string(),
                ]
            })
    });
    csv_bytes(&header, rows)
}

fn materials_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let columns = [
        "generated",
        "linked_inter",
        "linked_intra",
        "stored",
        "sold",
        "disposed",
    ];
    let keys: Vec<_> = plan.pools.iter().map(|p| (p.process, p.material)).collect();
    process_material_csv(plan, sim, &columns, &keys, |s, i| &s.pools[i])
}

fn imports_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let columns = ["requested", "delivered", "imported"];
    let keys: Vec<_> = plan.slots.iter().map(|s| (s.process, s.material)).collect();
    process_material_csv(plan, sim, &columns, &keys, |s, i| &s.slots[i])
}

/// Rows of `year, step, process, material, values…` for each step and each
/// (process, material) key: pools for materials.csv, input slots for imports.csv.
fn process_material_csv<const N: usize>(
    plan: &Plan,
    sim: &Simulation,
    columns: &[&str; N],
    keys: &[(usize, usize)],
    values: impl Fn(&StepRecord, usize) -> &[f64; N],
) -> Result<Vec<u8>> {
    let mut header = strings(&["year", "step", "process", "material"]);
    header.extend(strings(columns));
    let values = &values;
    let rows = sim.steps.iter().flat_map(|s| {
        keys.iter()
            .enumerate()
            .map(move |(i, &(process, material))| {
                let mut row = vec![
                    s.year.to_string(),
                    s.step.to_string(),
                    plan.processes[process].id.clone(),
                    plan.materials[material].id.clone(),
                ];
                row.extend(values(s, i).iter().map(|v| num(*v)));
                row
            })
    });
    csv_bytes(&header, rows)
}

fn emissions_csv(plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let header = strings(&["year", "pollutant", "kind", "source", "amount"]);
    let mut rows = Vec::new();
    for y in &sim.emissions {
        for (k, pollutant) in plan.pollutants.iter().enumerate() {
            let row = |kind: &str, source: String, amount: f64| {
                vec![
                    y.year.to_string(),
                    pollutant.clone(),
                    kind.to_string(),
                    source,
                    num(amount),
                ]
            };
            for &(p, kk, amount) in &y.process {
                if kk == k {
                    rows.push(row("process", plan.processes[p].id.clone(), amount));
                }
            }
            for &(pool, kk, amount) in &y.disposal {
                if kk == k {
                    let pl = &plan.pools[pool];
                    let source = format!(
                        "{}/{}",
                        plan.processes[pl.process].id, plan.materials[pl.material].id
                    );
                    rows.push(row("disposal", source, amount));
                }
            }
            rows.push(row("background", "background".into(), y.background[k]));
        }
    }
    csv_bytes(&header, rows.into_iter())
}

#[derive(Serialize)]
struct Summary<'a> {
    park: &'a str,
    scenario: Option<&'a str>,
    parkflow_version: &'static str,
    model_sha256: String,
    metric: &'static str,
    years: Vec<SummaryYear>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a TargetResult>,
    targets: &'a [TargetResult],
    caps: &'a [CapResult],
}

#[derive(Serialize)]
struct SummaryYear {
    year: i32,
    linkage_mass: f64,
    linkage_enterprise: f64,
    emissions: serde_json::Map<String, serde_json::Value>,
}

fn summary_json(info: &RunInfo, plan: &Plan, sim: &Simulation) -> Result<Vec<u8>> {
    let years = sim
        .years
        .iter()
        .map(|y| SummaryYear {
            year: y.year,
            linkage_mass: y.linkage_mass,
            linkage_enterprise: y.linkage_enterprise,
            emissions: plan
                .pollutants
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let v = serde_json::json!({"park": y.park[k], "background": y.background[k], "total": y.total(k)});
                    (id.clone(), v)
                })
                .collect(),
        })
        .collect();
    let summary = Summary {
        park: &info.park.id,
        scenario: info.scenario,
        parkflow_version: env!("CARGO_PKG_VERSION"),
        model_sha256: sha256_hex(info.model_text),
        metric: plan.metric.as_str(),
        years,
        baseline: sim.judgement.baseline.as_ref(),
        targets: &sim.judgement.targets,
        caps: &sim.judgement.caps,
    };
    let mut bytes = serde_json::to_vec_pretty(&summary).map_err(|e| Error::Io {
        path: PathBuf::from("summary.json"),
        source: std::io::Error::other(e),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}
