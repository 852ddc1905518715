//! `actlab probe landscape --run DIR`: the loss along a line between two weight vectors
//! and over a plane of two filter-normalised random directions.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use probe::curvature::{LandscapeSettings, line, objective_on, parameters, subset, surface};
use spec::RunLayout;
use spec::layout::probe_figure;
use spec::record::curvature::LandscapeReport;
use spec::record::probe::{DatasetSplit, ProbeRecord, ProbeSource};
use viz::figures::{landscape_line_figure, landscape_surface_figure};

use crate::cli::LandscapeArgs;
use crate::context::{
    check_run_data, load_data, open_run, print_json, print_paths, runtime, write_drawing,
    write_record,
};
use crate::failure::{Failure, input};

pub fn run(args: LandscapeArgs, json: bool) -> Result<ExitCode, Failure> {
    let data = load_data(&args.env)?;
    let rt = runtime(&args.env.compute)?;
    let device = rt.device.clone();
    let last = open_run(&args.run, None, &device)?;
    check_run_data(&last.record, &data, &args.env)?;
    let record = last.record.clone();
    let indices = subset(&data.train, args.samples, args.seed);
    let settings = LandscapeSettings {
        steps: args.steps.max(2),
        range: args.range,
        direction_seed: args.direction_seed,
        include_biases: args.include_biases,
        ..LandscapeSettings::default()
    };
    let source = ProbeSource::Checkpoint {
        run: args.run.clone(),
        checkpoint: last.checkpoint.path.clone(),
        epoch: last.checkpoint.epoch,
    };
    let folder = args
        .out
        .clone()
        .unwrap_or_else(|| RunLayout::new(&args.run).probes());
    let checkpoint = last.checkpoint.name();
    let objective = objective_on(last.model, &data.train, &indices, &device);

    // The line's ends, checked before any long work.
    let ends = if args.no_line {
        None
    } else {
        Some(match &args.to {
            Some(other) => {
                let far = open_run(other, None, &device)?;
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
                let start = open_run(&args.run, Some(&first.name()), &device)?;
                let start_point = parameters(&start.model);
                let labels = (first.name(), checkpoint.clone());
                (start_point, objective.point().to_vec(), labels)
            }
        })
    };

    let mut written: Vec<(
        std::path::PathBuf,
        Vec<std::path::PathBuf>,
        ProbeRecord<LandscapeReport>,
    )> = Vec::new();
    type Written = Vec<(
        std::path::PathBuf,
        Vec<std::path::PathBuf>,
        ProbeRecord<LandscapeReport>,
    )>;
    let write = |name: &str, report: LandscapeReport, written: &mut Written| {
        let record = ProbeRecord {
            source: source.clone(),
            network: record.network.clone(),
            split: DatasetSplit::Train,
            report,
        };
        let out = RunLayout::probe_report(&folder, name, &checkpoint);
        write_record(&out, &record)?;
        let figure = match landscape_surface_figure(&record) {
            Some(s) => write_drawing(s, &probe_figure(&out))?,
            None => write_drawing(
                landscape_line_figure(&record).expect("a line report"),
                &probe_figure(&out),
            )?,
        };
        written.push((out, figure, record));
        Ok::<(), Failure>(())
    };
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
        write("landscape-line", report, &mut written)?;
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
        write("landscape-surface", report, &mut written)?;
    }
    if json {
        let out: Vec<_> = written
            .iter()
            .map(|(report, figure, record)| {
                serde_json::json!({ "report": report, "figure": figure, "record": record })
            })
            .collect();
        return print_json(&out).map(|()| ExitCode::SUCCESS);
    }
    for (out, figure, record) in &written {
        describe(out, &record.report);
        print_paths(figure);
    }
    Ok(ExitCode::SUCCESS)
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
        println!(
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
        println!(
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
    println!("Report: {}", out.display());
}

/// The value at the grid point nearest `at`.
fn value_at(xs: &[f64], ys: &[f64], at: f64) -> f64 {
    xs.iter()
        .zip(ys)
        .min_by(|a, b| (a.0 - at).abs().total_cmp(&(b.0 - at).abs()))
        .map_or(f64::NAN, |(_, &y)| y)
}
