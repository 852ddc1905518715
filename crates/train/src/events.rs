//! TensorBoard events as a run trains: an [`Observer`] that passes everything on and
//! appends each epoch's events (and the run's hyper-parameters first) to an event file
//! in the run's TensorBoard folder. The events are the ones `actlab tensorboard` writes
//! from the finished record; writing them changes nothing in training.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use spec::{EpochMetrics, RunRecord, RunSpec};
use tensorboard::{
    EventWriter, Progress, RunHead, end_event, epoch_events, events_file_name, start_event,
};

use crate::fit::{Observer, StepPhases};

/// Seconds since 1970, now.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Passes every observation on to `inner` and writes the run's TensorBoard events.
pub struct EventsObserver<'a> {
    inner: &'a mut dyn Observer,
    writer: Option<EventWriter>,
    progress: Progress,
    start: f64,
}

impl<'a> EventsObserver<'a> {
    /// Starts an event file in `dir` for `run`, after the `earlier` epochs of a resumed
    /// run; a file that cannot be written is reported on stderr once, and training goes
    /// on without it.
    pub fn new(
        run: &RunSpec,
        dir: &Path,
        earlier: &[EpochMetrics],
        inner: &'a mut dyn Observer,
    ) -> Self {
        let progress = Progress::of(earlier);
        let start = now();
        let name = events_file_name(
            start as u64,
            &format!("{}.{}", spec::claim::host_name(), std::process::id()),
        );
        let head = RunHead {
            experiment: run.experiment(),
            run: run.name(),
            network: run.network(),
            train: run.train(),
        };
        let writer = EventWriter::create(&dir.join(name), start)
            .and_then(|mut w| w.write(&start_event(&head, start)).map(|()| w))
            .map_err(|e| {
                eprintln!(
                    "actlab: note: no TensorBoard events for {}: {e}",
                    run.name()
                )
            })
            .ok();
        // Time continues from the earlier epochs' timings, as in the exported file.
        Self {
            inner,
            writer,
            progress,
            start: start - progress.seconds,
        }
    }

    /// Writes the run's end: its final metrics and how it ended.
    pub fn finish(mut self, record: &RunRecord) {
        let event = end_event(record, self.start);
        self.write(&[event]);
    }

    fn write(&mut self, events: &[tensorboard::proto::Event]) {
        if let Some(writer) = &mut self.writer
            && let Err(e) = writer.write_all(events)
        {
            eprintln!(
                "actlab: note: TensorBoard events stop here ({}: {e})",
                writer.path().display()
            );
            self.writer = None;
        }
    }
}

impl Observer for EventsObserver<'_> {
    fn epoch_started(&mut self, epoch: usize, epochs: usize, batches: usize) {
        self.inner.epoch_started(epoch, epochs, batches);
    }

    fn batch_done(&mut self, batch: usize, running_loss: f64, running_accuracy: f64) {
        self.inner.batch_done(batch, running_loss, running_accuracy);
    }

    fn epoch_done(&mut self, metrics: &EpochMetrics) {
        self.inner.epoch_done(metrics);
        let events = epoch_events(self.progress, metrics, self.start);
        self.write(&events);
        self.progress = self.progress.after(metrics);
    }

    fn step_timed(&mut self, phases: &StepPhases) {
        self.inner.step_timed(phases);
    }
}
