//! Parser details: precedence, DEFINE substitution, units, top-level LOCAL arrays.

use nmodl::ast::{BinaryOp, Expr, Item, Stmt, UnaryOp};
use nmodl::{parse, SourceFile};

fn parse_ok(text: &str) -> nmodl::ast::Program {
    let (program, diagnostics) = parse(&SourceFile::new("t.mod", text));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    program
}

fn breakpoint_value(program: &nmodl::ast::Program) -> Expr {
    for item in &program.items {
        if let Item::Breakpoint(b) = item {
            if let Stmt::Assign { value, .. } = &b.stmts[0] {
                return value.clone();
            }
        }
    }
    panic!("no assignment");
}

fn expr_of(source: &str) -> Expr {
    breakpoint_value(&parse_ok(&format!("BREAKPOINT {{ y = {source} }}")))
}

/// Renders an expression fully parenthesised.
fn show(e: &Expr) -> String {
    match e {
        Expr::Number { text, .. } => text.clone(),
        Expr::Var { name, .. } => name.name.clone(),
        Expr::Unary {
            op: UnaryOp::Neg,
            operand,
            ..
        } => format!("(-{})", show(operand)),
        Expr::Unary {
            op: UnaryOp::Not,
            operand,
            ..
        } => format!("(!{})", show(operand)),
        Expr::Binary { op, lhs, rhs, .. } => {
            let o = match op {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                BinaryOp::Pow => "^",
                BinaryOp::Lt => "<",
                BinaryOp::Gt => ">",
                BinaryOp::And => "&&",
                BinaryOp::Or => "||",
                _ => "?",
            };
            format!("({} {o} {})", show(lhs), show(rhs))
        }
        Expr::Call { name, args, .. } => {
            format!(
                "{}({})",
                name.name,
                args.iter().map(show).collect::<Vec<_>>().join(", ")
            )
        }
        other => format!("{other:?}"),
    }
}

#[test]
fn power_binds_tighter_than_unary_minus_and_is_right_associative() {
    assert_eq!(show(&expr_of("-x^2")), "(-(x ^ 2))");
    assert_eq!(show(&expr_of("2^-x^2")), "(2 ^ (-(x ^ 2)))");
    assert_eq!(show(&expr_of("a^b^c")), "(a ^ (b ^ c))");
    assert_eq!(show(&expr_of("a - b - c")), "((a - b) - c)");
    assert_eq!(
        show(&expr_of("a + b * c ^ d / e")),
        "(a + ((b * (c ^ d)) / e))"
    );
    assert_eq!(
        show(&expr_of("a < b && c > d || e")),
        "(((a < b) && (c > d)) || e)"
    );
    assert_eq!(show(&expr_of("!a < b")), "((!a) < b)");
}

#[test]
fn numbers_with_units_and_define_substitution() {
    let program = parse_ok("DEFINE N 4\nBREAKPOINT { y = 2 (mV) * N + exp(-1 (1)) }");
    assert_eq!(show(&breakpoint_value(&program)), "((2 * 4) + exp((-1)))");
}

#[test]
fn top_level_local_arrays_are_kept() {
    let program = parse_ok("DEFINE N 3\nLOCAL a, f[N], b");
    let locals: Vec<&Item> = program
        .items
        .iter()
        .filter(|i| matches!(i, Item::Local(..) | Item::LocalArray(..)))
        .collect();
    match locals.as_slice() {
        [Item::Local(names, _), Item::LocalArray(arrays, _)] => {
            assert_eq!(
                names.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
                ["a", "b"]
            );
            assert_eq!(arrays[0].name.name, "f");
            assert_eq!(arrays[0].array_len, Some(3));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn declarations_keep_values_units_limits_and_ranges() {
    let program = parse_ok(
        "PARAMETER { g = -.5e-1 (S/cm2) <0, 1e9>  w[3] (um) }\nSTATE { c FROM 0 TO 1 (mM) }\nUNITS { F = (faraday) (coulomb) R = 8.3 (joule/degC) (mV) = (millivolt) }",
    );
    let Item::Parameter(decls, _) = &program.items[0] else {
        panic!()
    };
    assert_eq!(decls[0].value, Some(-0.05));
    assert_eq!(decls[0].unit.as_deref(), Some("S/cm2"));
    assert_eq!(decls[0].limits, Some((0.0, 1e9)));
    assert_eq!(decls[1].array_len, Some(3));
    let Item::State(states, _) = &program.items[1] else {
        panic!()
    };
    assert_eq!(states[0].from_to, Some((0.0, 1.0)));
    let Item::Units(units, _) = &program.items[2] else {
        panic!()
    };
    assert_eq!(units.len(), 3);
}

#[test]
fn title_and_ontology_ids_are_read_raw() {
    let program = parse_ok("TITLE a: b ? c\nNEURON { SUFFIX x REPRESENTS NCIT:C17145\nUSEION na READ ena REPRESENTS CHEBI:29101 }");
    let Item::Title(title, _) = &program.items[0] else {
        panic!()
    };
    assert_eq!(title, "a: b ? c");
}

#[test]
fn carriage_return_ends_a_comment() {
    parse_ok("NEURON { SUFFIX x }\rBREAKPOINT { : comment\r}\r");
}

#[test]
fn primes_may_come_before_or_after_an_index() {
    let program = parse_ok("DERIVATIVE d { ca'[1] = -ca[1]\n ca[0]' = 1 }");
    let Item::Derivative { body, .. } = &program.items[0] else {
        panic!("no DERIVATIVE");
    };
    for (stmt, at) in body.stmts.iter().zip([1.0, 0.0]) {
        let Stmt::Derivative {
            state,
            index: Some(Expr::Number { value, .. }),
            order: 1,
            ..
        } = stmt
        else {
            panic!("not an indexed derivative: {stmt:?}");
        };
        assert_eq!((state.name.as_str(), *value), ("ca", at));
    }
}
