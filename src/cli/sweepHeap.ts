import { setFlagsFromString } from "node:v8";

/**
 * The V8 heap policy of an `ionflux sweep` process: `--optimize-for-size`, set before the sweep
 * starts its workers, makes V8 grow each heap (the main thread's and every worker's, which are
 * configured when they start) in smaller steps and give memory back sooner. A sweep's live data is
 * small and constant (one model per thread, a few batches of rows in flight), so a 100,000-run
 * sweep then peaks near a 1,000-run one (185 -> 121 MB for W4's grid on 2 threads) instead of
 * letting each heap's limit drift up with the allocation rate; runs/s did not move (measured in
 * `npm run bench`, W4). It is a process-wide flag, so only the CLI sets it, not the library's
 * sweep(), which leaves the host process's heap to its owner.
 */
export function favourSmallHeaps(): void {
  setFlagsFromString("--optimize-for-size");
}
