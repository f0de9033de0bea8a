//! A live progress bar on stderr while a simulation runs, drawn only when stderr is a terminal
//! (logs and CI output stay clean).
//!
//! The time-step loop calls [`Progress::tick`] every step; that costs one integer comparison
//! except every `stride` steps, when the clock is read, and the bar is redrawn at most ten
//! times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// Clock reads per run, at most (beyond that the bar could not move visibly anyway).
const CHECKS_PER_RUN: usize = 2000;
const BAR_WIDTH: usize = 30;

pub struct Progress {
    n_steps: usize,
    tstop: f64,
    stride: usize,
    next_check: usize,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl Progress {
    /// A bar for a run of `n_steps` steps up to `tstop` ms; inert unless stderr is a terminal
    /// and `quiet` is false.
    pub fn new(n_steps: usize, tstop: f64, quiet: bool) -> Self {
        let enabled = !quiet && n_steps > 0 && std::io::stderr().is_terminal();
        Progress {
            n_steps,
            tstop,
            stride: (n_steps / CHECKS_PER_RUN).max(1),
            next_check: if enabled { 0 } else { usize::MAX },
            started: Instant::now(),
            last_draw: None,
            drawn: false,
        }
    }

    /// Called once per step with the step index and simulated time.
    #[inline]
    pub fn tick(&mut self, step: usize, t: f64) {
        if step >= self.next_check {
            self.next_check = step + self.stride;
            self.maybe_draw(step, t);
        }
    }

    #[cold]
    fn maybe_draw(&mut self, step: usize, t: f64) {
        let now = Instant::now();
        if self.last_draw.is_some_and(|last| now - last < REDRAW_EVERY) {
            return;
        }
        self.last_draw = Some(now);
        let line = render(step, self.n_steps, t, self.tstop, now - self.started);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Erases the bar (before a log line is printed, and at the end); the next tick redraws it.
    pub fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            self.drawn = false;
            self.last_draw = None;
        }
    }
}

/// `[=========>          ]  42.0%  t 420.0/1000 ms  3 s, ETA 4 s`
fn render(step: usize, n_steps: usize, t: f64, tstop: f64, elapsed: Duration) -> String {
    let fraction = (step as f64 / n_steps.max(1) as f64).clamp(0.0, 1.0);
    let filled = (fraction * BAR_WIDTH as f64) as usize;
    let mut bar = "=".repeat(filled);
    if filled < BAR_WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat(BAR_WIDTH - filled - 1));
    }
    let secs = elapsed.as_secs_f64();
    let eta = if fraction > 0.0 {
        format!(", ETA {:.0} s", secs * (1.0 - fraction) / fraction)
    } else {
        String::new()
    };
    format!(
        "[{bar}] {:5.1}%  t {t:.1}/{tstop} ms  {secs:.0} s{eta}",
        fraction * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_with_the_step_fraction() {
        let half = render(500, 1000, 500.0, 1000.0, Duration::from_secs(10));
        assert!(
            half.starts_with(&format!("[{}>{}]", "=".repeat(15), " ".repeat(14))),
            "{half}"
        );
        assert!(
            half.contains(" 50.0%")
                && half.contains("t 500.0/1000 ms")
                && half.ends_with("ETA 10 s"),
            "{half}"
        );
        let done = render(1000, 1000, 1000.0, 1000.0, Duration::from_secs(20));
        assert!(
            done.starts_with(&format!("[{}]", "=".repeat(BAR_WIDTH))),
            "{done}"
        );
        let start = render(0, 1000, 0.0, 1000.0, Duration::ZERO);
        assert!(!start.contains("ETA"), "{start}");
    }

    #[test]
    fn disabled_bar_never_reads_the_clock() {
        // Not a terminal under `cargo test`, or quiet: ticks only compare against usize::MAX.
        let mut p = Progress::new(100, 1.0, true);
        for step in 0..100 {
            p.tick(step, step as f64 * 0.01);
        }
        assert!(!p.drawn && p.last_draw.is_none());
    }
}
