//! `cargo run -p provider-table -- ISPDB_DIR [OUT]`: writes Outpost's provider table from a
//! folder of ISPDB `clientConfig` documents (default OUT: assets/providers.tsv).

use std::path::PathBuf;
use std::process::ExitCode;

use outpost::detect::providers::{ISPDB_NOTE, ProviderTable, generate};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: provider-table ISPDB_DIR [OUT]   (e.g. ../shared/ispdb)");
        return ExitCode::from(2);
    };
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("assets/providers.tsv"));
    let table = match generate(&dir, ISPDB_NOTE) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let parsed = ProviderTable::parse(&table).expect("a generated table reads back");
    if let Err(e) = std::fs::write(&out, &table) {
        eprintln!("error: could not write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{}: {} providers, {} domains",
        out.display(),
        parsed.providers().len(),
        parsed.domain_count()
    );
    ExitCode::SUCCESS
}
