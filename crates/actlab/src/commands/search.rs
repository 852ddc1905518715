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
    Pending, breed, candidate_definitions, confirm_candidates, confirmation, discovered_figure,
    discovered_toml, discovered_torch, rung_candidates,
};
use spec::artifact;
use spec::record::evolution::Birth;
use spec::record::search::{CandidateList, Leaderboard};
use spec::search::layout::StudyLayout;
use spec::search::{Search, SearchFile, Stage};
use spec::{Experiment, ExperimentLayout, RunRecord, fsio};
use viz::figures::leaderboard_figure;

use crate::cli::search::SearchArgs;
use crate::context::data::load_data;
use crate::context::print::{count, print_json};
use crate::context::runtime::{Runtime, check_memory};
use crate::context::saved::experiment_records;
use crate::context::study::{
    board_of, generations, learned_runs, progress_line, rung_results, saved_board, saved_search,
    tally_line,
};
use crate::context::write::{write_drawing, write_figure};
use crate::failure::{Failure, failed, input};
use crate::output::write_study_report;
use crate::sweep::{INTERRUPTED, Shown, join_folder, resume_step, shard_index, train_steps};

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
    if args.prepare {
        return prepare(&search, &args);
    }
    let stages = search.stages();
    let stage = match args.stage {
        Some(s) if s > stages.len() => {
            return Err(input(anyhow!(
                "--stage {s}: the study has {} stages ({}); give one of them",
                stages.len(),
                search.stage_outline()
            )));
        }
        s => s.map(|s| s - 1),
    };
    let shard = args.shard.map(shard_index).transpose()?;
    let data = load_data(&args.env)?;
    // Only now, with every input checked, does a new study touch its folder.
    if args.config.is_some() {
        start(&search, args.force)?;
    }
    let rt = Runtime::start(&args.env.compute)?;
    let layout = StudyLayout::new(search.dir());
    // Learned scalars of confirmation runs whose checkpoints are gone (a committed
    // study) live only in the saved leaderboard: read it before any stage rewrites it.
    let kept = saved_board(&layout).and_then(|b| b.confirmation);
    let list = candidates(&search, &layout, args.quiet)?;
    if !args.quiet {
        eprintln!("{}", tally_line(&search, &list));
    }
    // A stage's candidates need the previous stage (number `previous`) finished.
    let stage_left = |previous: usize, p: Pending| {
        let how = if stage.is_some() {
            "wait for its tasks to end, or train what is left with --resume"
        } else {
            "--resume trains them"
        };
        failed(anyhow!(
            "stage {previous} has unfinished runs ({}); {how} ({})",
            p.missing.join(", "),
            search.dir().display()
        ))
    };
    // Each stage's candidates and records, in stage order; an evolution's births.
    let mut held: Vec<(Vec<String>, Vec<RunRecord>)> = Vec::new();
    let mut births: Vec<Birth> = Vec::new();
    let mut board = None;
    for (s, &current) in stages.iter().enumerate() {
        let (names, experiment) = match current {
            Stage::Generation(g) => {
                let born = breed(&search, &list, g, &generations(&search, &held))
                    .map_err(|p| stage_left(s, p))?;
                if born.is_empty() {
                    // The space is spent: the generation trains nothing and has no folder.
                    if !args.quiet {
                        eprintln!(
                            "{}: nothing left to breed; every distinct candidate of the space is trained",
                            search.describe(current)
                        );
                    }
                    held.push((Vec::new(), Vec::new()));
                    if stage == Some(s) {
                        return Ok(shard_done(ExitCode::SUCCESS, s + 1, &search, args.quiet));
                    }
                    continue;
                }
                let names: Vec<String> = born.iter().map(|b| b.name.clone()).collect();
                births.extend(born);
                let definitions = candidate_definitions(&list, &names);
                (names, search.generation_experiment(g, definitions))
            }
            Stage::Rung(r) => {
                let rungs = rung_results(&search, &held);
                let previous = rungs.last().map(|(n, rec)| (n.as_slice(), rec.as_slice()));
                let names =
                    rung_candidates(&search, &list, r, previous).map_err(|p| stage_left(s, p))?;
                let definitions = candidate_definitions(&list, &names);
                (names, search.rung_experiment(r, definitions))
            }
            Stage::Confirm => break,
        };
        let experiment =
            experiment.map_err(|e| failed(anyhow!("{}: {e}", search.describe(current))))?;
        // With --stage, an earlier stage is only read.
        let code = if stage.is_some_and(|x| s < x) {
            earlier_stage(&experiment, s + 1)?;
            ExitCode::SUCCESS
        } else {
            if !args.quiet {
                eprintln!(
                    "{}",
                    progress_line(&search, &list, &held, &experiment, args.jobs)
                );
                let beside: Vec<&str> = experiment.acts()[..experiment.acts().len() - names.len()]
                    .iter()
                    .map(|a| a.name())
                    .collect();
                eprintln!(
                    "{}: {}{}, {}, {}",
                    search.describe(current),
                    count(names.len(), "candidate"),
                    if beside.is_empty() {
                        String::new()
                    } else {
                        format!(" beside {}", beside.join(", "))
                    },
                    count(experiment.file().train.epochs, "epoch"),
                    count(experiment.file().seeds.len(), "seed")
                );
            }
            train_stage(&experiment, &data, &rt, &args, json, shard)?
        };
        let (_, records) = experiment_records(experiment.dir())?;
        held.push((names, records));
        let built = board_of(&search, &list, &held, &births);
        // A shard leaves the study's own files to the job that ends the study.
        if shard.is_none() {
            save_board(&search, &built)?;
        }
        board = Some(built);
        if stage == Some(s) {
            return Ok(shard_done(code, s + 1, &search, args.quiet));
        }
        if code == ExitCode::from(INTERRUPTED) {
            eprintln!(
                "actlab: the study stopped in {}; continue it with actlab search --resume {}",
                search.describe(current),
                search.dir().display()
            );
            return Ok(code);
        }
    }
    let mut board = board.expect("a checked study has at least one rung");
    if let Some(confirm) = search.confirm() {
        let names = confirm_candidates(&board, confirm.top);
        let number = stages.len();
        if names.is_empty() {
            return Err(failed(anyhow!(
                "stage {number} (the confirmation) has no candidate: every candidate of rung {} diverged",
                search.rungs().len()
            )));
        }
        let experiment = search
            .confirm_experiment(candidate_definitions(&list, &names))
            .expect("a study with a confirmation")
            .map_err(|e| failed(anyhow!("the confirmation: {e}")))?;
        if !args.quiet {
            eprintln!(
                "{}",
                progress_line(&search, &list, &held, &experiment, args.jobs)
            );
            eprintln!(
                "confirmation: {} against {}, {}, {}",
                count(names.len(), "candidate"),
                confirm.against.join(", "),
                count(experiment.file().train.epochs, "epoch"),
                count(experiment.file().seeds.len(), "seed")
            );
        }
        let code = train_stage(&experiment, &data, &rt, &args, json, shard)?;
        if stage == Some(number - 1) {
            return Ok(shard_done(code, number, &search, args.quiet));
        }
        let (_, records) = experiment_records(experiment.dir())?;
        let learned = learned_runs(&experiment, &names, &records, kept.as_ref(), &rt)?;
        board.confirmation = confirmation(&search, &list, &names, &records, learned);
        save_board(&search, &board)?;
        if code == ExitCode::from(INTERRUPTED) {
            eprintln!(
                "actlab: the study stopped in its confirmation; continue it with actlab search --resume {}",
                search.dir().display()
            );
            return Ok(code);
        }
    }
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
    write_study_report(&search, &board, None)?;
    show_board(&board, &layout, json)?;
    Ok(ExitCode::SUCCESS)
}

