//! `Series`: a number that may change from year to year, and keyed lists of
//! numbers (`{"so2": 0.0004}`) that keep file order and reject duplicate keys.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A value over time: a constant, or `(year, value)` steps.
///
/// A step's value holds from its year until the next step; before the first
/// step the value is 0 (a plant that starts in 2014 has capacity 0 in 2013).
#[derive(Debug, PartialEq)]
pub enum Series {
    /// The same value in every year.
    Constant(f64),
    /// Steps `(year, value)`, years strictly increasing (checked by validation).
    Steps(Vec<(i32, f64)>),
}

impl Series {
    /// The value in calendar year `year`.
    pub fn at(&self, year: i32) -> f64 {
        self.at_and_next(year).0
    }

    /// The value in `year` and the first later year with a step, where the
    /// value may change (`i32::MAX`: none), in one pass over the steps. (Steps are few, a
    /// handful per series: a scan is faster than a binary search here.)
    #[inline]
    pub fn at_and_next(&self, year: i32) -> (f64, i32) {
        match self {
            Series::Constant(v) => (*v, i32::MAX),
            Series::Steps(steps) => {
                let mut value = 0.0;
                for &(y, v) in steps {
                    if y > year {
                        return (value, y);
                    }
                    value = v;
                }
                (value, i32::MAX)
            }
        }
    }

    /// The year of the first step; none for a constant, which holds in
    /// every year.
    pub fn first_year(&self) -> Option<i32> {
        match self {
            Series::Constant(_) => None,
            Series::Steps(steps) => steps.first().map(|s| s.0),
        }
    }

    /// Every value the series holds, for range checks.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        let (constant, steps) = match self {
            Series::Constant(v) => (Some(*v), &[][..]),
            Series::Steps(s) => (None, &s[..]),
        };
        constant.into_iter().chain(steps.iter().map(|(_, v)| *v))
    }

    /// Every value, mutably (used by scenario changes such as `Scale`, and
    /// by sweeps once a run, so it does not allocate).
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut f64> + '_ {
        let (constant, steps) = match self {
            Series::Constant(v) => (Some(v), &mut [][..]),
            Series::Steps(s) => (None, &mut s[..]),
        };
        constant.into_iter().chain(steps.iter_mut().map(|(_, v)| v))
    }

    /// The first year at which the steps are not strictly increasing, if any.
    pub fn unordered_year(&self) -> Option<i32> {
        match self {
            Series::Constant(_) => None,
            Series::Steps(s) => s.windows(2).find(|w| w[1].0 <= w[0].0).map(|w| w[1].0),
        }
    }
}

impl Clone for Series {
    fn clone(&self) -> Self {
        match self {
            Series::Constant(v) => Series::Constant(*v),
            Series::Steps(steps) => Series::Steps(steps.clone()),
        }
    }

    /// Reuses the steps' allocation: a sweep copies base series into its
    /// plan on every run.
    fn clone_from(&mut self, source: &Self) {
        match (self, source) {
            (Series::Steps(mine), Series::Steps(theirs)) => mine.clone_from(theirs),
            (me, _) => *me = source.clone(),
        }
    }
}

impl Default for Series {
    fn default() -> Self {
        Series::Constant(0.0)
    }
}

impl From<f64> for Series {
    fn from(v: f64) -> Self {
        Series::Constant(v)
    }
}

