//! A process's mode, compiled: how its activity is set, with what it reads
//! resolved to indices. Its rules (edges, readers, evaluation, requests,
//! checks, Leontief blocks) are in `rules.rs`; a new mode is a variant here
//! and its arm in each function there (docs/ARCHITECTURE.md, "Adding a
//! process mode").

use crate::model;

/// How a process's activity x is set each step, with what it reads
/// resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// x = K (capacity · utilization · Δ).
    Fixed,
    /// x = min(K, delivered to input slot `slot` / its coefficient); the
    /// slot asks for its coefficient times K.
    Feed {
        /// Index of the feed input slot.
        slot: u32,
        /// The last link into it in service order (its [`Slot::last`](super::Slot::last)).
        last: u32,
    },
    /// x = min(K, demand + what the links of its product pool would carry
    /// with an unlimited pool).
    Demand {
        /// Index of its product pool.
        product: u32,
        /// Its product pool's links: `start..end` in the topology's list
        /// of links by pool.
        links: (u32, u32),
    },
}

impl Mode {
    /// Compile a process's mode, its links still to be filled in once they
    /// are ordered (by `set_links`); `slots` are the process's slot indices,
    /// `inputs` its input materials in the same order, `product` its
    /// product pool. Panics only for an unvalidated park.
    pub(super) fn compile(
        mode: &model::Mode,
        inputs: impl Iterator<Item = impl AsRef<str>>,
        slots: std::ops::Range<usize>,
        product: usize,
    ) -> Mode {
        match mode {
            model::Mode::Fixed => Mode::Fixed,
            model::Mode::Demand => Mode::Demand {
                product: product as u32,
                links: (0, 0),
            },
            model::Mode::Feed(m) => {
                let position = inputs
                    .into_iter()
                    .position(|k| k.as_ref() == m)
                    .expect("validated: feed is an input");
                Mode::Feed {
                    slot: (slots.start + position) as u32,
                    last: 0,
                }
            }
        }
    }

    /// Fill in what the mode reads of the ordered links: a Feed slot's last
    /// link, a Demand product pool's links (`pool_links`: its range there).
    pub(super) fn set_links(
        &mut self,
        slot_last: impl Fn(usize) -> u32,
        pool_links: impl Fn(usize) -> (u32, u32),
    ) {
        match self {
            Mode::Fixed => {}
            Mode::Feed { slot, last } => *last = slot_last(*slot as usize),
            Mode::Demand { product, links } => *links = pool_links(*product as usize),
        }
    }

    /// The input slot a Feed process runs on.
    #[inline]
    pub fn feed_slot(self) -> Option<usize> {
        match self {
            Mode::Feed { slot, .. } => Some(slot as usize),
            _ => None,
        }
    }
}
