import yargs from "yargs";
import { UsageError } from "../errors.js";
import { reportFailure } from "./failure.js";
import { IONFLUX_VERSION } from "../version.js";
import { checkCommand } from "./commands/check.js";
import { runCommand } from "./commands/run.js";
import { verifyCommand } from "./commands/verify.js";
import { ivCommand } from "./commands/iv.js";
import { mergeCommand } from "./commands/merge.js";
import { plotCommand } from "./commands/plot.js";
import { reportCommand } from "./commands/report.js";
import type { TimeAxis } from "../plot/trajectory.js";
import { checkJobs, checkRunTimeout, sweepCommand } from "./commands/sweep.js";
import { favourSmallHeaps } from "./sweepHeap.js";
import type { ProgressMode } from "./progress.js";

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * The command line. Returns the exit status: 0 success, 1 bad scenario or failed run, 2 usage.
 * Every error is one line on stderr; a stack trace only with IONFLUX_DEBUG=1.
 */
export async function main(argv: readonly string[], out = (s: string) => process.stdout.write(`${s}\n`), err = (s: string) => process.stderr.write(`${s}\n`)): Promise<number> {
  let status = 0;
  try {
    // a lone "-" (standard input) is dropped by yargs, so `run -` ran nothing and exited 0
    const dash = argv.findIndex((a, i) => a === "-" && argv[i - 1] !== "--out" && argv[i - 1] !== "-o");
    if (dash >= 0) throw new UsageError(`"-" (standard input) is not read as a scenario: give the file's path`);
    await yargs(joinNegativeValues(argv))
      .scriptName("ionflux")
      .usage("$0 <command> [options]\n\nSimulate ion flux across a cell membrane until the voltage reaches the reversal potential.")
      .command(
        "run <files..>",
        "run scenario files; writes DIR/NAME.csv and DIR/NAME.summary.json for each",
        (y) =>
          y
            .positional("files", { type: "string", array: true, describe: "scenario files (YAML or JSON)" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "output directory" })
            .option("set", { type: "string", array: true, describe: "override a field: PATH=VALUE, e.g. run.method=rk4" })
            .option("plot", { type: "boolean", describe: "also draw DIR/NAME.svg (V with E_rev and E_X, concentrations, currents)" }),
        (args) => {
          status = runCommand({ files: asList(args.files), out: String(args.out), set: asList(args.set), plot: Boolean(args.plot) }, out, err);
        },
      )
      .command(
        "check <files..>",
        "validate scenario files and print the derived numbers (Nernst potentials, E_rev, time constants, charges)",
        (y) =>
          y
            .positional("files", { type: "string", array: true })
            .option("set", { type: "string", array: true, describe: "override a field: PATH=VALUE" }),
        (args) => checkCommand({ files: asList(args.files), set: asList(args.set) }, out),
      )
      .command(
        "sweep <file>",
        "run a grid (or a seeded sample) of variations of one scenario; writes DIR/sweep.csv, one row per run",
        (y) =>
          y
            .positional("file", { type: "string", describe: "scenario file (its sweep: section is used when no --vary is given)" })
            .option("vary", { type: "string", array: true, describe: 'PATH=SPEC: a list "1,2,5" or a range "LO:HI:N" / "LO:HI:log:N"; with --samples "LO:HI", "LO:HI:log" or "normal:MEAN:SD" (units allowed)' })
            .option("samples", { type: "number", describe: "draw N seeded random runs instead of the grid" })
            .option("seed", { type: "number", describe: "seed of the sample (default 1)" })
            .option("lhs", { type: "boolean", describe: "Latin hypercube sample (with --samples)" })
            .option("jobs", { alias: "j", type: "number", describe: "worker threads (default: the cores available)" })
            .option("shard", { type: "string", describe: "K/N: run a round-robin share; auto/N: K from JOB_COMPLETION_INDEX (Kubernetes), AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID (default: from SLURM_ARRAY_TASK_* inside a job array)" })
            .option("force", { type: "boolean", describe: "replace another sweep's table in the output directory" })
            .option("resume", { type: "boolean", describe: "run only what an interrupted sweep left undone" })
            .option("trajectories", { type: "boolean", describe: "also keep every run's trajectory CSV in DIR/sweep.runs/" })
            .option("run-timeout", { type: "number", describe: "a run taking longer than SECONDS becomes a failed row (\"timed out after SECONDS s\"); the sweep goes on" })
            .option("progress", { choices: ["auto", "always", "never"] as const, default: "auto" as const, describe: "progress on stderr" })
            .option("set", { type: "string", array: true, describe: "override a field in every run: PATH=VALUE" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "output directory" })
            .check((a) => {
              // yargs gives a number option written without its value as undefined: refused, not ignored
              for (const name of ["jobs", "samples", "seed"]) if (Object.hasOwn(a, name) && a[name] === undefined) throw new UsageError(`--${name} needs a value`);
              checkJobs(a.jobs);
              if (a.samples !== undefined && !(Number.isInteger(a.samples) && a.samples >= 1)) throw new UsageError(`--samples must be a whole number >= 1, got ${a.samples}`);
              if (a.seed !== undefined && !(Number.isInteger(a.seed) && a.seed >= 0)) throw new UsageError(`--seed must be a whole number >= 0, got ${a.seed}`);
              checkRunTimeout(a["run-timeout"], Object.hasOwn(a, "run-timeout"));
              return true;
            }),
        async (args) => {
          favourSmallHeaps();
          status = await sweepCommand(
            {
              file: String(args.file),
              vary: asList(args.vary),
              set: asList(args.set),
              ...(args.samples !== undefined ? { samples: args.samples } : {}),
              ...(args.seed !== undefined ? { seed: args.seed } : {}),
              ...(args.lhs !== undefined ? { lhs: args.lhs } : {}),
              ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
              ...(args.shard !== undefined ? { shard: String(args.shard) } : {}),
              resume: Boolean(args.resume),
              force: Boolean(args.force),
              trajectories: Boolean(args.trajectories),
              ...(args["run-timeout"] !== undefined ? { runTimeout: args["run-timeout"] } : {}),
              progress: args.progress as ProgressMode,
              out: String(args.out),
            },
            out,
          );
        },
      )
      .command(
        "merge <dirs..>",
        "join the shards of a sweep (sweep.shard-K-of-N.csv) into one sweep.csv",
        (y) =>
          y
            .positional("dirs", { type: "string", array: true, describe: "directories holding the shards" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "where sweep.csv goes" }),
        (args) => mergeCommand({ dirs: asList(args.dirs), out: String(args.out) }, out),
      )
      .command(
        "iv <file>",
        "voltage-clamp I-V protocol: writes DIR/NAME.iv.csv and reports every reversal potential",
        (y) =>
          y
            .positional("file", { type: "string" })
            .option("from", { type: "string", demandOption: true, describe: "first command voltage, e.g. -100mV" })
            .option("to", { type: "string", demandOption: true, describe: "last command voltage, e.g. 60mV" })
            .option("step", { type: "string", default: "5 mV", describe: "command voltage step" })
            .option("at", { type: "string", describe: "also the currents this long after each clamp step, e.g. 5ms" })
            .option("set", { type: "string", array: true, describe: "override a field: PATH=VALUE" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "output directory" }),
        (args) =>
          ivCommand(
            { file: String(args.file), from: String(args.from), to: String(args.to), step: String(args.step), ...(args.at !== undefined ? { at: String(args.at) } : {}), set: asList(args.set), out: String(args.out) },
            out,
          ),
      )
      .command(
        "plot <file>",
        "draw a trajectory CSV (V with E_rev and E_X, concentrations, currents) or a sweep.csv as SVG or PNG",
        (y) =>
          y
            .positional("file", { type: "string", describe: "NAME.csv or sweep.csv" })
            .option("out", { alias: "o", type: "string", describe: "FILE.svg or FILE.png (default: NAME.svg beside the CSV)" })
            .option("time-axis", { choices: ["auto", "linear", "log"] as const, default: "auto" as const })
            .option("width", { type: "number", default: 900, describe: "width in pixels (200 to 10000)" })
            .check((a) => {
              if (!(Number.isInteger(a.width) && a.width >= 200 && a.width <= 10_000)) throw new UsageError(`--width must be a whole number of pixels from 200 to 10000, got ${Number.isNaN(a.width) ? "a value that is not a number" : a.width}`);
              return true;
            }),
        (args) => plotCommand({ file: String(args.file), ...(args.out !== undefined ? { out: String(args.out) } : {}), timeAxis: args["time-axis"] as TimeAxis, width: Number(args.width) }, out),
      )
      .command(
        "report <dir>",
        "one self-contained HTML page of the runs and sweep in DIR (tables, figures, scenarios, provenance)",
        (y) => y.positional("dir", { type: "string" }),
        (args) => reportCommand(String(args.dir), out),
      )
      .command(
        "verify",
        "run the built-in closed-form checks (Nernst, GHK, chord conductance, Donnan, pump-leak, integrator orders)",
        (y) => y,
        () => {
          status = verifyCommand(out);
        },
      )
      .demandCommand(1, "give a command: run, check, sweep, merge, iv, plot, report or verify")
      .strict()
      .check((a) => {
        // yargs makes a repeated option an array (`--out a --out b` became the path "a,b")
        for (const name of SINGLE_VALUE_OPTIONS) if (Array.isArray(a[name])) throw new UsageError(`--${name} is given ${(a[name] as unknown[]).length} times: give it once`);
        return true;
      }, true)
      .recommendCommands()
      .version(IONFLUX_VERSION)
      .help()
      .showHelpOnFail(false)
      .fail((msg, e) => {
        if (e) throw e;
        throw new UsageError(msg);
      })
      .parseAsync();
    return status;
  } catch (e) {
    return reportFailure(e, err);
  }
}

/** Options that take one value (the others, --set, --vary, take any number). */
const SINGLE_VALUE_OPTIONS = ["out", "from", "to", "step", "at", "width", "time-axis", "jobs", "shard", "samples", "seed", "progress", "run-timeout"];

/** Options whose value may be a negative quantity, like `--from -100mV`. */
const SIGNED_VALUE_OPTIONS = new Set(["--out", "-o", "--from", "--to", "--step", "--at", "--set", "--vary"]);

/**
 * `--from -100mV` would read as flags -1, -0, -0, -m, -V: join such a value to its option
 * (`--from=-100mV`) before yargs sees it.
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    // a lone "-" (stdout, by convention) would be dropped by yargs: keep it as --out's value so it can be refused
    if (SIGNED_VALUE_OPTIONS.has(a) && next !== undefined && (/^-[\d.]/.test(next) || (next === "-" && (a === "--out" || a === "-o")))) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
