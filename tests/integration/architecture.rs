//! The shape of the code, checked the way a reviewer would: no loop between the top-level modules
//! of `src/` (read from their `crate::` paths, as `shared/tools/modloops.py` reads them), and no
//! step module that names the sandbox (steps talk to an account through the `cloud` traits and
//! never ask which one it is), one list of steps with a folder each, and no function over 100
//! lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without its `#[cfg(test)] mod tests` and without comments.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default()
        .to_string();
    text.lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// top-level module → the top-level modules it names.
fn module_edges() -> BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() || (name != "lib" && name != "main") {
            modules.insert(name);
        }
    }
    let path_re = regex::Regex::new(r"crate::([a-z_][a-z0-9_]*)").unwrap();
    let group_re = regex::Regex::new(r"use\s+crate::\{([^}]*)\}").unwrap();
    let mut edges: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in rust_files(&root) {
        let rel = file.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if !modules.contains(&top) {
            continue;
        }
        let code = code_of(&file);
        let mut named: BTreeSet<String> = path_re
            .captures_iter(&code)
            .map(|c| c[1].to_string())
            .collect();
        for group in group_re.captures_iter(&code) {
            for item in group[1].split(',') {
                let item = item.trim();
                let first = item
                    .split([':', ' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if !first.is_empty() {
                    named.insert(first);
                }
            }
        }
        for name in named {
            if name != top && modules.contains(&name) {
                edges.get_mut(&top).unwrap().insert(name);
            }
        }
    }
    edges
}

