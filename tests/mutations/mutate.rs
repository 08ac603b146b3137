//! The mutations of the `mutations` test binary: what is done to a file
//! (delete, duplicate, ids, extreme and non-finite numbers, huge series,
//! deep nesting, emptied lists, truncation, flipped bytes), drawn from one
//! seed, at the places the binary's RON scanner finds.

use super::*;

/// What is done to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// Delete a field, a list item or a map entry.
    Delete,
    /// Write a field, list item or map entry twice.
    Duplicate,
    /// Replace an id by another, swap two, mistype one, or make it hostile.
    Ids,
    /// A number replaced by an extreme one.
    Extreme,
    /// A number replaced by a non-finite spelling.
    NonFinite,
    /// A number replaced by a series of thousands of steps.
    HugeSeries,
    /// A value replaced by deeply nested brackets.
    DeepNesting,
    /// A list, map or struct emptied.
    Empty,
    /// The file cut at a random byte.
    Truncate,
    /// Random bytes changed.
    ByteFlip,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// SplitMix64: the mutation's choices, all from one seed.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    pub(super) fn next(&mut self) -> u64 {
        // SplitMix64: the output is the mix of the state before the step.
        let out = parkflow::sweep::design::mix(self.0);
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        out
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub(super) const EXTREMES: [&str; 18] = [
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e-320",
    "5e-324",
    "0",
    "-0",
    "0.0",
    "-0.0",
    "99999999999999999999",
    "-99999999999999999999",
    "340282366920938463463374607431768211456",
    "2147483647",
    "-2147483648",
    "2147483648",
    "4294967296",
    "18446744073709551615",
    "1e400",
];

pub(super) const NON_FINITE: [&str; 8] = [
    "inf", "-inf", "+inf", "NaN", "-NaN", "nan", "infinity", "inf.0",
];

pub(super) const HOSTILE_IDS: [&str; 12] = [
    "../evil",
    "/etc/x",
    "a/b",
    "CON",
    "",
    "ünïcödé",
    "a b",
    "a.b",
    "*",
    "nul\\u{0}byte",
    "..",
    "-",
];

/// Replace `[s, e)` of `text` by `with`.
pub(super) fn splice(text: &str, (s, e): (usize, usize), with: &str) -> String {
    format!("{}{with}{}", &text[..s], &text[e..])
}

/// Delete an element and the comma after it (or before it, for the last).
pub(super) fn delete(text: &str, (s, e): (usize, usize)) -> String {
    let rest = &text[e..];
    let after = rest.trim_start();
    if let Some(stripped) = after.strip_prefix(',') {
        let cut = text.len() - stripped.len();
        return format!("{}{}", &text[..s], &text[cut..]);
    }
    let before = text[..s].trim_end();
    match before.strip_suffix(',') {
        Some(b) => format!("{b}{rest}"),
        None => format!("{}{rest}", &text[..s]),
    }
}

/// A steps series of `n` years from `first`, `gap` years apart.
pub(super) fn steps(n: usize, first: i64, gap: i64, value: &str) -> String {
    let mut s = String::with_capacity(n * 16);
    s.push('[');
    for i in 0..n as i64 {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&format!("({}, {value})", first + i * gap));
    }
    s.push(']');
    s
}

/// Brackets nested `depth` deep around `inner`, of one kind or mixed.
pub(super) fn nest(depth: usize, style: usize, inner: &str, closed: bool) -> String {
    let pairs: [(&str, &str); 4] = [("[", "]"), ("(", ")"), ("{\"k\": ", "}"), ("Some(", ")")];
    let pair = |level: usize| {
        pairs[if style < pairs.len() {
            style
        } else {
            level % pairs.len()
        }]
    };
    let mut s = String::new();
    for level in 0..depth {
        s.push_str(pair(level).0);
    }
    if closed {
        s.push_str(inner);
        for level in (0..depth).rev() {
            s.push_str(pair(level).1);
        }
    }
    s
}

