//! What acts on the server and asks the student: which process to stop (Unicorn, Nginx or the
//! instance) and its commands, stopping and starting it the chosen way (by hand, over SSH,
//! through SSM Run Command) and when each mail arrived.

use crate::clock::{jst, utc};
use crate::cloud::alarm_mail::AlarmMail;
use crate::cloud::alarms::HistoryItem;
use crate::cloud::student::ServerProcess;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::prompt::Choice;
use crate::steps::StepCtx;
use crate::t;
use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc};

pub fn method_choices(lang: Lang) -> Vec<Choice> {
    vec![
        Choice {
            id: "manual".into(),
            label: lang
                .pick(
                    "By hand: I run the command on the instance",
                    "手動: インスタンスで自分でコマンドを実行する",
                )
                .into(),
        },
        Choice {
            id: "ssh".into(),
            label: lang
                .pick(
                    "Over SSH (a host alias from ~/.ssh/config)",
                    "SSH 経由（~/.ssh/config のホスト名）",
                )
                .into(),
        },
        Choice {
            id: "ssm".into(),
            label: lang
                .pick("Through SSM Run Command", "SSM Run Command 経由")
                .into(),
        },
    ]
}

/// The three things a student may stop, for the select prompt (`[transitions] process`).
pub fn process_choices(lang: Lang) -> Vec<Choice> {
    ServerProcess::ALL
        .iter()
        .map(|p| Choice {
            id: p.id().into(),
            label: match p {
                ServerProcess::Unicorn => lang.pick(
                    "Unicorn (the app server; Nginx answers 502)",
                    "Unicorn（アプリサーバー。Nginx が 502 を返す）",
                ),
                ServerProcess::Nginx => lang.pick(
                    "Nginx (the web server; the connection is refused)",
                    "Nginx（Web サーバー。接続が拒否される）",
                ),
                ServerProcess::Instance => lang.pick(
                    "The EC2 instance itself (the target becomes unused)",
                    "EC2 インスタンスそのもの（ターゲットが unused になる）",
                ),
            }
            .into(),
        })
        .collect()
}

/// The usual stop and start commands for `process`; the instance is stopped from the student's
/// own computer (AWS CLI) or the console, never from inside itself.
pub fn default_commands(process: ServerProcess, instance_id: &str) -> (String, String) {
    match process {
        ServerProcess::Unicorn => (super::DEFAULT_STOP.into(), super::DEFAULT_START.into()),
        ServerProcess::Nginx => (
            "sudo systemctl stop nginx".into(),
            "sudo systemctl start nginx".into(),
        ),
        ServerProcess::Instance => (
            format!("aws ec2 stop-instances --instance-ids {instance_id}"),
            format!("aws ec2 start-instances --instance-ids {instance_id}"),
        ),
    }
}

/// How the student stops and starts the server: what, which way, where, and the two commands.
pub struct HowToStop {
    pub process: ServerProcess,
    pub method: String,
    pub host: Option<String>,
    pub stop_command: String,
    pub start_command: String,
}

/// Asks what to stop (`[transitions] process`), which way (`method`, `ssh_host`, `instance_id`)
/// and the commands (`stop_command`, `start_command`, defaults following the process).
pub fn ask_how_to_stop(ctx: &mut StepCtx, region: &str, tg_arn: &str) -> AppResult<HowToStop> {
    let process = ask_process(ctx)?;
    let method = ask_method(ctx, process)?;
    let host = ask_host(ctx, &method)?;
    let instance_id = if process == ServerProcess::Instance {
        ctx.cloud
            .elb
            .target_health(region, tg_arn)?
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_else(|| "<instance-id>".into())
    } else {
        String::new()
    };
    let (stop_command, start_command) = ask_commands(ctx, process, &instance_id)?;
    Ok(HowToStop {
        process,
        method,
        host,
        stop_command,
        start_command,
    })
}

/// What is stopped (`[transitions] process`).
fn ask_process(ctx: &mut StepCtx) -> AppResult<ServerProcess> {
    let lang = ctx.lang;
    let index = ctx.ask_select(
        "process",
        t!(
            lang,
            "What do you stop so that the target fails its health check?",
            "ターゲットのヘルスチェックを失敗させるために何を止めますか？"
        ),
        &process_choices(lang),
        0,
    )?;
    Ok(ServerProcess::ALL[index])
}

/// Which way (`[transitions] method`): by hand, over SSH or through SSM. A stopped instance
/// cannot start itself: the student does that from outside.
fn ask_method(ctx: &mut StepCtx, process: ServerProcess) -> AppResult<String> {
    if process == ServerProcess::Instance {
        return Ok("manual".to_string());
    }
    let lang = ctx.lang;
    let name = process.name(lang);
    let choices = method_choices(lang);
    let default_method = usize::from(ctx.options.ssh.is_some());
    let index = ctx.ask_select(
        "method",
        t!(
            lang,
            "How should {name} be stopped and started?",
            "{name} をどの方法で停止・起動しますか？"
        ),
        &choices,
        default_method,
    )?;
    Ok(choices[index].id.clone())
}

