import { parentPort, workerData } from "node:worker_threads";
import { SweepRunner } from "./runOne.js";

/** A sweep worker: parses the scenario once, then answers batches of runs. */
const { text, file, baseSets, trajectoryDir } = workerData as { text: string; file: string; baseSets: string[]; trajectoryDir?: string };
const runner = new SweepRunner(text, file, baseSets);
parentPort!.on("message", (batch: { index: number; sets: string[] }[]) => {
  parentPort!.postMessage(batch.map((p) => runner.run(p.index, p.sets, trajectoryDir)));
});
