//! The demo chain (ingest → score → geo → compile → zone) driven through the
//! library stages in one process, as `tl-update` does: no binary is
//! spawned, and every assertion is on a stage's report.

use std::path::{Path, PathBuf};
use threatlist::error::{InputError, Verdict};
use threatlist::{feed, geo, profile, score, zone};

/// The demo's clock: feeds without times of their own get it, scores are
/// weighed at it, versions and zones carry it.
const NOW: &str = "2026-11-27T14:00:00Z";

fn demo(f: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(f)
        .to_string_lossy()
        .into_owned()
}

fn text(p: PathBuf) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn the_demo_chain_runs_through_the_library_stages() {
    let dir = tempfile::tempdir().unwrap();
    let path = |f: &str| dir.path().join(f);
    let now = threatlist::time::parse_arg(NOW).unwrap();

    // Ingest: the demo's feed configuration plus a feed that cannot be read.
    let missing = text(path("missing-feed.txt"));
    let ingest = feed::ingest(
        &feed::PlanBuilder {
            config: Some(demo("demo/feeds.toml")),
            inputs: vec![missing.clone()],
            now: Some(now),
            destination: feed::Destination::PerFeed(text(path("indicators"))),
            ..feed::PlanBuilder::default()
        }
        .build()
        .unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = ingest.feeds.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "botnet-c2",
            "bruteforce",
            "c2-domains",
            "exploits",
            "scanners"
        ]
    );
    for f in &ingest.feeds {
        assert!(f.counts.accepted > 0, "{}: {:?}", f.name, f.counts);
        assert!(!f.is_stale() && !f.empty, "{}", f.name);
    }
    let [failed] = &ingest.failed[..] else {
        panic!("one feed fails: {:?}", ingest.failed)
    };
    assert_eq!(failed.source, missing);
    match &failed.error {
        feed::Error::Input(InputError { file, line, .. }) => {
            assert_eq!((file.as_str(), *line), (missing.as_str(), None))
        }
        e => panic!("a missing file is an input error: {e:?}"),
    }
    // A failed feed fails the run; the feeds that were read are written.
    assert_eq!(ingest.verdict(), Verdict::Failed);
    assert!(ingest.written);

    // Score the five good feeds.
    let scores = text(path("scores.csv"));
    let scored = score::run(&score::ScorePlan {
        evidence: score::EvidencePlan {
            indicators: names
                .iter()
                .map(|n| text(path(&format!("indicators/{n}.csv"))))
                .collect(),
            feeds: Some(demo("demo/feeds.toml")),
            now: Some(now),
            ..score::EvidencePlan::default()
        },
        params: score::Params::default(),
        previous: None,
        min_score: None,
        top: None,
        reasons: false,
        save_state: Some(text(path("state.tls"))),
        output: Some(scores.clone()),
    })
    .unwrap();
    assert_eq!(scored.verdict, Verdict::Done);
    assert_eq!(scored.time, now);
    assert_eq!(scored.inputs.len(), 5);
    assert!(
        scored.rows > 0 && scored.entries >= scored.rows,
        "{scored:?}"
    );
    assert!(path("state.tls").is_file());

    // The demo country database.
    let built = geo::build(&geo::BuildPlan {
        inputs: vec![demo("geo/country.csv")],
        output: path("geo.mmdb"),
        options: geo::writer::BuildOptions::default(),
    })
    .unwrap();
    assert!(built.rows > 0 && built.networks >= built.rows, "{built:?}");

    // Compile the demo profile and one whose canary is on the list.
    let guarded = path("guarded.toml");
    std::fs::write(
        &guarded,
        "name = \"guarded\"\n[evidence]\nmin_score = 1.0\n\
         [guards]\ncanaries = [\"198.51.100.7\"]\ndocumentation_space = true\n",
    )
    .unwrap();
    let out = path("out");
    let compile_plan = |now: i64, keep_unchanged: bool| profile::CompilePlan {
        scores: scores.clone(),
        profiles: vec![demo("demo/profiles/acme.toml"), text(guarded.clone())],
        geo_db: Some(text(path("geo.mmdb"))),
        asn_db: None,
        out: out.clone(),
        force: false,
        now,
        keep_days: 30,
        keep_unchanged,
    };
    let compiled = profile::compile(&compile_plan(now, false)).unwrap();
    assert_eq!(compiled.scores, scored.rows);
    let [acme, held] = &compiled.profiles[..] else {
        panic!("two profiles: {compiled:?}")
    };
    assert_eq!(acme.name, "acme");
    assert!(
        matches!(&acme.outcome, profile::Outcome::Published { serial: 1, summary } if summary.starts_with("acme: serial 1: block-in ")),
        "{acme:?}"
    );
    assert_eq!(held.name, "guarded");
    assert_eq!(held.outcome, profile::Outcome::HeldBack);
    assert!(
        held.holds.iter().any(|h| h.guard == profile::Guard::Canary),
        "{held:?}"
    );
    // Held back is an outcome, not an error: the run says No.
    assert_eq!(compiled.held_back(), 1);
    assert_eq!(compiled.verdict(), Verdict::No);

    // Publish what was compiled as zones.
    let zones = path("zones");
    std::fs::create_dir(&zones).unwrap();
    let plan = zone::ZonePlan {
        origin: "lists.example".into(),
        now: Some(now),
        profiles: Some(text(out.clone())),
        output: Some(text(zones.clone())),
        ..zone::ZonePlan::default()
    };
    let published = zone::publish(&plan).unwrap();
    let acme_zone = text(zones.join("acme.zone"));
    let zone_of = |r: &zone::ZoneReport| {
        r.zones
            .iter()
            .find(|z| z.file.as_deref() == Some(acme_zone.as_str()))
            .cloned()
            .unwrap_or_else(|| panic!("acme.zone published: {r:?}"))
    };
    let first = zone_of(&published);
    assert_eq!(first.origin.as_deref(), Some("acme.lists.example"));
    assert!(first.changed && first.size > 0);
    // The held-back profile was never published, so it has no zone.
    assert!(!published
        .zones
        .iter()
        .any(|z| z.origin.as_deref() == Some("guarded.lists.example")));
    let body = std::fs::read_to_string(&acme_zone).unwrap();
    assert!(body.contains("\tSOA\t"), "{body}");

    // The same chain again publishes nothing new: the same serial.
    let again = zone_of(&zone::publish(&plan).unwrap());
    assert!(!again.changed);
    assert_eq!(again.serial, first.serial);

    // Compiled again an hour later, keeping unchanged versions as
    // tl-update does: acme stays at serial 1, the guard still holds, and
    // the zone does not change.
    let kept = profile::compile(&compile_plan(now + 3600, true)).unwrap();
    let outcomes: Vec<_> = kept.profiles.iter().map(|p| &p.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &profile::Outcome::Unchanged { serial: 1 },
            &profile::Outcome::HeldBack
        ]
    );
    assert_eq!(kept.verdict(), Verdict::No);
    let later = zone::ZonePlan {
        now: Some(now + 3600),
        ..plan.clone()
    };
    let kept_zone = zone_of(&zone::publish(&later).unwrap());
    assert!(!kept_zone.changed);
    assert_eq!(kept_zone.serial, first.serial);
    // Without keeping (tl-compile), the same inputs are serial 2.
    let republished = profile::compile(&compile_plan(now + 3600, false)).unwrap();
    assert_eq!(republished.profiles[0].outcome.serial(), Some(2));
}
