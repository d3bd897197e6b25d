//! The progress bar of `nrscreen eval` on stderr: records read, the rate,
//! and how many were rejected, for batches that take longer than a second.
//! Only on a terminal (never in a pipe, a file or CI), and never with
//! `--quiet`. It counts; it never shows record contents.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::compile::Compiled;
use crate::eval::batch::{CaseContext, Sink};
use crate::eval::finding::CaseResult;
use crate::records::rejection::Rejection;

/// How long a batch runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);
/// How many records pass between looks at the clock.
const EVERY: u64 = 1024;

/// A sink that counts records for the bar and passes everything on.
pub(crate) struct Progress<'s, S: Sink + ?Sized> {
    inner: &'s mut S,
    bar: Option<ProgressBar>,
    enabled: bool,
    started: Instant,
    records: u64,
    rejected: u64,
}

impl<'s, S: Sink + ?Sized> Progress<'s, S> {
    /// Counts for `inner`; shows a bar only when `enabled` (the caller
    /// decides: stderr a terminal, not `--quiet`, not CI).
    pub(crate) fn new(inner: &'s mut S, enabled: bool) -> Self {
        Progress {
            inner,
            bar: None,
            enabled,
            started: Instant::now(),
            records: 0,
            rejected: 0,
        }
    }

    fn count(&mut self) {
        self.records += 1;
        if !self.enabled || !self.records.is_multiple_of(EVERY) {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= DELAY {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {elapsed_precise} {human_pos} records {msg}",
            ) {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.records);
            let seconds = self.started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "({:.0}/s), {} rejected",
                self.records as f64 / seconds,
                self.rejected
            ));
        }
    }

    /// Takes the bar away (the lines after it are the run's own).
    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl<S: Sink + ?Sized> Sink for Progress<'_, S> {
    fn case(
        &mut self,
        compiled: &Compiled,
        context: &CaseContext<'_>,
        result: &CaseResult,
    ) -> std::io::Result<()> {
        self.count();
        self.inner.case(compiled, context, result)
    }

    fn explains(&self, rule: usize) -> bool {
        self.inner.explains(rule)
    }

    fn case_rendered(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.count();
        self.inner.case_rendered(bytes)
    }

    fn rejected(&mut self, rejection: &Rejection) -> std::io::Result<()> {
        self.rejected += 1;
        self.count();
        match &self.bar {
            // A line printed under the bar would be drawn over.
            Some(bar) => bar.suspend(|| self.inner.rejected(rejection)),
            None => self.inner.rejected(rejection),
        }
    }
}

/// Whether stderr may show a bar: a terminal, not `--quiet`, not CI, not a
/// dumb terminal.
pub(crate) fn wanted(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}
