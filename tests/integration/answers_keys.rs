//! The known answers-file keys (each step's `step.toml` `answers`, plus `[run]`, `[learnings]`,
//! `[sandbox]`) against what the code really reads, found in the source: every key a step asks
//! (`ask_text("key"`, `key: "key"`, a constant given as the key, a helper called with `ctx, "key"`), every
//! `[sandbox]` entry, and every key the README's answers-file example shows. A key the code reads
//! but the list lacks would be refused; one the README shows but the code does not know would
//! mislead students. And through the binary: a misspelt key exits 2 naming the nearest one.

use crate::harness::Workspace;
use lecture06::commands::run::answers_file_keys;
use std::collections::BTreeSet;
use std::path::Path;

/// Every `.rs` file under `dir`, however deep (a step's folder may hold folders).
fn rust_files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files_under(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn code_without_tests(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.split("#[cfg(test)]")
        .next()
        .unwrap_or_default()
        .to_string()
}

fn known(table: &str) -> BTreeSet<String> {
    answers_file_keys()
        .into_iter()
        .find(|(name, _)| *name == table)
        .unwrap_or_else(|| panic!("no table [{table}]"))
        .1
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn captures(re: &str, text: &str) -> BTreeSet<String> {
    regex::Regex::new(re)
        .unwrap()
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn every_key_a_step_asks_is_declared() {
    let steps = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/steps");
    let mut checked = 0;
    for entry in std::fs::read_dir(&steps).unwrap() {
        let path = entry.unwrap().path();
        let (step, files) = if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let files = rust_files_under(&path);
            (name, files)
        } else {
            (
                path.file_stem().unwrap().to_string_lossy().into_owned(),
                vec![path],
            )
        };
        if lecture06::step_id::StepId::ALL
            .iter()
            .all(|s| s.id() != step)
        {
            continue;
        }
        let declared = known(&step);
        for file in files {
            let code = code_without_tests(&file);
            let mut asked = captures(
                r#"ask_(?:text|confirm|select|multi)\(\s*"([a-z0-9_]+)""#,
                &code,
            );
            asked.extend(captures(r#"\bkey:\s*"([a-z0-9_]+)""#, &code));
            // A constant given as the key: `ask_text(TYPED_KEY, …)` with `const TYPED_KEY: &str = "…"`.
            for name in captures(
                r#"ask_(?:text|confirm|select|multi)\(\s*([A-Z_]+)\b"#,
                &code,
            ) {
                asked.extend(captures(
                    &format!(r#"const {name}: &str = "([a-z0-9_]+)""#),
                    &code,
                ));
            }
            asked.extend(captures(r#"\(ctx, "([a-z0-9_]+)""#, &code));
            asked.extend(captures(r#"let key = if \w+ \{ "([a-z_]+)" \}"#, &code));
            asked.extend(captures(
                r#"let key = if \w+ \{ "[a-z_]+" \} else \{ "([a-z_]+)" \}"#,
                &code,
            ));
            for key in &asked {
                assert!(
                    declared.contains(key),
                    "{} asks [{step}] {key}, which its step.toml does not declare",
                    file.display()
                );
            }
            checked += asked.len();
        }
    }
    assert!(checked > 30, "the source was read: {checked} keys");
}

#[test]
fn every_sandbox_and_run_key_is_declared() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let settings = code_without_tests(&src.join("sandbox/settings.rs"));
    let mut read = captures(r#"entry\("([a-z_]+)"\)"#, &settings);
    read.extend(captures(r#"one_of\(\s*"([a-z_]+)""#, &settings));
    assert!(read.len() >= 6, "{read:?}");
    assert!(read.is_subset(&known("sandbox")), "{read:?}");
    let run = code_without_tests(&src.join("commands/run.rs"));
    assert!(captures(r#"table: "run",\s*key: "([a-z_]+)""#, &run).is_subset(&known("run")));
}

#[test]
fn every_key_the_readme_shows_is_known() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find("## The answers file").unwrap();
    let block = &readme[start..];
    let block = &block[block.find("```toml").unwrap()..];
    let block = &block[..block[7..].find("```").unwrap() + 7];
    let mut table = String::new();
    let mut shown = 0;
    for line in block.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = name.to_string();
        } else if let Some((key, _)) = line
            .split_once(" = ")
            .filter(|(k, _)| !k.starts_with(' ') && !k.is_empty())
        {
            let key = key.trim();
            if key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                assert!(known(&table).contains(key), "README shows [{table}] {key}");
                shown += 1;
            }
        }
    }
    assert!(shown > 40, "{shown}");
}

#[test]
fn misspelt_answers_key_exits_2_naming_the_nearest_one() {
    let ws = Workspace::new();
    for (text, expected) in [
        ("[alarm]\nthreshhold = 3\n", "did you mean `threshold`?"),
        (
            "[estimate]\nhours_per_mnth = 700\n",
            "did you mean `hours_per_month`?",
        ),
        (
            "[cloudtrial]\nuser = \"student\"\n",
            "did you mean [cloudtrail]?",
        ),
    ] {
        let path = ws.write("answers.toml", text);
        let ran = ws.run_sandbox(&["run", "--yes", "--answers", path.to_str().unwrap()]);
        assert_eq!(ran.code, 2, "{}", ran.all());
        assert!(ran.stderr.contains(expected), "{}", ran.stderr);
        assert!(
            !ws.state_path().exists(),
            "refused before anything is saved"
        );
    }
}