/// The modules from which `from` can be reached again.
fn loop_through(edges: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    // Depth-first search for a path from `from` back to itself.
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in &edges[&node] {
            if next == from {
                return Some(path.clone());
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn no_module_reaches_itself() {
    let edges = module_edges();
    assert!(edges.len() > 15, "{edges:?}");
    // The reader finds edges at all: the commands use the app, the app the state.
    assert!(edges["commands"].contains("app") && edges["app"].contains("state"));
    let loops: Vec<Vec<String>> = edges
        .keys()
        .filter_map(|m| loop_through(&edges, m))
        .collect();
    assert!(loops.is_empty(), "module loops: {loops:?}");
}

#[test]
fn adapters_and_leaves_stay_below_the_app() {
    let edges = module_edges();
    for adapter in ["aws", "sandbox", "cloud"] {
        for above in [
            "app", "commands", "steps", "report", "state", "prompt", "ui",
        ] {
            assert!(
                !edges[adapter].contains(above),
                "{adapter} must not use {above}: {:?}",
                edges[adapter]
            );
        }
    }
    let error: BTreeSet<String> = ["i18n", "cloud_error"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert!(
        edges["error"].is_subset(&error),
        "error wraps cloud_error and knows nothing of the cloud traits: {:?}",
        edges["error"]
    );
    for leaf in [
        "cloud_error",
        "step_id",
        "session",
        "atomic_file",
        "timeline",
        "trail",
        "mask",
        "i18n",
        "clock",
    ] {
        let allowed: BTreeSet<String> = ["i18n", "clock"].iter().map(|s| s.to_string()).collect();
        assert!(
            edges[leaf].is_subset(&allowed),
            "{leaf} is a leaf: {:?}",
            edges[leaf]
        );
    }
}

#[test]
fn steps_never_name_the_sandbox() {
    for file in rust_files(&src().join("steps")) {
        let text = std::fs::read_to_string(&file).unwrap().to_lowercase();
        assert!(
            !text.contains("sandbox"),
            "{} names the sandbox",
            file.display()
        );
    }
}

#[test]
fn no_source_file_is_over_700_lines() {
    let long: Vec<(String, usize)> = rust_files(&src())
        .into_iter()
        .map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (file.display().to_string(), lines)
        })
        .filter(|(_, lines)| *lines > 700)
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

/// Every function of non-test code with its length in lines: from its `fn` line to the line that
/// closes it at the same indentation.
fn function_lengths(path: &Path) -> Vec<(String, usize)> {
    let code = code_of(path);
    let lines: Vec<&str> = code.lines().collect();
    let header = regex::Regex::new(
        r"^(\s*)(?:pub(?:\([^)]*\))? )?(?:const )?(?:async )?(?:unsafe )?fn ([A-Za-z0-9_]+)",
    )
    .unwrap();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(caps) = header.captures(line) else {
            continue;
        };
        let indent = &caps[1];
        let closing = format!("{indent}}}");
        // A declaration without a body (a trait's required method) ends at its `;`, a one-line
        // function at its `}`.
        let body = lines[i..]
            .iter()
            .map(|l| l.trim_end())
            .find(|l| l.ends_with('{') || l.ends_with(';') || l.ends_with('}'))
            .is_some_and(|l| l.ends_with('{'));
        if !body {
            continue;
        }
        if let Some(end) = lines[i + 1..].iter().position(|l| l.trim_end() == closing) {
            found.push((caps[2].to_string(), end + 2));
        }
    }
    found
}

#[test]
fn no_function_is_over_100_lines() {
    let mut long = Vec::new();
    let mut all = 0;
    for file in rust_files(&src()) {
        for (name, lines) in function_lengths(&file) {
            all += 1;
            if lines > 100 {
                long.push(format!("{}: {name} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(all > 500, "the reader finds the functions ({all})");
    assert!(long.is_empty(), "tell these as shorter stories: {long:#?}");
}

#[test]
fn the_function_reader_counts_what_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.rs");
    let body = "    let x = 1;\n".repeat(101);
    std::fs::write(
        &file,
        format!("trait T {{\n    fn required(&self);\n}}\n\npub(crate) fn long() {{\n{body}}}\n\nfn short() {{\n}}\n"),
    )
    .unwrap();
    assert_eq!(
        function_lengths(&file),
        vec![("long".to_string(), 103), ("short".to_string(), 2)]
    );
}

#[test]
fn one_list_declares_the_steps_and_each_folder_holds_the_rest() {
    let list = std::fs::read_to_string(src().join("step_id.rs")).unwrap();
    let start = list
        .find("macro_rules! for_each_step")
        .expect("the one list");
    let entries: Vec<&str> = list[start..]
        .lines()
        .skip_while(|l| !l.contains("$then! {"))
        .skip(1)
        .take_while(|l| !l.trim().starts_with('}'))
        .filter_map(|l| l.trim().split(':').next())
        .filter(|id| !id.is_empty())
        .collect();
    assert_eq!(entries.len(), 5, "{entries:?}");
    let steps_dir = src().join("steps");
    let folders: BTreeSet<String> = std::fs::read_dir(&steps_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
        .collect();
    let listed: BTreeSet<String> = entries.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        folders, listed,
        "every step folder is listed, and only those"
    );
    for id in &entries {
        for file in [
            "mod.rs",
            "step.toml",
            "guide.en.md",
            "guide.ja.md",
            "report.en.md",
            "report.ja.md",
        ] {
            assert!(
                steps_dir.join(id).join(file).is_file(),
                "src/steps/{id}/{file} is missing"
            );
        }
        let code = std::fs::read_to_string(steps_dir.join(id).join("mod.rs")).unwrap();
        assert!(
            code.contains("pub const STEP:") && code.contains("const IAM_ACTIONS"),
            "src/steps/{id}/mod.rs declares its STEP and its IAM actions"
        );
    }
    // Nothing else names the steps one by one: the main report template loops over them, and no
    // list of step files is kept elsewhere.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for lang in ["en", "ja"] {
        let main = std::fs::read_to_string(root.join(format!("report-templates/{lang}/report.md")))
            .unwrap();
        for id in &entries {
            assert!(
                !main.contains(&format!("\"{id}.md\"")),
                "report-templates/{lang}/report.md includes {id}.md by name"
            );
        }
    }
    assert!(!root.join("steps/steps.toml").exists());
}

#[test]
fn one_registry_declares_the_steps() {
    // No `match step` dispatcher outside the registry: a step is reached through `steps::get`.
    for file in rust_files(&src()) {
        let code = code_of(&file);
        let dispatchers = code.matches("StepId::Cloudtrail =>").count();
        assert!(
            dispatchers == 0 || file.ends_with("step_id.rs"),
            "{} dispatches on every step itself",
            file.display()
        );
    }
}
