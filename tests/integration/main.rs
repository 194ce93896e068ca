//! The one integration-test binary: the real `lecture06` binary run on temporary workspaces
//! (sandbox end to end, resume, kill -9, concurrency, damaged state, a real pseudo-terminal), and
//! the AWS adapters over the wire (moto, or a replayed HTTP client where moto cannot serve), and
//! their contracts with AWS's own published bodies (`contract_*`).

mod answers_keys;
mod architecture;
mod bad_input;
mod cleanup_by_tag;
mod closed_pipe;
mod contract;
mod contract_billing;
mod contract_cloudtrail;
mod contract_cloudwatch;
mod contract_elbv2;
mod contract_sns;
mod estimate_run;
mod harness;
mod iam_policy;
mod interrupts;
mod masking_oracle;
mod pty;
mod report;
mod report_overwrite;
mod report_render;
mod sandbox_alarm;
mod sandbox_billing;
mod sandbox_run;
mod sandbox_trail;
mod sandbox_transitions;
mod session_screen;
mod state_safety;
mod terminal_text;
mod trail_search;
mod unreadable_evidence;
mod wire_alarm;
mod wire_alarm_ownership;
mod wire_billing;
mod wire_cloudtrail;
mod wire_estimate;
mod wire_health_check;
mod wire_pricing;
mod wire_sts;
mod wire_trail_athena;
mod wire_trail_s3;
