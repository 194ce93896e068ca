//! Issue 13 (item 1): `lecture06 report` never destroys text the student wrote. A report edited by
//! hand is not overwritten (exit 1, naming the file and `--force`); `--force` keeps the student's
//! version beside it as `<name>.edited-<date-time>.md`; files in the assets folder lecture06 did
//! not write are never deleted. All through the real binary on a sandbox workspace.

use crate::harness::{Ran, Workspace};
use std::path::{Path, PathBuf};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `<stem>.edited-*.<ext>` files beside `path`.
fn kept_copies(path: &Path) -> Vec<PathBuf> {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{stem}.edited-"))
        })
        .collect();
    found.sort();
    found
}

fn assert_refused(ran: &Ran, file: &str) {
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(ran.stderr.contains(file), "names {file}: {}", ran.stderr);
    assert!(
        ran.stderr.contains("--force"),
        "names --force: {}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("panicked"),
        "a message, not a panic: {}",
        ran.stderr
    );
}

#[test]
fn a_hand_edited_report_is_kept_and_force_keeps_a_copy_beside_it() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    let report = ws.path().join("lecture06.md");
    let generated = read(&report);
    // Running it again over its own, unchanged output is fine.
    ws.run_sandbox(&["report"]).success();
    assert_eq!(read(&report), generated);

    let edited = format!("{generated}\n## My own notes\n\nThe alarm took four minutes.\n");
    std::fs::write(&report, &edited).unwrap();
    let ran = ws.run_sandbox(&["report"]);
    assert_refused(&ran, "lecture06.md");
    assert!(
        ran.stderr.contains("lecture06.edited-"),
        "says where --force would keep it: {}",
        ran.stderr
    );
    assert_eq!(read(&report), edited, "the edit is untouched");
    assert!(kept_copies(&report).is_empty(), "nothing written");

    let ran = ws.run_sandbox(&["report", "--force"]);
    ran.success();
    assert_eq!(read(&report), generated, "the new report is written");
    let kept = kept_copies(&report);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(read(&kept[0]), edited, "the student's version is kept");
    let kept_name = kept[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        kept_name.ends_with(".md") && ran.stdout.contains(&kept_name),
        "the output says where: {}",
        ran.stdout
    );
    // From now on the new file is lecture06's again.
    ws.run_sandbox(&["report"]).success();
    assert_eq!(kept_copies(&report).len(), 1);
}

#[test]
fn the_refusal_speaks_japanese_too() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    ws.run_sandbox(&["--lang", "ja", "report"]).success();
    let report = ws.path().join("lecture06.md");
    std::fs::write(&report, format!("{}\nメモ\n", read(&report))).unwrap();
    let ran = ws.run_sandbox(&["--lang", "ja", "report"]);
    assert_refused(&ran, "lecture06.md");
    assert!(ran.stderr.contains("上書きしません"), "{}", ran.stderr);
}

#[test]
fn a_report_written_before_lecture06_kept_records_is_not_replaced() {
    // A file lecture06 has no record of writing (by hand, or by a version that kept none).
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let out = ws.write("submission.md", "# 第6回課題\n\n自分で書いたレポート\n");
    let ran = ws.run_sandbox(&["report", "--out", out.to_str().unwrap()]);
    assert_refused(&ran, "submission.md");
    assert_eq!(read(&out), "# 第6回課題\n\n自分で書いたレポート\n");
}

#[test]
fn an_edited_chart_is_not_overwritten_either() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    let chart = ws.path().join("lecture06-assets/transitions.svg");
    let svg = read(&chart);
    let edited = svg.replacen("<svg", "<!-- my colours --><svg", 1);
    std::fs::write(&chart, &edited).unwrap();
    let ran = ws.run_sandbox(&["report"]);
    assert_refused(&ran, "transitions.svg");
    assert_eq!(read(&chart), edited);
    ws.run_sandbox(&["report", "--force"]).success();
    assert_eq!(read(&chart), svg);
    let kept = kept_copies(&chart);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(read(&kept[0]), edited);
}

