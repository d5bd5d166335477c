import { runCommand, type RunOptions } from "./commands/run.js";
import { reportFailure } from "./failure.js";

/** A plain `ionflux run` (see plainRun.ts), with the errors and exit statuses of the full CLI. */
export function runOnly(opts: RunOptions, out = (s: string) => process.stdout.write(`${s}\n`), err = (s: string) => process.stderr.write(`${s}\n`)): number {
  try {
    return runCommand(opts, out, err);
  } catch (e) {
    return reportFailure(e, err);
  }
}
