import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { SweepRunner, type SweepRunResult } from "./runOne.js";

export interface SweepPoint {
  readonly index: number;
  readonly sets: readonly string[];
}

/** What a pool needs to know for its whole life: the scenario and how many threads. */
export interface PoolOptions {
  readonly text: string;
  readonly file: string;
  readonly jobs: number;
  /** Where to keep each run's trajectory CSV (--trajectories), or undefined. */
  readonly trajectoryDir?: string;
}

/** One sweep through a pool. */
export interface PoolSweep {
  /** The run indices to do, in the order to hand them out: an array or a generator (read as runs are handed out). */
  readonly indices: Iterable<number>;
  /** How many `indices` gives (how many threads are worth starting); an array's length when not given. */
  readonly count?: number;
  /** The --set overrides of run k (built when its batch is sent, never all at once). */
  readonly setsOf: (k: number) => string[];
  readonly batchSize?: number;
  readonly onResults: (results: readonly SweepRunResult[]) => void;
  /** Checked before each batch is handed out: true stops handing out (Ctrl-C). */
  readonly stopRequested: () => boolean;
}

export type PoolJob = PoolOptions & PoolSweep;

/**
 * A young generation of a few MB per worker: a sweep's garbage is short-lived (one run's scenario,
 * model and solver state: about 120 kB a run of W1), so small scavenges keep up with it, and a
 * long sweep's memory stays where a short one's is instead of each isolate growing its nursery to
 * V8's default 48 MB. Measured on W1 runs: 2, 4, 8 and 32 MB cost the same CPU time per run.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };


/**
 * Sweep runs on `jobs` threads: this thread is one of them (so a sweep of N jobs starts N − 1
 * workers, whose start-up — a fresh V8 isolate that loads and JIT-compiles everything anew — is
 * the main cost of short sweeps; all N on workers measured more memory, not less: a third isolate),
 * the others are worker threads, started once and kept for every sweep run through the pool. Runs go out in batches (one message per `batchSize` runs, so that
 * messaging costs little against the runs); results are reported per batch as they come.
 */
export class SweepPool {
  private readonly workers: Worker[] = [];
  private local: SweepRunner | null = null;
  private readonly handlers = new Map<Worker, { message: (r: SweepRunResult[]) => void; error: (e: Error) => void }>();

  constructor(readonly options: PoolOptions) {}

  /** Starts the workers now (else the first sweep starts as many as it can use). */
  start(count = this.options.jobs - 1): void {
    const url = workerScript();
    while (this.workers.length < count) {
      // options built explicitly, without a prototype: nothing inherited (a polluted execArgv, env, eval) reaches a worker
      const options = Object.assign(Object.create(null) as WorkerOptions, {
        workerData: { text: this.options.text, file: this.options.file, baseSets: [], trajectoryDir: this.options.trajectoryDir },
        execArgv: [] as string[],
        resourceLimits: Object.assign(Object.create(null) as NonNullable<WorkerOptions["resourceLimits"]>, WORKER_LIMITS),
      });
      const w = new Worker(url, options);
      w.on("message", (r: SweepRunResult[]) => this.handlers.get(w)?.message(r));
      w.on("error", (e: Error) => this.handlers.get(w)?.error(e));
      // a worker that ends on its own (out of memory, killed) fails the sweep that was using it
      w.on("exit", (code) => {
        const i = this.workers.indexOf(w);
        if (i >= 0) this.workers.splice(i, 1);
        this.handlers.get(w)?.error(new Error(`a sweep worker stopped (exit status ${code})`));
      });
      this.workers.push(w);
    }
  }

  /** Runs a sweep; resolves when every batch handed out has come back (in-flight ones finish after a stop). */
  async run(job: PoolSweep): Promise<void> {
    const batchSize = job.batchSize ?? 25;
    const count = job.count ?? (Array.isArray(job.indices) ? job.indices.length : Number.POSITIVE_INFINITY);
    const source = job.indices[Symbol.iterator]();
    const nextBatch = (): SweepPoint[] | null => {
      if (job.stopRequested()) return null;
      const batch: SweepPoint[] = [];
      for (let n = source.next(); !n.done; n = batch.length < batchSize ? source.next() : { done: true, value: undefined }) {
        batch.push({ index: n.value, sets: job.setsOf(n.value) });
        if (batch.length === batchSize) break;
      }
      return batch.length > 0 ? batch : null;
    };
    const here = async () => {
      this.local ??= new SweepRunner(this.options.text, this.options.file);
      const runner = this.local;
      for (let batch = nextBatch(); batch; batch = nextBatch()) {
        job.onResults(batch.map((p) => runner.run(p.index, p.sets, this.options.trajectoryDir)));
        await new Promise((resolve) => setImmediate(resolve)); // let worker messages and a Ctrl-C in
      }
    };
    const wanted = Math.max(0, Math.min(this.options.jobs, Math.ceil(count / batchSize)) - 1);
    this.start(wanted);
    const workers = this.workers.slice(0, wanted);
    try {
      await Promise.all([
        here(),
        ...workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const feed = () => {
                const batch = nextBatch();
                if (!batch) return resolve();
                w.postMessage(batch);
              };
              this.handlers.set(w, {
                message: (results) => {
                  job.onResults(results);
                  feed();
                },
                error: reject,
              });
              feed();
            }),
        ),
      ]);
    } finally {
      for (const w of workers) this.handlers.delete(w);
    }
  }

  async close(): Promise<void> {
    const all = this.workers.splice(0);
    for (const w of all) this.handlers.delete(w);
    await Promise.all(all.map((w) => w.terminate()));
  }
}

/** One sweep on a pool of its own (the CLI's sweep): the workers end with it. */
export async function runSweepPoints(job: PoolJob): Promise<void> {
  const pool = new SweepPool(job);
  try {
    await pool.run(job);
  } finally {
    await pool.close();
  }
}

/** The bundled worker (dist/sweep-worker.mjs) when built, else the compiled module beside this one. */
function workerScript(): URL {
  for (const candidate of [new URL("./sweep-worker.mjs", import.meta.url), new URL("../sweep-worker.mjs", import.meta.url)]) {
    if (existsSync(fileURLToPath(candidate))) return candidate;
  }
  return new URL("./worker.js", import.meta.url);
}
