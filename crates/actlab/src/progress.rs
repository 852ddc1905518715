//! Progress of training: indicatif bars on a terminal (the sweep's, with its ETA, above
//! the current epoch's), one line per epoch otherwise, nothing with --quiet. Progress is
//! never part of a command's result: with --json the lines go to stderr.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use spec::EpochMetrics;
use train::Observer;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Live bars (stderr is a terminal) and a line per epoch.
    Bars,
    /// A line per epoch, with the sweep's ETA (output is a file or pipe).
    Lines,
    /// Nothing.
    Quiet,
}

/// Progress of a whole sweep: how many optimiser steps are left, and how fast they go.
pub struct SweepProgress {
    mode: Mode,
    to_stderr: bool,
    multi: MultiProgress,
    sweep: Option<ProgressBar>,
    total: u64,
    done: u64,
    started: Instant,
}

impl SweepProgress {
    /// A display for a sweep of `total_steps` optimiser steps.
    pub fn new(total_steps: u64, quiet: bool, json: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        };
        let multi = MultiProgress::new();
        let sweep = (mode == Mode::Bars).then(|| {
            let bar = multi.add(ProgressBar::new(total_steps));
            bar.set_style(
                ProgressStyle::with_template(
                    "sweep [{bar:30}] {percent:>3}% of {len} steps ({elapsed}, ETA {eta})",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(500));
            bar
        });
        Self {
            mode,
            to_stderr: json,
            multi,
            sweep,
            total: total_steps,
            done: 0,
            started: Instant::now(),
        }
    }

    /// The observer of one run, labelled `label` in every line.
    pub fn run(&mut self, label: &str) -> Progress<'_> {
        Progress {
            sweep: self,
            run: RunDisplay::new(label),
        }
    }

    /// The sweep's remaining time at its pace so far, once a step is done.
    fn eta(&self) -> Option<Duration> {
        (self.done > 0).then(|| {
            let per_step = self.started.elapsed().as_secs_f64() / self.done as f64;
            Duration::from_secs_f64(per_step * self.total.saturating_sub(self.done) as f64)
        })
    }

    /// A line on stderr that even --quiet shows (a run that stopped early or was
    /// skipped), above the bars when there are some.
    pub fn notice(&self, text: &str) {
        match self.mode {
            Mode::Bars => {
                let _ = self.multi.println(text);
            }
            Mode::Lines | Mode::Quiet => eprintln!("{text}"),
        }
    }

    /// A line above the bars (or on its own without them).
    pub fn line(&self, text: &str) {
        match (self.mode, self.to_stderr) {
            (Mode::Quiet, _) => {}
            (Mode::Bars, _) => {
                let _ = self.multi.println(text);
            }
            (Mode::Lines, true) => eprintln!("{text}"),
            (Mode::Lines, false) => outln!("{text}"),
        }
    }
}

impl Drop for SweepProgress {
    fn drop(&mut self) {
        if let Some(bar) = self.sweep.take() {
            bar.finish_and_clear();
        }
    }
}

/// `1h 02m`, `3m 05s` or `42s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s / 60) % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, min, sec) => format!("{min}m {sec:02}s"),
        (h, min, _) => format!("{h}h {min:02}m"),
    }
}

/// The display of one run of a sweep: its epoch bar and its lines. Runs trained at
/// once (`--jobs`) each have one, fed by their worker's events.
pub struct RunDisplay {
    label: String,
    epochs: usize,
    bar: Option<ProgressBar>,
}

impl RunDisplay {
    /// A run labelled `label` in every line.
    pub fn new(label: &str) -> Self {
        Self {
            label: label.to_string(),
            epochs: 0,
            bar: None,
        }
    }

    /// An epoch (1-based) of `epochs` begins, with `batches` batches.
    pub fn epoch_started(
        &mut self,
        sweep: &SweepProgress,
        epoch: usize,
        epochs: usize,
        batches: usize,
    ) {
        self.epochs = epochs;
        if sweep.mode == Mode::Bars {
            let bar = sweep.multi.add(ProgressBar::new(batches as u64));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed}, ETA {eta})",
                )
                .expect("static template")
                .progress_chars("=> "),
            );
            bar.set_prefix(format!("{} epoch {epoch}/{epochs}", self.label));
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }

    /// Batch `batch` (1-based) finished.
    pub fn batch_done(
        &mut self,
        sweep: &mut SweepProgress,
        batch: usize,
        running_loss: f64,
        running_accuracy: f64,
    ) {
        sweep.done += 1;
        if let Some(bar) = &sweep.sweep {
            bar.set_position(sweep.done);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(batch as u64);
            if batch.is_multiple_of(10) {
                bar.set_message(format!(
                    "loss {running_loss:.4} acc {:.2}%",
                    running_accuracy * 100.0
                ));
            }
        }
    }

    /// An epoch finished: its line.
    pub fn epoch_done(&mut self, sweep: &SweepProgress, m: &EpochMetrics) {
        self.clear(sweep);
        let eta = sweep
            .eta()
            .map(|d| format!(" | sweep ETA {}", human(d)))
            .unwrap_or_default();
        sweep.line(&format!(
            "{} epoch {}/{}: train loss {:.4} acc {:.2}% | test loss {:.4} acc {:.2}% | {:.1}s train, {:.1}s eval{eta}",
            self.label,
            m.epoch,
            self.epochs,
            m.train_loss,
            m.train_accuracy * 100.0,
            m.test_loss,
            m.test_accuracy * 100.0,
            m.train_seconds,
            m.eval_seconds
        ));
    }

    /// Removes the run's bar (when it ends without finishing its epoch too).
    pub fn clear(&mut self, sweep: &SweepProgress) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            sweep.multi.remove(&bar);
        }
    }
}

/// Progress reporter of one run trained in this process.
pub struct Progress<'a> {
    sweep: &'a mut SweepProgress,
    run: RunDisplay,
}

impl Observer for Progress<'_> {
    fn epoch_started(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.run.epoch_started(self.sweep, epoch, epochs, batches);
    }

    fn batch_done(&mut self, batch: usize, running_loss: f64, running_accuracy: f64) {
        self.run
            .batch_done(self.sweep, batch, running_loss, running_accuracy);
    }

    fn epoch_done(&mut self, m: &EpochMetrics) {
        self.run.epoch_done(self.sweep, m);
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        self.run.clear(self.sweep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(human(Duration::from_secs(42)), "42s");
        assert_eq!(human(Duration::from_secs(185)), "3m 05s");
        assert_eq!(human(Duration::from_secs(3720)), "1h 02m");
    }
}
