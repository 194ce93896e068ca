//! Running a shell command on the student's EC2 instance through SSM Run Command (the third way to
//! stop and start Unicorn, for instances managed by SSM).

use super::CloudError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandResult {
    pub command_id: String,
    /// `Success`, `Failed`, `TimedOut`, `Cancelled`, …
    pub status: String,
    pub output: String,
}

pub trait RemoteCommand: Send + Sync {
    /// `SendCommand` (`AWS-RunShellScript`), then `GetCommandInvocation` until it has finished.
    fn run_shell(
        &self,
        region: &str,
        instance_id: &str,
        command: &str,
    ) -> Result<CommandResult, CloudError>;
}
