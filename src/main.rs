//! vigil's command line (DESIGN §9): subcommands and exit codes; the work is in the library.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use vigil::cli::{self as commands, ColorMode, EXIT_UNUSABLE, TuiOptions};
use vigil::export::Format;
use vigil::ingest::{Options, options};
use vigil::model::TzSpec;

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Incident timeline and forensics viewer: EVTX, firewall and EDR evidence on one time-ordered timeline",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
    /// Evidence files, directories, or a .vigil.json case file (opens the TUI).
    paths: Vec<PathBuf>,
    /// Force an input format id instead of sniffing.
    #[arg(long, value_name = "ID")]
    format: Option<String>,
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    tui: TuiArgs,
}

/// Options of the timeline viewer.
#[derive(Args, Clone, Debug)]
struct TuiArgs {
    /// Extra display zone for the viewer (shown first; `T` cycles UTC, local, this zone).
    #[arg(long = "display-tz", value_name = "ZONE", value_parser = parse_tz, allow_hyphen_values = true)]
    display_tz: Option<TzSpec>,
    /// Colour: auto (off when NO_COLOR is set), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto", value_parser = parse_color)]
    color: ColorMode,
    /// ASCII-only borders and symbols (for non-UTF-8 terminals).
    #[arg(long)]
    ascii: bool,
    /// Enable mouse (clicks and wheel; disables the terminal's own select-to-copy).
    #[arg(long)]
    mouse: bool,
    /// Analyst name recorded on annotations.
    #[arg(long, value_name = "NAME", env = "VIGIL_AUTHOR")]
    author: Option<String>,
}

#[derive(Args, Clone, Debug)]
struct Common {
    /// Zone of naive log times: IANA name (Europe/Paris) or ±HH:MM. Default UTC.
    #[arg(
        long,
        global = true,
        default_value = "UTC",
        value_parser = parse_tz,
        allow_hyphen_values = true
    )]
    tz: TzSpec,
    /// Zone for sources matching a glob: GLOB=ZONE (repeatable).
    #[arg(
        long = "source-tz",
        global = true,
        value_name = "GLOB=ZONE",
        allow_hyphen_values = true
    )]
    source_tz: Vec<String>,
    /// Clock correction for sources matching a glob: GLOB=±DURATION (e.g. '*dc01*=-90s').
    #[arg(
        long,
        global = true,
        value_name = "GLOB=±DURATION",
        allow_hyphen_values = true
    )]
    skew: Vec<String>,
    /// Year for syslog times that carry none (default: the file's modification year).
    #[arg(long, global = true)]
    year: Option<i32>,
    /// Force an input format id instead of sniffing (evtx, wfw, netfilter, …, mapped).
    /// `--format` says the same outside `export`, where it names the output format.
    #[arg(long = "input-format", global = true, value_name = "ID")]
    input_format: Option<String>,
    /// Mapping file for the `mapped` format.
    #[arg(long, global = true)]
    map: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 4 per core).
    #[arg(long, global = true, default_value_t = 0)]
    threads: usize,
    /// Read files instead of memory-mapping them (safe for live logs).
    #[arg(long = "no-mmap", global = true)]
    no_mmap: bool,
    /// Case file to load annotations from and save to.
    #[arg(long, global = true)]
    case: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
}

/// Sigma rules (vigil's own are always loaded, unless --no-rules).
#[derive(Args, Clone, Debug)]
struct RuleArgs {
    /// Sigma rule folder (repeatable; SigmaHQ's layout works as is). Default: $VIGIL_RULES,
    /// else ~/.local/share/vigil/rules if it exists.
    #[arg(long = "rules", global = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// No Sigma rules at all.
    #[arg(long = "no-rules", global = true)]
    no_rules: bool,
    /// Skip rules below this level (informational, low, medium, high, critical).
    #[arg(
        long = "min-level",
        global = true,
        value_name = "LEVEL",
        default_value = "informational"
    )]
    min_level: vigil::detect::Level,
    /// Rule statuses to load, comma-separated (default: stable,test,experimental).
    #[arg(long, global = true, value_name = "LIST", value_delimiter = ',')]
    status: Vec<vigil::detect::Status>,
    /// Sigma logsource/field mapping file replacing the built-in one.
    #[arg(long = "sigma-mapping", global = true, value_name = "FILE")]
    sigma_mapping: Option<PathBuf>,
}

