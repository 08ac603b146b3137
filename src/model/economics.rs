//! What a park's flows cost and earn (docs/MODEL.md, "Economics"): the
//! `Economics(...)` appraisal and the money amounts of materials, disposal,
//! pollutants and links.
//!
//! A money amount, a discount rate and a lifetime are checked as they are
//! read, so that a bad one is refused with the file, line and column of the
//! value itself (validation, which runs on the parsed park, knows items and
//! fields but no positions).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::bounds::{MAX_QUANTITY, MAX_YEARS};
use super::{Fate, Number, Park};

/// An amount of money in CNY (a price per unit, a cost per unit disposed, a
/// tax per unit emitted, an opex per year): finite, at least 0 and at most
/// 10¹⁸.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Money(pub f64);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = Number::deserialize(deserializer)?.0;
        if !v.is_finite() || v < 0.0 {
            return Err(D::Error::custom(format!(
                "{v} is not an amount of money: a price, cost, tax or opex is a number of CNY of at least 0"
            )));
        }
        if v > MAX_QUANTITY {
            return Err(D::Error::custom(format!(
                "{v:e} CNY is above 1e18, the largest amount a park may hold"
            )));
        }
        Ok(Money(v))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.0)
    }
}

/// How candidate links are appraised: `Economics(discount_rate: R, lifetime: L)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Economics {
    /// Discount rate a year, above −1 (0.08 is 8%).
    #[serde(deserialize_with = "discount_rate")]
    pub discount_rate: f64,
    /// Years of cash a link earns after its first active year, 1 to 1,000.
    #[serde(deserialize_with = "lifetime")]
    pub lifetime: u32,
}

fn discount_rate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let r = Number::deserialize(deserializer)?.0;
    if !r.is_finite() || r <= -1.0 {
        return Err(D::Error::custom(format!(
            "discount rate {r} must be a number above -1 (0.08 is 8% a year)"
        )));
    }
    Ok(r)
}

fn lifetime<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let l = Number::deserialize(deserializer)?.0;
    if l.fract() != 0.0 || !(1.0..=MAX_YEARS as f64).contains(&l) {
        return Err(D::Error::custom(format!(
            "lifetime {l} must be a whole number of years from 1 to {MAX_YEARS}"
        )));
    }
    Ok(l as u32)
}

/// Whether the park gives any price, disposal cost, tax or opex.
pub fn has_money(park: &Park) -> bool {
    park.materials
        .iter()
        .any(|m| m.price.is_some() || matches!(m.fate, Fate::Dispose { cost: Some(_), .. }))
        || park.pollutants.iter().any(|p| p.tax.is_some())
        || park.links.iter().any(|l| l.opex.is_some())
}

/// A warning when money is given but no `economics:` says how to appraise it.
pub(super) fn warnings(park: &Park) -> Vec<String> {
    if park.economics.is_none() && has_money(park) {
        vec![
            "the park gives prices, costs, taxes or opex but no `economics: Economics(discount_rate: .., lifetime: ..)`: `links` does not appraise its candidates".to_string(),
        ]
    } else {
        Vec::new()
    }
}
