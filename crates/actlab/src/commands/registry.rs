//! `actlab acts list` and `actlab acts eval`: the registry, and user definitions.

use std::process::ExitCode;

use acts::evaluate_points;
use serde::Serialize;
use spec::{ActivationKind, ActivationSpec, ParamInfo, Scope};

use crate::cli::{EvalArgs, ListArgs};
use crate::context::{definitions, print_json, runtime};
use crate::failure::{Failure, input};

/// One activation as `acts list` shows it: a registry entry or a user definition.
#[derive(Serialize)]
struct Row {
    name: String,
    category: String,
    formula: String,
    params: Vec<ParamInfo>,
    /// Scope options, empty for parameter-free functions.
    scopes: Vec<&'static str>,
    note: String,
}

impl Row {
    fn of(spec: &ActivationSpec) -> Self {
        let info = spec.builtin().map(ActivationKind::info);
        Row {
            name: spec.name().to_string(),
            category: info.map_or_else(|| "User-defined".into(), |i| i.category.to_string()),
            // The registry's formula for a built-in (Fourier's with its tau, not 25).
            formula: info.map_or_else(|| spec.formula(), |i| i.formula.to_string()),
            params: spec.params(),
            scopes: if spec.is_trainable() {
                Scope::NAMES.to_vec()
            } else {
                Vec::new()
            },
            note: info.map_or_else(String::new, |i| i.note.to_string()),
        }
    }
}

/// `a,b[3]=init` when every parameter shares count and initialisation, else each alone.
fn params_cell(params: &[ParamInfo]) -> String {
    match params {
        [] => "-".to_string(),
        [first, rest @ ..]
            if !rest.is_empty()
                && rest
                    .iter()
                    .all(|p| p.count == first.count && p.init == first.init) =>
        {
            let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            format!("{}[{}]={}", names.join(","), first.count, first.init)
        }
        all => all
            .iter()
            .map(|p| format!("{}[{}]={}", p.name, p.count, p.init))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Prints every activation with its category, formula, parameters and scopes.
pub fn list(args: ListArgs) -> Result<ExitCode, Failure> {
    let mut rows: Vec<Row> = ActivationKind::all()
        .map(|kind| Row::of(&kind.into()))
        .collect();
    rows.extend(
        definitions(&args.defs)?
            .into_iter()
            .map(|def| Row::of(&ActivationSpec::Custom(def))),
    );
    if args.json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<15} {:<13} {:<56} {:<28} Scopes",
        "Name", "Category", "Formula", "Parameters"
    );
    for row in &rows {
        let scope = if row.scopes.is_empty() {
            "-".to_string()
        } else {
            row.scopes.join(", ")
        };
        println!(
            "{:<15} {:<13} {:<56} {:<28} {}",
            row.name,
            row.category,
            row.formula,
            params_cell(&row.params),
            scope
        );
    }
    println!();
    for row in rows.iter().filter(|r| !r.note.is_empty()) {
        println!("{}: {}", row.name, row.note);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints value, derivative and parameter gradients of one activation at the points.
pub fn eval(args: EvalArgs) -> Result<ExitCode, Failure> {
    let spec = ActivationSpec::resolve(&args.name, &definitions(&args.defs)?).map_err(input)?;
    let rt = runtime(&args.compute)?;
    let result = evaluate_points(&spec, &args.at, args.seed, &rt.device);
    if args.json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}: {}", spec.name(), Row::of(&spec).formula);
    println!("{:>14} {:>16} {:>16}", "x", "f(x)", "f'(x)");
    for ((x, y), dy) in result.x.iter().zip(&result.value).zip(&result.derivative) {
        println!("{x:>14} {y:>16.8e} {dy:>16.8e}");
    }
    for p in &result.params {
        println!("{} = {:?}", p.name, p.value);
        println!("  d(sum f)/d{} = {:?}", p.name, p.gradient);
    }
    Ok(ExitCode::SUCCESS)
}
