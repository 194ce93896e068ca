//! The command line, as the issues define it (other tools drive lecture06 through it: keep it
//! exactly). Doc comments are the help text.

use crate::i18n::Lang;
use crate::steps::StepId;
use clap::{Args, Parser, Subcommand};
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
    #[command(subcommand)]
    pub command: Command,
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
    /// Where to write the Markdown (default: DIR/lecture06.md)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
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
