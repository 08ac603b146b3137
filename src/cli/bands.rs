//! The options that draw the park's declared uncertainty beside the
//! central values (`run`, `caps`): how many draws, on how many threads,
//! and the confidence below which a met target or cap is AT RISK
//! (docs/MODEL.md, "Uncertainty").

use clap::Args;

use crate::engine::Plan;
use crate::error::Result;
use crate::indicators::DEFAULT_CONFIDENCE;
use crate::model::Park;
use crate::output::Simulation;
use crate::sweep::bands::{self, DEFAULT_SAMPLES, MAX_SAMPLES};

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
