import { runCommand, type RunOptions } from "./commands/run.js";
import { reportFailure } from "./failure.js";
import { writeLine } from "./lineWriter.js";

/**
 * A plain `ionflux run` (see plainRun.ts), with the errors and exit statuses of the full CLI. Its
 * lines go out by writeLine, not through process.stdout and process.stderr (lineWriter.ts says why).
 */
export function runOnly(opts: RunOptions, out = (s: string) => writeLine(1, s), err = (s: string) => writeLine(2, s)): number {
  try {
    return runCommand(opts, out, err);
  } catch (e) {
    return reportFailure(e, err);
  }
}
