import { SimulatorError, UsageError } from "../errors.js";

/**
 * The CLI's answer to an error: one line on stderr (a stack trace only with IONFLUX_DEBUG=1) and
 * the exit status: the error's own for a SimulatorError (1 bad scenario or failed run, 2 usage),
 * 70 for an internal error.
 */
export function reportFailure(e: unknown, err: (s: string) => void): number {
  if (e instanceof SimulatorError) {
    err(`ionflux: ${e.message}`);
    if (e instanceof UsageError && e.suggestHelp) err("Try 'ionflux --help'.");
    if (process.env.IONFLUX_DEBUG) err(String(e.stack));
    return e.exitCode;
  }
  err(`ionflux: internal error: ${(e as Error).message ?? String(e)}`);
  if (process.env.IONFLUX_DEBUG) err(String((e as Error).stack));
  return 70;
}
