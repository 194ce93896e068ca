//! `trail search --athena`.

use super::Aws;
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::trail_search::engine::Query;

pub fn search(
    _app: &App,
    _aws: &Aws,
    _bucket: &str,
    _prefix: &str,
    _query: &Query,
) -> AppResult<()> {
    Err(AppError::Failed("not yet".into()))
}
