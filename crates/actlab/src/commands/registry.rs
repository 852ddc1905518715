//! `actlab acts list`: the registry.

use std::process::ExitCode;

use acts::{ActivationKind, Scope, evaluate_points};

use crate::commands::print_json;
use crate::failure::{Failure, input};

/// Prints every activation with its category, formula, parameters and scopes.
pub fn list(json: bool) -> Result<ExitCode, Failure> {
    let infos: Vec<_> = ActivationKind::all().map(|k| *k.info()).collect();
    if json {
        print_json(&infos)?;
        return Ok(ExitCode::SUCCESS);
    }
    let scopes = [Scope::Shared, Scope::PerLayer]
        .map(|s| s.name())
        .join(", ");
    println!(
        "{:<15} {:<13} {:<56} {:<28} Scopes",
        "Name", "Category", "Formula", "Parameters"
    );
    for info in &infos {
        let params = match info.params {
            [] => "-".to_string(),
            [first, rest @ ..]
                if rest
                    .iter()
                    .all(|p| p.count == first.count && p.init == first.init) =>
            {
                let names: Vec<&str> = info.params.iter().map(|p| p.name).collect();
                format!("{}[{}]={}", names.join(","), first.count, first.init)
            }
            all => all
                .iter()
                .map(|p| format!("{}[{}]={}", p.name, p.count, p.init))
                .collect::<Vec<_>>()
                .join(" "),
        };
        let scope = if info.params.is_empty() {
            "-"
        } else {
            scopes.as_str()
        };
        println!(
            "{:<15} {:<13} {:<56} {:<28} {}",
            info.name,
            info.category.to_string(),
            info.formula,
            params,
            scope
        );
    }
    println!();
    for info in infos.iter().filter(|i| !i.note.is_empty()) {
        println!("{}: {}", info.name, info.note);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints value, derivative and parameter gradients of one activation at `points`.
pub fn eval(name: &str, points: &[f64], seed: u64, json: bool) -> Result<ExitCode, Failure> {
    let kind: ActivationKind = name.parse().map_err(input)?;
    let result = evaluate_points(kind, points, seed);
    if json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}: {}", kind.name(), kind.info().formula);
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