/// `--prepare`: the study's folder, its config and its screened candidates, and nothing
/// trained.
fn prepare(search: &Search, args: &SearchArgs) -> Result<ExitCode, Failure> {
    start(search, args.force)?;
    let layout = StudyLayout::new(search.dir());
    let list = candidates(search, &layout, args.quiet)?;
    outln!("{}", tally_line(search, &list));
    outln!(
        "prepared {}; its stages train with actlab search --resume {} (--stage S --shard I/N for a share of one)",
        search.dir().display(),
        search.dir().display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Refuses to read stage `number` as finished when it never started.
fn earlier_stage(experiment: &Experiment, number: usize) -> Result<(), Failure> {
    if ExperimentLayout::new(experiment.dir()).config().is_file() {
        return Ok(());
    }
    Err(failed(anyhow!(
        "stage {number} has not started ({} is missing); the stages run in order",
        experiment.dir().display()
    )))
}

/// What a process that trained one stage's share says and returns.
fn shard_done(code: ExitCode, number: usize, search: &Search, quiet: bool) -> ExitCode {
    if code == ExitCode::SUCCESS && !quiet {
        eprintln!(
            "stage {number}: this share is trained; once every share is, the next stage starts (or actlab search --resume {} finishes the study)",
            search.dir().display()
        );
    }
    code
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

/// Every file and folder a study writes: its files, and every rung and generation
/// folder (an earlier study of the same name may have had more).
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
        layout.confirm(),
        layout.report(),
    ];
    let rungs = (0..spec::search::MAX_RUNGS).map(|r| layout.rung(r));
    paths.extend(rungs.filter(|p| p.is_dir()));
    let generations =
        (0..spec::search::strategy::MAX_GENERATIONS).map(|g| layout.stage(Stage::Generation(g)));
    paths.extend(generations.filter(|p| p.is_dir()));
    paths
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

/// Trains what a stage's `experiment` has left (of `shard`'s runs only, with one): its
/// config saved on first entry (and checked against the saved one on a resume),
/// finished runs kept.
fn train_stage(
    experiment: &Experiment,
    data: &FashionMnist,
    rt: &Runtime,
    args: &SearchArgs,
    json: bool,
    shard: Option<(usize, usize)>,
) -> Result<ExitCode, Failure> {
    if !join_folder(experiment)? {
        return Err(input(anyhow!(
            "{} plans other runs than the study's records decide for this stage (was a run edited or removed?); start the study again with --force",
            ExperimentLayout::new(experiment.dir()).config().display()
        )));
    }
    let steps = experiment
        .runs()
        .into_iter()
        .enumerate()
        .filter(|(k, _)| shard.is_none_or(|(index, count)| k % count == index))
        .map(|(_, spec)| resume_step(spec, data))
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

/// Writes `board` as leaderboard.json, .md and .csv, and draws its figures.
fn save_board(search: &Search, board: &Leaderboard) -> Result<(), Failure> {
    let layout = StudyLayout::new(search.dir());
    let written = artifact::write(&layout.leaderboard("json"), board)
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
    // The leaderboard's own figures: leaderboard.json holds their data.
    write_drawing(leaderboard_figure(board), &layout.figure())?;
    // The discovered functions' figure is evaluated by the modules the runs train: its
    // data is saved beside it.
    write_figure(
        discovered_figure(board, &Device::flex()),
        &layout.discovered_figure(),
    )?;
    Ok(())
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
    let mut births = Vec::new();
    for current in search.stages() {
        let folder = layout.stage(current);
        if let Stage::Generation(g) = current {
            // Births are decided from the earlier generations, as the study decided them;
            // a generation with none (the space spent) has no folder.
            let born = breed(&search, &list, g, &generations(&search, &held)).unwrap_or_default();
            if born.is_empty() && !folder.exists() {
                held.push((Vec::new(), Vec::new()));
                continue;
            }
            births.extend(born);
        }
        if current == Stage::Confirm || !ExperimentLayout::new(&folder).config().is_file() {
            break;
        }
        let (experiment, records) = experiment_records(&folder)?;
        let baselines = &search.file().baselines;
        let names = experiment
            .acts()
            .iter()
            .map(|a| a.name().to_string())
            .filter(|n| !baselines.contains(n))
            .collect();
        held.push((names, records));
    }
    let mut board = board_of(&search, &list, &held, &births);
    if search.confirm().is_some() && ExperimentLayout::new(layout.confirm()).config().is_file() {
        let (experiment, records) = experiment_records(&layout.confirm())?;
        let against = search.confirm().map_or(0, |c| c.against.len());
        let names: Vec<String> = experiment.acts()[against.min(experiment.acts().len())..]
            .iter()
            .map(|a| a.name().to_string())
            .collect();
        // Learned values come from the last write; --status opens no checkpoint.
        let learned = saved_board(&layout)
            .and_then(|b| b.confirmation)
            .map(|c| c.learned_runs)
            .unwrap_or_default();
        board.confirmation = confirmation(&search, &list, &names, &records, learned);
    }
    show_board(&board, &layout, json)?;
    Ok(ExitCode::SUCCESS)
}

fn show_board(board: &Leaderboard, layout: &StudyLayout, json: bool) -> Result<(), Failure> {
    if json {
        return print_json(board);
    }
    outln!("{}", board.markdown());
    outln!(
        "Study: {}/ (index.html, the report page; leaderboard.md, .csv, .json, figures/leaderboard.png; candidates.json; discovered.toml and .py; one experiment folder per stage)",
        layout.dir().display()
    );
    Ok(())
}
