import { UsageError } from "../errors.js";

/**
 * `--out -` is the usual spelling of "to stdout"; these commands write several files (a CSV and
 * a summary per run, a table and its sidecar), so it cannot mean that: refuse it rather than
 * writing into a directory named "-".
 */
export function checkOutDir(out: string, command: string): void {
  if (out.trim() === "-") {
    throw new UsageError(`${command} --out -: ${command} writes several files (${command === "sweep" || command === "merge" ? "sweep.csv and sweep.meta.json" : "NAME.csv and NAME.summary.json"}), so it needs a directory; to see a table, cat it (ionflux plot FILE --out - writes an SVG to stdout)`);
  }
}
