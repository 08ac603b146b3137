//! The quantities and equations of a checked reconciliation system, which
//! the file format produces and the solver reads; in a file of their own so
//! that neither depends on the other.

use super::expr::Expr;

/// What a quantity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A flow between two processes, or from or to the outside (`env`).
    Flow,
    /// A change in stock of a process (+ is accumulation).
    Stock,
    /// A parameter of the relations, such as a transfer coefficient.
    Parameter,
}

impl Kind {
    /// The word used in the result files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Flow => "flow",
            Kind::Stock => "stock",
            Kind::Parameter => "parameter",
        }
    }
}

/// What the file says about a quantity's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Given {
    /// Measured: a value with a standard deviation above zero.
    Measured {
        /// The measured value.
        value: f64,
        /// Its standard deviation.
        sd: f64,
    },
    /// Known exactly (no sd, or sd 0).
    Constant(f64),
    /// No value: to be determined from the others, if the data allow.
    Unknown,
}

/// One quantity of the system.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// Its id (for a stock, its own id or `stock_<process>`).
    pub id: String,
    /// Flow, stock or parameter.
    pub kind: Kind,
    /// Its value as given.
    pub given: Given,
}

/// One equation `f(quantities) = 0`.
#[derive(Debug, Clone, PartialEq)]
pub enum Equation {
    /// The balance of a process: inflows − outflows − change in stock = 0,
    /// as (quantity, coefficient ±1) pairs.
    Balance {
        /// What balances, as messages name it: "process `p1`".
        of: String,
        /// The terms.
        terms: Vec<(usize, f64)>,
    },
    /// A relation as written, `lhs - rhs`.
    Relation {
        /// The relation's text, for messages.
        text: String,
        /// `lhs - rhs`.
        expr: Expr,
    },
}

impl Equation {
    /// How the equation is named in messages.
    pub fn name(&self) -> String {
        match self {
            Equation::Balance { of, .. } => format!("the balance of {of}"),
            Equation::Relation { text, .. } => format!("the relation `{text}`"),
        }
    }

    /// Its residual at `values`.
    pub fn residual(&self, values: &[f64]) -> f64 {
        match self {
            Equation::Balance { terms, .. } => terms.iter().map(|&(i, c)| c * values[i]).sum(),
            Equation::Relation { expr, .. } => expr.eval(values),
        }
    }

    /// The size of its terms at `values`, the scale of a zero residual.
    pub fn magnitude(&self, values: &[f64]) -> f64 {
        match self {
            Equation::Balance { terms, .. } => {
                terms.iter().map(|&(i, c)| (c * values[i]).abs()).sum()
            }
            Equation::Relation { expr, .. } => expr.magnitude(values),
        }
    }
}

/// A checked reconciliation system: its quantities and equations.
#[derive(Debug, Clone, PartialEq)]
pub struct System {
    /// The file's id.
    pub id: String,
    /// Flows in file order, then stocks, then parameters.
    pub quantities: Vec<Quantity>,
    /// The balances in process order, then the relations in file order.
    pub equations: Vec<Equation>,
}
