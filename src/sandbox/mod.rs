//! The simulated AWS account behind `--sandbox`: deterministic (seeded), with a virtual clock that
//! runs time-compressed, persisted in `DIR/.lecture06/sandbox/world.json` so that a resumed run
//! finds the same account. It implements the same traits as the AWS adapter; steps cannot tell
//! them apart.
//!
//! Its settings are read once, where the app is composed (`settings.rs`).

pub mod billing;
mod events;
mod inventory;
pub mod monitoring;
mod services;
pub mod settings;
mod student;
pub mod trail_bucket;

use crate::atomic_file::write_atomically;
use crate::clock::Clock;
use crate::cloud::events::TrailArchive;
use crate::cloud::{Caller, CloudError, EventHistory, EventQuery, EventSearch, Identity};
use crate::trail::engine::{Outcome, Query};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use settings::SandboxSettings;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const WORLD_FORMAT: u32 = 1;

/// Everything the simulated account holds. New parts get `#[serde(default)]` so older worlds load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct World {
    pub format: u32,
    pub seed: u64,
    /// "Now" when the account was made; the event history is laid out before it.
    pub epoch: DateTime<Utc>,
    /// The account's clock.
    pub now: DateTime<Utc>,
    pub account: String,
    pub user: String,
    pub region: String,
    /// The ALB, SNS and CloudWatch of the alarm and transitions steps (made on first use).
    #[serde(default)]
    pub monitoring: Option<monitoring::Monitoring>,
    /// The bill and the Free Tier (see `billing.rs`).
    #[serde(default)]
    pub billing: billing::BillingWorld,
    /// Days since the student's last study evening, beyond the usual one (`[sandbox] away_days`):
    /// past 90, event history has none of their events and only the trail's bucket does.
    #[serde(default)]
    pub away_days: u32,
    /// The target group checks `/index.html`, which Nginx serves without Unicorn
    /// (`[sandbox] health_check = "static"`).
    #[serde(default)]
    pub static_health_check: bool,
    /// `cloudtrail:DescribeTrails` is refused (`[sandbox] describe_trails = "denied"`): an IAM
    /// user whose hand-made policy leaves it out.
    #[serde(default)]
    pub describe_trails_denied: bool,
}

impl World {
    /// The student's EC2 instance: the same ID in the event history, the inventory and behind
    /// the ALB.
    pub fn instance_id(&self) -> String {
        format!(
            "i-0{:016x}",
            events::Rng::new(events::hash(self.seed, "instance")).next()
        )
    }

    /// The ALB's DNS name, which the transitions step probes.
    pub fn alb_dns_name(&self) -> String {
        let number =
            1_000_000_000 + events::Rng::new(events::hash(self.seed, "alb-dns")).below(900_000_000);
        format!("raisetech-alb-{number}.{}.elb.amazonaws.com", self.region)
    }

    /// The ALB's ID, the last part of `app/raisetech-alb/<id>`, wherever the ALB appears.
    pub fn alb_id(&self) -> String {
        format!(
            "{:016x}",
            events::Rng::new(events::hash(self.seed, "alb")).next()
        )
    }

    pub fn new(seed: u64, now: DateTime<Utc>, user: &str, region: &str) -> World {
        let now = now.trunc_subsecs(0);
        World {
            format: WORLD_FORMAT,
            seed,
            epoch: now,
            now,
            account: account_for(seed),
            user: user.into(),
            region: region.into(),
            monitoring: None,
            billing: billing::BillingWorld::default(),
            away_days: 0,
            static_health_check: false,
            describe_trails_denied: false,
        }
    }

    pub fn caller(&self) -> Caller {
        Caller {
            account: self.account.clone(),
            arn: format!("arn:aws:iam::{}:user/{}", self.account, self.user),
            user_id: format!("AIDA{}", events::token(self.seed, "user-id", 17)),
        }
    }
}

/// A twelve-digit account ID that starts like the seed report's (`5563…`).
fn account_for(seed: u64) -> String {
    let mut rng = events::Rng::new(seed ^ 0xacc0);
    format!("5563{:08}", rng.below(100_000_000))
}

/// A handle on the simulated account; cheap to clone, one lock inside.
#[derive(Clone)]
pub struct Sandbox {
    world: Arc<Mutex<World>>,
    path: PathBuf,
    speed: f64,
}

