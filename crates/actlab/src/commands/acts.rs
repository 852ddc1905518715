//! `actlab acts list` and `actlab acts eval`: the registry, and user definitions.

use std::process::ExitCode;

use acts::evaluate_points;
use serde::Serialize;
use spec::{ActivationKind, ActivationSpec, ParamInfo, Scope};

use crate::cli::acts::{EvalArgs, ListArgs};
use crate::context::networks::definitions;
use crate::context::print::print_json;
use crate::context::runtime::Runtime;
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
    /// How it is computed on the CPU device in float32 (`acts::kernel_path`).
    kernel: String,
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
            kernel: acts::kernel_path(spec),
            note: info.map_or_else(String::new, |i| i.note.to_string()),
        }
    }
}

/// Longest initialisation shown in the table; longer ones go to the notes below it.
const SHORT_INIT: usize = 12;

/// `a,b[3]=init` when every parameter shares count and initialisation, else each alone;
/// a long initialisation is left to the notes.
fn params_cell(params: &[ParamInfo]) -> String {
    let one = |p: &ParamInfo, names: &str| {
        if p.init.chars().count() <= SHORT_INIT {
            format!("{names}[{}]={}", p.count, p.init)
        } else {
            format!("{names}[{}]", p.count)
        }
    };
    match params {
        [] => "-".to_string(),
        [first, rest @ ..]
            if !rest.is_empty()
                && rest
                    .iter()
                    .all(|p| p.count == first.count && p.init == first.init) =>
        {
            let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
            one(first, &names.join(","))
        }
        all => all
            .iter()
            .map(|p| one(p, &p.name))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// What the table leaves out of a row: its note, and its long initialisations.
fn notes(row: &Row) -> Vec<String> {
    let mut notes: Vec<String> = row
        .params
        .iter()
        .filter(|p| p.init.chars().count() > SHORT_INIT)
        .map(|p| format!("{} starts as {}", p.name, p.init))
        .collect();
    if !row.note.is_empty() {
        notes.insert(0, row.note.clone());
    }
    notes
}

/// Prints `rows` under `header` in columns as wide as their widest cell.
fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        outln!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// Prints every activation with its category, formula, parameters and scopes.
pub fn list(args: ListArgs, json: bool) -> Result<ExitCode, Failure> {
    let mut rows: Vec<Row> = ActivationKind::all()
        .map(|kind| Row::of(&kind.into()))
        .collect();
    rows.extend(
        definitions(&args.defs)?
            .into_iter()
            .map(|def| Row::of(&ActivationSpec::Custom(def))),
    );
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.name.clone(),
                row.category.clone(),
                params_cell(&row.params),
                row.kernel.clone(),
                row.formula.clone(),
            ]
        })
        .collect();
    print_table(
        &["Name", "Category", "Parameters", "Kernel", "Formula"],
        &cells,
    );
    outln!(
        "\nTrainable ones (with parameters) take --scope {}. Kernel: how each runs on the CPU \
         device in float32, one fused pass forward and one backward or Burn's composed tensor \
         operations (other devices and float64 compose).",
        Scope::NAMES.join(", ")
    );
    for row in &rows {
        let notes = notes(row);
        if !notes.is_empty() {
            outln!("{}: {}", row.name, notes.join("; "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints value, derivative and parameter gradients of one activation at the points.
pub fn eval(args: EvalArgs, json: bool) -> Result<ExitCode, Failure> {
    let spec = ActivationSpec::resolve(&args.name, &definitions(&args.defs)?).map_err(input)?;
    let rt = Runtime::start(&args.compute)?;
    let result = rt.run(|rt| evaluate_points(&spec, &args.at, args.seed, &rt.device));
    if json {
        print_json(&result)?;
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{}: {}", spec.name(), Row::of(&spec).formula);
    outln!("{:>14} {:>16} {:>16}", "x", "f(x)", "f'(x)");
    for ((x, y), dy) in result.x.iter().zip(&result.value).zip(&result.derivative) {
        outln!("{x:>14} {y:>16.8e} {dy:>16.8e}");
    }
    for p in &result.params {
        outln!("{} = {:?}", p.name, p.value);
        outln!("  d(sum f)/d{} = {:?}", p.name, p.gradient);
    }
    Ok(ExitCode::SUCCESS)
}
