//! The options that draw the park's declared uncertainty beside the
//! central values (`run`, `caps`, `links`): how many draws, on how many
//! threads, and the confidence below which a met target or cap is AT RISK
//! (docs/MODEL.md, "Uncertainty"); and the section `links` prints with
//! them.

use std::fmt::Write as _;

use clap::Args;

use crate::candidates::{self, Ranking};
use crate::engine::Plan;
use crate::error::Result;
use crate::indicators::{DEFAULT_CONFIDENCE, Status};
use crate::model::Park;
use crate::output::Simulation;
use crate::sweep::bands::{self, Bands, DEFAULT_SAMPLES, MAX_SAMPLES};

/// `--samples`, `--confidence`, `--threads`.
#[derive(Debug, Clone, Args)]
pub struct BandArgs {
    /// Draws of the park's declared uncertainty for the 5–95% bands and
    /// the probabilities of meeting targets and caps (0: none).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SAMPLES, value_parser = samples_arg)]
    pub samples: u64,
    /// A target or cap met at the central values with a lower probability
    /// is AT RISK (default 0.9).
    #[arg(long, value_name = "P", value_parser = confidence_arg)]
    pub confidence: Option<f64>,
    /// Threads for the draws, at most 1024 (default: one per core); the
    /// bands are the same at any count.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = super::sweep::threads_arg)]
    pub threads: usize,
}

impl Default for BandArgs {
    fn default() -> Self {
        BandArgs {
            samples: DEFAULT_SAMPLES,
            confidence: None,
            threads: 0,
        }
    }
}

impl BandArgs {
    /// The confidence asked for, or the default.
    pub fn confidence(&self) -> f64 {
        self.confidence.unwrap_or(DEFAULT_CONFIDENCE)
    }

    /// Draw the bands of `park` and put them beside `sim`'s central values;
    /// nothing when the park declares no uncertainty or `--samples 0`.
    pub fn attach(&self, park: &Park, plan: &Plan, sim: &mut Simulation) -> Result<()> {
        if let Some(b) = bands::bands(park, plan, self.samples, self.threads)? {
            b.attach(sim);
        }
        Ok(())
    }

    /// The bands of `park` with the candidate links `enabled`.
    fn draw(&self, park: &Park, enabled: &[String]) -> Result<Option<Bands>> {
        let positions: Vec<usize> = (0..park.links.len())
            .filter(|&i| enabled.contains(&park.links[i].id))
            .collect();
        let park = candidates::with_enabled(park, &positions);
        let plan = Plan::compile(&park);
        bands::bands(&park, &plan, self.samples, self.threads)
    }

    /// How sure the targets are without candidates and with each set that
    /// `links` chose: per target year, the 5–95% band of the judged rate
    /// and P(met), and the status of the target each set was chosen for.
    /// Empty when the park declares no uncertainty or `--samples 0`.
    pub fn links_section(&self, park: &Park, r: &Ranking) -> Result<String> {
        let mut s = String::new();
        let Some(base) = self.draw(park, &[])? else {
            return Ok(s);
        };
        if r.targets.is_empty() {
            return Ok(s);
        }
        let _ = writeln!(
            s,
            "\nHow sure (5–95% and P(met) over {} draws of the park's declared uncertainty)",
            self.samples
        );
        let years = |b: &Bands| -> String {
            (r.targets.iter().zip(&b.targets))
                .map(|((year, _), band)| {
                    format!(
                        "{year} {:.3}–{:.3}, P(met) {:.2}",
                        band.p05, band.p95, band.p_met
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(s, "  without candidates: {}", years(&base));
        let chosen = [("cheapest", &r.cheapest), ("largest-NPV", &r.largest_npv)];
        for (what, sets) in chosen {
            let Some(sets) = sets else { continue };
            for (t, set) in sets.iter().enumerate() {
                let Some(set) = set.as_ref().filter(|set| !set.links.is_empty()) else {
                    continue;
                };
                let Some(b) = self.draw(park, &set.links)? else {
                    continue;
                };
                let (year, target) = r.targets[t];
                let met = set.linkage[t] >= target;
                let status = Status::of(met, b.targets.get(t), self.confidence()).word("MISSED");
                let _ = writeln!(
                    s,
                    "  {what} set for {year} ({}): {status} for {year}; {}",
                    set.links.join(" + "),
                    years(&b)
                );
            }
        }
        Ok(s)
    }
}

fn samples_arg(s: &str) -> std::result::Result<u64, String> {
    let n: u64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of samples"))?;
    if n > MAX_SAMPLES {
        return Err(format!(
            "{n} samples is more than {MAX_SAMPLES}; for a larger study, run a sweep"
        ));
    }
    Ok(n)
}

fn confidence_arg(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
        _ => Err(format!("`{s}` is not a probability above 0 and at most 1")),
    }
}
