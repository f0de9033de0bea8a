//! Run log in BMTK's format (`2018-12-30 20:23:31,719 [INFO] message`), echoed to stderr and
//! written to the run's `log.txt`.
//!
//! Lines logged before the file is opened are kept and written first when it opens, so a run
//! can validate everything before it creates anything in the output folder.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes timestamped lines to stderr and, once opened, to a log file.
#[derive(Default)]
pub struct Log {
    file: Option<File>,
    quiet: bool,
    /// Lines logged before [`Log::open`].
    pending: Vec<String>,
}

impl Log {
    pub fn new(quiet: bool) -> Self {
        Log {
            file: None,
            quiet,
            pending: Vec::new(),
        }
    }

    /// Starts writing to `path` (truncating it).
    pub fn open(&mut self, path: &Path) -> anyhow::Result<()> {
        let mut file = File::create(path)
            .map_err(|e| anyhow::anyhow!("{}: cannot create log file: {e}", path.display()))?;
        for line in self.pending.drain(..) {
            let _ = writeln!(file, "{line}");
        }
        self.file = Some(file);
        self.info("Created log file");
        Ok(())
    }

    /// True when only warnings and errors reach stderr.
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }

    pub fn info(&mut self, message: &str) {
        self.line("INFO", message);
    }

    pub fn warning(&mut self, message: &str) {
        self.line("WARNING", message);
    }

    fn line(&mut self, level: &str, message: &str) {
        let line = format!("{} [{level}] {message}", timestamp(SystemTime::now()));
        if !self.quiet || level != "INFO" {
            eprintln!("{line}");
        }
        match &mut self.file {
            // A log line that cannot be written must not abort a long simulation.
            Some(file) => {
                let _ = writeln!(file, "{line}");
            }
            None => self.pending.push(line),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS,mmm` in UTC.
fn timestamp(now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02},{:03}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_546_201_411_719);
        assert_eq!(timestamp(t), "2018-12-30 20:23:31,719");
        assert_eq!(
            timestamp(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00:00,000"
        );
    }
}
