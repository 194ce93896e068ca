//! `lecture06 report`: the submission Markdown, written from a template (`report-templates/`,
//! embedded) filled with the checklist's evidence, then masked as a whole: reports go to GitHub.
//! A step that is not done shows as not done, never as made-up content.

pub mod chart;

use crate::app::App;
use crate::cli::ReportArgs;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::{State, StepStatus};
use crate::steps::StepId;
use crate::{mask, t};
use serde_json::{Value, json};

/// The embedded templates of a language: `report.md` includes one partial per step
/// (`<step>.md`), each rendered with `steps.<step>` = `{done, title, …the step's report context}`.
pub fn templates(lang: Lang) -> Vec<(&'static str, &'static str)> {
    macro_rules! embedded {
        ($lang:literal) => {
            vec![
                (
                    "report.md",
                    include_str!(concat!("../../report-templates/", $lang, "/report.md")),
                ),
                (
                    "cloudtrail.md",
                    include_str!(concat!("../../report-templates/", $lang, "/cloudtrail.md")),
                ),
                (
                    "alarm.md",
                    include_str!(concat!("../../report-templates/", $lang, "/alarm.md")),
                ),
                (
                    "transitions.md",
                    include_str!(concat!("../../report-templates/", $lang, "/transitions.md")),
                ),
                (
                    "estimate.md",
                    include_str!(concat!("../../report-templates/", $lang, "/estimate.md")),
                ),
                (
                    "billing.md",
                    include_str!(concat!("../../report-templates/", $lang, "/billing.md")),
                ),
            ]
        };
    }
    match lang {
        Lang::Ja => embedded!("ja"),
        Lang::En => embedded!("en"),
    }
}

/// The templates' context: `steps.<id>` for each step, `{done, title}` merged with the step's
/// own report context when it is done.
pub fn context(state: &State, lang: Lang) -> Value {
    let mut steps = serde_json::Map::new();
    for step in StepId::ALL {
        let entry = state.step(step);
        let done = entry.status == StepStatus::Done;
        let mut section = json!({"done": done, "title": step.title(lang)});
        if let (true, Some(evidence)) = (done, entry.evidence.as_ref())
            && let Value::Object(extra) = crate::steps::report_context(step, evidence, lang)
        {
            section.as_object_mut().expect("object").extend(extra);
        }
        steps.insert(step.id().to_string(), section);
    }
    json!({"steps": steps, "mode": state.mode, "region": state.region})
}

pub fn render(state: &State, lang: Lang) -> AppResult<String> {
    let mut env = minijinja::Environment::new();
    for (name, source) in templates(lang) {
        env.add_template(name, source)
            .map_err(anyhow::Error::from)?;
    }
    let text = env
        .get_template("report.md")
        .and_then(|t| t.render(minijinja::value::Serde(context(state, lang))))
        .map_err(anyhow::Error::from)?;
    Ok(mask::text(&text))
}

pub fn write(app: &App, args: &ReportArgs) -> AppResult<()> {
    let lang = app.lang;
    let workspace = app.workspace();
    let Some(state) = workspace.load()? else {
        return Err(AppError::Failed(t!(
            lang,
            "No lecture06 session here yet: run `lecture06 run` first (or use --dir).",
            "ここにはまだセッションがありません。先に `lecture06 run` を実行してください（または --dir を指定）。"
        )));
    };
    let text = render(&state, lang)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| app.dir.join("lecture06.md"));
    crate::state::write_atomically(&out, text.as_bytes())?;
    let shown = out.display();
    app.ui
        .ok(t!(lang, "Wrote {shown}", "{shown} を書き出しました"));
    Ok(())
}
