//! Issue 19: the whole sandbox session as a student meets it in a terminal 60 or 100 columns
//! wide, in Japanese and in English, pressing Enter at every prompt. What the terminal shows is
//! rebuilt by a terminal emulator (the `vt100` crate, independent of lecture06's layout code):
//! no line the terminal had to wrap (except for one token longer than a line), no line starting
//! with closing punctuation, no English sentence or `error:` in the Japanese session, exit 0.
//! The 60-column Japanese screen is a committed snapshot. Also: `n` without Enter does not
//! answer a yes/no question.

use crate::harness::Workspace;
use expectrl::{Expect, Session};
use std::io::{ErrorKind, Write};
use std::process::Command;
use std::time::Duration;

/// Rows the emulator keeps: more than the whole session, so nothing scrolls away.
const ROWS: u16 = 4000;

/// `cmd` run in a pseudo-terminal `cols` wide and 40 rows high: the size is set once the pty
/// is open, and a shell waits until the terminal reports it before starting the program, so the
/// program never sees another size.
fn in_terminal_of(cmd: &Command, cols: u16) -> expectrl::session::OsSession {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!(
            "while [ \"$(stty size)\" != \"40 {cols}\" ]; do sleep 0.05; done; exec \"$0\" \"$@\""
        ))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        sh.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => sh.env(key, value),
            None => sh.env_remove(key),
        };
    }
    sh.env("TERM", "xterm-256color");
    let mut session = Session::spawn(sh).expect("spawn in a pty");
    session
        .get_process_mut()
        .set_window_size(cols, 40)
        .expect("set the terminal's size");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session
}

/// The screen after the session: its rows, each with whether the terminal wrapped it.
struct Screen {
    rows: Vec<(String, bool)>,
    exit_code: i32,
}

/// Runs `lecture06 --sandbox --lang <lang> run` to its end, pressing Enter whenever it waits
/// for input (nothing printed for a moment while it is still running: a prompt). An Enter
/// pressed during a wait would only answer the next prompt, as a student's would.
fn whole_session(lang: &str, cols: u16) -> Screen {
    let ws = Workspace::new();
    // Run inside the workspace (`--dir` left at `.`), as a student does: the paths shown are
    // relative, so the screen does not depend on where the temporary folder is.
    let mut cmd = crate::harness::base_command();
    cmd.current_dir(ws.path())
        .args(["--sandbox", "--lang", lang, "run"]);
    let mut p = in_terminal_of(&cmd, cols);
    let mut term = vt100::Parser::new(ROWS, cols, 0);
    let mut buf = [0u8; 8192];
    let mut quiet = Duration::ZERO;
    let mut presses = 0;
    loop {
        match p.try_read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                term.process(&buf[..n]);
                quiet = Duration::ZERO;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
                quiet += Duration::from_millis(20);
                if quiet >= Duration::from_millis(400) {
                    if !p.get_process_mut().is_alive().unwrap_or(false) {
                        break;
                    }
                    presses += 1;
                    assert!(presses < 400, "the session never ends");
                    p.write_all(b"\r").unwrap();
                    quiet = Duration::ZERO;
                }
            }
            Err(_) => break, // EIO: the program has ended and the pty is closed
        }
    }
    let exit_code = match p.get_process_mut().wait().expect("wait") {
        expectrl::process::unix::WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    };
    let screen = term.screen();
    let mut rows: Vec<(String, bool)> = screen
        .rows(0, cols)
        .enumerate()
        .map(|(i, row)| (row, screen.row_wrapped(i as u16)))
        .collect();
    while rows.last().is_some_and(|(row, _)| row.trim().is_empty()) {
        rows.pop();
    }
    Screen { rows, exit_code }
}

/// Display columns, counted independently of lecture06: two for the East Asian wide and
/// full-width ranges used by Japanese text, one otherwise.
fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF => 2,
            0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F => 2,
            0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// JLREQ's characters that may not begin a line (closing brackets, full stops, commas, middle
/// dots, dividing punctuation, the prolonged sound mark, small kana).
const NO_LINE_START: &str =
    "、。，．）」』】〕〉》？！：；・ー…‥ぁぃぅぇぉっゃゅょァィゥェォッャュョ";

