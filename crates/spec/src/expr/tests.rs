//! The expression language: parsing, errors and evaluation.

use super::*;

fn parse(text: &str, params: &[&str]) -> Result<Expr, ExprError> {
    let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    Expr::parse(text, &params)
}

fn value(text: &str, x: f64, params: &[(&str, f64)]) -> f64 {
    let names: Vec<&str> = params.iter().map(|p| p.0).collect();
    let values: Vec<f64> = params.iter().map(|p| p.1).collect();
    parse(text, &names).unwrap().eval_f64(x, &values).unwrap()
}

#[test]
fn numbers_beyond_float32_are_refused_where_they_are_written() {
    let error = |text: &str| parse(text, &["a"]).unwrap_err();
    let e = error("x * 1e39");
    assert_eq!(e.column, 5, "{e}");
    assert!(
        e.message
            .contains("the number 1e39 is beyond float32's range"),
        "{e}"
    );
    // Operations on numbers alone are computed once, here, and checked.
    let e = error("x + exp(100)");
    assert_eq!(e.column, 5, "{e}");
    assert!(e.message.contains("works out to 2.688e43"), "{e}");
    assert!(
        error("a * (1e30 * 1e30)")
            .message
            .contains("beyond float32's range")
    );
    assert!(
        error("x + 1 / 0")
            .message
            .contains("is inf (a division by zero")
    );
    assert!(error("x * log(-1)").message.contains("NaN"));
    assert!(
        error("x - -(2 ^ 200)")
            .message
            .contains("beyond float32's range")
    );
    assert!(
        error("max(x, min(1e38 * 10, 2))")
            .message
            .contains("beyond")
    );
    // In range, the value takes the place of the operation.
    assert_eq!(
        parse("x * (2 + 3)", &[]).unwrap(),
        parse("x * 5", &[]).unwrap()
    );
    assert_eq!(value("exp(1) * x", 2.0, &[]), 2.0 * 1f64.exp());
    // Large but representable, and tiny, are fine.
    assert!(parse("x * 3e38 + 1e-44", &[]).is_ok());
}

#[test]
fn precedence_and_associativity_follow_mathematics() {
    assert_eq!(value("1 + 2 * 3", 0.0, &[]), 7.0);
    assert_eq!(value("(1 + 2) * 3", 0.0, &[]), 9.0);
    assert_eq!(value("2 ^ 3 ^ 2", 0.0, &[]), 512.0);
    assert_eq!(value("-x ^ 2", 3.0, &[]), -9.0);
    assert_eq!(value("8 / 4 / 2", 0.0, &[]), 1.0);
    assert_eq!(value("10 - 4 - 3", 0.0, &[]), 3.0);
    assert_eq!(value("x ** 2", 3.0, &[]), 9.0);
    assert_eq!(value("--x", 2.0, &[]), 2.0);
    assert_eq!(value("1.5e1 + .5 + 2E-1", 0.0, &[]), 15.7);
}

#[test]
fn functions_parameters_and_where() {
    assert_eq!(value("beta * x", 2.0, &[("beta", 1.5)]), 3.0);
    let leaky = "where(x > 0, x, a * x)";
    assert_eq!(value(leaky, 2.0, &[("a", 0.1)]), 2.0);
    assert!((value(leaky, -2.0, &[("a", 0.1)]) + 0.2).abs() < 1e-15);
    assert_eq!(value("if(x <= 1, 0, 1)", 1.0, &[]), 0.0);
    assert_eq!(value("max(x, 0) + min(x, 0) * 2", -1.0, &[]), -2.0);
    assert_eq!(
        value(
            "sqrt(abs(x)) + exp(0) + log(1) + sin(0) + cos(0)",
            -4.0,
            &[]
        ),
        4.0
    );
    let swigelu = parse("0.5 * (x * sigmoid(beta * x) + GELU(x))", &["beta"]).unwrap();
    assert!(matches!(swigelu, Expr::Binary(BinaryOp::Mul, _, _)));
    assert_eq!(
        swigelu.eval_f64(1.0, &[1.0]),
        None,
        "gelu has no f64 reference"
    );
    assert!(swigelu.uses_param(0) && !swigelu.uses_param(1));
    assert!(parse("gelu_tanh(x) + hardswish(x)", &[]).is_ok());
}

