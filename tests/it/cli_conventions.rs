//! Everyday command-line conventions: shell completions and manual pages
//! from the clap definitions, and every subcommand's `--help` ending with
//! its exit codes and examples.

use crate::harness::Test;

/// The subcommands a `--help` text lists (its `Commands:` section), `help`
/// left out.
fn listed(help: &str) -> Vec<String> {
    help.split("\nCommands:\n")
        .nth(1)
        .unwrap_or("")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every subcommand, as words after `nrscreen` (nested ones included), as
/// the help lists them: a subcommand added later is held to the same
/// conventions without this test changing.
fn subcommands() -> Vec<Vec<String>> {
    let mut all = Vec::new();
    let mut queue = vec![Vec::<String>::new()];
    while let Some(words) = queue.pop() {
        let help = Test::new()
            .args(&words)
            .arg("--help")
            .status(0)
            .run()
            .stdout;
        for name in listed(&help) {
            let mut command = words.clone();
            command.push(name);
            queue.push(command.clone());
            all.push(command);
        }
    }
    all.sort();
    all
}

#[test]
fn the_subcommands_are_found() {
    let all = subcommands();
    for expected in [
        &["check"][..],
        &["eval"],
        &["test"],
        &["audit"],
        &["mutants"],
        &["map"],
        &["map", "check"],
        &["brief"],
        &["fmt"],
        &["completions"],
        &["man"],
    ] {
        assert!(
            all.iter().any(|c| c == expected),
            "{expected:?} not in {all:?}"
        );
    }
}

#[test]
fn the_top_level_help_lists_every_subcommand() {
    let output = Test::new().arg("--help").status(0).run();
    for command in [
        "check",
        "eval",
        "test",
        "audit",
        "mutants",
        "map",
        "brief",
        "fmt",
        "completions",
        "man",
    ] {
        assert!(
            output.stdout.contains(&format!("\n  {command} ")),
            "`{command}` missing from:\n{}",
            output.stdout
        );
    }
}

#[test]
fn every_help_ends_with_exit_codes_and_examples() {
    for command in std::iter::once(Vec::new()).chain(subcommands()) {
        let output = Test::new().args(&command).arg("--help").status(0).run();
        let help = &output.stdout;
        let exit_codes = help.find("Exit codes:");
        let examples = help.find("\nExamples:\n");
        assert!(
            exit_codes.is_some() && examples.is_some() && exit_codes < examples,
            "`nrscreen {} --help` lacks its exit codes or examples:\n{help}",
            command.join(" ")
        );
        let example_lines = help[examples.unwrap_or(0)..]
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with("  "))
            .filter(|l| l.trim_start().starts_with("nrscreen ") || l.contains("nrscreen "))
            .count();
        assert!(
            (2..=3).contains(&example_lines),
            "`nrscreen {} --help` has {example_lines} examples:\n{help}",
            command.join(" ")
        );
        assert!(
            help[examples.unwrap_or(0)..]
                .lines()
                .skip(2)
                .all(|l| l.starts_with("  ") || l.is_empty()),
            "`nrscreen {} --help` goes on after its examples:\n{help}",
            command.join(" ")
        );
    }
}

#[test]
fn completion_scripts_mention_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = Test::new()
            .args(["completions", shell])
            .status(0)
            .stderr("")
            .run();
        for command in subcommands() {
            let name = &command[command.len() - 1];
            assert!(
                output.stdout.contains(name.as_str()),
                "the {shell} script does not mention `{name}`"
            );
        }
    }
    Test::new().args(["completions", "tcsh"]).status(2).run();
}

#[test]
fn the_bash_completion_script_loads_in_bash() {
    let Ok(bash) = which("bash") else {
        eprintln!("skipped: no bash on this machine");
        return;
    };
    let binary = env!("CARGO_BIN_EXE_nrscreen");
    let output = std::process::Command::new(bash)
        .arg("-c")
        .arg("source <(\"$0\" completions bash) && complete -p nrscreen")
        .arg(binary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.contains("complete") && stdout.contains("nrscreen"),
        "{stdout}"
    );
}

/// The path of a program on `PATH`.
fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or(())
}

/// Checks the roff structure of a manual page.
fn assert_roff(page: &str, name: &str) {
    assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
    assert!(page.contains(&format!(".TH {name} 1")), "{name}: {page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION"] {
        assert!(page.contains(section), "{name} lacks {section}");
    }
}

#[test]
fn the_manual_page_is_roff_and_renders() {
    let page = Test::new().arg("man").status(0).stderr("").run().stdout;
    assert_roff(&page, "nrscreen");
    for command in subcommands().iter().filter(|c| c.len() == 1) {
        assert!(
            page.contains(&format!("nrscreen\\-{}", command[0])),
            "{}",
            command[0]
        );
    }
    assert!(page.contains("Exit codes"), "{page}");
    // Rendered by man(1) where there is one.
    if let Ok(man) = which("man") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nrscreen.1");
        std::fs::write(&path, &page).unwrap();
        let output = std::process::Command::new(man)
            .args(["-l", "-P", "cat"])
            .arg(&path)
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        if output.status.success() {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains("SYNOPSIS"), "{text}");
        } else {
            // man(1) without groff installed cannot render: the roff
            // structure above is what is checked then.
            eprintln!("man -l failed: {}", String::from_utf8_lossy(&output.stderr));
        }
    }
}

#[test]
fn man_out_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man/pages");
    Test::new()
        .arg("man")
        .arg("--out")
        .arg(&out)
        .status(0)
        .stdout("")
        .stderr("")
        .run();
    let mut expected = vec!["nrscreen.1".to_string()];
    for command in subcommands() {
        expected.push(format!("nrscreen-{}.1", command.join("-")));
    }
    expected.sort();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, expected);
    let fmt = std::fs::read_to_string(out.join("nrscreen-fmt.1")).unwrap();
    assert_roff(&fmt, "nrscreen-fmt");
    assert!(fmt.contains("\\-\\-check"), "{fmt}");
}