impl RuleArgs {
    fn options(&self) -> vigil::detect::RuleOptions {
        vigil::detect::RuleOptions {
            dirs: match (self.no_rules, self.dirs.is_empty()) {
                (true, _) => Vec::new(),
                (false, true) => vigil::detect::default_rule_dirs(),
                (false, false) => self.dirs.clone(),
            },
            builtin: !self.no_rules,
            min_level: self.min_level,
            statuses: self.status.clone(),
            mapping: self.sigma_mapping.clone(),
        }
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Per-source format, counts, rejects and time span; no TUI.
    Stats {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Force an input format id instead of sniffing.
        #[arg(long, value_name = "ID")]
        format: Option<String>,
        /// Also run the Sigma rules and count hits per level (implied by --rules). Off by
        /// default: stats then reads times and counts only, which is much faster.
        #[arg(long)]
        detect: bool,
    },
    /// Write the timeline (or the part matching --filter) as jsonl, csv or timesketch.
    Export {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long = "format", short = 'F', value_parser = format_parser(), default_value = "jsonl")]
        out_format: Format,
        /// Only events matching this query (DESIGN §6; `mark:`, `tag:`, `annotated` need --case).
        #[arg(long)]
        filter: Option<String>,
        /// Only annotated events (needs --case), plus annotated events whose evidence is
        /// not loaded, from the case file's copies.
        #[arg(long = "annotated-only")]
        annotated_only: bool,
        /// Output file (default: stdout). Never an input, a case file or a journal.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
        /// Also run the Sigma rules and add each event's hits (implied by --rules).
        #[arg(long)]
        detect: bool,
    },
    /// Write the sample incident (EVTX, firewall and EDR evidence of one attack).
    Sample {
        /// Multiply the background noise (benchmark corpora).
        #[arg(long, default_value_t = 1)]
        scale: u32,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Folder to write into (created if needed; must be empty unless --force).
        #[arg(short = 'o', long = "output", required = true)]
        output: PathBuf,
        /// Write into a folder that is not empty (replacing sample files of the same names).
        #[arg(long)]
        force: bool,
    },
    /// Markdown narrative of a case file's annotations.
    Report {
        case: PathBuf,
        /// Output file (default: stdout). Never the case, its journal or its evidence.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Sigma hits over the evidence, one line per hit in time order (CSV or JSON lines).
    Hunt {
        /// Evidence files or directories.
        paths: Vec<PathBuf>,
        #[arg(long = "format", short = 'F', value_enum, default_value = "csv")]
        out_format: HuntOut,
        /// Output file (default: stdout).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// List the rules loaded and those not loaded, with reasons; no evidence needed.
        #[arg(long = "check-rules")]
        check_rules: bool,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Ranked early-detection candidates (Sigma hits and analyzer findings) as Markdown,
    /// JSON lines or CSV; with --case, what was accepted or dismissed.
    Triage {
        /// Evidence files or directories.
        paths: Vec<PathBuf>,
        #[arg(long = "format", short = 'F', value_enum, default_value = "md")]
        out_format: TriageOut,
        /// Output file (default: stdout).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// At most this many candidates (default: all).
        #[arg(short = 'n', long = "limit", default_value_t = 0)]
        limit: usize,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Merge two or more analysts' case files.
    Merge {
        #[arg(required = true, num_args = 2..)]
        cases: Vec<PathBuf>,
        /// The merged case file (never one of the inputs).
        #[arg(short = 'o', long = "output", required = true)]
        output: PathBuf,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// `--format` of `export`: the ids and descriptions of `export::Format`.
fn format_parser() -> impl TypedValueParser<Value = Format> {
    let names = Format::ALL.map(|f| PossibleValue::new(f.id()).help(f.describe()));
    PossibleValuesParser::new(names).try_map(|s| s.parse::<Format>())
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TriageOut {
    Md,
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum HuntOut {
    Csv,
    Jsonl,
}

fn parse_tz(s: &str) -> Result<TzSpec, vigil::model::TzError> {
    s.parse()
}

fn parse_color(s: &str) -> Result<ColorMode, vigil::cli::UnknownColorMode> {
    s.parse()
}

fn options(c: &Common) -> Result<Options, options::OptionError> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let (threads, note) = commands::thread_count(c.threads, cores);
    if let Some(n) = note {
        eprintln!("vigil: {n}");
    }
    Ok(Options {
        tz: c.tz,
        source_tz: c
            .source_tz
            .iter()
            .map(|s| options::parse_rule(s, |v| v.parse::<TzSpec>()))
            .collect::<Result<_, _>>()?,
        skew: c
            .skew
            .iter()
            .map(|s| options::parse_rule(s, options::parse_duration))
            .collect::<Result<_, _>>()?,
        year: c.year,
        format: c.input_format.clone(),
        threads,
        no_mmap: c.no_mmap,
        map: c.map.clone(),
        index_only: false,
    })
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let mut opts = options(&cli.common)?;
    // One pool for everything (ingest, sort, filters), sized by --threads.
    opts.threads = commands::build_pool(opts.threads)?;
    if let Some(f) = cli.format.clone() {
        opts.format = Some(f);
    }
    match cli.cmd {
        Some(Cmd::Stats {
            paths,
            json,
            format,
            detect,
        }) => {
            if format.is_some() {
                opts.format = format;
            }
            let r = &cli.common.rules;
            let ro = ((detect || !r.dirs.is_empty()) && !r.no_rules).then(|| r.options());
            let mut out = std::io::stdout().lock();
            Ok(commands::stats(&paths, &opts, json, ro.as_ref(), &mut out)?)
        }
        Some(Cmd::Export {
            paths,
            out_format,
            filter,
            annotated_only,
            output,
            force,
            detect,
        }) => {
            let r = &cli.common.rules;
            let ro = ((detect || !r.dirs.is_empty()) && !r.no_rules).then(|| r.options());
            let eo = commands::ExportOptions {
                filter: filter.as_deref(),
                output: output.as_deref(),
                case: cli.common.case.as_deref(),
                annotated_only,
                force,
                rules: ro.as_ref(),
            };
            commands::export(&paths, &opts, out_format, &eo)
        }
        Some(Cmd::Sample {
            scale,
            seed,
            output,
            force,
        }) => {
            let so = commands::SampleOptions {
                scale: scale.max(1),
                seed,
                force,
            };
            commands::sample(&output, &so, &mut std::io::stdout().lock())
        }
        Some(Cmd::Hunt {
            paths,
            out_format,
            output,
            check_rules,
            force,
        }) => {
            use vigil::detect::hunt::{HuntFormat, HuntOptions, hunt};
            let ho = HuntOptions {
                format: match out_format {
                    HuntOut::Csv => HuntFormat::Csv,
                    HuntOut::Jsonl => HuntFormat::Jsonl,
                },
                output: output.as_deref(),
                force,
                check_rules,
            };
            let ro = cli.common.rules.options();
            Ok(hunt(
                &paths,
                &opts,
                &ro,
                &ho,
                &mut std::io::stderr().lock(),
            )?)
        }
        Some(Cmd::Triage {
            paths,
            out_format,
            output,
            limit,
            force,
        }) => {
            use vigil::detect::triage::{TriageFormat, TriageOptions, triage};
            let to = TriageOptions {
                format: match out_format {
                    TriageOut::Md => TriageFormat::Markdown,
                    TriageOut::Jsonl => TriageFormat::Jsonl,
                    TriageOut::Csv => TriageFormat::Csv,
                },
                output: output.as_deref(),
                force,
                case: cli.common.case.as_deref(),
                limit,
            };
            let ro = cli.common.rules.options();
            Ok(triage(
                &paths,
                &opts,
                &ro,
                &to,
                &mut std::io::stderr().lock(),
            )?)
        }
        Some(Cmd::Report {
            case,
            output,
            force,
        }) => commands::report(&case, output.as_deref(), force),
        Some(Cmd::Merge {
            cases,
            output,
            force,
        }) => commands::merge(&cases, &output, force, &mut std::io::stderr().lock()),
        None => {
            if cli.paths.is_empty() {
                anyhow::bail!("no evidence given: vigil PATH... (try `vigil samples/`, or --help)");
            }
            let t = cli.tui;
            let tui_opts = TuiOptions {
                display_tz: t.display_tz,
                color: t.color,
                ascii: t.ascii,
                mouse: t.mouse,
                author: t.author,
                case: cli.common.case.clone(),
                rules: (!cli.common.rules.no_rules).then(|| cli.common.rules.options()),
            };
            commands::run_tui(cli.paths, opts, tui_opts)
        }
    }
}

fn main() -> ExitCode {
    commands::mark_process_start();
    // Bad arguments exit 1 (the contract), not clap's usual 2 (which means "rejects").
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_UNUSABLE } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("vigil: {e:#}");
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn export_format_is_the_output_format() {
        let c = Cli::try_parse_from([
            "vigil",
            "export",
            "x",
            "--format",
            "csv",
            "--input-format",
            "evtx",
        ]);
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            c.cmd,
            Some(Cmd::Export {
                out_format: Format::Csv,
                ..
            })
        ));
        assert_eq!(c.common.input_format.as_deref(), Some("evtx"));
    }

    #[test]
    fn negative_offsets_are_values_not_flags() {
        let c = Cli::try_parse_from([
            "vigil",
            "stats",
            "x",
            "--tz",
            "-05:00",
            "--source-tz",
            "*fw*=-03:30",
            "--skew",
            "*dc*=-5m",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.common.tz.to_string(), "-05:00");
        let o = options(&c.common).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(o.skew.len(), 1);
        assert_eq!(o.source_tz.len(), 1);
        let c = Cli::try_parse_from(["vigil", "x", "--display-tz", "-08:00"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.tui.display_tz.map(|z| z.to_string()).as_deref(),
            Some("-08:00")
        );
    }

    #[test]
    fn force_is_accepted_by_every_writing_command() {
        for args in [
            &["vigil", "export", "x", "-o", "o", "--force"][..],
            &["vigil", "report", "c.vigil.json", "-o", "o", "--force"],
            &["vigil", "merge", "a", "b", "-o", "o", "--force"],
            &["vigil", "sample", "-o", "d", "--force"],
        ] {
            if let Err(e) = Cli::try_parse_from(args) {
                panic!("{args:?}: {e}");
            }
        }
    }

    #[test]
    fn export_case_flags_parse() {
        let c = Cli::try_parse_from([
            "vigil",
            "export",
            "ev",
            "--case",
            "c.vigil.json",
            "--annotated-only",
            "-F",
            "timesketch",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            c.cmd,
            Some(Cmd::Export {
                out_format: Format::Timesketch,
                annotated_only: true,
                ..
            })
        ));
        assert_eq!(
            c.common.case.as_deref(),
            Some(std::path::Path::new("c.vigil.json"))
        );
    }
}