/// Apply one mutation of `kind` to `text`; returns the bytes and what was done.
pub(super) fn mutate(kind: Kind, text: &str, dice: &mut Dice) -> (Vec<u8>, String) {
    let sc = scan(text);
    let elements: Vec<(usize, usize)> = sc.groups.iter().flat_map(|g| g.elements.clone()).collect();
    let excerpt = |(s, e): (usize, usize)| {
        let t = &text[s..e];
        let t: String = t.chars().take(60).collect();
        t.replace('\n', " ")
    };
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    match kind {
        Kind::Delete => {
            let el = *dice.pick(&elements);
            (
                delete(text, el).into_bytes(),
                format!("deleted line {}: `{}`", line_of(el.0), excerpt(el)),
            )
        }
        Kind::Duplicate => {
            let el = *dice.pick(&elements);
            let copy = format!(", {}", &text[el.0..el.1]);
            (
                splice(text, (el.1, el.1), &copy).into_bytes(),
                format!("duplicated line {}: `{}`", line_of(el.0), excerpt(el)),
            )
        }
        Kind::Ids => {
            let strings = &sc.strings;
            let a = *dice.pick(strings);
            let inner = |(s, e): (usize, usize)| &text[s + 1..e - 1];
            match dice.below(4) {
                0 => {
                    let b = *dice.pick(strings);
                    let with = format!("\"{}\"", inner(b));
                    (
                        splice(text, a, &with).into_bytes(),
                        format!("line {}: `{}` replaced by {with}", line_of(a.0), excerpt(a)),
                    )
                }
                1 => {
                    let b = *dice.pick(strings);
                    let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
                    if first == second {
                        return (text.as_bytes().to_vec(), "nothing swapped".into());
                    }
                    let swapped = format!(
                        "{}{}{}{}{}",
                        &text[..first.0],
                        &text[second.0..second.1],
                        &text[first.1..second.0],
                        &text[first.0..first.1],
                        &text[second.1..]
                    );
                    (
                        swapped.into_bytes(),
                        format!(
                            "swapped `{}` (line {}) and `{}` (line {})",
                            excerpt(first),
                            line_of(first.0),
                            excerpt(second),
                            line_of(second.0)
                        ),
                    )
                }
                2 => {
                    let mut chars: Vec<char> = inner(a).chars().collect();
                    let at = dice.below(chars.len() + 1);
                    match dice.below(3) {
                        0 if !chars.is_empty() => {
                            chars.remove(at.min(chars.len() - 1));
                        }
                        1 if chars.len() >= 2 => {
                            let at = at.min(chars.len() - 2);
                            chars.swap(at, at + 1);
                        }
                        _ => chars.insert(at, *dice.pick(&['x', '_', '-', 'Z', '9'])),
                    }
                    let with: String = chars.into_iter().collect();
                    (
                        splice(text, a, &format!("\"{with}\"")).into_bytes(),
                        format!(
                            "line {}: `{}` mistyped as \"{with}\"",
                            line_of(a.0),
                            excerpt(a)
                        ),
                    )
                }
                _ => {
                    let with = *dice.pick(&HOSTILE_IDS);
                    (
                        splice(text, a, &format!("\"{with}\"")).into_bytes(),
                        format!(
                            "line {}: `{}` replaced by \"{with}\"",
                            line_of(a.0),
                            excerpt(a)
                        ),
                    )
                }
            }
        }
        Kind::Extreme | Kind::NonFinite => {
            // Half the time a field's value (`samples: 2000`, `start: 2014`),
            // where a number means most.
            let n = if dice.below(2) == 0 || sc.fields.is_empty() {
                *dice.pick(&sc.numbers)
            } else {
                dice.pick(&sc.fields).1
            };
            let with = if kind == Kind::Extreme {
                *dice.pick(&EXTREMES)
            } else {
                *dice.pick(&NON_FINITE)
            };
            (
                splice(text, n, with).into_bytes(),
                format!("line {}: `{}` replaced by {with}", line_of(n.0), excerpt(n)),
            )
        }
        Kind::HugeSeries => {
            // A series where one is written (steps, or a series field's
            // number), else any number.
            const SERIES: [&str; 4] = ["capacity", "utilization", "demand", "value"];
            let mut places: Vec<(usize, usize)> = sc
                .groups
                .iter()
                .filter(|g| g.bracket == b'[' && text[g.open + 1..].trim_start().starts_with('('))
                .map(|g| (g.open, g.close + 1))
                .collect();
            places.extend(
                sc.fields
                    .iter()
                    .filter(|(name, _)| SERIES.contains(&name.as_str()))
                    .map(|(_, n)| *n),
            );
            let n = if dice.below(4) == 0 || places.is_empty() {
                *dice.pick(&sc.numbers)
            } else {
                *dice.pick(&places)
            };
            let len = *dice.pick(&[1_000, 2_000, 5_000, 10_001, 20_000, 100_000]);
            let first = *dice.pick(&[
                i64::from(i32::MIN),
                -1_000_000,
                0,
                1900,
                2012,
                1_000_000,
                i64::from(i32::MAX) - len as i64 + 1,
            ]);
            let gap = *dice.pick(&[1, 1, 7, 1000]);
            let value = *dice.pick(&["0", "0.5", "1", "1e6"]);
            let series = steps(len, first, gap, value);
            (
                splice(text, n, &series).into_bytes(),
                format!(
                    "line {}: `{}` replaced by {len} steps from {first}, every {gap} years, of {value}",
                    line_of(n.0),
                    excerpt(n)
                ),
            )
        }
        Kind::DeepNesting => {
            let depth = *dice.pick(&[64, 127, 128, 129, 200, 1_000, 10_000, 100_000, 1_000_000]);
            let style = dice.below(5);
            let closed = dice.below(4) != 0;
            let target = if dice.below(2) == 0 {
                *dice.pick(&sc.numbers)
            } else {
                *dice.pick(&elements)
            };
            let inner = text[target.0..target.1].to_string();
            (
                splice(text, target, &nest(depth, style, &inner, closed)).into_bytes(),
                format!(
                    "line {}: `{}` nested {depth} deep (style {style}{})",
                    line_of(target.0),
                    excerpt(target),
                    if closed { "" } else { ", never closed" }
                ),
            )
        }
        Kind::Empty => {
            let mut lists: Vec<&Group> = sc
                .groups
                .iter()
                .filter(|g| g.bracket != b'(' || dice.below(4) == 0)
                .collect();
            if lists.is_empty() {
                // A file of one structure and no list (a sweep that draws
                // its park's uncertainty): empty any group.
                lists = sc.groups.iter().collect();
            }
            let g = *dice.pick(&lists);
            (
                splice(text, (g.open + 1, g.close), "").into_bytes(),
                format!(
                    "line {}: emptied `{}`",
                    line_of(g.open),
                    excerpt((g.open, g.close + 1))
                ),
            )
        }
        Kind::Truncate => {
            let at = dice.below(text.len());
            (
                text.as_bytes()[..at].to_vec(),
                format!("cut at byte {at} of {}", text.len()),
            )
        }
        Kind::ByteFlip => {
            let mut bytes = text.as_bytes().to_vec();
            let flips = 1 + dice.below(4);
            let mut done = Vec::new();
            for _ in 0..flips {
                let at = dice.below(bytes.len());
                let new = match dice.below(3) {
                    0 => bytes[at] ^ (1 << dice.below(8)),
                    1 => *dice.pick(b"\"()[]{},:0-e.\n\\\0\xff"),
                    _ => dice.next() as u8,
                };
                done.push(format!("byte {at}: {:#04x} → {new:#04x}", bytes[at]));
                bytes[at] = new;
            }
            (bytes, format!("flipped {}", done.join(", ")))
        }
    }
}
