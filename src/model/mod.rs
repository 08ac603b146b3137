//! The park file format (docs/MODEL.md, "The park file"): serde types,
//! loading from RON, validation.
//!
//! These types mirror the file one to one. Nothing here simulates: the engine
//! compiles a validated [`Park`] into a dense plan (see [`crate::engine`]).

pub mod balance;
mod bounds;
pub mod dist;
mod economics;
mod load;
pub mod series;
pub mod uncertainty;
mod validate;
mod written;

use serde::{Deserialize, Serialize};

pub use bounds::{
    MAX_CAPS, MAX_ENTERPRISES, MAX_FILE_ID_LEN, MAX_LINKS, MAX_MAP_ENTRIES, MAX_MATERIALS,
    MAX_POLLUTANTS, MAX_PROCESSES, MAX_QUANTITY, MAX_RUN_SIZE, MAX_SERIES_STEPS, MAX_STORAGES,
    MAX_YEARS, file_id_check, is_file_safe_id, quantity,
};
pub use dist::Dist;
pub use economics::{Economics, Money, has_money};
pub use load::{
    BUILTIN_PARK, BUILTIN_PARK_NAME, MAX_NESTING, load_park, parse_park, parse_ron,
    parse_sweep_ron, read_text, ron_options, to_ron, top_level_name, validate_text,
};
pub use series::{Keyed, Number, Series};
pub use uncertainty::{Apply, Param};
pub use validate::{Warning, validate, warnings};

/// A whole park: the top-level value of a model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Park {
    /// Identifier, `[a-z0-9_-]+`; used in result directory names.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Time range and resolution.
    pub time: Time,
    /// How candidate links are appraised in money; none: they are not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economics: Option<Economics>,
    /// Pollutants tracked.
    #[serde(default)]
    pub pollutants: Vec<Pollutant>,
    /// Materials that processes make, use or emit.
    #[serde(default)]
    pub materials: Vec<Material>,
    /// Enterprises (firms) that own processes.
    #[serde(default)]
    pub enterprises: Vec<Enterprise>,
    /// Processes, each making one reference product.
    #[serde(default)]
    pub processes: Vec<Process>,
    /// Links carrying a material from one process to another.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Storages attached to a process's pool of a material.
    #[serde(default)]
    pub storages: Vec<Storage>,
    /// Per-year emissions of the rest of the city (City-scope caps only).
    #[serde(default)]
    pub background: Keyed<Series>,
    /// Linkage targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Targets>,
    /// Emission caps.
    #[serde(default)]
    pub caps: Vec<Cap>,
    /// Enterprises' pollutant-discharge permits (排污许可).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permits: Vec<Permit>,
    /// Uncertain parameters, drawn for the bands and probabilities beside
    /// the central values (docs/MODEL.md, "Uncertainty").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uncertainty: Vec<Param>,
    /// Bibliography.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Simulated time: calendar years `start..=end`, each cut into `steps_per_year` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Time {
    /// First simulated year.
    pub start: i32,
    /// Last simulated year (inclusive).
    pub end: i32,
    /// Steps per year, 1..=365.
    #[serde(default = "one")]
    pub steps_per_year: u32,
}

fn one() -> u32 {
    1
}

impl Time {
    /// Number of simulated years.
    pub fn years(&self) -> usize {
        (self.end - self.start + 1).max(0) as usize
    }
    /// Total number of steps.
    pub fn steps(&self) -> usize {
        self.years() * self.steps_per_year as usize
    }
}

/// A pollutant, such as COD or SO2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pollutant {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unit of amounts (usually "t").
    pub unit: String,
    /// Emission tax, CNY per unit emitted by the park.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax: Option<Money>,
}

/// What a material is, for the linkage indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// A saleable product; never counts toward linkage.
    Product,
    /// A byproduct or waste; counts toward linkage when another enterprise uses it.
    Byproduct,
    /// A residual stream (wastewater, flue gas); may be treated, never counts toward linkage.
    Effluent,
}

/// What happens to a byproduct or effluent that no link takes and no storage holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Fate {
    /// Sold outside the park.
    Sell,
    /// Disposed of, emitting `emissions[k]` per unit.
    Dispose {
        /// Pollutant emitted per unit disposed.
        #[serde(default)]
        emissions: Keyed<f64>,
        /// CNY per unit disposed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost: Option<Money>,
    },
}

impl Default for Fate {
    fn default() -> Self {
        Fate::Dispose {
            emissions: Keyed::default(),
            cost: None,
        }
    }
}

/// A material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Unit of amounts ("t", "Nm3", "MWh", ...).
    pub unit: String,
    /// Product, Byproduct or Effluent.
    pub kind: Kind,
    /// Tonnes per unit, needed for mass metrics when `unit` is not "t".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_per_unit: Option<f64>,
    /// CNY per unit: what the park pays for it imported and earns for it sold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// Fate of what is neither linked nor stored (Byproduct and Effluent).
    #[serde(default)]
    pub fate: Fate,
    /// Mass fractions of elements, for element balances.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub composition: Keyed<f64>,
}

