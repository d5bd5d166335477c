import type { RunSettings } from "./types.js";

/** Rows a run records at most (both series up to the duration, plus t = 0 and the end). */
export function recordedRowsBound(run: Pick<RunSettings, "duration" | "recordEvery" | "recordLog">): number {
  const linear = run.duration / run.recordEvery;
  const log = run.recordLog ? Math.max(0, Math.log10(run.duration / run.recordLog.first)) * run.recordLog.perDecade + 1 : 0;
  return linear + log + 2;
}
