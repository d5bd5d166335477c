import yargs from "yargs";
import { SimulatorError, UsageError } from "../errors.js";
import { IONFLUX_VERSION } from "../version.js";
import { checkCommand } from "./commands/check.js";
import { runCommand } from "./commands/run.js";
import { sweepCommand } from "./commands/sweep.js";

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/**
 * The command line. Returns the exit status: 0 success, 1 bad scenario or failed run, 2 usage.
 * Every error is one line on stderr; a stack trace only with IONFLUX_DEBUG=1.
 */
export async function main(argv: readonly string[], out = (s: string) => process.stdout.write(`${s}\n`), err = (s: string) => process.stderr.write(`${s}\n`)): Promise<number> {
  try {
    await yargs([...argv])
      .scriptName("ionflux")
      .usage("$0 <command> [options]\n\nSimulate ion flux across a cell membrane until the voltage reaches the reversal potential.")
      .command(
        "run <files..>",
        "run scenario files; writes DIR/NAME.csv and DIR/NAME.summary.json for each",
        (y) =>
          y
            .positional("files", { type: "string", array: true, describe: "scenario files (YAML or JSON)" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "output directory" })
            .option("set", { type: "string", array: true, describe: "override a field: PATH=VALUE, e.g. run.method=rk4" }),
        (args) => runCommand({ files: asList(args.files), out: String(args.out), set: asList(args.set) }, out),
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
        "run a grid of variations of one scenario; writes DIR/sweep.csv, one row per run",
        (y) =>
          y
            .positional("file", { type: "string", describe: "scenario file" })
            .option("vary", { type: "string", array: true, describe: 'PATH=SPEC: a list "1,2,5" or a range "LO:HI:N" / "LO:HI:log:N" (units allowed)' })
            .option("jobs", { alias: "j", type: "number", describe: "worker threads (default: the cores available)" })
            .option("set", { type: "string", array: true, describe: "override a field in every run: PATH=VALUE" })
            .option("out", { alias: "o", type: "string", default: "output", describe: "output directory" })
            .check((a) => {
              if (a.jobs !== undefined && !(Number.isInteger(a.jobs) && a.jobs >= 1)) throw new UsageError(`--jobs must be a whole number >= 1, got ${a.jobs}`);
              return true;
            }),
        (args) => sweepCommand({ file: String(args.file), vary: asList(args.vary), set: asList(args.set), jobs: args.jobs, out: String(args.out) }, out),
      )
      .demandCommand(1, "give a command: run, check or sweep")
      .strict()
      .recommendCommands()
      .version(IONFLUX_VERSION)
      .help()
      .showHelpOnFail(false)
      .fail((msg, e) => {
        if (e) throw e;
        throw new UsageError(msg);
      })
      .parseAsync();
    return 0;
  } catch (e) {
    if (e instanceof SimulatorError) {
      err(`ionflux: ${e.message}`);
      if (e instanceof UsageError) err("Try 'ionflux --help'.");
      if (process.env.IONFLUX_DEBUG) err(String(e.stack));
      return e.exitCode;
    }
    err(`ionflux: internal error: ${(e as Error).message ?? String(e)}`);
    if (process.env.IONFLUX_DEBUG) err(String((e as Error).stack));
    return 70;
  }
}
