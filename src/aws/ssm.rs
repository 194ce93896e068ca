//! `ssm:SendCommand` and `ssm:GetCommandInvocation`: one shell command on one instance, waited for.

use super::{Aws, classify};
use crate::cloud::remote::{CommandResult, RemoteCommand};
use crate::cloud::{CloudError, CloudErrorKind};
use aws_config::Region;
use std::time::Duration;

/// How long a command may take before lecture06 stops waiting for it.
const WAIT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_secs(2);

/// Whether a `GetCommandInvocation` status means the command is still under way. `Cancelling`
/// is one of them: the cancel was asked for and has not happened yet. The API reference's
/// `StatusDetails` marks Success, Failed, the timeouts and Cancelled "a terminal state", and
/// nothing else (Systems Manager User Guide, "Understanding command statuses").
fn in_flight(status: &str) -> bool {
    matches!(
        status,
        "Pending" | "InProgress" | "Delayed" | "Cancelling" | ""
    )
}

pub struct SsmAdapter {
    aws: Aws,
}

impl SsmAdapter {
    pub fn new(aws: Aws) -> SsmAdapter {
        SsmAdapter { aws }
    }
}

impl RemoteCommand for SsmAdapter {
    fn run_shell(
        &self,
        region: &str,
        instance_id: &str,
        command: &str,
    ) -> Result<CommandResult, CloudError> {
        let config = aws_sdk_ssm::config::Builder::from(&self.aws.config)
            .region(Region::new(region.to_string()))
            .build();
        let client = aws_sdk_ssm::Client::from_conf(config);
        self.aws.block_on(async {
            let sent = client
                .send_command()
                .instance_ids(instance_id)
                .document_name("AWS-RunShellScript")
                .parameters("commands", vec![command.to_string()])
                .comment("lecture06: Unicorn stop/start")
                .send()
                .await
                .map_err(|e| classify(e, "ssm:SendCommand").in_region(region))?;
            let command_id = sent
                .command()
                .and_then(|c| c.command_id())
                .unwrap_or_default()
                .to_string();
            let started = tokio::time::Instant::now();
            loop {
                let answer = client
                    .get_command_invocation()
                    .command_id(&command_id)
                    .instance_id(instance_id)
                    .send()
                    .await;
                match answer {
                    Ok(out) => {
                        let status = out
                            .status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default();
                        if !in_flight(&status) {
                            return Ok(CommandResult {
                                command_id,
                                status,
                                output: format!(
                                    "{}{}",
                                    out.standard_output_content().unwrap_or_default(),
                                    out.standard_error_content().unwrap_or_default()
                                ),
                            });
                        }
                    }
                    Err(err) => {
                        let err = classify(err, "ssm:GetCommandInvocation").in_region(region);
                        // Right after SendCommand the invocation may not exist yet.
                        if err.code.as_deref() != Some("InvocationDoesNotExist") {
                            return Err(err);
                        }
                    }
                }
                if started.elapsed() > WAIT {
                    return Err(CloudError::new(
                        CloudErrorKind::Other,
                        "ssm:GetCommandInvocation",
                        format!(
                            "the command {command_id} has not finished after {} s",
                            WAIT.as_secs()
                        ),
                    ));
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ssm::types::CommandInvocationStatus;

    #[test]
    fn only_the_final_statuses_end_the_wait() {
        // Every status the service model knows, from the SDK's own enum.
        let finals: Vec<&str> = CommandInvocationStatus::values()
            .iter()
            .copied()
            .filter(|s| !in_flight(s))
            .collect();
        assert_eq!(finals, ["Cancelled", "Failed", "Success", "TimedOut"]);
        assert!(in_flight("Cancelling"));
    }
}