impl<'de> Deserialize<'de> for Series {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeriesVisitor;
        impl<'de> Visitor<'de> for SeriesVisitor {
            type Value = Series;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or a list of (year, value) steps")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Series, E> {
                Ok(Series::Constant(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Series, E> {
                Ok(Series::Constant(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Series, E> {
                Ok(Series::Constant(v as f64))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Series, E> {
                Ok(Series::Constant(v as f64))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Series, E> {
                Ok(Series::Constant(v as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Series, A::Error> {
                let mut steps = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some((year, value)) = seq.next_element::<(i32, Number)>()? {
                    steps.push((year, value.0));
                }
                Ok(Series::Steps(steps))
            }
        }
        deserializer.deserialize_any(SeriesVisitor)
    }
}

impl Serialize for Series {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Series::Constant(v) => serializer.serialize_f64(*v),
            Series::Steps(steps) => {
                let mut seq = serializer.serialize_seq(Some(steps.len()))?;
                for step in steps {
                    seq.serialize_element(step)?;
                }
                seq.end()
            }
        }
    }
}

/// A number written as an integer or a float.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Number(pub f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

/// A map from ids to values, in file order, with duplicate keys rejected.
///
/// Used for per-unit coefficients (`inputs`, `outputs`, `emissions`), for
/// `abatement` and `background` series, and for cap limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<V>(pub Vec<(String, V)>);

impl<V> Default for Keyed<V> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<V> Keyed<V> {
    /// The value for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// The value for `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// Keys in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a value of a keyed map is read: numbers accept integers, series accept both forms.
/// Other value types (a process's unmodelled `Stream`) implement it where
/// they are defined, so that this file depends on none of them.
pub(super) trait KeyedValue: Sized {
    /// Read one value of a map.
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error>;
}

impl KeyedValue for f64 {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value::<Number>().map(|n| n.0)
    }
}

impl KeyedValue for Series {
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Self, A::Error> {
        map.next_value::<Series>()
    }
}

#[allow(private_bounds)]
impl<'de, V: KeyedValue> Deserialize<'de> for Keyed<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyedVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: KeyedValue> Visitor<'de> for KeyedVisitor<V> {
            type Value = Keyed<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map such as {\"id\": value}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed<V>, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                // A hash set, not a scan of `entries`: a map of a million
                // keys must not take a million squared comparisons.
                let mut seen: HashSet<String> = HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format!("duplicate key `{key}`")));
                    }
                    let value = V::read(&mut map)?;
                    entries.push((key, value));
                }
                Ok(Keyed(entries))
            }
        }
        deserializer.deserialize_map(KeyedVisitor(std::marker::PhantomData))
    }
}

impl<V: Serialize> Serialize for Keyed<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_holds_until_the_next_and_is_zero_before_the_first() {
        let s = Series::Steps(vec![(2014, 300.0), (2016, 450.0)]);
        assert_eq!(s.at(2013), 0.0);
        assert_eq!(s.at(2014), 300.0);
        assert_eq!(s.at(2015), 300.0);
        assert_eq!(s.at(2016), 450.0);
        assert_eq!(s.at(2030), 450.0);
        assert_eq!(Series::Constant(0.9).at(1990), 0.9);
    }

    #[test]
    fn a_series_is_read_as_its_steps_say() {
        // Every series of 0 to 6 steps drawn from 2010..2016, at every year
        // around them, against the definition read the other way round.
        for mask in 0u32..64 {
            let steps: Vec<(i32, f64)> = (0..6)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| (2010 + i, f64::from(i) + 0.5))
                .collect();
            let s = Series::Steps(steps.clone());
            for year in 2005..2020 {
                let value = steps
                    .iter()
                    .take_while(|(y, _)| *y <= year)
                    .last()
                    .map_or(0.0, |s| s.1);
                let next = steps
                    .iter()
                    .map(|s| s.0)
                    .filter(|&y| y > year)
                    .min()
                    .unwrap_or(i32::MAX);
                assert_eq!(s.at(year), value, "{steps:?} at {year}");
                assert_eq!(s.at_and_next(year), (value, next), "{steps:?} at {year}");
            }
        }
        assert_eq!(Series::Constant(3.0).at_and_next(2012), (3.0, i32::MAX));
    }

    #[test]
    fn series_accepts_integers_floats_and_steps() {
        let s: Series = ron::from_str("700000").unwrap();
        assert_eq!(s, Series::Constant(700000.0));
        let s: Series = ron::from_str("0.9").unwrap();
        assert_eq!(s, Series::Constant(0.9));
        let s: Series = ron::from_str("[(2012, 700000), (2016, 8.5e5)]").unwrap();
        assert_eq!(s, Series::Steps(vec![(2012, 700000.0), (2016, 850000.0)]));
        assert_eq!(s.unordered_year(), None);
        let s: Series = ron::from_str("[(2016, 1), (2012, 2)]").unwrap();
        assert_eq!(s.unordered_year(), Some(2012));
    }

    #[test]
    fn keyed_maps_keep_file_order_and_reject_duplicates() {
        let m: Keyed<f64> = ron::from_str(r#"{"so2": 1, "cod": 0.5}"#).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["so2", "cod"]);
        assert_eq!(m.get("cod"), Some(&0.5));
        let err = ron::from_str::<Keyed<f64>>(r#"{"so2": 1, "so2": 2}"#).unwrap_err();
        assert!(err.to_string().contains("duplicate key `so2`"), "{err}");
    }
}
