//! The one reader of the wall clock. Everything else is handed the time: a
//! request reads it once, from the service's `Clock`, and passes it down, so
//! tests can fix it. Clippy's `disallowed-methods` (clippy.toml) refuses
//! `SystemTime::now` anywhere else.

/// Seconds since the Unix epoch, from a source the caller chose.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> i64;
}

/// The wall clock.
#[derive(Debug)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one place that may read it.
    fn now(&self) -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub struct FixedClock(std::sync::atomic::AtomicI64);

impl FixedClock {
    pub fn at(t: i64) -> FixedClock {
        FixedClock(t.into())
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_clock_moves_only_when_told() {
        let c = FixedClock::at(1_700_000_000);
        assert_eq!((c.now(), c.now()), (1_700_000_000, 1_700_000_000));
        c.advance(61);
        assert_eq!(c.now(), 1_700_000_061);
        assert!(SystemClock.now() > 1_700_000_000, "the wall clock is past 2023");
    }
}
