//! `lecture06 guide [STEP]`: a step's guide (every step's without STEP), as `run` shows it.

use crate::app::App;
use crate::error::AppResult;
use crate::guide;
use crate::step_id::StepId;

pub fn guide(app: &App, step: Option<StepId>) -> AppResult<()> {
    let layout = guide::Layout::stdout();
    let steps: Vec<StepId> = step
        .map(|s| vec![s])
        .unwrap_or_else(|| StepId::ALL.to_vec());
    for step in steps {
        app.ui
            .line(guide::render(&guide::source(step, app.lang), layout));
    }
    Ok(())
}
