/**
 * The bench's verdicts and its history: each figure against its target of docs/benchmarks.md
 * (pass / FAIL / n/a when the baseline could not be measured), and output/bench.json, which keeps
 * every run's figures with the commit they were measured on.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../recording/atomicFile.js";

/** One figure against its target: `ratio` is null when its baseline is missing. */
export interface Check {
  readonly name: string;
  readonly ratio: number | null;
  /** "<=" the ratio must not exceed the limit; ">=" it must reach it. */
  readonly sense: "<=" | ">=";
  readonly limit: number;
}

export type Verdict = "pass" | "FAIL" | "n/a";

export function verdict(c: Check): Verdict {
  if (c.ratio === null || !Number.isFinite(c.ratio)) return "n/a";
  return (c.sense === "<=" ? c.ratio <= c.limit : c.ratio >= c.limit) ? "pass" : "FAIL";
}

export const targetText = (c: Check) => `${c.sense} ${c.limit}x`;

/** A table with columns padded to their widest cell. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (cell ?? "").padEnd(widths[c]!)).join("  ").trimEnd()).join("\n");
}

/** The commit measured: HEAD, and whether the tree had uncommitted changes (null outside git). */
export function commitOf(cwd = "."): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return { commit, dirty: status.trim() !== "" };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** How many runs output/bench.json keeps (the oldest go first). */
export const HISTORY_LIMIT = 500;

/**
 * Appends this run to the history in `path` ({"runs": [...]}, oldest first). A file from before
 * the history (one run's object) becomes the first entry; an unreadable file is not overwritten.
 */
export function appendHistory(path: string, run: Record<string, unknown>): number {
  let runs: unknown[] = [];
  if (existsSync(path)) {
    const old = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (old && typeof old === "object" && Array.isArray((old as { runs?: unknown }).runs)) runs = (old as { runs: unknown[] }).runs;
    else if (old && typeof old === "object") runs = [old];
  }
  runs.push(run);
  if (runs.length > HISTORY_LIMIT) runs = runs.slice(runs.length - HISTORY_LIMIT);
  writeFileAtomic(path, `${JSON.stringify({ runs }, null, 2)}\n`);
  return runs.length;
}
