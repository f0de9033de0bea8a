//! LOCAL arrays lower to one scalar per element; computed indices select through a tree of
//! comparisons. These tests run the lowered init kernel with a small evaluator of the IR
//! subset involved, so they check values, not the shape of the code.

use std::collections::HashMap;

use nmodl::ir::{BinaryOp, Expr, Kernel, Mechanism, Place, Stmt};

/// Storage for the evaluator: places by their debug name.
#[derive(Default)]
struct Memory {
    locals: HashMap<u32, f64>,
    fields: HashMap<u32, f64>,
    globals: HashMap<u32, f64>,
}

impl Memory {
    fn get(&self, p: &Place) -> f64 {
        match p {
            Place::Local(l) => self.locals.get(l).copied().unwrap_or(0.0),
            Place::Field(f) => self.fields.get(f).copied().unwrap_or(0.0),
            Place::Global(g) => self.globals.get(g).copied().unwrap_or(0.0),
            Place::Node(_) => -65.0,
            other => panic!("unexpected place {other:?}"),
        }
    }

    fn set(&mut self, p: &Place, v: f64) {
        match p {
            Place::Local(l) => self.locals.insert(*l, v),
            Place::Field(f) => self.fields.insert(*f, v),
            Place::Global(g) => self.globals.insert(*g, v),
            other => panic!("unexpected place {other:?}"),
        };
    }

    fn eval(&self, e: &Expr) -> f64 {
        match e {
            Expr::Const(c) => *c,
            Expr::Load(p) => self.get(p),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                let truth = |c: bool| if c { 1.0 } else { 0.0 };
                match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    BinaryOp::Lt => truth(a < b),
                    BinaryOp::Le => truth(a <= b),
                    other => panic!("unexpected operator {other:?}"),
                }
            }
            other => panic!("unexpected expression {other:?}"),
        }
    }

    fn run(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Assign(p, e) => {
                    let v = self.eval(e);
                    self.set(p, v);
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    if self.eval(cond) != 0.0 {
                        self.run(then)
                    } else {
                        self.run(otherwise)
                    }
                }
                Stmt::While { cond, body } => {
                    while self.eval(cond) != 0.0 {
                        self.run(body);
                    }
                }
                other => panic!("unexpected statement {other:?}"),
            }
        }
    }
}

fn compile(text: &str) -> Mechanism {
    nmodl::compile("arrays.mod", text).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn run_init(m: &Mechanism) -> Memory {
    let mut memory = Memory::default();
    for (i, f) in m.fields.iter().enumerate() {
        memory.fields.insert(i as u32, f.default);
    }
    for (i, g) in m.globals.iter().enumerate() {
        memory.globals.insert(i as u32, g.default);
    }
    let Kernel { body, .. } = &m.init;
    memory.run(body);
    memory
}

#[test]
fn powers_through_a_local_array() {
    let m = compile(
        "NEURON { SUFFIX p RANGE total, n }
         PARAMETER { n = 3 }
         ASSIGNED { total }
         LOCAL hist[3]
         INITIAL { fill(n) }
         PROCEDURE fill(b) {
             LOCAL w[5], i
             w[0] = 1
             FROM i = 1 TO 4 { w[i] = w[i - 1] * b }
             hist[2] = w[4]
             total = w[2] + hist[2] + w[b - 0.5]
         }",
    );
    let memory = run_init(&m);
    let total = m.field("total").unwrap();
    // w = [1, 3, 9, 27, 81]; w[2.5] truncates to w[2].
    assert_eq!(memory.fields[&total], 9.0 + 81.0 + 9.0);
    let hist2 = m.global("hist[2]").unwrap();
    assert_eq!(memory.globals[&hist2], 81.0);
}

#[test]
fn constant_indices_are_checked() {
    let errors = nmodl::compile(
        "bad.mod",
        "NEURON { SUFFIX b }\nINITIAL {\n  LOCAL w[2]\n  w[2] = 1\n}\n",
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]
        .headline()
        .starts_with("bad.mod:4:3: error: index 2 is outside LOCAL array `w[2]`"));
}

#[test]
fn implicit_state0_parameters_can_be_used() {
    // `m0` is declared by nocmodl for STATE m; INITIAL may read and set it.
    let m = compile(
        "NEURON { SUFFIX s RANGE r }
         ASSIGNED { r }
         STATE { m }
         INITIAL { m0 = 0.5  m = m0 * 2  r = m }",
    );
    let memory = run_init(&m);
    assert_eq!(memory.fields[&m.field("r").unwrap()], 1.0);
}
