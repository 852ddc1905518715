//! `actlab acts list` and `actlab acts eval`: the registry, and user definitions.

use std::process::ExitCode;

use acts::{ActivationKind, ActivationSpec, CustomActivation, Scope, evaluate_points};
use serde::Serialize;

use crate::cli::DefinitionArgs;
use crate::commands::{definitions, print_json};
use crate::failure::{Failure, input};

/// One parameter as `acts list` shows it.
#[derive(Serialize)]
struct ParamRow {
    name: String,
    count: usize,
    init: String,
}

/// One activation as `acts list` shows it: a registry entry or a user definition.
#[derive(Serialize)]
struct Row {
    name: String,
    category: String,
    formula: String,
    params: Vec<ParamRow>,
    /// Scope options, empty for parameter-free functions.
    scopes: Vec<&'static str>,
    note: String,
}

fn scopes(trainable: bool) -> Vec<&'static str> {
    if trainable {
        [Scope::Shared, Scope::PerLayer, Scope::PerNeuron]
            .map(|s| s.name())
            .to_vec()
    } else {
        Vec::new()
    }
}

fn builtin_row(kind: ActivationKind) -> Row {
    let info = kind.info();
    Row {
        name: info.name.to_string(),
        category: info.category.to_string(),
        formula: info.formula.to_string(),
        params: info
            .params
            .iter()
            .map(|p| ParamRow {
                name: p.name.to_string(),
                count: p.count,
                init: p.init.to_string(),
            })
            .collect(),
        scopes: scopes(kind.is_trainable()),
        note: info.note.to_string(),
    }
}

fn custom_row(def: &CustomActivation) -> Row {
    let params = if def.mix.is_empty() {
        def.params
            .iter()
            .map(|(name, value)| ParamRow {
                name: name.clone(),
                count: 1,
                init: value.to_string(),
            })
            .collect()
    } else {
        vec![ParamRow {
            name: "weights".into(),
            count: def.mix.len(),
            init: "0 (equal mix)".into(),
        }]
    };
    Row {
        name: def.name.clone(),
        category: "User-defined".to_string(),
        formula: def.formula(),
        params,
        scopes: scopes(def.param_count() > 0),
        note: String::new(),
    }
}

/// `a,b[3]=init` when every parameter shares count and initialisation, else each alone.
fn params_cell(params: &[ParamRow]) -> String {
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
pub fn list(json: bool, defs: &DefinitionArgs) -> Result<ExitCode, Failure> {
    let mut rows: Vec<Row> = ActivationKind::all().map(builtin_row).collect();
    rows.extend(definitions(defs)?.iter().map(custom_row));
    if json {
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

/// Prints value, derivative and parameter gradients of one activation at `points`.
pub fn eval(
    name: &str,
    points: &[f64],
    seed: u64,
    json: bool,
    defs: &DefinitionArgs,
) -> Result<ExitCode, Failure> {
    let spec = ActivationSpec::resolve(name, &definitions(defs)?).map_err(input)?;
    let result = evaluate_points(&spec, points, seed).map_err(input)?;
    if json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    let formula = match &spec {
        ActivationSpec::Builtin(kind) => kind.info().formula.to_string(),
        ActivationSpec::Custom(def) => def.formula(),
    };
    println!("{}: {formula}", spec.name());
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
