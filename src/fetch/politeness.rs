//! Per-host politeness: at most N requests in flight per host, request starts spaced
//! by the host's delay (the job's delay or robots.txt `Crawl-delay`, whichever is
//! longer), pauses asked for by `429 Retry-After`, and a global concurrency limit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// Added to every host delay: the server sees a request a little after we start it and
/// connection set-up varies, so spacing measured at the server could fall a hair short.
pub const SPACING_MARGIN: Duration = Duration::from_micros(700);

/// The timer wakes up to a tick (1 ms) late; sleeping this much less and yielding for
/// the rest keeps starts on time, which is worth a few percent of throughput.
const TIMER_SLACK: Duration = Duration::from_millis(1);

/// The state of one host.
#[derive(Debug)]
struct Host {
    /// Requests in flight on this host.
    slots: Arc<Semaphore>,
    /// Start time of the next request allowed, and the delay between requests.
    clock: Mutex<(Instant, Duration)>,
}

/// The scheduler shared by every request of a fetcher.
#[derive(Debug)]
pub struct Politeness {
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    global: Arc<Semaphore>,
    delay: Duration,
    per_host: usize,
}

/// Held while a request runs; dropping it frees the host's and the global slot.
#[derive(Debug)]
pub struct Permit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
    host: Arc<Host>,
    serial: bool,
}

impl Drop for Permit {
    /// With one request in flight per host, the next one waits a full delay after this
    /// one *ended*: we cannot see when the server received it, only that it had by the
    /// time it answered, so this is the only spacing that holds whatever the latency.
    fn drop(&mut self) {
        if self.serial {
            let mut clock = lock(&self.host.clock);
            clock.0 = clock.0.max(Instant::now() + clock.1 + SPACING_MARGIN);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Politeness {
    /// A scheduler with a default per-host `delay`, `per_host` requests in flight per
    /// host and `global` in flight overall (zeros count as one).
    pub fn new(delay: Duration, per_host: usize, global: usize) -> Politeness {
        Politeness {
            hosts: Mutex::new(HashMap::new()),
            global: Arc::new(Semaphore::new(global.max(1))),
            delay,
            per_host: per_host.max(1),
        }
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    slots: Arc::new(Semaphore::new(self.per_host)),
                    clock: Mutex::new((Instant::now(), self.delay)),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, and returns the permit to hold while it runs.
    pub async fn acquire(&self, host: &str) -> Permit {
        let h = self.host(host);
        let host_permit = h
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        let global = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("semaphore never closed");
        // Each start is stamped under the lock when it really happens; a task that
        // finds the slot taken sleeps until the next one and checks again.
        loop {
            let slot = {
                let mut clock = lock(&h.clock);
                let now = Instant::now();
                if now >= clock.0 {
                    clock.0 = now + clock.1 + SPACING_MARGIN;
                    break;
                }
                clock.0
            };
            if let Some(early) = slot.checked_sub(TIMER_SLACK) {
                tokio::time::sleep_until(early).await;
            }
            while Instant::now() < slot {
                tokio::task::yield_now().await;
            }
        }
        Permit {
            _host: host_permit,
            _global: global,
            host: h,
            serial: self.per_host == 1,
        }
    }

    /// Sets the delay of `host` to `delay` when that is longer than its current one
    /// (robots.txt `Crawl-delay`).
    pub async fn raise_delay(&self, host: &str, delay: Duration) {
        let h = self.host(host);
        let mut clock = lock(&h.clock);
        if delay > clock.1 {
            let extra = delay - clock.1;
            clock.1 = delay;
            clock.0 += extra;
        }
    }

    /// Holds every request to `host` back for `pause` from now (429 `Retry-After`).
    pub async fn pause(&self, host: &str, pause: Duration) {
        let h = self.host(host);
        let mut clock = lock(&h.clock);
        clock.0 = clock.0.max(Instant::now() + pause);
    }

    /// The delay currently used for `host`.
    pub async fn delay_of(&self, host: &str) -> Duration {
        lock(&self.host(host).clock).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn starts_on_one_host_are_spaced_and_hosts_run_side_by_side() {
        let p = Arc::new(Politeness::new(Duration::from_millis(40), 2, 8));
        let t0 = Instant::now();
        let mut handles = Vec::new();
        for i in 0..6 {
            let p = p.clone();
            let host = if i % 2 == 0 { "a:1" } else { "b:1" };
            handles.push(tokio::spawn(async move {
                let _permit = p.acquire(host).await;
                (host, Instant::now())
            }));
        }
        let mut a = Vec::new();
        let mut b = Vec::new();
        for h in handles {
            let (host, t) = h.await.unwrap();
            if host == "a:1" { a.push(t) } else { b.push(t) }
        }
        for v in [&mut a, &mut b] {
            v.sort();
            for w in v.windows(2) {
                assert!(w[1] - w[0] >= Duration::from_millis(40));
            }
        }
        // Two hosts in parallel: three starts each take about 2 delays, not 5.
        assert!(
            t0.elapsed() < Duration::from_millis(160),
            "{:?}",
            t0.elapsed()
        );
    }

    #[tokio::test]
    async fn crawl_delay_and_pause_push_the_next_start() {
        let p = Politeness::new(Duration::from_millis(10), 1, 4);
        drop(p.acquire("h").await);
        p.raise_delay("h", Duration::from_millis(60)).await;
        let t = Instant::now();
        drop(p.acquire("h").await);
        assert!(t.elapsed() >= Duration::from_millis(55));
        p.pause("h", Duration::from_millis(80)).await;
        let t = Instant::now();
        drop(p.acquire("h").await);
        assert!(t.elapsed() >= Duration::from_millis(75));
        assert_eq!(p.delay_of("h").await, Duration::from_millis(60));
    }
}
