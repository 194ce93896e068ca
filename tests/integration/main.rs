//! The one integration-test binary: the real `lecture06` binary run on temporary workspaces
//! (sandbox end to end, resume, kill -9, concurrency, damaged state, a real pseudo-terminal), and
//! the AWS adapters over the wire (moto, or a replayed HTTP client where moto cannot serve).

mod estimate_run;
mod harness;
mod pty;
mod sandbox_run;
mod state_safety;
mod wire_cloudtrail;
mod wire_estimate;
mod wire_sts;
