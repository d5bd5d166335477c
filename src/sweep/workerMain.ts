import { parentPort, workerData } from "node:worker_threads";
import { SweepRunner, type SweepRunResult } from "./runOne.js";

/**
 * How long (ms) a worker keeps finished runs' results before it posts them, as one message. One
 * message per run cost W2 about 20 µs of a 175 µs run on the worker and as much again on the main
 * thread (each message wakes the other thread); every 2 ms, the CLI sweep's main thread still
 * spent 1.13 s of CPU on 30,000 W1 runs on 2 threads, 0.83 s at 10 ms (4,190 → 4,350 runs/s; 20
 * ms gave the same as 10). Results go out once the runs held span this long (from the first one's
 * start), so a run longer than this is posted as soon as it ends; the results held when a run
 * begins (of runs that took less than this together) reach the pool when that run ends. A worker
 * terminated in the middle of a run (a timeout, a kill) loses at most those, which a timeout
 * hands out again and `--resume` redoes.
 */
export const POST_EVERY_MS = 10;

/**
 * A sweep worker's work: parses the scenario once, says "ready", then does batches of runs,
 * posting their results every POST_EVERY_MS, and at the batch's end the last of them with how
 * many it did (`{ results, done }`; after the first batch, its results and its count apart).
 * Between runs it reads the pool's stop flag (shared memory: a message could not reach it before
 * the batch ends) and ends the batch early when it is raised (Ctrl-C); it counts its finished runs
 * in `progress`, from which the pool tells a run that hangs from one whose result is on its way.
 * `afterFirstBatch` runs once, after the first batch (when the run's code has been compiled: the
 * code cache's moment).
 */
export function serveSweep(afterFirstBatch: () => void): void {
  const { text, file, baseSets, trajectoryDir, stop, progress } = workerData as {
    text: string;
    file: string;
    baseSets: string[];
    trajectoryDir?: string;
    stop: Int32Array;
    progress: Int32Array;
  };
  const runner = new SweepRunner(text, file, baseSets);
  let first = true;
  let held: SweepRunResult[] = [];
  let postedAt = performance.now();
  const post = () => {
    if (held.length > 0) parentPort!.postMessage(held);
    held = [];
    postedAt = performance.now();
  };
  parentPort!.on("message", (batch: { index: number; sets: string[] }[]) => {
    let done = 0;
    for (const p of batch) {
      if (Atomics.load(stop, 0) !== 0) break;
      held.push(runner.run(p.index, p.sets, trajectoryDir));
      Atomics.add(progress, 0, 1);
      if (performance.now() - postedAt >= POST_EVERY_MS) post();
      done++;
    }
    if (first) {
      // the results, then the code cache, then the batch's end: once that is in, the pool may end
      // this thread at any moment
      post();
      first = false;
      afterFirstBatch();
      parentPort!.postMessage(done);
    } else {
      // the last results and the batch's end in one message (one wake-up of the pool, not two)
      parentPort!.postMessage({ results: held, done });
      held = [];
      postedAt = performance.now();
    }
  });
  parentPort!.postMessage("ready");
}
