//! Appending events to an event file.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use prost::Message;

use crate::framing::frame;
use crate::proto::{Event, What};

/// The first event of every file.
pub const FILE_VERSION: &str = "brain.Event:2";

/// TensorBoard reads files whose names contain `tfevents`: `events.out.tfevents.<time>.<tag>`.
pub fn events_file_name(start_secs: u64, tag: &str) -> String {
    format!("events.out.tfevents.{start_secs}.{tag}")
}

/// The file-version event that opens every event file.
fn file_version(wall_time: f64) -> Event {
    Event {
        wall_time,
        step: 0,
        what: Some(What::FileVersion(FILE_VERSION.into())),
    }
}

/// A whole event file's bytes: the file version at `wall_time`, then `events`.
pub fn file_bytes(wall_time: f64, events: &[Event]) -> Vec<u8> {
    std::iter::once(&file_version(wall_time))
        .chain(events)
        .flat_map(|e| frame(&e.encode_to_vec()))
        .collect()
}

/// An event file being written: each event is framed and flushed as it comes, so a
/// TensorBoard watching the folder sees it at once.
#[derive(Debug)]
pub struct EventWriter {
    path: PathBuf,
    file: File,
}

impl EventWriter {
    /// Creates (or truncates) `path`, its folder too, and writes the file-version event.
    pub fn create(path: &Path, wall_time: f64) -> std::io::Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)?;
        let mut writer = Self {
            path: path.to_path_buf(),
            file,
        };
        writer.write(&file_version(wall_time))?;
        Ok(writer)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one event.
    pub fn write(&mut self, event: &Event) -> std::io::Result<()> {
        self.file.write_all(&frame(&event.encode_to_vec()))?;
        self.file.flush()
    }

    /// Appends events.
    pub fn write_all(&mut self, events: &[Event]) -> std::io::Result<()> {
        for event in events {
            self.write(event)?;
        }
        Ok(())
    }
}

/// Reads back every event of an event file, checking each record's CRCs (for tests and
/// for `actlab tensorboard`'s own check of what it wrote).
pub fn read_events(path: &Path) -> std::io::Result<Vec<Event>> {
    let bytes = std::fs::read(path)?;
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let mut events = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let header = bytes
            .get(at..at + 12)
            .ok_or_else(|| bad("truncated record header"))?;
        let length = u64::from_le_bytes(header[..8].try_into().expect("8 bytes"));
        let crc = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
        if crc != crate::framing::masked_crc(&header[..8]) {
            return Err(bad("record length CRC mismatch"));
        }
        let length = usize::try_from(length).map_err(|_| bad("record too long"))?;
        let data = bytes
            .get(at + 12..at + 12 + length)
            .ok_or_else(|| bad("truncated record"))?;
        let footer = bytes
            .get(at + 12 + length..at + 16 + length)
            .ok_or_else(|| bad("truncated record CRC"))?;
        if u32::from_le_bytes(footer.try_into().expect("4 bytes"))
            != crate::framing::masked_crc(data)
        {
            return Err(bad("record data CRC mismatch"));
        }
        events.push(Event::decode(data).map_err(|e| bad(&e.to_string()))?);
        at += 16 + length;
    }
    Ok(events)
}
