import { SimulatorError, UsageError } from "../errors.js";

/**
 * The CLI's answer to an error: one line on stderr (a stack trace only with IONFLUX_DEBUG=1) and
 * the exit status: the error's own for a SimulatorError (1 bad scenario or failed run, 2 usage),
 * 1 for what the file system refused, 70 only for an internal error (a bug).
 */
export function reportFailure(e: unknown, err: (s: string) => void): number {
  if (e instanceof SimulatorError) {
    err(`ionflux: ${e.message}`);
    if (e instanceof UsageError && e.suggestHelp) err("Try 'ionflux --help'.");
    if (process.env.IONFLUX_DEBUG) err(String(e.stack));
    return e.exitCode;
  }
  // the file system said no (a full disk, a permission, a file where a directory should be): the user's to fix
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === "string" && FILE_SYSTEM_ERRORS.has(code)) {
    err(`ionflux: ${String((e as Error).message).split("\n")[0]}`);
    if (process.env.IONFLUX_DEBUG) err(String((e as Error).stack));
    return 1;
  }
  err(`ionflux: internal error: ${(e as Error).message ?? String(e)}`);
  if (process.env.IONFLUX_DEBUG) err(String((e as Error).stack));
  return 70;
}

/** errno codes that mean the environment refused, not that ionflux has a bug. */
const FILE_SYSTEM_ERRORS = new Set(["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "EISDIR", "ENOENT", "ELOOP", "EMFILE", "ENFILE", "EIO", "ENAMETOOLONG", "EFBIG", "ESTALE"]);