/// The SSH host (`ssh_host`) or the instance for SSM (`instance_id`); none by hand.
fn ask_host(ctx: &mut StepCtx, method: &str) -> AppResult<Option<String>> {
    let lang = ctx.lang;
    match method {
        "ssh" => Ok(Some(ctx.ask_text(
            "ssh_host",
            t!(
                lang,
                "SSH host (alias from ~/.ssh/config)",
                "SSH ホスト（~/.ssh/config の別名）"
            ),
            ctx.options.ssh.clone(),
            &move |v: &str| {
                if v.is_empty() || v.contains(char::is_whitespace) {
                    Err(t!(
                        lang,
                        "give a host name or an alias, without spaces",
                        "ホスト名か別名を空白なしで入力してください"
                    ))
                } else {
                    Ok(())
                }
            },
        )?)),
        "ssm" => Ok(Some(ctx.ask_text(
            "instance_id",
            t!(lang, "EC2 instance ID", "EC2 インスタンス ID"),
            None,
            &move |v: &str| {
                if v.starts_with("i-") && v.len() > 3 {
                    Ok(())
                } else {
                    Err(t!(
                        lang,
                        "give an instance ID such as i-0123456789abcdef0",
                        "i-0123456789abcdef0 のようなインスタンス ID を入力してください"
                    ))
                }
            },
        )?)),
        _ => Ok(None),
    }
}

/// The stop and start commands (`stop_command`, `start_command`), defaults following the process.
fn ask_commands(
    ctx: &mut StepCtx,
    process: ServerProcess,
    instance_id: &str,
) -> AppResult<(String, String)> {
    let lang = ctx.lang;
    let name = process.name(lang);
    let (default_stop, default_start) = default_commands(process, instance_id);
    let not_empty = move |v: &str| {
        if v.trim().is_empty() {
            Err(t!(lang, "give a command", "コマンドを入力してください"))
        } else {
            Ok(())
        }
    };
    let stop = ctx.ask_text(
        "stop_command",
        t!(
            lang,
            "Command that stops {name}",
            "{name} を停止するコマンド"
        ),
        Some(default_stop),
        &not_empty,
    )?;
    let start = ctx.ask_text(
        "start_command",
        t!(
            lang,
            "Command that starts {name}",
            "{name} を起動するコマンド"
        ),
        Some(default_start),
        &not_empty,
    )?;
    Ok((stop, start))
}

