//! The errors a user can act on, each carrying the sentence that says what to do next, and the
//! exit code it maps to (0 success, 1 failure, 2 bad usage or input, 130 interrupted). A leaf
//! beside `cloud_error`, which it wraps: neither knows the cloud traits.

use crate::cloud_error::CloudError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad flags, a bad answers file, a missing required answer: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Ctrl-C: everything answered so far is saved; exit 130.
    #[error("{0}")]
    Interrupted(String),
    /// The workspace cannot be used as it is (locked, damaged, newer, other mode): exit 1.
    #[error("{0}")]
    Workspace(String),
    /// A step could not finish; the message says why and what to do: exit 1.
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl AppError {
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Usage(_) => 2,
            AppError::Interrupted(_) => 130,
            _ => 1,
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(err: std::io::Error) -> Self {
        AppError::Other(err.into())
    }
}

pub type AppResult<T> = Result<T, AppError>;
