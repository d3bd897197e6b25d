//! Screens case records with the nrscreen library: reads JSON records (one
//! object per line) from standard input, prints each case's findings.
//!
//! ```sh
//! echo '{"case_id":"A-1","program":"mpp-2019","returned_to_mexico":true,
//!        "fear_of_mexico_expressed":true,"nri_held":false}' |
//!   cargo run --example screen_record -- rules
//! ```

use std::io::BufRead;
use std::process::ExitCode;

use nrscreen::{FindingKind, RuleSet};

fn main() -> ExitCode {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rules".to_string());
    let rules = match RuleSet::load(&dir) {
        Ok(rules) => rules,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(1);
        }
    };
    let mut screener = rules.screener();
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let line = match line {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => line,
            Err(error) => {
                eprintln!("cannot read standard input: {error}");
                return ExitCode::from(2);
            }
        };
        match screener.screen_json(&line) {
            Ok(case) => {
                println!("{}: {:?}", case.case_id, case.outcome);
                for finding in &case.findings {
                    let mark = match finding.outcome {
                        FindingKind::Flagged => "FLAGGED",
                        FindingKind::NeedsReview => "review ",
                        FindingKind::Cleared => "cleared",
                    };
                    println!("  {mark} {:<30} {}", finding.gap, finding.because);
                    println!("          cites: {}", finding.cites.join("; "));
                }
            }
            Err(error) => eprintln!("line {}: rejected: {error}", number + 1),
        }
    }
    ExitCode::SUCCESS
}
