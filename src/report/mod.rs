//! `lecture06 report`: the submission Markdown, written from a template (`report-templates/`,
//! embedded) filled with the checklist's evidence, then masked as a whole: reports go to GitHub.
//! A step that is not done shows as not done, never as made-up content.

use crate::app::App;
use crate::cli::ReportArgs;
use crate::clock::{jst, utc};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::{State, StepStatus};
use crate::steps::StepId;
use crate::steps::cloudtrail::CloudtrailEvidence;
use crate::{mask, t};
use serde_json::{Value, json};

pub fn template(lang: Lang) -> &'static str {
    match lang {
        Lang::Ja => include_str!("../../report-templates/ja.md"),
        Lang::En => include_str!("../../report-templates/en.md"),
    }
}

/// The template's context: one object per step with `done` and its facts.
pub fn context(state: &State, lang: Lang) -> Value {
    let mut steps = serde_json::Map::new();
    for step in StepId::ALL {
        let done = state.status(step) == StepStatus::Done;
        steps.insert(
            step.id().to_string(),
            json!({"done": done, "title": step.title(lang)}),
        );
    }
    if let Some(e) = state
        .evidence::<CloudtrailEvidence>(StepId::Cloudtrail)
        .filter(|_| state.status(StepId::Cloudtrail) == StepStatus::Done)
    {
        let c = &e.chosen;
        steps["cloudtrail"] = json!({
            "done": true,
            "title": StepId::Cloudtrail.title(lang),
            "user": e.query.user,
            "regions": e.query.regions.join(", "),
            "event_name": c.event_name,
            "event_time_jst": jst(c.event_time),
            "event_time_utc": utc(c.event_time),
            "event_source": c.event_source,
            "region": c.region,
            "fields": e.fields.iter().map(|f| json!({"path": f.path, "value": f.value, "meaning": lang.pick(&f.meaning_en, &f.meaning_ja)})).collect::<Vec<_>>(),
            "record_json": serde_json::to_string_pretty(&c.record).unwrap_or_default(),
            "listed": e.listed.iter().map(|l| json!({"time_jst": jst(l.event_time), "name": l.event_name, "source": l.event_source, "region": l.region})).collect::<Vec<_>>(),
        });
    }
    json!({"steps": steps, "mode": state.mode, "region": state.region})
}

pub fn render(state: &State, lang: Lang) -> AppResult<String> {
    let mut env = minijinja::Environment::new();
    env.add_template("report", template(lang))
        .map_err(anyhow::Error::from)?;
    let text = env
        .get_template("report")
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
