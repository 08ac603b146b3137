//! A distribution as a park's `uncertainty` or a sweep file writes it: its name and its arguments,
//! positional or named, checked against the arguments it takes, with a
//! message that shows the right forms (docs/MODEL.md, "Distributions").
//! `dist.rs` turns it into a [`Dist`](super::dist::Dist).

use serde::Deserialize;

/// A distribution as written: its name and its arguments, positional or
/// named. Read with RON's `unwrap_variant_newtypes`, so that a variant's
/// parentheses hold the arguments themselves.
#[derive(Deserialize)]
pub(super) enum Written {
    /// `Uniform(min, max)`.
    Uniform(Args),
    /// `Triangular(min, mode, max)`.
    Triangular(Args),
    /// `Normal(mean, sd, min, max)`.
    Normal(Args),
    /// `LogNormal(median, gsd)`.
    LogNormal(Args),
    /// `Choice([v, ...])`.
    Choice(Vec<f64>),
}

/// A distribution's arguments: `(1, 2)`, `(min: 1, max: 2)` or one number.
pub(super) enum Args {
    Positional(Vec<f64>),
    Named(Vec<(String, f64)>),
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Args, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Args;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("numbers, positional `(1, 2)` or named `(min: 1, max: 2)`")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Args, E> {
                Ok(Args::Positional(vec![v]))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Args, E> {
                Ok(Args::Positional(vec![v as f64]))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Args, E> {
                Ok(Args::Positional(vec![v as f64]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Args, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<f64>()? {
                    values.push(v);
                }
                Ok(Args::Positional(values))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Args, A::Error> {
                let mut values = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, f64>()? {
                    values.push((k, v));
                }
                Ok(Args::Named(values))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The arguments a distribution takes, in their positional order, and how
/// many of them must be given.
pub(super) struct Form {
    pub(super) name: &'static str,
    pub(super) args: &'static [&'static str],
    pub(super) required: usize,
}

impl Form {
    /// The right ways to write it, for messages.
    fn usage(&self) -> String {
        let all = self.args.join(", ");
        let named: Vec<String> = self.args.iter().map(|a| format!("{a}: …")).collect();
        let optional = if self.required < self.args.len() {
            format!(
                "; {} may be left out",
                self.args[self.required..].join(" and ")
            )
        } else {
            String::new()
        };
        format!(
            "{name}({all}) or {name}({}){optional}",
            named.join(", "),
            name = self.name
        )
    }

    /// The arguments in positional order (`None`: not given), or a message.
    pub(super) fn read(&self, args: Args) -> Result<Vec<Option<f64>>, String> {
        let wrong = |what: String| format!("{}: {what}; write {}", self.name, self.usage());
        let mut values = vec![None; self.args.len()];
        match args {
            Args::Positional(v) => {
                if v.len() < self.required || v.len() > self.args.len() {
                    return Err(wrong(format!("{} arguments given", v.len())));
                }
                for (slot, x) in values.iter_mut().zip(v) {
                    *slot = Some(x);
                }
            }
            Args::Named(v) => {
                for (k, x) in v {
                    let Some(i) = self.args.iter().position(|a| *a == k) else {
                        let hint = crate::error::did_you_mean(&k, self.args.iter().copied());
                        return Err(wrong(format!("no argument `{k}`{hint}")));
                    };
                    if values[i].replace(x).is_some() {
                        return Err(wrong(format!("`{k}` given twice")));
                    }
                }
                if let Some(missing) = (0..self.required).find(|&i| values[i].is_none()) {
                    return Err(wrong(format!("`{}` missing", self.args[missing])));
                }
            }
        }
        Ok(values)
    }
}
