import { parentPort, workerData } from "node:worker_threads";
import { SweepRunner } from "./runOne.js";

/**
 * A sweep worker's work: parses the scenario once, says "ready", then does batches of runs,
 * posting each result as its run ends (a run done is a run kept, even if this thread is then
 * terminated in the middle of the next one) and, at the batch's end, how many it did. Between runs
 * it reads the pool's stop flag (shared memory: a message could not reach it before the batch
 * ends) and ends the batch early when it is raised (Ctrl-C); it counts its finished runs in
 * `progress`, from which the pool tells a run that hangs from one whose result is on its way.
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
  parentPort!.on("message", (batch: { index: number; sets: string[] }[]) => {
    let done = 0;
    for (const p of batch) {
      if (Atomics.load(stop, 0) !== 0) break;
      const result = runner.run(p.index, p.sets, trajectoryDir);
      Atomics.add(progress, 0, 1);
      parentPort!.postMessage(result);
      done++;
    }
    // before the batch's end: once it is in, the pool may end this thread at any moment
    if (first) {
      first = false;
      afterFirstBatch();
    }
    parentPort!.postMessage(done);
  });
  parentPort!.postMessage("ready");
}
