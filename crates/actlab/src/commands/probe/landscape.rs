//! `actlab probe landscape --run DIR`: the loss along a line between two weight vectors
//! and over a plane of two filter-normalised random directions.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use probe::curvature::{LandscapeSettings, line, objective_on, parameters, subset, surface};
use spec::ArtifactKind;
use spec::record::curvature::LandscapeReport;
use spec::record::probe::DatasetSplit;
use viz::Drawing;
use viz::figures::{landscape_line_figure, landscape_surface_figure};

use crate::cli::probe::landscape::LandscapeArgs;
use crate::context::data::load_data;
use crate::context::print::print_paths;
use crate::context::probe::ProbedRun;
use crate::context::runtime::Runtime;
use crate::context::saved::open_run;
use crate::context::write::print_written;
use crate::context::write::{Written, check_new, probe_files, write_probe};
use crate::failure::{Failure, input};

/// `actlab probe landscape`.
pub fn run(args: LandscapeArgs, json: bool) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = Runtime::start(&args.env.compute)?;
    let written = rt.run(|rt| landscape(&args, &data, &rt.device))?;
    if json {
        print_written(&written)?;
        return Ok(ExitCode::SUCCESS);
    }
    for w in &written {
        describe(&w.report, &w.record.report);
        print_paths(&w.figure);
    }
    Ok(ExitCode::SUCCESS)
}

/// The line and the surface of `args.run`, each written as a report with its figure.
fn landscape(
    args: &LandscapeArgs,
    data: &data::FashionMnist,
    device: &burn::tensor::Device,
) -> Result<Vec<Written<spec::record::probe::ProbeRecord<LandscapeReport>>>, Failure> {
    let last = ProbedRun::open(
        &args.run,
        None,
        args.out.as_deref(),
        data,
        &args.env,
        device,
    )?;
    let record = &last.record;
    let indices = subset(&data.train, args.samples, args.seed);
    let settings = LandscapeSettings {
        steps: args.grid.max(2),
        range: args.range,
        direction_seed: args.direction_seed,
        include_biases: args.include_biases,
        ..LandscapeSettings::default()
    };
    let checkpoint = last.checkpoint.name();
    let mut planned = Vec::new();
    if !args.no_line {
        planned.extend(probe_files(
            &last.report_file(ArtifactKind::Landscape, Some("line")),
        ));
    }
    if !args.no_surface {
        planned.extend(probe_files(
            &last.report_file(ArtifactKind::Landscape, Some("surface")),
        ));
    }
    check_new(&planned, args.force)?;
    let objective = objective_on(last.model.clone(), &data.train, &indices, device);

    // The line's ends, checked before any long work.
    let ends = if args.no_line {
        None
    } else {
        Some(match &args.to {
            Some(other) => {
                let far = open_run(other, None, device)?;
                if far.record.network != record.network {
                    return Err(input(anyhow!(
                        "--to {}: its network ({}) is not {}'s ({}); a line between weights needs the same network",
                        other.display(),
                        far.record.network.model_name(),
                        record.run,
                        record.network.model_name()
                    )));
                }
                let far_point = parameters(&far.model);
                let labels = (
                    format!("{} {}", record.run, checkpoint),
                    format!("{} {}", far.record.run, far.checkpoint.name()),
                );
                (objective.point().to_vec(), far_point, labels)
            }
            None => {
                let first = record.checkpoints.first().cloned();
                let Some(first) = first.filter(|f| *f != last.checkpoint) else {
                    return Err(input(anyhow!(
                        "{}: one checkpoint ({checkpoint}); the line needs two: train with --save-epochs 0 to keep the initial weights, give --to ANOTHER_RUN, or pass --no-line",
                        args.run.display()
                    )));
                };
                let start = open_run(&args.run, Some(&first.name()), device)?;
                let start_point = parameters(&start.model);
                let labels = (first.name(), checkpoint.clone());
                (start_point, objective.point().to_vec(), labels)
            }
        })
    };

    let mut written = Vec::new();
    if let Some((from, to, labels)) = ends {
        eprintln!(
            "probe landscape {}: the line ({} points)",
            record.run, settings.line_points
        );
        let started = std::time::Instant::now();
        let l = line(&objective, &from, &to, labels, &settings);
        let report = LandscapeReport {
            samples: objective.samples(),
            seed: args.seed,
            line: Some(l),
            surface: None,
            seconds: started.elapsed().as_secs_f64(),
        };
        let record = last.record(DatasetSplit::Train, report);
        let drawing: Drawing = landscape_line_figure(&record)
            .expect("a line report")
            .into();
        let out = last.report_file(ArtifactKind::Landscape, Some("line"));
        written.push(write_probe(&out, record, drawing)?);
    }
    if !args.no_surface {
        eprintln!(
            "probe landscape {}: the surface ({} x {} points)",
            record.run, settings.steps, settings.steps
        );
        let started = std::time::Instant::now();
        let s = surface(&objective, &settings);
        let report = LandscapeReport {
            samples: objective.samples(),
            seed: args.seed,
            line: None,
            surface: Some(s),
            seconds: started.elapsed().as_secs_f64(),
        };
        let record = last.record(DatasetSplit::Train, report);
        let drawing: Drawing = landscape_surface_figure(&record)
            .expect("a surface report")
            .into();
        let out = last.report_file(ArtifactKind::Landscape, Some("surface"));
        written.push(write_probe(&out, record, drawing)?);
    }
    Ok(written)
}

fn describe(out: &Path, r: &LandscapeReport) {
    if let Some(l) = &r.line {
        let (i, min) = l
            .loss
            .iter()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |(bi, b), (i, &v)| if v < b { (i, v) } else { (bi, b) },
            );
        outln!(
            "line {} → {}: loss {:.4} at α = 0, {:.4} at α = 1, lowest {:.4} at α = {:.2} ({:.0} s)",
            l.from,
            l.to,
            value_at(&l.alpha, &l.loss, 0.0),
            value_at(&l.alpha, &l.loss, 1.0),
            min,
            l.alpha[i],
            r.seconds
        );
    }
    if let Some(s) = &r.surface {
        let centre = s.loss[s.loss.len() / 2];
        let (lo, hi) = s
            .loss
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        outln!(
            "surface {} x {} over [{:.2}, {:.2}]²: loss {:.4} at the centre, {:.4} to {:.4} ({:.0} s)",
            s.alpha.len(),
            s.beta.len(),
            s.alpha[0],
            s.alpha[s.alpha.len() - 1],
            centre,
            lo,
            hi,
            r.seconds
        );
    }
    outln!("Report: {}", out.display());
}

/// The value at the grid point nearest `at`.
fn value_at(xs: &[f64], ys: &[f64], at: f64) -> f64 {
    xs.iter()
        .zip(ys)
        .min_by(|a, b| (a.0 - at).abs().total_cmp(&(b.0 - at).abs()))
        .map_or(f64::NAN, |(_, &y)| y)
}
