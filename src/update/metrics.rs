//! The run as a Prometheus textfile (node_exporter's textfile collector):
//! feed ages and failures, entries per profile, guard hold-backs, zone
//! serials, step timings.

use super::report::{FeedState, Outcome, UpdateReport};
use std::fmt::Write as _;

/// One metric family: its help, type and samples.
struct Family<'a> {
    out: &'a mut String,
}

impl Family<'_> {
    fn head(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP threatlist_{name} {help}");
        let _ = writeln!(self.out, "# TYPE threatlist_{name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        let _ = write!(self.out, "threatlist_{name}");
        if !labels.is_empty() {
            let l: Vec<String> = (labels.iter())
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = write!(self.out, "{{{}}}", l.join(","));
        }
        let _ = writeln!(self.out, " {}", number(value));
    }
}

/// A label value as the text format wants it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The textfile for a run that ended with `exit_code`; `report` is `None`
/// when the run failed before it had one.
pub fn textfile(report: Option<&UpdateReport>, time: i64, exit_code: u8) -> String {
    let mut out = String::new();
    let mut m = Family { out: &mut out };
    m.head(
        "update_last_run_timestamp_seconds",
        "gauge",
        "When the last tl-update run ran (its --now).",
    );
    m.sample("update_last_run_timestamp_seconds", &[], time as f64);
    m.head(
        "update_exit_code",
        "gauge",
        "Exit status of the last run: 0 published or unchanged, 1 held back by a guard, 2 error.",
    );
    m.sample("update_exit_code", &[], exit_code.into());
    let Some(r) = report else {
        return out;
    };
    m.head(
        "update_step_duration_seconds",
        "gauge",
        "Seconds each step of the last run took.",
    );
    for t in &r.timings {
        m.sample(
            "update_step_duration_seconds",
            &[("step", t.step)],
            t.seconds,
        );
    }
    m.head(
        "feed_up",
        "gauge",
        "1 when the feed was read in the last run.",
    );
    for f in &r.feeds {
        m.sample(
            "feed_up",
            &[("feed", &f.name)],
            f64::from(u8::from(f.status != FeedState::Failed)),
        );
    }
    m.head(
        "feed_stale",
        "gauge",
        "1 when the feed's rows came from a last good copy.",
    );
    for f in &r.feeds {
        m.sample(
            "feed_stale",
            &[("feed", &f.name)],
            f64::from(u8::from(f.status == FeedState::Stale)),
        );
    }
    m.head(
        "feed_age_seconds",
        "gauge",
        "Age of the feed's newest data (of its last good reading when it failed).",
    );
    for f in &r.feeds {
        if let Some(age) = f.age_seconds {
            m.sample("feed_age_seconds", &[("feed", &f.name)], age as f64);
        }
    }
    m.head(
        "feed_consecutive_failures",
        "gauge",
        "Runs in a row in which the feed could not be read.",
    );
    for f in &r.feeds {
        m.sample(
            "feed_consecutive_failures",
            &[("feed", &f.name)],
            f.consecutive_failures.into(),
        );
    }
    m.head(
        "feed_entries",
        "gauge",
        "Rows the feed gave in the last run.",
    );
    for f in &r.feeds {
        m.sample("feed_entries", &[("feed", &f.name)], f.entries as f64);
    }
    m.head(
        "score_entries",
        "gauge",
        "Entries with evidence in the scoring state.",
    );
    m.sample("score_entries", &[], r.score.entries as f64);
    m.head("profile_serial", "gauge", "Serial of the version in force.");
    for p in &r.profiles {
        if let Some(s) = p.serial {
            m.sample("profile_serial", &[("profile", &p.name)], s as f64);
        }
    }
    m.head(
        "profile_entries",
        "gauge",
        "Prefixes on each list of the version in force.",
    );
    for p in &r.profiles {
        for l in &p.lists {
            m.sample(
                "profile_entries",
                &[("profile", &p.name), ("list", l.list)],
                l.prefixes as f64,
            );
        }
    }
    m.head(
        "profile_addresses",
        "gauge",
        "Addresses on each list of the version in force, per family.",
    );
    for p in &r.profiles {
        for l in &p.lists {
            let labels = |family| {
                [
                    ("profile", p.name.as_str()),
                    ("list", l.list),
                    ("family", family),
                ]
            };
            m.sample(
                "profile_addresses",
                &labels("ipv4"),
                l.ipv4_addresses as f64,
            );
            m.sample("profile_addresses", &labels("ipv6"), l.ipv6);
        }
    }
    m.head(
        "profile_held_back",
        "gauge",
        "1 when a guard held the profile's new version back.",
    );
    for p in &r.profiles {
        m.sample(
            "profile_held_back",
            &[("profile", &p.name)],
            f64::from(u8::from(p.outcome == Outcome::HeldBack)),
        );
    }
    m.head(
        "guard_holds",
        "gauge",
        "Findings of each guard that held a profile back in the last run.",
    );
    for p in &r.profiles {
        let mut guards: Vec<&str> = p.holds.iter().map(|h| h.guard).collect();
        guards.sort_unstable();
        guards.dedup();
        for g in guards {
            let n = p.holds.iter().filter(|h| h.guard == g).count();
            m.sample(
                "guard_holds",
                &[("profile", &p.name), ("guard", g)],
                n as f64,
            );
        }
    }
    m.head("zone_serial", "gauge", "SOA serial of each zone.");
    for z in r.zones.iter().filter(|z| z.origin.is_some()) {
        m.sample(
            "zone_serial",
            &[("zone", z.origin.as_deref().unwrap_or(""))],
            z.serial.into(),
        );
    }
    m.head(
        "zone_reloaded",
        "gauge",
        "1 when the zone changed and the reload command ran in the last run.",
    );
    for z in r.zones.iter().filter(|z| z.origin.is_some()) {
        m.sample(
            "zone_reloaded",
            &[("zone", z.origin.as_deref().unwrap_or(""))],
            f64::from(u8::from(z.reloaded)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_numbers_plain() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.25), "0.25");
        let t = textfile(None, 1_790_000_000, 2);
        assert_eq!(
            t,
            "# HELP threatlist_update_last_run_timestamp_seconds When the last tl-update run ran (its --now).\n\
             # TYPE threatlist_update_last_run_timestamp_seconds gauge\n\
             threatlist_update_last_run_timestamp_seconds 1790000000\n\
             # HELP threatlist_update_exit_code Exit status of the last run: 0 published or unchanged, 1 held back by a guard, 2 error.\n\
             # TYPE threatlist_update_exit_code gauge\n\
             threatlist_update_exit_code 2\n"
        );
    }
}
