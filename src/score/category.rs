//! Evidence categories: how fast each kind of evidence ages (half-life) and
//! how much it weighs (danger factor). The table is part of the model
//! (`docs/scoring.md`); changing it changes [`super::MODEL`].

/// One row of the category table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Category {
    /// The canonical name.
    pub name: &'static str,
    /// Other names feeds use for the same thing.
    pub aliases: &'static [&'static str],
    /// Seconds after which a piece of evidence counts half.
    pub half_life: i64,
    /// Multiplies every contribution of this category.
    pub danger: f64,
    /// Sensors' silence about a source they reported before counts
    /// against a listing of this category (`docs/scoring.md`, "Negative
    /// evidence"): true for the activity that reaches sensors as inbound
    /// connections, and for malware hosts and uncategorised lists, whose
    /// sources sensors see attacking; false for C2 servers, hijacked
    /// networks and anonymizers, whose listing is not about attacks
    /// sensors see.
    pub observed: bool,
}

const HOUR: i64 = 3_600;
const DAY: i64 = 24 * HOUR;

/// The categories the model knows. A name not listed here (and not an
/// alias) is scored as [`OTHER`], under its own name.
pub const TABLE: &[Category] = &[
    Category {
        name: "botnet-c2",
        aliases: &["c2", "cnc", "botnet", "c&c"],
        half_life: 3 * DAY,
        danger: 3.0,
        observed: false,
    },
    Category {
        name: "hijacked",
        aliases: &["drop", "hijack", "bogon-announced"],
        half_life: 60 * DAY,
        danger: 3.0,
        observed: false,
    },
    Category {
        name: "malware",
        aliases: &["malware-distribution", "ransomware", "phishing"],
        half_life: 3 * DAY,
        danger: 2.5,
        observed: true,
    },
    Category {
        name: "exploit",
        aliases: &["attacks", "attack", "exploitation", "webattack"],
        half_life: 36 * HOUR,
        danger: 2.0,
        observed: true,
    },
    Category {
        name: "bruteforce",
        aliases: &["brute-force", "ssh", "bruteforcing"],
        half_life: 15 * HOUR,
        danger: 1.5,
        observed: true,
    },
    Category {
        name: "scanner",
        aliases: &["scan", "scanning", "scanners", "sensor"],
        half_life: 6 * HOUR,
        danger: 1.0,
        observed: true,
    },
    Category {
        name: "spam",
        aliases: &["spammer", "abuse"],
        half_life: 36 * HOUR,
        danger: 0.5,
        observed: true,
    },
    Category {
        name: "anonymizer",
        aliases: &["anonymizers", "tor", "proxy", "vpn"],
        half_life: 14 * DAY,
        danger: 0.3,
        observed: false,
    },
];

/// Any other category, including none at all.
pub const OTHER: Category = Category {
    name: "other",
    aliases: &[],
    half_life: 36 * HOUR,
    danger: 1.0,
    observed: true,
};

/// The category sensor events count as.
pub const SENSOR: &str = "scanner";

/// How fast a sensor's events age (6 hours, as fast as a scanner
/// listing): a sensor sees the activity itself, and the list should follow
/// it. The state's sensor values decay at this rate, and a sensor's word
/// fades at it after [`SENSOR_FRESH`].
pub const SENSOR_HALF_LIFE: i64 = 6 * HOUR;

/// What one sensor's word that it saw a source counts (times the
/// scanner's danger), however often it saw it: three sensors list a source
/// (2.25 ≥ T_in), two keep it listed, one never does.
pub const SENSOR_WORD: f64 = 0.75;

/// A sensor's word counts in full for this long after its last report of
/// the source, then halves per [`SENSOR_HALF_LIFE`]: a source seen within
/// the day is active in the day.
pub const SENSOR_FRESH: i64 = 21 * HOUR;

/// One sensor's term before danger and weight: [`SENSOR_WORD`] while its
/// last report is at most [`SENSOR_FRESH`] old (`age` in seconds), then
/// halved per [`SENSOR_HALF_LIFE`].
#[inline]
pub fn sensor_word(age: i64) -> f64 {
    if age <= SENSOR_FRESH {
        return SENSOR_WORD;
    }
    let late = (age - SENSOR_FRESH) as f64;
    SENSOR_WORD * (-late / SENSOR_HALF_LIFE as f64).exp2()
}

/// The parameters for a category name (canonical name or alias, any case).
pub fn lookup(name: &str) -> Category {
    TABLE
        .iter()
        .find(|c| {
            c.name.eq_ignore_ascii_case(name)
                || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .copied()
        .unwrap_or(OTHER)
}

/// The name a category is reported under: the canonical name for a known
/// category or alias, the (already validated) name itself otherwise, and
/// `other` for none.
pub fn canonical(name: &str) -> String {
    let c = lookup(name);
    if c.name != OTHER.name || name.is_empty() {
        c.name.to_string()
    } else {
        name.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(lookup("C2").name, "botnet-c2");
        assert_eq!(lookup("scanner").half_life, SENSOR_HALF_LIFE);
        assert_eq!(lookup("weird").name, "other");
        assert_eq!(canonical("attacks"), "exploit");
        assert_eq!(canonical("Weird"), "weird");
        assert_eq!(canonical(""), "other");
        assert_eq!(lookup(SENSOR).danger, 1.0);
    }
}
