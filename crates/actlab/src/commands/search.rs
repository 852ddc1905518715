//! `actlab search`: a study's config -> its candidates screened and picked -> each
//! rung trained as an ordinary experiment, the next rung's candidates decided from the
//! records -> the leaderboard. A resume recomputes every decision from the records,
//! so it ends where an uninterrupted study would.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use burn::tensor::Device;
use data::FashionMnist;
use search::{
    RungResults, candidate_definitions, discovered_toml, discovered_torch, leaderboard,
    rung_candidates,
};
use spec::artifact;
use spec::record::search::{CandidateList, Leaderboard};
use spec::search::layout::StudyLayout;
use spec::search::{Search, SearchFile};
use spec::{Experiment, ExperimentLayout, RunRecord, fsio};
use viz::figures::leaderboard_figure;

use crate::cli::search::SearchArgs;
use crate::context::data::load_data;
use crate::context::print::print_json;
use crate::context::runtime::{Runtime, check_memory};
use crate::context::saved::experiment_records;
use crate::context::write::write_drawing;
use crate::failure::{Failure, failed, input};
use crate::sweep::{INTERRUPTED, Shown, resume_step, train_steps};

/// How many of the best candidates `discovered.toml` holds.
const DISCOVERED: usize = 5;

/// Runs, resumes or reports on a study.
pub fn run(args: SearchArgs, json: bool) -> Result<ExitCode, Failure> {
    if let Some(dir) = &args.status {
        return status(dir, json);
    }
    let search = match (&args.config, &args.resume) {
        (Some(path), None) => fresh(path, &args)?,
        (None, Some(dir)) => saved_search(dir, "--resume ")?,
        _ => {
            return Err(input(anyhow!(
                "give a study config (actlab search configs/search-quick.toml), --resume DIR or --status DIR"
            )));
        }
    };
    check_fits(&search, &args)?;
    let data = load_data(&args.env)?;
    // Only now, with every input checked, does a new study touch its folder.
    if args.config.is_some() {
        start(&search, args.force)?;
    }
    let rt = Runtime::start(&args.env.compute)?;
    let layout = StudyLayout::new(search.dir());
    let list = candidates(&search, &layout, args.quiet)?;
    let (distinct, same, rejected) = list.tally();
    if !args.quiet {
        let refused: Vec<String> = rejected.iter().map(|(r, n)| format!("{n} {r}")).collect();
        eprintln!(
            "{}: {} candidates: {distinct} distinct, {same} with the outputs of a simpler one, {} refused ({}); the first rung trains {}",
            search.name(),
            list.candidates.len(),
            rejected.values().sum::<usize>(),
            if refused.is_empty() {
                "none".into()
            } else {
                refused.join(", ")
            },
            list.selected.len()
        );
    }
    // Each rung's candidates and records; the last one decides the next rung.
    let mut results: Vec<(Vec<String>, Vec<RunRecord>)> = Vec::new();
    let mut board = None;
    for r in 0..search.rungs().len() {
        let names = rung_candidates(
            &search,
            &list,
            r,
            results
                .last()
                .map(|(n, rec)| (n.as_slice(), rec.as_slice())),
        )
        .map_err(|p| {
            failed(anyhow!(
                "rung {} has unfinished runs ({}); --resume {} trains them",
                p.rung,
                p.missing.join(", "),
                search.dir().display()
            ))
        })?;
        let experiment = search
            .rung_experiment(r, candidate_definitions(&list, &names))
            .map_err(|e| failed(anyhow!("rung {}: {e}", r + 1)))?;
        if !args.quiet {
            let rung = &search.rungs()[r];
            eprintln!(
                "rung {}/{}: {} candidates and {} baselines, {} epochs, {} seeds",
                r + 1,
                search.rungs().len(),
                names.len(),
                search.file().baselines.len(),
                rung.epochs,
                rung.seeds.len()
            );
        }
        let code = train_rung(&experiment, &data, &rt, &args, json)?;
        let (_, records) = experiment_records(experiment.dir())?;
        results.push((names, records));
        board = Some(write_leaderboard(&search, &list, &results)?);
        if code == ExitCode::from(INTERRUPTED) {
            eprintln!(
                "actlab: the study stopped in rung {}; continue it with actlab search --resume {}",
                r + 1,
                search.dir().display()
            );
            return Ok(code);
        }
    }
    let board = board.expect("a checked study has at least one rung");
    for (file, text) in [
        (layout.discovered(), discovered_toml(&board, DISCOVERED)),
        (
            layout.discovered_torch(),
            discovered_torch(&board, DISCOVERED),
        ),
    ] {
        fsio::write_atomic(&file, text.as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))
            .map_err(failed)?;
    }
    show_board(&board, &layout, json)?;
    Ok(ExitCode::SUCCESS)
}