#[test]
fn erf_is_the_error_function_in_both_dialects() {
    // erf(1) and erf(-0.5) to 16 digits (Abramowitz and Stegun, table 7.1).
    assert!((value("erf(x)", 1.0, &[]) - 0.842_700_792_949_714_9).abs() < 1e-15);
    assert!((value("erf(x)", -0.5, &[]) + 0.520_499_877_813_046_5).abs() < 1e-15);
    // GELU written with it: x Φ(x) at x = 1 is 0.841344746...
    let gelu = "0.5 * x * (1 + erf(x / sqrt(2)))";
    assert!((value(gelu, 1.0, &[]) - 0.841_344_746_068_542_9).abs() < 1e-15);
    // Constant subexpressions are folded when parsed: sqrt(2) is written as its value.
    let e = parse(gelu, &[]).unwrap();
    assert_eq!(
        e.to_text(&[]),
        "0.5 * x * (1 + erf(x / 1.4142135623730951))"
    );
    assert_eq!(
        e.to_torch(&[]).unwrap(),
        "0.5 * x * (1 + torch.erf(x / 1.4142135623730951))"
    );
}

#[test]
fn errors_name_the_column_and_what_was_expected() {
    let err = |text: &str, params: &[&str]| parse(text, params).unwrap_err();
    let e = err("x +", &[]);
    assert_eq!(e.column, 4);
    assert!(
        e.message.starts_with("expected a number, x, a parameter"),
        "{e}"
    );
    assert!(e.message.contains("the end of the expression"), "{e}");

    let e = err("foo(x)", &[]);
    assert_eq!(e.column, 1);
    assert!(
        e.message
            .starts_with("unknown function 'foo'; valid functions: exp, log"),
        "{e}"
    );
    assert!(e.message.contains("sigmoid"), "{e}");

    let e = err("2 * beta * x", &[]);
    assert_eq!(e.column, 5);
    assert!(e.message.contains("unknown name 'beta'"), "{e}");
    assert!(e.message.contains("params = { beta = 1.0 }"), "{e}");

    assert_eq!(err("(x + 1", &[]).column, 7);
    assert_eq!(err("x 2", &[]).column, 3);
    assert_eq!(err("x $ 2", &[]).column, 3);
    assert!(
        err("max(x)", &[])
            .message
            .contains("takes 2 arguments, given 1")
    );
    assert!(
        err("where(x, 1, 2)", &[])
            .message
            .contains("must be a comparison")
    );
    assert!(err("x > 0", &[]).message.contains("condition"));
    assert!(err("(x > 0) + 1", &[]).message.contains("condition"));
    assert!(
        err("where(0 < x < 1, 1, 0)", &[])
            .message
            .contains("do not chain")
    );
    assert!(err("exp", &[]).message.contains("is a function"));
    assert!(err("prelu(x)", &[]).message.contains("unknown function"));
    assert!(err("", &[]).message.contains("found the end"));
    let deep = format!("{}x{}", "(".repeat(500), ")".repeat(500));
    assert!(
        err(&deep, &[])
            .message
            .contains("nests more than 100 levels")
    );
    assert!(
        err(&"-".repeat(300), &[])
            .message
            .contains("nests more than")
    );
    assert!(
        err(&"x^".repeat(500), &[])
            .message
            .contains("nests more than")
    );
    // Columns count characters, not bytes.
    assert_eq!(err("ä + ", &[]).column, 1);
}

/// Left-associative chains count toward the depth, so that a sum of thousands of terms
/// is an error, not a stack overflow in some later pass over its tree; and the text's
/// length is bounded before anything else.
#[test]
fn long_chains_and_long_texts_are_refused() {
    for op in ["+", "*", "-", "/"] {
        let long = vec!["x"; 1500].join(op);
        let e = Expr::parse(&long, &[]).unwrap_err();
        assert!(e.message.contains("levels deep"), "{op}: {}", e.message);
    }
    let deep_enough = vec!["x"; 90].join(" + ");
    assert!(Expr::parse(&deep_enough, &[]).is_ok());
    let nested = format!("{}x{}", "(x + ".repeat(60), ")".repeat(60));
    assert!(
        Expr::parse(&nested, &[]).is_err(),
        "nesting and chains add up"
    );
    let huge = "x".repeat(1 << 20);
    let e = Expr::parse(&huge, &[]).unwrap_err();
    assert!(e.message.contains("1048576 characters"), "{}", e.message);
    let excerpt = e.excerpt(&huge);
    assert!(excerpt.chars().count() < 70, "{excerpt}");
    let short = ExprError {
        column: 3,
        message: String::new(),
    };
    assert_eq!(short.excerpt("x +"), "\"x +\"");
}
