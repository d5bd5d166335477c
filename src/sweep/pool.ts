import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { SweepRunner, type SweepRunResult } from "./runOne.js";

export interface SweepPoint {
  readonly index: number;
  readonly sets: readonly string[];
}

export interface PoolJob {
  readonly text: string;
  readonly file: string;
  /** The run indices to do, in the order to hand them out. */
  readonly indices: readonly number[];
  /** The --set overrides of run k (built when its batch is sent, never all at once). */
  readonly setsOf: (k: number) => string[];
  readonly jobs: number;
  readonly batchSize?: number;
  /** Where to keep each run's trajectory CSV (--trajectories), or undefined. */
  readonly trajectoryDir?: string;
  readonly onResults: (results: readonly SweepRunResult[]) => void;
  /** Checked before each batch is handed out: true stops handing out (Ctrl-C). */
  readonly stopRequested: () => boolean;
}

/**
 * Runs sweep points on `jobs` worker threads (or in this thread for jobs = 1), in batches (one
 * message per `batchSize` runs, so that messaging costs little against the runs). Results are
 * reported per batch as they come; in-flight batches finish before this resolves.
 */
export async function runSweepPoints(job: PoolJob): Promise<void> {
  const batchSize = job.batchSize ?? 25;
  let next = 0;
  const nextBatch = (): SweepPoint[] | null => {
    if (next >= job.indices.length || job.stopRequested()) return null;
    const batch = job.indices.slice(next, next + batchSize).map((k) => ({ index: k, sets: job.setsOf(k) }));
    next += batch.length;
    return batch;
  };
  // this thread is one of the jobs: a sweep of N jobs starts N − 1 workers, whose start-up
  // (a fresh V8 isolate that loads and JIT-compiles everything anew) is the main cost of short sweeps
  const local = async () => {
    const runner = new SweepRunner(job.text, job.file);
    for (let batch = nextBatch(); batch; batch = nextBatch()) {
      job.onResults(batch.map((p) => runner.run(p.index, p.sets, job.trajectoryDir)));
      await new Promise((resolve) => setImmediate(resolve)); // let worker messages and a Ctrl-C in
    }
  };
  const workerCount = Math.max(0, Math.min(job.jobs, Math.ceil(job.indices.length / batchSize)) - 1);
  if (workerCount === 0) return local();
  const workerUrl = workerScript();
  // options built explicitly, without a prototype: nothing inherited (a polluted execArgv, env, eval) reaches a worker
  const workerOptions = () => Object.assign(Object.create(null) as WorkerOptions, { workerData: { text: job.text, file: job.file, baseSets: [], trajectoryDir: job.trajectoryDir }, execArgv: [] as string[] });
  const workers = Array.from({ length: workerCount }, () => new Worker(workerUrl, workerOptions()));
  try {
    await Promise.all([
      local(),
      ...workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              const batch = nextBatch();
              if (!batch) return resolve();
              w.postMessage(batch);
            };
            w.on("message", (results: SweepRunResult[]) => {
              job.onResults(results);
              feed();
            });
            w.on("error", reject);
            feed();
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The bundled worker (dist/sweep-worker.mjs) when built, else the compiled module beside this one. */
function workerScript(): URL {
  for (const candidate of [new URL("./sweep-worker.mjs", import.meta.url), new URL("../sweep-worker.mjs", import.meta.url)]) {
    if (existsSync(fileURLToPath(candidate))) return candidate;
  }
  return new URL("./worker.js", import.meta.url);
}
