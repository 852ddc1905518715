//! Progress of training: an indicatif bar on a terminal, one line per epoch otherwise,
//! nothing with --quiet.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use train::{EpochMetrics, Observer};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A live bar (stdout is a terminal) and a line per epoch.
    Bar,
    /// A line per epoch (stdout is a file or pipe).
    Lines,
    /// Nothing.
    Quiet,
}

/// Progress reporter of one run.
pub struct Progress {
    mode: Mode,
    label: String,
    epochs: usize,
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Picks the style for a run labelled `label`.
    pub fn new(label: &str, quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stdout().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        Self {
            mode,
            label: label.to_string(),
            epochs: 0,
            bar: None,
        }
    }
}

impl Observer for Progress {
    fn epoch_started(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.epochs = epochs;
        if self.mode == Mode::Bar {
            let bar = ProgressBar::new(batches as u64);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                    .expect("static template")
                    .progress_chars("=> "),
            );
            bar.set_prefix(format!("{} epoch {epoch}/{epochs}", self.label));
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }

    fn batch_done(&mut self, batch: usize, running_loss: f64, running_accuracy: f64) {
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

    fn epoch_done(&mut self, m: &EpochMetrics) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.mode != Mode::Quiet {
            println!(
                "{} epoch {}/{}: train loss {:.4} acc {:.2}% | test loss {:.4} acc {:.2}% | {:.1}s train, {:.1}s eval",
                self.label,
                m.epoch,
                self.epochs,
                m.train_loss,
                m.train_accuracy * 100.0,
                m.test_loss,
                m.test_accuracy * 100.0,
                m.train_seconds,
                m.eval_seconds
            );
        }
    }
}