/// A new study from `path` and the flags, checked; refused when its folder holds a
/// study and `--force` is not given. Nothing is written yet.
fn fresh(path: &Path, args: &SearchArgs) -> Result<Search, Failure> {
    let (mut file, text) = SearchFile::load(path).map_err(input)?;
    if let Some(out) = &args.out {
        file.out = out.clone();
    }
    if let Some(name) = &args.name {
        file.name = name.clone();
    }
    let origin = path.display().to_string();
    let search = file
        .check(&origin)
        .map_err(|e| input(e.located_in(&text)))?;
    let layout = StudyLayout::new(search.dir());
    if let Some(found) = ours(&layout).iter().find(|p| p.exists())
        && !args.force
    {
        return Err(input(anyhow!(
            "{} already holds a study ({}); pass --resume {} to continue it, --force to start it again, or another name",
            search.dir().display(),
            found.strip_prefix(search.dir()).unwrap_or(found).display(),
            search.dir().display()
        )));
    }
    Ok(search)
}

/// Makes a new study's folder (clearing an earlier study's files with `force`) and
/// saves its config.
fn start(search: &Search, force: bool) -> Result<(), Failure> {
    let layout = StudyLayout::new(search.dir());
    if force {
        for p in ours(&layout) {
            let removed = if p.is_dir() {
                std::fs::remove_dir_all(&p)
            } else if p.exists() {
                std::fs::remove_file(&p)
            } else {
                Ok(())
            };
            removed
                .with_context(|| format!("--force: cannot clear {}", p.display()))
                .map_err(input)?;
        }
    }
    std::fs::create_dir_all(search.dir())
        .with_context(|| format!("cannot create the study folder {}", search.dir().display()))
        .map_err(input)?;
    artifact::write(&layout.config(), search.file())
        .with_context(|| format!("cannot write to {}", search.dir().display()))
        .map_err(input)
}

/// Every file and folder a study writes: its files, and every rung folder (an earlier
/// study of the same name may have had more rungs).
fn ours(layout: &StudyLayout) -> Vec<std::path::PathBuf> {
    let mut paths = vec![
        layout.config(),
        layout.candidates(),
        layout.leaderboard("json"),
        layout.leaderboard("md"),
        layout.leaderboard("csv"),
        layout.discovered(),
        layout.discovered_torch(),
        layout.dir().join("figures"),
    ];
    let rungs = (0..spec::search::MAX_RUNGS).map(|r| layout.rung(r));
    paths.extend(rungs.filter(|p| p.is_dir()));
    paths
}

/// The study saved in `dir`, checked again and placed in `dir`.
fn saved_search(dir: &Path, flag: &str) -> Result<Search, Failure> {
    let path = StudyLayout::new(dir).config();
    if !path.is_file() {
        return Err(input(anyhow!(
            "{flag}{}: not a study folder (no {}); give the folder `actlab search` wrote, e.g. results/search-quick",
            dir.display(),
            StudyLayout::CONFIG
        )));
    }
    let file: SearchFile = artifact::read(&path)
        .with_context(|| format!("{flag}{} is not an actlab study", path.display()))
        .map_err(input)?;
    let search = file
        .check(&path.display().to_string())
        .with_context(|| format!("{flag}{} is not a usable study", path.display()))
        .map_err(input)?;
    Ok(search.at(dir.to_path_buf()))
}

/// Refuses a study whose largest run (times `--jobs`) cannot fit in memory: every run
/// has the same network, so the first rung's baseline stands for all.
fn check_fits(search: &Search, args: &SearchArgs) -> Result<(), Failure> {
    // Every run has the same network; a stand-in candidate makes the rung plannable
    // when the study has no baseline.
    let stand_in = spec::CustomActivation {
        name: "C0".into(),
        expr: "x".into(),
        params: Default::default(),
        mix: Vec::new(),
    };
    let experiment = search
        .rung_experiment(0, vec![stand_in])
        .map_err(|e| input(anyhow!("{e}")))?;
    let Some(run) = experiment.runs().into_iter().next() else {
        return Ok(());
    };
    let estimate = spec::resources::training(run.network(), run.train());
    check_memory(
        &estimate.times(args.jobs as u64),
        "reduce hidden or the batch size in the config, or --jobs",
        &args.env,
    )
}

