//! The command line, as the issues define it (other tools drive lecture06 through it: keep it
//! exactly). Doc comments are the help text.

use crate::i18n::Lang;
use crate::step_id::StepId;
pub use crate::ui::ColorChoice;
use clap::{Args, CommandFactory, Parser, Subcommand};
use std::path::PathBuf;

/// A guided, resumable session for lecture 6 of the RaiseTech AWS course: CloudTrail, an ALB
/// alarm with SNS mail, the Unicorn stop/start test, the cost estimate and the bill.
#[derive(Debug, Parser)]
#[command(name = "lecture06", version)]
pub struct Cli {
    /// The workspace; state and evidence live in DIR/.lecture06/
    #[arg(long, global = true, default_value = ".")]
    pub dir: PathBuf,
    /// Run against the simulated AWS account built into lecture06 (no AWS account needed)
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Language of messages, guides and the report (default: from LANG)
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// AWS profile (default: AWS_PROFILE, else the default profile)
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS Region (default: the profile's Region, else ap-northeast-1)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Say more about what happens (AWS calls, files written)
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Bold and colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The session's own flags, for every "run this next" hint.
    pub fn session(&self) -> crate::session::Session {
        crate::session::Session {
            dir: self.dir.clone(),
            sandbox: self.sandbox,
            profile: self.profile.clone(),
            region: self.region.clone(),
            lang: self.lang,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk through the assignment, resuming at the first step not done
    Run(RunArgs),
    /// Show the checklist
    Status(StatusArgs),
    /// Write the submission Markdown
    Report(ReportArgs),
    /// Print a step's guide (all steps without STEP)
    Guide {
        #[arg(value_enum)]
        step: Option<StepId>,
    },
    /// Forget a step's answers and evidence (asks first)
    Reset(ResetArgs),
    /// Delete the AWS resources lecture06 created (lists them and asks first)
    Cleanup {
        /// Do not ask
        #[arg(long)]
        yes: bool,
    },
    /// Print the IAM policy lecture06 needs (all steps, or one with --step)
    IamPolicy {
        /// Only what this step needs (and what every command needs)
        #[arg(long, value_enum)]
        step: Option<StepId>,
    },
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish); see the README
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// A trail's log archive beyond event history's 90 days (a folder, S3, or Athena)
    Trail {
        #[command(subcommand)]
        command: TrailCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TrailCommand {
    /// Find the latest events matching the filters in trail-delivered log files
    Search(TrailSearchArgs),
}

#[derive(Debug, Args)]
pub struct TrailSearchArgs {
    /// A folder of log files (AWSLogs/…/*.json.gz, .json, LookupEvents JSON arrays)
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "s3",
        conflicts_with = "s3"
    )]
    pub path: Option<PathBuf>,
    /// The trail's bucket and prefix, e.g. s3://my-trail-bucket/ or s3://bucket/AWSLogs/123456789012/
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub s3: Option<String>,
    /// Only this user: the IAM user name, or an assumed role's session name (exact, case-sensitive)
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Only this API action (eventName, exact), e.g. StopInstances
    #[arg(long, value_name = "NAME")]
    pub event: Option<String>,
    /// From this time on: YYYY-MM-DD (UTC day) or RFC 3339 (2023-07-10T09:00:00+09:00)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Before this time: YYYY-MM-DD (the whole UTC day included) or RFC 3339
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// How many of the newest matching events to show
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub latest: usize,
    /// One JSON record per line (the summary goes to stderr)
    #[arg(long)]
    pub json: bool,
    /// Run the search in Amazon Athena over the --s3 bucket (for archives too big to download)
    #[arg(long, requires = "s3")]
    pub athena: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run (or re-run) only this step
    #[arg(long, value_enum)]
    pub step: Option<StepId>,
    /// Stop after this step
    #[arg(long, value_enum)]
    pub until: Option<StepId>,
    /// Never prompt: take defaults and the answers file's entries
    #[arg(long)]
    pub yes: bool,
    /// Answers file (TOML, one table per step; see the README)
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Print the AWS calls a step would make; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Ask Cost Explorer again instead of using its saved answer (billing step; USD 0.01 a request)
    #[arg(long)]
    pub refresh: bool,
    /// Stop and start Unicorn over SSH on HOST (an alias from ~/.ssh/config) in the transitions step
    #[arg(long, value_name = "HOST")]
    pub ssh: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Machine-readable: {"steps":[…],"resources":[…]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the Markdown (default: DIR/lecture06.md); assets go to a folder beside it
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Also write an HTML preview beside it (charts inline)
    #[arg(long)]
    pub html: bool,
    /// Check the written file instead of writing it: links, images, leftover placeholders,
    /// unmasked account IDs, keys, addresses (exit 1 when something is wrong)
    #[arg(long)]
    pub check: bool,
    /// Your own main template instead of the built-in report.md (the step sections stay
    /// available as {% include "cloudtrail.md" %} …)
    #[arg(long, value_name = "FILE")]
    pub template: Option<PathBuf>,
    /// Do not mask account IDs, access keys, IP and e-mail addresses (never publish the result)
    #[arg(long)]
    pub no_mask: bool,
    /// Write even over a report you edited by hand: your version is first kept beside it as
    /// <name>.edited-<date-time>.md
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// The step to forget
    #[arg(value_enum, required_unless_present = "all")]
    pub step: Option<StepId>,
    /// Forget every step (resources stay recorded for `cleanup`)
    #[arg(long, conflicts_with = "step")]
    pub all: bool,
    /// Do not ask
    #[arg(long)]
    pub yes: bool,
}

/// Writes the completion script for `shell` (`lecture06 completions SHELL`).
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "lecture06", out);
}
