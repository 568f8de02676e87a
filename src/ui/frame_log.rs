//! A line per frame for benchmarks, when asked for (`OUTPOST_FRAME_LOG=FILE`): how long the
//! previous frame took by eframe's own measure (the window's code, tessellation and painting,
//! without waiting for the display), and what the outbox table showed in this one.

use std::io::Write;

use super::outbox::Shown;

/// Where the lines go.
pub struct FrameLog {
    out: Box<dyn Write + Send>,
}

impl FrameLog {
    /// Lines written to `out`, one per frame, each as soon as its frame ends; the first line
    /// names the columns.
    pub fn new(mut out: Box<dyn Write + Send>) -> Self {
        // A benchmark reads what it can; a full disk only ends the log.
        writeln!(
            out,
            "previous_frame_ms\ttable_offset\tfirst_row\tplaceholder_rows"
        )
        .ok();
        Self { out }
    }

    /// One frame: the time eframe measured for the previous one (none for the first), and
    /// what the outbox table showed, if it was on screen.
    pub fn record(&mut self, previous: Option<f32>, shown: Option<Shown>) {
        let ms = previous.map_or("-".into(), |s| format!("{:.3}", s * 1000.0));
        let table = shown.map_or("-\t-\t-".into(), |s| {
            let first = s.first_row.map_or("-".into(), |r| r.to_string());
            format!("{:.1}\t{first}\t{}", s.offset, s.placeholders)
        });
        writeln!(self.out, "{ms}\t{table}")
            .and_then(|()| self.out.flush())
            .ok();
    }
}