/// The study's candidates: read back when saved (a resume), else screened on flex,
/// picked by the strategy, and saved.
fn candidates(
    search: &Search,
    layout: &StudyLayout,
    quiet: bool,
) -> Result<CandidateList, Failure> {
    let path = layout.candidates();
    if path.is_file() {
        let list: CandidateList = artifact::read(&path).map_err(input)?;
        if list.study != search.name() {
            return Err(input(anyhow!(
                "{}: the candidates of study '{}', not of '{}'; start the study again with --force",
                path.display(),
                list.study,
                search.name()
            )));
        }
        return Ok(list);
    }
    let mut shown = 0;
    let mut list = search::screen(search, &Device::flex(), |done, total| {
        if !quiet && total > 0 && done * 10 / total > shown {
            shown = done * 10 / total;
            eprintln!("screening candidates: {done}/{total}");
        }
    });
    search::select(search, &mut list);
    artifact::write(&path, &list)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(failed)?;
    Ok(list)
}

/// Trains what rung `experiment` has left: its config saved on first entry (and
/// checked against the saved one on a resume), finished runs kept.
fn train_rung(
    experiment: &Experiment,
    data: &FashionMnist,
    rt: &Runtime,
    args: &SearchArgs,
    json: bool,
) -> Result<ExitCode, Failure> {
    let dir = experiment.dir();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
        .map_err(failed)?;
    let config = ExperimentLayout::new(dir).config();
    let written = fsio::write_new(&config, artifact::to_json(experiment.file()).as_bytes())
        .with_context(|| format!("cannot write to {}", dir.display()))
        .map_err(failed)?;
    if !written {
        let saved: spec::ExperimentFile = artifact::read(&config).map_err(input)?;
        if &saved != experiment.file() {
            return Err(input(anyhow!(
                "{} plans other runs than the study's records decide for this rung (was a run edited or removed?); start the study again with --force",
                config.display()
            )));
        }
    }
    let steps = experiment
        .runs()
        .into_iter()
        .map(|spec| resume_step(spec, data))
        .collect::<Result<Vec<_>, _>>()?;
    let show = Shown {
        quiet: args.quiet,
        json,
        summary: false,
    };
    let code = train_steps(experiment, steps, data, rt, &args.env, args.jobs, show)?;
    // A diverged candidate is a result, not a failure of the study.
    Ok(if code == ExitCode::from(INTERRUPTED) {
        code
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the leaderboard (json, md, csv) from the rungs trained so far.
fn write_leaderboard(
    search: &Search,
    list: &CandidateList,
    results: &[(Vec<String>, Vec<RunRecord>)],
) -> Result<Leaderboard, Failure> {
    let rungs: Vec<RungResults> = results
        .iter()
        .map(|(names, records)| RungResults {
            candidates: Some(names.clone()),
            records,
        })
        .collect();
    let board = leaderboard(search, list, &rungs);
    let layout = StudyLayout::new(search.dir());
    let written = artifact::write(&layout.leaderboard("json"), &board)
        .and_then(|_| fsio::write_atomic(&layout.leaderboard("md"), board.markdown().as_bytes()))
        .and_then(|_| fsio::write_atomic(&layout.leaderboard("csv"), board.csv().as_bytes()));
    written
        .with_context(|| {
            format!(
                "cannot write the leaderboard into {}",
                search.dir().display()
            )
        })
        .map_err(failed)?;
    // The leaderboard's own figure: leaderboard.json holds its data.
    write_drawing(leaderboard_figure(&board), &layout.figure())?;
    Ok(board)
}

/// `--status DIR`: the leaderboard of what the rungs hold now.
fn status(dir: &Path, json: bool) -> Result<ExitCode, Failure> {
    let search = saved_search(dir, "--status ")?;
    let layout = StudyLayout::new(dir);
    let path = layout.candidates();
    if !path.is_file() {
        outln!(
            "{}: screening its candidates; no rung has started",
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let list: CandidateList = artifact::read(&path).map_err(input)?;
    let mut held: Vec<(Vec<String>, Vec<RunRecord>)> = Vec::new();
    for r in 0..search.rungs().len() {
        if !ExperimentLayout::new(layout.rung(r)).config().is_file() {
            break;
        }
        let (experiment, records) = experiment_records(&layout.rung(r))?;
        let baselines = search.file().baselines.len();
        let names = experiment.acts()[baselines.min(experiment.acts().len())..]
            .iter()
            .map(|a| a.name().to_string())
            .collect();
        held.push((names, records));
    }
    let rungs: Vec<RungResults> = held
        .iter()
        .map(|(names, records)| RungResults {
            candidates: Some(names.clone()),
            records,
        })
        .collect();
    let board = leaderboard(&search, &list, &rungs);
    show_board(&board, &layout, json)?;
    Ok(ExitCode::SUCCESS)
}

fn show_board(board: &Leaderboard, layout: &StudyLayout, json: bool) -> Result<(), Failure> {
    if json {
        return print_json(board);
    }
    outln!("{}", board.markdown());
    outln!(
        "Study: {}/ (leaderboard.md, .csv, .json, figures/leaderboard.png; candidates.json; discovered.toml and .py; one experiment folder per rung)",
        layout.dir().display()
    );
    Ok(())
}
