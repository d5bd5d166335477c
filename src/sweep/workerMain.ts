import { parentPort, workerData } from "node:worker_threads";
import { SweepRunner } from "./runOne.js";

/**
 * A sweep worker's work: parses the scenario once, then answers batches of runs. `afterFirstBatch`
 * runs once, after the first answer (when the run's code has been compiled: the code cache's moment).
 */
export function serveSweep(afterFirstBatch: () => void): void {
  const { text, file, baseSets, trajectoryDir } = workerData as { text: string; file: string; baseSets: string[]; trajectoryDir?: string };
  const runner = new SweepRunner(text, file, baseSets);
  let first = true;
  parentPort!.on("message", (batch: { index: number; sets: string[] }[]) => {
    const results = batch.map((p) => runner.run(p.index, p.sets, trajectoryDir));
    // before answering: once the answer is in, the pool may end this thread at any moment
    if (first) {
      first = false;
      afterFirstBatch();
    }
    parentPort!.postMessage(results);
  });
}