impl Material {
    /// Tonnes per unit, if known (1 for materials measured in tonnes).
    pub fn tonnes_per_unit(&self) -> Option<f64> {
        if self.unit == "t" {
            Some(self.t_per_unit.unwrap_or(1.0))
        } else {
            self.t_per_unit
        }
    }
}

/// An enterprise (firm).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enterprise {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
}

/// How a process's activity is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// Runs at capacity × utilization.
    Fixed,
    /// Runs on what links deliver of the named input, up to capacity.
    Feed(String),
    /// Runs to meet final demand plus what its product links request.
    Demand,
}

/// A process: makes one reference product from inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    /// Identifier.
    pub id: String,
    /// Owning enterprise.
    pub enterprise: String,
    /// Display name.
    pub name: String,
    /// Chinese name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    /// Reference product.
    pub product: String,
    /// How activity is set.
    pub mode: Mode,
    /// Product units per year (required for Fixed and Feed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Series>,
    /// Share of capacity used, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilization: Option<Series>,
    /// External final demand per year (Demand mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<Series>,
    /// Inputs per unit of product.
    #[serde(default)]
    pub inputs: Keyed<f64>,
    /// Co-products and byproducts per unit of product.
    #[serde(default)]
    pub outputs: Keyed<f64>,
    /// Pollutants generated per unit of product.
    #[serde(default)]
    pub emissions: Keyed<f64>,
    /// Fraction of each pollutant removed, in [0, 1].
    #[serde(default)]
    pub abatement: Keyed<Series>,
    /// Streams that enter the process but that the park does not track
    /// (process water, combustion air), per unit of product.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub unmodelled_inputs: Keyed<Stream>,
    /// Streams that leave the process but that the park does not track
    /// (flue gas, CO2, evaporation), per unit of product.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub unmodelled_outputs: Keyed<Stream>,
    /// Provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A stream a process declares but the park deliberately does not track:
/// it counts in `check`'s balances and is reported in `unmodelled.csv`, but
/// is no material, so no link carries it and it never counts in linkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stream {
    /// Tonnes per unit of the process's product.
    pub tonnes: f64,
    /// Why the park leaves it untracked; required, so a reader can judge.
    pub reason: String,
    /// Mass fractions of elements, for element balances.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub composition: Keyed<f64>,
}

impl series::KeyedValue for Stream {
    fn read<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value::<Stream>()
    }
}

/// A link carrying a material from one process to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Identifier.
    pub id: String,
    /// Source process.
    pub from: String,
    /// Sink process.
    pub to: String,
    /// Material carried.
    pub material: String,
    /// First active year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i32>,
    /// Last active year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<i32>,
    /// Largest flow per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate: Option<f64>,
    /// Lower is served first.
    #[serde(default)]
    pub priority: i32,
    /// Inactive unless a scenario enables it.
    #[serde(default)]
    pub candidate: bool,
    /// Cost, for ranking candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Operating cost, CNY a year while active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opex: Option<Money>,
    /// Provenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// A storage attached to a process's pool of one material.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    /// Identifier.
    pub id: String,
    /// Process whose pool is stored.
    pub process: String,
    /// Material stored (the process's product or one of its outputs).
    pub material: String,
    /// Largest level, in material units.
    pub capacity: f64,
    /// Level at the start of the first step.
    #[serde(default)]
    pub initial: f64,
}

/// Which linkage rate is judged against the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Share of byproduct tonnes used by other enterprises.
    Mass,
    /// Share of product and byproduct tonnes used by other enterprises.
    Product,
    /// Share of enterprises joined to another by a byproduct exchange.
    Enterprise,
}

impl Metric {
    /// Lower-case name used in result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Mass => "mass",
            Metric::Product => "product",
            Metric::Enterprise => "enterprise",
        }
    }
}

/// Linkage targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Metric judged.
    pub metric: Metric,
    /// Baseline `(year, value)`: reported, not judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<(i32, Number)>,
    /// `(year, target)` pairs.
    #[serde(default)]
    pub linkage: Vec<(i32, Number)>,
}

/// Scope of an emission cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Park plus background.
    City,
    /// The park alone.
    Park,
}

impl Scope {
    /// Lower-case name used in result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::City => "city",
            Scope::Park => "park",
        }
    }
}

/// Emission caps for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    /// Year judged.
    pub year: i32,
    /// City or Park.
    pub scope: Scope,
    /// Limit per pollutant.
    pub limits: Keyed<f64>,
}

/// An enterprise's pollutant-discharge permit (排污许可): the most it may
/// discharge of one pollutant a year, from its processes and its disposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permit {
    /// The enterprise permitted.
    pub enterprise: String,
    /// The pollutant.
    pub pollutant: String,
    /// Permitted discharge per year (t/yr, the pollutant's unit).
    pub limit: Series,
    /// Provenance: the permit, or the estimate and its reasoning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