/// The lines the terminal had to wrap, each joined again, other than those wrapped only for a
/// token longer than a line (a URL): what a student would see broken mid-word.
fn wrapped_by_the_terminal(screen: &Screen, cols: u16) -> Vec<String> {
    let mut broken = Vec::new();
    let mut i = 0;
    while i < screen.rows.len() {
        let mut line = screen.rows[i].0.clone();
        let start = i;
        while screen.rows[i].1 && i + 1 < screen.rows.len() {
            i += 1;
            line.push_str(&screen.rows[i].0);
        }
        if i > start {
            let overlong = line
                .split_whitespace()
                .any(|token| columns(token) > usize::from(cols) * 2 / 3);
            if !overlong {
                broken.push(line);
            }
        }
        i += 1;
    }
    broken
}

/// Each such row with the row before it, to show where the break was made.
fn starting_with_closing_punctuation(screen: &Screen) -> Vec<String> {
    let rows: Vec<&str> = screen.rows.iter().map(|(row, _)| row.as_str()).collect();
    (0..rows.len())
        .filter(|&i| {
            rows[i]
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| NO_LINE_START.contains(c))
        })
        .map(|i| format!("{}\n{}", rows[i.saturating_sub(1)], rows[i]))
        .collect()
}

/// Rows of the Japanese session with English prose: four or more lower-case English words in a
/// row (identifiers are camelCase, dotted or have digits; AWS's own texts are set aside).
fn english_prose(screen: &Screen) -> Vec<String> {
    // AWS's own words, shown as AWS gives them (a target health reason's description), and
    // commands to type.
    const FROM_AWS: [&str; 2] = ["Health checks failed with these codes", "sudo systemctl"];
    screen
        .rows
        .iter()
        .map(|(row, _)| row.as_str())
        .filter(|row| !FROM_AWS.iter().any(|aws| row.contains(aws)))
        .filter(|row| {
            let mut run = 0;
            row.split_whitespace().any(|word| {
                let word = word.trim_matches(|c: char| ",.;:()".contains(c));
                if word.len() > 1 && word.chars().all(|c| c.is_ascii_lowercase()) {
                    run += 1;
                } else {
                    run = 0;
                }
                run >= 4
            })
        })
        .map(str::to_string)
        .collect()
}

fn check_session(lang: &str, cols: u16) -> Screen {
    let screen = whole_session(lang, cols);
    let text: Vec<&str> = screen.rows.iter().map(|(r, _)| r.as_str()).collect();
    let text = text.join("\n");
    assert_eq!(screen.exit_code, 0, "{text}");
    assert!(
        text.contains(if lang == "ja" {
            "ステップ 5 完了"
        } else {
            "Step 5 done"
        }),
        "the session went to its end:\n{text}"
    );
    let broken = wrapped_by_the_terminal(&screen, cols);
    assert!(broken.is_empty(), "wrapped by the terminal: {broken:#?}");
    let bad_starts = starting_with_closing_punctuation(&screen);
    assert!(bad_starts.is_empty(), "{bad_starts:#?}");
    if lang == "ja" {
        assert!(!text.contains("error:"), "{text}");
        let english = english_prose(&screen);
        assert!(
            english.is_empty(),
            "English in the Japanese session: {english:#?}"
        );
    }
    screen
}

#[test]
fn japanese_session_at_60_columns() {
    let screen = check_session("ja", 60);
    // The screen as the student reads it.
    let text: Vec<String> = screen
        .rows
        .iter()
        .map(|(row, _)| row.trim_end().to_string())
        .collect();
    let text = text.join("\n");
    insta::assert_snapshot!("japanese_session_at_60_columns", text);
}

#[test]
fn japanese_session_at_100_columns() {
    check_session("ja", 100);
}

#[test]
fn english_session_at_60_columns() {
    check_session("en", 60);
}

#[test]
fn english_session_at_100_columns() {
    check_session("en", 100);
}

/// The issue: `n` answered a yes/no question on its own, and the Enter typed after it answered
/// the next question with its default. Here `n`, `o`, `p` then Enter is one answer, `nop`, which
/// is refused: had `n` answered alone, `op` would have been taken as the IAM user name.
#[test]
fn n_without_enter_does_not_answer_a_yes_no_question() {
    let ws = Workspace::new();
    let mut p = in_terminal_of(&ws.sandbox(&["--lang", "ja", "run"]), 80);
    p.expect("このアカウントとリージョンで続けますか？")
        .unwrap();
    p.send("n").unwrap();
    p.send("o").unwrap();
    p.send("p").unwrap();
    p.send("\r").unwrap();
    p.expect("y（はい）か n（いいえ）を入力して Enter").unwrap();
    p.send("ｙ\r").unwrap(); // full-width, as an input method types it
    p.expect("続けますか？ はい").unwrap();
    p.expect("探す IAM ユーザー名").unwrap();
    p.send("\x03").unwrap();
    p.expect(expectrl::Eof).unwrap();
}
