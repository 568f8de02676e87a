//! Live views of background work: a connection check's steps and a detection's sources, as
//! their progress events arrive.

use std::time::{Duration, Instant};

use crate::account::check::{CheckError, Progress, StepRecord};
use crate::detect::{Detection, Progress as DetectProgress, Source, SourceReport};
use crate::explain::Explanation;
use crate::net::{CertProblem, CertificateInfo};
use crate::runtime::Ticket;
use crate::ui::widgets::StepView;

/// A connection check as it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckView {
    /// The check's ticket.
    pub ticket: Ticket,
    /// Its steps so far.
    pub steps: Vec<StepView>,
    /// How it ended, once it has.
    pub outcome: Option<Result<(), Explanation>>,
    /// What the server's certificate says, once the check has seen it.
    pub certificate: Option<CertificateInfo>,
    /// The conversation with the server, secrets hidden, once the check has ended.
    pub transcript: Vec<String>,
}

impl CheckView {
    /// A check just started.
    pub fn new(ticket: Ticket) -> Self {
        Self {
            ticket,
            steps: vec![],
            outcome: None,
            certificate: None,
            transcript: vec![],
        }
    }

    /// "Copy transcript": the conversation with the server on the clipboard, passwords and
    /// tokens hidden, for the person's provider's support; says once it was copied.
    pub fn copy_transcript(&self, ui: &mut egui::Ui) {
        if self.transcript.is_empty() {
            return;
        }
        let copied = egui::Id::unique(("transcript-copied", self.ticket));
        ui.horizontal_wrapped(|ui| {
            let r = ui
                .button(tr!("copy-transcript"))
                .on_hover_text(tr!("copy-transcript-hint"));
            if r.clicked() {
                ui.ctx().copy_text(self.transcript.join("\n"));
                ui.data_mut(|d| d.insert_temp(copied, true));
            }
            if ui.data(|d| d.get_temp::<bool>(copied).unwrap_or(false)) {
                ui.label(egui::RichText::new(tr!("transcript-copied")).weak());
            }
        });
    }

    /// The certificate the check refused, and why.
    pub fn refused_certificate(&self) -> Option<(&CertificateInfo, &CertProblem)> {
        let problem = self.steps.iter().find_map(|s| match s {
            StepView::Done(StepRecord {
                outcome: Err(CheckError::Certificate(p)),
                ..
            }) => Some(p),
            _ => None,
        })?;
        Some((self.certificate.as_ref()?, problem))
    }

    /// Whether it still runs.
    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }

    /// Folds in a step that started or finished.
    pub fn apply(&mut self, progress: Progress) {
        match progress {
            Progress::Started(step) => self.steps.push(StepView::Running(step)),
            Progress::Finished(rec) => {
                let running = StepView::Running(rec.step);
                match self.steps.iter().rposition(|s| *s == running) {
                    Some(i) => self.steps[i] = StepView::Done(rec),
                    None => self.steps.push(StepView::Done(rec)),
                }
            }
        }
    }

    /// The step that failed, if one did.
    pub fn failed_step(&self) -> Option<crate::account::check::Step> {
        self.steps.iter().find_map(|s| match s {
            StepView::Done(r) if r.outcome.is_err() => Some(r.step),
            _ => None,
        })
    }
}

/// A detection as it runs.
#[derive(Debug, Clone)]
pub struct DetectView {
    /// The detection's ticket.
    pub ticket: Ticket,
    /// When it started, for the deadline shown.
    pub started: Instant,
    /// Its overall limit.
    pub deadline: Duration,
    /// Sources started, and their reports once finished.
    pub sources: Vec<(Source, Option<SourceReport>)>,
    /// What it found.
    pub found: Option<Detection>,
    /// Why it found nothing.
    pub failure: Option<Explanation>,
    /// A better-ranked source's answer that arrived after the answer was given.
    pub better: Option<Detection>,
}

impl DetectView {
    /// A detection just started with `deadline`.
    pub fn new(ticket: Ticket, deadline: Duration) -> Self {
        Self {
            ticket,
            started: Instant::now(),
            deadline,
            sources: vec![],
            found: None,
            failure: None,
            better: None,
        }
    }

    /// "A better match arrived: … Use it": true when the person asks to use it. Said by a
    /// screen reader as it appears (a polite live region).
    pub fn offer_better(&self, ui: &mut egui::Ui) -> bool {
        let Some(better) = &self.better else {
            return false;
        };
        let c = &better.chosen;
        let mut use_it = false;
        ui.horizontal_wrapped(|ui| {
            let text = tr!("better-match", origin = c.origin(), settings = c.describe());
            let r = ui.label(egui::RichText::new(text).strong());
            ui.ctx().accesskit_node_builder(r.id, |n| {
                n.set_live(egui::accesskit::Live::Polite);
            });
            use_it = ui.button(tr!("better-match-use")).clicked();
        });
        use_it
    }

    /// Folds in a source that started or finished.
    pub fn apply(&mut self, progress: DetectProgress) {
        match progress {
            DetectProgress::Started(source) => self.sources.push((source, None)),
            DetectProgress::Finished(report) => {
                match self
                    .sources
                    .iter_mut()
                    .find(|(s, r)| *s == report.source && r.is_none())
                {
                    Some(slot) => slot.1 = Some(report),
                    None => self.sources.push((report.source, Some(report))),
                }
            }
        }
    }
}