#[test]
fn chart_files_lecture06_did_not_write_are_never_deleted() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    // The student's own drawing, where a step's chart would go; the step draws none yet.
    let assets = ws.path().join("lecture06-assets");
    std::fs::create_dir_all(&assets).unwrap();
    let own = assets.join("transitions.svg");
    std::fs::write(&own, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let ran = ws.run_sandbox(&["report"]);
    ran.success();
    assert!(own.is_file(), "the student's file is left: {}", ran.all());
    assert!(ran.stdout.contains("transitions.svg"), "{}", ran.stdout);

    // A chart lecture06 wrote and the student did not touch still goes when no longer drawn.
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    let chart = ws.path().join("lecture06-assets/transitions.svg");
    assert!(chart.is_file());
    ws.run_sandbox(&["reset", "transitions", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    assert!(!chart.exists(), "its own stale chart is removed");
}

/// The files in `dir` whose names end with `.tmp` (a write that was not cleaned up).
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Issue 22 (item 3): `report` on a full disk named no path (a bare OS error), and `--force` left
/// a 0-byte "backup" of the student's edit.
#[test]
fn a_full_disk_is_named_and_force_never_leaves_an_empty_backup() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    let report = ws.path().join("lecture06.md");
    let ran: Ran = ws
        .sandbox(&["report"])
        .env("LECTURE06_TEST_DISK_FULL", "lecture06.md")
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    let shown = report.display().to_string();
    assert!(
        ran.stderr.contains(&format!("Could not save {shown}"))
            && ran.stderr.contains("disk is full")
            && ran.stderr.contains("df -h"),
        "{}",
        ran.stderr
    );
    assert!(!report.exists(), "no half report");
    assert_eq!(temp_files(ws.path()), Vec::<String>::new());

    ws.run_sandbox(&["report"]).success();
    let edited = format!("{}\nMy own notes.\n", read(&report));
    std::fs::write(&report, &edited).unwrap();
    let ran: Ran = ws
        .sandbox(&["report", "--force"])
        .env("LECTURE06_TEST_DISK_FULL", "lecture06.edited-*")
        .output()
        .unwrap()
        .into();
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("lecture06.edited-") && ran.stderr.contains("disk is full"),
        "names the copy it could not make: {}",
        ran.stderr
    );
    assert!(
        kept_copies(&report).is_empty(),
        "no empty or half backup: {:?}",
        kept_copies(&report)
    );
    assert_eq!(temp_files(ws.path()), Vec::<String>::new());
    assert_eq!(read(&report), edited, "the edit is untouched");
    let ran = ws.run_sandbox(&["--lang", "ja", "report", "--force"]);
    ran.success();
    let kept = kept_copies(&report);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        read(&kept[0]),
        edited,
        "once there is room, the copy is whole"
    );
}

/// Issue 22 (item 3): `reset --all` then `report` replaced a full report with an empty outline.
#[test]
fn an_empty_outline_never_replaces_a_report_with_results() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    ws.run_sandbox(&["report"]).success();
    let report = ws.path().join("lecture06.md");
    let full = read(&report);
    ws.run_sandbox(&["reset", "--all", "--yes"]).success();
    let ran = ws.run_sandbox(&["report"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("no step of this session is done")
            && ran.stderr.contains("lecture06.md")
            && ran.stderr.contains("--force"),
        "{}",
        ran.stderr
    );
    assert_eq!(read(&report), full, "the report with results is kept");
    let ran = ws.run_sandbox(&["--lang", "ja", "report"]);
    assert_eq!(ran.code, 1, "{}", ran.all());
    assert!(
        ran.stderr.contains("完了したステップが 1 つもない"),
        "{}",
        ran.stderr
    );

    ws.run_sandbox(&["report", "--force"]).success();
    let kept = kept_copies(&report);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        read(&kept[0]),
        full,
        "--force keeps the full report beside the outline"
    );
    assert_ne!(read(&report), full);
    // An outline over the same outline needs no --force.
    ws.run_sandbox(&["report"]).success();
}

/// With no step done and no report there yet, the outline is written: nothing to keep.
#[test]
fn an_outline_is_written_where_there_was_no_report() {
    let ws = Workspace::new();
    ws.run_sandbox(&["run", "--yes", "--until", "cloudtrail"])
        .success();
    ws.run_sandbox(&["reset", "--all", "--yes"]).success();
    ws.run_sandbox(&["report"]).success();
    let report = ws.path().join("lecture06.md");
    assert!(read(&report).contains("# "), "an outline");
    assert!(kept_copies(&report).is_empty());
}