/// Stops or starts `process` the chosen way; returns the moment it happened.
pub fn control(
    ctx: &mut StepCtx,
    process: ServerProcess,
    method: &str,
    host: Option<&str>,
    command: &str,
    stop: bool,
) -> AppResult<DateTime<Utc>> {
    let lang = ctx.lang;
    let verb = if stop {
        lang.pick("Stop", "停止")
    } else {
        lang.pick("Start", "起動")
    };
    match method {
        "ssh" => {
            let host = host.unwrap_or_default().to_string();
            ctx.ui.line(format!("$ ssh {host} '{command}'"));
            let out = std::process::Command::new("ssh")
                .args(["-o", "BatchMode=yes", &host, command])
                .output()
                .map_err(|e| {
                    AppError::Failed(t!(
                        lang,
                        "Could not run ssh ({e}). Install OpenSSH, or choose the method \"manual\" ([transitions] method).",
                        "ssh を実行できませんでした（{e}）。OpenSSH を入れるか、方法を「manual」にしてください（[transitions] method）。"
                    ))
                })?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
                return Err(AppError::Failed(t!(
                    lang,
                    "ssh {host} '{command}' failed: {err}\nCheck `ssh {host}` works without a password prompt, then run `lecture06 run` again.",
                    "ssh {host} '{command}' が失敗しました: {err}\nパスワード入力なしで `ssh {host}` できるか確認してから `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.apply_app_server_change(process, !stop)?;
        }
        "ssm" => {
            let instance = host.unwrap_or_default().to_string();
            let region = ctx.cloud.region.clone();
            ctx.ui.line(format!(
                "ssm:SendCommand {instance} AWS-RunShellScript '{command}'"
            ));
            let result = ctx.cloud.remote.run_shell(&region, &instance, command)?;
            if result.status != "Success" {
                let (status, output) = (&result.status, result.output.trim());
                return Err(AppError::Failed(t!(
                    lang,
                    "The SSM command ended {status}: {output}\nCheck the command works on the instance, then run `lecture06 run` again.",
                    "SSM のコマンドが {status} で終了しました: {output}\nインスタンス上でコマンドが動くか確認してから `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.apply_app_server_change(process, !stop)?;
        }
        _ => {
            if process == ServerProcess::Instance {
                ctx.ui.line(t!(
                    lang,
                    "On your own computer (AWS CLI), run:\n    {command}\n  or in the console: EC2 → Instances → Instance state → {verb}.",
                    "自分の PC で（AWS CLI）次を実行してください:\n    {command}\n  またはコンソールで: EC2 → インスタンス → インスタンスの状態 → {verb}。"
                ));
            } else {
                ctx.ui.line(t!(
                    lang,
                    "On the EC2 instance, run:\n    {command}",
                    "EC2 インスタンスで次を実行してください:\n    {command}"
                ));
            }
            let key = if stop { "stopped" } else { "started" };
            let question = ctx
                .cloud
                .student
                .ask_app_server_changed(process, stop, lang);
            let done = ctx.ask_confirm(key, question, true)?;
            if !done {
                let name = process.name(lang);
                return Err(AppError::Failed(t!(
                    lang,
                    "{name} was not changed; run `lecture06 run` again when you are ready.",
                    "{name} を変更しませんでした。準備ができたら `lecture06 run` を再実行してください。"
                )));
            }
            ctx.cloud.student.apply_app_server_change(process, !stop)?;
        }
    }
    let at = ctx.cloud.clock.now();
    let name = process.name(lang);
    ctx.ui.ok(t!(
        lang,
        "{name}: {verb} at {} / {}",
        "{name}: {} / {} に{verb}",
        jst(at),
        utc(at)
    ));
    Ok(at)
}

/// The ALARM mail after the stop and the OK mail after the start, as the report quotes them:
/// read from the mails themselves when lecture06 can see them, else rebuilt from the alarm
/// history. The second value says which (`mailbox` or `history`).
pub fn alarm_mails(
    ctx: &StepCtx,
    alarm: &str,
    region: &str,
    history: &[HistoryItem],
    stopped_at: DateTime<Utc>,
    started_at: DateTime<Utc>,
) -> (Vec<AlarmMail>, &'static str) {
    let pick = |all: Vec<AlarmMail>| -> Vec<AlarmMail> {
        let first = |state: &str, after: DateTime<Utc>| {
            all.iter()
                .filter(|m| m.state == state && m.at >= after)
                .min_by_key(|m| m.at)
                .cloned()
        };
        [first("ALARM", stopped_at), first("OK", started_at)]
            .into_iter()
            .flatten()
            .collect()
    };
    let student = &ctx.cloud.student;
    let read = pick(
        student
            .mails_about(alarm)
            .iter()
            .filter_map(|mail| student.mail_text(mail))
            .filter_map(|text| AlarmMail::from_mail_text(&text))
            .collect(),
    );
    if !read.is_empty() {
        return (read, "mailbox");
    }
    let rebuilt = history
        .iter()
        .filter_map(|item| AlarmMail::from_history(item, alarm, region))
        .collect();
    (pick(rebuilt), "history")
}

fn valid_time(lang: Lang) -> impl Fn(&str) -> Result<(), String> {
    move |v: &str| {
        if v.is_empty()
            || NaiveTime::parse_from_str(v, "%H:%M").is_ok()
            || NaiveTime::parse_from_str(v, "%H:%M:%S").is_ok()
        {
            Ok(())
        } else {
            Err(t!(
                lang,
                "Type a JST time such as 10:04 (or nothing, to skip).",
                "10:04 のように日本時間で入力してください（空欄ならスキップ）。"
            ))
        }
    }
}

/// `HH:MM[:SS]` JST on the day of `near` (JST), as UTC.
fn jst_time_near(text: &str, near: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let time = NaiveTime::parse_from_str(text, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()?;
    let offset = FixedOffset::east_opt(9 * 3600)?;
    let day = near.with_timezone(&offset).date_naive();
    offset
        .from_local_datetime(&day.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

pub fn ask_mail_time(
    ctx: &mut StepCtx,
    key: &str,
    state: &str,
    alarm: &str,
    after: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    let lang = ctx.lang;
    let default = ctx
        .cloud
        .student
        .mail_received(alarm, state, after)
        .map(|t| {
            t.with_timezone(&FixedOffset::east_opt(9 * 3600).expect("JST"))
                .format("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_default();
    let answer = ctx.ask_text(
        key,
        t!(
            lang,
            "When did the {state} mail arrive? (JST, e.g. 10:04; empty to skip)",
            "{state} のメールは何時に届きましたか？（日本時間、例 10:04。空欄でスキップ）"
        ),
        Some(default),
        &valid_time(lang),
    )?;
    Ok(jst_time_near(&answer, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_times_are_jst() {
        let near = crate::clock::parse_time("2026-11-21T01:03:00Z").unwrap();
        assert_eq!(
            jst_time_near("10:04", near),
            crate::clock::parse_time("2026-11-21T01:04:00Z")
        );
        assert!(valid_time(Lang::En)("").is_ok());
        assert!(valid_time(Lang::En)("25:00").is_err());
    }
}
