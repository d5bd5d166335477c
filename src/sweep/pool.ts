import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SweepRunResult } from "./runOne.js";

export interface SweepPoint {
  readonly index: number;
  readonly sets: readonly string[];
}

/**
 * Runs sweep points on `jobs` worker threads, in batches (one message per `batchSize` runs, so
 * that messaging costs little against the runs), and returns the results in point order.
 */
export async function runPointsInWorkers(
  text: string,
  file: string,
  points: readonly SweepPoint[],
  jobs: number,
  batchSize = 25,
  onProgress?: (done: number) => void,
): Promise<SweepRunResult[]> {
  const results: SweepRunResult[] = new Array(points.length);
  const position = new Map(points.map((p, i) => [p.index, i]));
  const batches: SweepPoint[][] = [];
  for (let i = 0; i < points.length; i += batchSize) batches.push(points.slice(i, i + batchSize));
  let next = 0;
  let done = 0;
  const workerUrl = workerScript();
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, batches.length)) }, () => new Worker(workerUrl, { workerData: { text, file, baseSets: [] } }));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= batches.length) return resolve();
              w.postMessage(batches[next++]);
            };
            w.on("message", (batch: SweepRunResult[]) => {
              for (const r of batch) results[position.get(r.index)!] = r;
              done += batch.length;
              onProgress?.(done);
              feed();
            });
            w.on("error", reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** The bundled worker (dist/sweep-worker.mjs) when built, else the compiled module beside this one. */
function workerScript(): URL {
  for (const candidate of [new URL("./sweep-worker.mjs", import.meta.url), new URL("../sweep-worker.mjs", import.meta.url)]) {
    if (existsSync(fileURLToPath(candidate))) return candidate;
  }
  return new URL("./worker.js", import.meta.url);
}
