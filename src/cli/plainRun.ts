import type { RunOptions } from "./commands/run.js";

/**
 * Recognises the plain `ionflux run FILE... [--out DIR] [--set PATH=VALUE]... [--plot]` command
 * line, which start-up serves without loading the CLI framework (yargs, help text, the other
 * commands): the run's own work is then most of the process. Returns the options exactly as the
 * full parser (src/cli/main.ts) reads them, or null for anything else — help, version, another
 * command, an unknown or repeated flag, a word after the options (yargs reads `--set A B` as two
 * overrides, `--plot false` as a value), a value starting with "-" — which goes to yargs.
 */
export function plainRun(argv: readonly string[]): RunOptions | null {
  if (argv[0] !== "run") return null;
  const files: string[] = [];
  const set: string[] = [];
  let out: string | undefined;
  let plot = false;
  let i = 1;
  for (; i < argv.length && isValue(argv[i]!); i++) files.push(argv[i]!);
  if (files.length === 0) return null;
  while (i < argv.length) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const inline = flag !== a ? a.slice(eq + 1) : undefined;
    // the value: inline (--out=DIR) or the next word, which must not start an option
    let value: string | undefined;
    if (flag === "--out" || flag === "-o" || flag === "--set") {
      if (inline !== undefined) value = inline;
      else if (i + 1 < argv.length && isValue(argv[i + 1]!)) value = argv[++i]!;
      else return null;
      if (value === "") return null;
    } else if (flag === "--plot" && inline === undefined) {
      if (plot) return null;
      plot = true;
    } else return null;
    if (flag === "--set") set.push(value!);
    else if (flag !== "--plot") {
      if (out !== undefined) return null;
      out = value;
    }
    i++;
  }
  return { files, out: out ?? "output", set, plot };
}

/** A word that is a value, not an option (as yargs tells them apart for these options). */
const isValue = (s: string) => s !== "" && !s.startsWith("-") && s !== "--";
