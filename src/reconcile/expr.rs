//! The relations of a reconciliation file: `lhs = rhs` in ids, numbers,
//! `+ - * /` and parentheses, parsed into an [`Expr`] tree that is
//! evaluated and differentiated while the solver linearises it. Kept apart
//! from the file format so that the parser can be tested on its own and
//! report the column of the character at fault.

use std::fmt;

/// An arithmetic expression over the system's quantities, by index.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number written in the relation.
    Num(f64),
    /// A quantity: its index among the system's quantities.
    Var(usize),
    /// `-a`.
    Neg(Box<Expr>),
    /// `a + b`.
    Add(Box<Expr>, Box<Expr>),
    /// `a - b`.
    Sub(Box<Expr>, Box<Expr>),
    /// `a * b`.
    Mul(Box<Expr>, Box<Expr>),
    /// `a / b`.
    Div(Box<Expr>, Box<Expr>),
}

/// Why a relation could not be read: the message and the 0-based character
/// offset in the relation's text where it went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Character offset (0-based) in the relation.
    pub at: usize,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Expr {
    /// The value of the expression for `values` (one per quantity).
    pub fn eval(&self, values: &[f64]) -> f64 {
        match self {
            Expr::Num(v) => *v,
            Expr::Var(i) => values[*i],
            Expr::Neg(a) => -a.eval(values),
            Expr::Add(a, b) => a.eval(values) + b.eval(values),
            Expr::Sub(a, b) => a.eval(values) - b.eval(values),
            Expr::Mul(a, b) => a.eval(values) * b.eval(values),
            Expr::Div(a, b) => a.eval(values) / b.eval(values),
        }
    }

    /// The value and the partial derivative with respect to quantity `wrt`
    /// (forward mode: a relation is small, so one pass per quantity is cheap).
    pub fn eval_d(&self, values: &[f64], wrt: usize) -> (f64, f64) {
        match self {
            Expr::Num(v) => (*v, 0.0),
            Expr::Var(i) => (values[*i], if *i == wrt { 1.0 } else { 0.0 }),
            Expr::Neg(a) => {
                let (v, d) = a.eval_d(values, wrt);
                (-v, -d)
            }
            Expr::Add(a, b) => {
                let ((u, du), (v, dv)) = (a.eval_d(values, wrt), b.eval_d(values, wrt));
                (u + v, du + dv)
            }
            Expr::Sub(a, b) => {
                let ((u, du), (v, dv)) = (a.eval_d(values, wrt), b.eval_d(values, wrt));
                (u - v, du - dv)
            }
            Expr::Mul(a, b) => {
                let ((u, du), (v, dv)) = (a.eval_d(values, wrt), b.eval_d(values, wrt));
                (u * v, du * v + u * dv)
            }
            Expr::Div(a, b) => {
                let ((u, du), (v, dv)) = (a.eval_d(values, wrt), b.eval_d(values, wrt));
                (u / v, (du * v - u * dv) / (v * v))
            }
        }
    }

    /// The quantities the expression reads, each once, in first-seen order.
    pub fn vars(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Num(_) => {}
            Expr::Var(i) => {
                if !out.contains(i) {
                    out.push(*i);
                }
            }
            Expr::Neg(a) => a.collect(out),
            Expr::Add(a, b) | Expr::Sub(a, b) | Expr::Mul(a, b) | Expr::Div(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// The sum of the absolute values of the terms at `values`: the scale
    /// against which a residual of the relation is judged zero.
    pub fn magnitude(&self, values: &[f64]) -> f64 {
        match self {
            Expr::Add(a, b) | Expr::Sub(a, b) => a.magnitude(values) + b.magnitude(values),
            Expr::Neg(a) => a.magnitude(values),
            e => e.eval(values).abs(),
        }
    }
}

/// Parse `lhs = rhs` into the expression `lhs - rhs`, resolving each id with
/// `resolve` (which returns the quantity's index, or a message naming the
/// closest id).
pub fn parse_relation(
    text: &str,
    resolve: &dyn Fn(&str) -> Result<usize, String>,
) -> Result<Expr, ParseError> {
    let tokens = tokenize(text)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        end: text.chars().count(),
        resolve,
    };
    let lhs = p.expr()?;
    match p.peek() {
        Some((Tok::Eq, _)) => p.pos += 1,
        Some((t, at)) => return Err(err(*at, format!("expected `=` or an operator, found {t}"))),
        None => {
            return Err(err(
                p.end,
                "a relation is an equation: expected `=` and a right-hand side".into(),
            ));
        }
    }
    let rhs = p.expr()?;
    if let Some((t, at)) = p.peek() {
        return Err(err(
            *at,
            format!("expected an operator or the end, found {t}"),
        ));
    }
    Ok(Expr::Sub(Box::new(lhs), Box::new(rhs)))
}

fn err(at: usize, message: String) -> ParseError {
    ParseError { at, message }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Id(String),
    Op(char),
    Open,
    Close,
    Eq,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Num(v) => write!(f, "the number {v}"),
            Tok::Id(s) => write!(f, "`{s}`"),
            Tok::Op(c) => write!(f, "`{c}`"),
            Tok::Open => f.write_str("`(`"),
            Tok::Close => f.write_str("`)`"),
            Tok::Eq => f.write_str("`=`"),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || c == '.' {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            // An exponent: e or E, an optional sign, digits.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let s: String = chars[start..i].iter().collect();
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => out.push((Tok::Num(v), start)),
                _ => return Err(err(start, format!("`{s}` is not a number"))),
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Id(chars[start..i].iter().collect()), start));
            continue;
        }
        let tok = match c {
            '+' | '-' | '*' | '/' => Tok::Op(c),
            '(' => Tok::Open,
            ')' => Tok::Close,
            '=' => Tok::Eq,
            _ => {
                return Err(err(
                    start,
                    format!(
                        "unexpected character `{c}`: a relation holds ids, numbers, `+ - * /`, parentheses and one `=`"
                    ),
                ));
            }
        };
        out.push((tok, start));
        i += 1;
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [(Tok, usize)],
    pos: usize,
    end: usize,
    resolve: &'a dyn Fn(&str) -> Result<usize, String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&(Tok, usize)> {
        self.tokens.get(self.pos)
    }

    /// expr := term (('+' | '-') term)*
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        while let Some((Tok::Op(op @ ('+' | '-')), _)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.term()?;
            left = if op == '+' {
                Expr::Add(Box::new(left), Box::new(right))
            } else {
                Expr::Sub(Box::new(left), Box::new(right))
            };
        }
        Ok(left)
    }

    /// term := unary (('*' | '/') unary)*
    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while let Some((Tok::Op(op @ ('*' | '/')), _)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.unary()?;
            left = if op == '*' {
                Expr::Mul(Box::new(left), Box::new(right))
            } else {
                Expr::Div(Box::new(left), Box::new(right))
            };
        }
        Ok(left)
    }

    /// unary := ('-' | '+') unary | primary
    fn unary(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            Some((Tok::Op('-'), _)) => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Some((Tok::Op('+'), _)) => {
                self.pos += 1;
                self.unary()
            }
            _ => self.primary(),
        }
    }

    /// primary := number | id | '(' expr ')'
    fn primary(&mut self) -> Result<Expr, ParseError> {
        let Some((tok, at)) = self.peek().cloned() else {
            return Err(err(
                self.end,
                "the relation ends where an id, a number or `(` was expected".into(),
            ));
        };
        self.pos += 1;
        match tok {
            Tok::Num(v) => Ok(Expr::Num(v)),
            Tok::Id(name) => (self.resolve)(&name).map(Expr::Var).map_err(|m| err(at, m)),
            Tok::Open => {
                let inner = self.expr()?;
                match self.peek() {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    Some((t, at2)) => Err(err(*at2, format!("expected `)`, found {t}"))),
                    None => Err(err(
                        self.end,
                        format!("`(` at column {} is never closed", at + 1),
                    )),
                }
            }
            t => Err(err(
                at,
                format!("expected an id, a number or `(`, found {t}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(name: &str) -> Result<usize, String> {
        ["a", "b", "c"]
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| format!("unknown id `{name}`"))
    }

    fn value(text: &str, v: &[f64]) -> f64 {
        parse_relation(text, &ids).unwrap().eval(v)
    }

    #[test]
    fn precedence_and_parentheses_follow_arithmetic() {
        // a - b * c with a=10, b=2, c=3: 10 - 6 = 4, minus the rhs 0.
        assert_eq!(value("a - b * c = 0", &[10.0, 2.0, 3.0]), 4.0);
        // (a - b) * c = 24; minus 1e1 gives 14.
        assert_eq!(value("(a - b) * c = 1e1", &[10.0, 2.0, 3.0]), 14.0);
        // a / b / c is left-associative: 12/2/3 = 2.
        assert_eq!(value("a / b / c = -(-2)", &[12.0, 2.0, 3.0]), 0.0);
    }

    #[test]
    fn derivatives_are_exact() {
        // d(a*b/c)/db = a/c = 2 at a=6, c=3; d/dc = -a*b/c^2 = -6*2/9.
        let e = parse_relation("a * b / c = 1", &ids).unwrap();
        let v = [6.0, 2.0, 3.0];
        assert_eq!(e.eval_d(&v, 1), (3.0, 2.0));
        assert!((e.eval_d(&v, 2).1 + 12.0 / 9.0).abs() < 1e-15);
        assert_eq!(e.vars(), vec![0, 1, 2]);
    }

    #[test]
    fn errors_point_at_the_character() {
        let e = parse_relation("a = b +", &ids).unwrap_err();
        assert_eq!(e.at, 7);
        let e = parse_relation("a = bb", &ids).unwrap_err();
        assert_eq!((e.at, e.message.as_str()), (4, "unknown id `bb`"));
        let e = parse_relation("a + b", &ids).unwrap_err();
        assert!(e.message.contains("expected `=`"), "{}", e.message);
        let e = parse_relation("a = (b", &ids).unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);
        let e = parse_relation("a = b ^ 2", &ids).unwrap_err();
        assert_eq!(e.at, 6);
        let e = parse_relation("a = b = c", &ids).unwrap_err();
        assert_eq!(e.at, 6);
    }
}
