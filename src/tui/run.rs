//! A background run's progress, the same for the Sigma run and the analyzers: which job,
//! how far, out of how many events. Reports of an older job change nothing.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub job: u64,
    pub done: usize,
    pub total: usize,
}

impl Run {
    pub fn start(job: u64, total: usize) -> Run {
        Run {
            job,
            done: 0,
            total,
        }
    }

    /// Job `job` has done `done` events (ignored when it is not this run's job).
    pub fn advance(&mut self, job: u64, done: usize) {
        if self.job == job {
            self.done = done;
        }
    }

    /// Percent done, below 100 until the result is in.
    pub fn percent(&self) -> usize {
        (self.done * 100)
            .checked_div(self.total)
            .unwrap_or(0)
            .min(99)
    }
}

#[cfg(test)]
mod tests {
    use super::Run;

    #[test]
    fn progress_of_the_current_job_only() {
        let mut r = Run::start(3, 200);
        r.advance(2, 150);
        assert_eq!(r.percent(), 0, "an older job's report is dropped");
        r.advance(3, 100);
        assert_eq!(r.percent(), 50);
        r.advance(3, 200);
        assert_eq!(r.percent(), 99, "100 only once the result is in");
        assert_eq!(Run::start(1, 0).percent(), 0);
    }
}