impl Sandbox {
    /// Opens the workspace's simulated account, making it on first use with `settings`.
    pub fn open(state_dir: &Path, settings: &SandboxSettings) -> std::io::Result<Sandbox> {
        let path = state_dir.join("sandbox").join("world.json");
        let world = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                std::io::Error::other(format!(
                    "the simulated account {} is damaged ({e}); move it away to start a new one",
                    path.display()
                ))
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut world = World::new(
                    settings.seed,
                    settings.now,
                    &settings.user,
                    &settings.region,
                );
                world.billing = billing::BillingWorld::from_settings(settings);
                world.away_days = settings.away_days;
                world.static_health_check = settings.static_health_check;
                world.describe_trails_denied = settings.describe_trails_denied;
                world
            }
            Err(err) => return Err(err),
        };
        let sandbox = Sandbox {
            world: Arc::new(Mutex::new(world)),
            path,
            speed: settings.speed,
        };
        sandbox.persist()?;
        Ok(sandbox)
    }

    pub fn region(&self) -> String {
        self.read(|w| w.region.clone())
    }

    /// The sandbox's own folder (`.lecture06/sandbox/`).
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.world.lock().expect("sandbox lock"))
    }

    /// Changes the world and saves it at once.
    pub fn change<R>(&self, f: impl FnOnce(&mut World) -> R) -> Result<R, CloudError> {
        let result = f(&mut self.world.lock().expect("sandbox lock"));
        self.persist().map_err(|e| {
            CloudError::new(
                crate::cloud::CloudErrorKind::Other,
                "sandbox",
                e.to_string(),
            )
        })?;
        Ok(result)
    }

    fn persist(&self) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&*self.world.lock().expect("sandbox lock"))?;
        write_atomically(&self.path, &bytes)
    }
}

impl Clock for Sandbox {
    fn now(&self) -> DateTime<Utc> {
        self.read(|w| w.now)
    }

    fn sleep(&self, duration: Duration) {
        let _ = self.change(|w| w.now += chrono::Duration::from_std(duration).unwrap_or_default());
        // Health checks, datapoints, alarm evaluations and mails of the time that passed.
        let _ = self.monitor(None, |_, _| ());
        if self.speed > 0.0 {
            crate::clock::wall_sleep(duration.div_f64(self.speed));
        }
    }
}

impl Identity for Sandbox {
    fn caller(&self) -> Result<Caller, CloudError> {
        Ok(self.read(World::caller))
    }
}

impl EventHistory for Sandbox {
    fn latest_events(&self, query: &EventQuery) -> Result<EventSearch, CloudError> {
        let world = self.read(World::clone);
        Ok(events::lookup(&world, query))
    }

    fn trail_archives(&self) -> Result<Vec<TrailArchive>, CloudError> {
        if self.read(|w| w.describe_trails_denied) {
            return Err(CloudError {
                kind: crate::cloud::CloudErrorKind::AccessDenied,
                action: "cloudtrail:DescribeTrails".into(),
                code: Some("AccessDeniedException".into()),
                message: "User is not authorized to perform: cloudtrail:DescribeTrails".into(),
                region: None,
            });
        }
        Ok(vec![trail_bucket::trail()])
    }

    fn search_archive(&self, archive: &TrailArchive, query: &Query) -> Result<Outcome, CloudError> {
        let world = self.read(World::clone);
        trail_bucket::search(&world, &self.dir(), archive, query)
    }
}

/// The simulated account as a `Cloud`.
pub fn connect(sandbox: Sandbox) -> crate::cloud::Cloud {
    crate::cloud::Cloud {
        region: sandbox.region(),
        clock: Arc::new(sandbox.clone()),
        identity: Box::new(sandbox.clone()),
        events: Box::new(sandbox.clone()),
        elb: Box::new(sandbox.clone()),
        sns: Box::new(sandbox.clone()),
        alarms: Box::new(sandbox.clone()),
        billing: Box::new(sandbox.clone()),
        student: Box::new(sandbox.clone()),
        http: Box::new(sandbox.clone()),
        remote: Box::new(sandbox.clone()),
        inventory: Box::new(sandbox.clone()),
        prices: Box::new(sandbox),
    }
}
