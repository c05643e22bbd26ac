//! Progress bars: only on a terminal, only for long work, only on stderr.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read};

/// Inputs smaller than this finish before a bar would be readable.
const WORTH_SHOWING: u64 = 64 << 20;

/// Wraps `reader` in a byte-count progress bar when stderr is a terminal,
/// `quiet` is off and the input is large.
pub fn reader<R: Read + Send + 'static>(
    reader: R,
    name: &str,
    size: Option<u64>,
    quiet: bool,
) -> Box<dyn Read + Send> {
    match size {
        Some(n) if !quiet && n >= WORTH_SHOWING && std::io::stderr().is_terminal() => {
            let bar = ProgressBar::new(n).with_style(
                ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(name.to_string());
            Box::new(Finishing(bar.wrap_read(reader)))
        }
        _ => Box::new(reader),
    }
}

/// Clears the bar when reading is done.
struct Finishing<R: Read>(indicatif::ProgressBarIter<R>);

impl<R: Read> Read for Finishing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        if n == 0 {
            self.0.progress.finish_and_clear();
        }
        Ok(n)
    }
}

/// A spinner naming the step `tl-update` is in, on a terminal only.
pub struct Steps(Option<ProgressBar>);

impl Steps {
    pub fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Steps(None);
        }
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Steps(Some(bar))
    }
}

impl crate::update::Progress for Steps {
    fn start(&self, step: crate::update::Step) {
        if let Some(b) = &self.0 {
            b.set_message(step.name());
        }
    }
}

impl Drop for Steps {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
