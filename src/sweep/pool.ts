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
  /**
   * Whether this thread does runs too (the default): `jobs` threads are then this one and
   * jobs − 1 workers. false: `jobs` workers, and this thread only hands out runs and takes the
   * rows, so that it always answers a signal and a timer (the CLI's sweep: a run that hangs must
   * not hold up Ctrl-C or --run-timeout, and only a worker's run can be stopped from outside).
   */
  readonly threadRuns?: boolean;
  /**
   * `--set` overrides of every run, applied before each point's own sets: given here rather than
   * in every point's sets, so that the runner sees what changes from point to point (a point that
   * changes only rate parameters then runs without a model built for it: ratePoints.ts).
   */
  readonly baseSets?: readonly string[];
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
  /** Results as they come: a few at a time from workers (every POST_EVERY_MS), a couple at a time from this thread. */
  readonly onResults: (results: readonly SweepRunResult[]) => void;
  /** Checked before each batch is handed out: true stops handing out. */
  readonly stopRequested?: () => boolean;
  /** Aborted: no more runs are handed out, and each worker ends its batch after the run it is doing. */
  readonly stop?: AbortSignal;
  /** Aborted: the workers are terminated at once; the runs they were doing are dropped (not reported). */
  readonly kill?: AbortSignal;
  /**
   * A run on a worker that takes longer than this (seconds) is reported as a failed run
   * (`timed out after N s`), its worker terminated and replaced, and the rest of its batch handed
   * out again. Implies that this thread does no runs.
   */
  readonly runTimeout?: number;
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
 * What a worker posts: "ready" once it has read the scenario, the results of runs it finished (a
 * few at a time: workerMain.ts), and the number of runs of a batch it did (the batch's end), alone
 * or with the batch's last results.
 */
type WorkerMessage = "ready" | SweepRunResult[] | number | { readonly results: SweepRunResult[]; readonly done: number };

/** Runs the calling thread does between two looks at the workers' messages (threadRuns). */
const HERE_BATCH = 2;

/**
 * Batches a worker holds at once: the one it is doing and the next, already in its message queue,
 * so that it never waits between two batches. With one, a worker whose batch ended sat idle until
 * this thread had taken the batch's results and sent the next: W2's one-worker sweep ran at
 * 207-214 µs a run against 172-175 µs for the same loop inside a worker on its own.
 */
export const BATCHES_AHEAD = 2;

/**
 * The next batch's size when `left` runs are still to be handed out to `threads` threads: `batchSize`
 * until what is left no longer fills BATCHES_AHEAD batches a thread, then smaller, so that the
 * threads' last batches end together (a worker holds two batches: at full size, the last
 * 2 × batchSize runs could all be on one of them while the others have nothing left to do).
 */
export function nextBatchSize(left: number, batchSize: number, threads: number): number {
  if (!Number.isFinite(left)) return batchSize;
  return Math.max(1, Math.min(batchSize, Math.ceil(left / (BATCHES_AHEAD * threads))));
}

/** A worker and what the pool knows of it. */
interface Slot {
  readonly worker: Worker;
  /** Runs it has finished in its life (it counts them itself, in shared memory, as each ends). */
  readonly progress: Int32Array;
  ready: boolean;
  /** What it is told to do with its messages during a sweep (none between sweeps). */
  handler?: { message: (m: WorkerMessage) => void; error: (e: Error) => void };
}

/** `--run-timeout`'s row text: the run's error cell. */
export const timeoutMessage = (seconds: number) => `timed out after ${seconds} s (--run-timeout): the run was stopped`;

/**
 * Sweep runs on `jobs` threads: by default this thread is one of them (so a sweep of N jobs starts
 * N − 1 workers, whose start-up — a fresh V8 isolate that loads and JIT-compiles everything anew —
 * is the main cost of short sweeps), the others are worker threads, started once and kept for every
 * sweep run through the pool. Runs go out in batches (one message per `batchSize` runs, so that
 * messaging costs little against the runs); a worker posts its results every few milliseconds
 * (POST_EVERY_MS) and at each batch's end, so that a worker stopped from outside loses at most
 * that much of finished work.
 */
export class SweepPool {
  private readonly slots: Slot[] = [];
  private local: SweepRunner | null = null;
  /** Raised (1) to make every worker end its batch after its current run; shared with all of them. */
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));

  constructor(readonly options: PoolOptions) {}

  /** Starts the workers now (else the first sweep starts as many as it can use). */
  start(count = this.options.jobs - (this.options.threadRuns === false ? 0 : 1)): void {
    while (this.slots.length < count) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const progress = new Int32Array(new SharedArrayBuffer(4));
    // options built explicitly, without a prototype: nothing inherited (a polluted execArgv, env, eval) reaches a worker
    const options = Object.assign(Object.create(null) as WorkerOptions, {
      workerData: { text: this.options.text, file: this.options.file, baseSets: [...(this.options.baseSets ?? [])], trajectoryDir: this.options.trajectoryDir, stop: this.stopFlag, progress },
      execArgv: [] as string[],
      resourceLimits: Object.assign(Object.create(null) as NonNullable<WorkerOptions["resourceLimits"]>, WORKER_LIMITS),
    });
    const worker = new Worker(workerScript(), options);
    const slot: Slot = { worker, progress, ready: false };
    worker.on("message", (m: WorkerMessage) => {
      if (m === "ready") slot.ready = true;
      slot.handler?.message(m);
    });
    worker.on("error", (e: Error) => slot.handler?.error(e));
    // a worker that ends on its own (out of memory, killed) fails the sweep that was using it
    worker.on("exit", (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.handler?.error(new Error(`a sweep worker stopped (exit status ${code})`));
    });
    return slot;
  }

  /** Ends a worker on purpose (a timed-out run, a kill): it is forgotten first, so its exit fails nothing. */
  private retire(slot: Slot): void {
    slot.handler = undefined;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  /** Runs a sweep; resolves when every run handed out has come back, or when `kill` is aborted. */
  async run(job: PoolSweep): Promise<void> {
    const batchSize = job.batchSize ?? 25;
    const threadRuns = this.options.threadRuns !== false && job.runTimeout === undefined;
    const count = job.count ?? (Array.isArray(job.indices) ? job.indices.length : Number.POSITIVE_INFINITY);
    const source = job.indices[Symbol.iterator]();
    /** Runs handed out again (the rest of a timed-out run's batch): before any new one. */
    const again: number[] = [];
    let exhausted = false;
    /** New runs handed out so far (runs handed out again not counted). */
    let handedOut = 0;
    const threads = Math.max(1, Math.min(this.options.jobs, Math.ceil(count / batchSize)));
    // runs handed out again (after a timeout) count as left too, or they would go out one a batch
    const sizeNow = () => nextBatchSize(count - handedOut + again.length, batchSize, threads);
    Atomics.store(this.stopFlag, 0, 0);
    const stopping = () => job.stop?.aborted === true || job.kill?.aborted === true || (job.stopRequested?.() ?? false);
    const nextBatch = (size = sizeNow()): SweepPoint[] | null => {
      if (stopping()) return null;
      const batch: SweepPoint[] = [];
      while (batch.length < size) {
        let k = again.shift();
        if (k === undefined && !exhausted) {
          const n = source.next();
          if (n.done) exhausted = true;
          else {
            k = n.value;
            handedOut++;
          }
        }
        if (k === undefined) break;
        batch.push({ index: k, sets: job.setsOf(k) });
      }
      return batch.length > 0 ? batch : null;
    };
    const onStop = () => Atomics.store(this.stopFlag, 0, 1);
    job.stop?.addEventListener("abort", onStop);

    const here = async () => {
      this.local ??= new SweepRunner(this.options.text, this.options.file, this.options.baseSets);
      const runner = this.local;
      // a run or two at a time: between them this thread hands the workers their next batches (a
      // worker whose batch ended waits for that; with this thread's batches as long as theirs, the
      // one worker of a 2-thread sweep waited most of a batch each time: 2 threads ran 0.92x of 1)
      for (let batch = nextBatch(HERE_BATCH); batch; batch = nextBatch(HERE_BATCH)) {
        job.onResults(batch.map((p) => runner.run(p.index, p.sets, this.options.trajectoryDir)));
        await new Promise((resolve) => setImmediate(resolve)); // let worker messages and a Ctrl-C in
      }
    };
    const wanted = Math.max(0, threads - (threadRuns ? 1 : 0));
    this.start(wanted);
    /** What each worker slot is doing: its batches, how many results of the first came back, since when it is on its current run. */
    interface Lane {
      slot: Slot;
      /** The batches it holds, in order: the first is the one it is doing (or has just ended). */
      batches: SweepPoint[][];
      /** Results of the first batch that came back. */
      reported: number;
      /** progress[0] when the first batch began, and as last seen by the watchdog. */
      startCount: number;
      seen: number;
      since: number;
      resolve: () => void;
    }
    const lanes = new Set<Lane>();
    let fail: (e: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => {});

    const attach = (lane: Lane) => {
      lane.slot.handler = {
        message: (m) => {
          if (m === "ready") {
            lane.since = performance.now();
            return;
          }
          const results = Array.isArray(m) ? m : typeof m === "number" ? null : m.results;
          if (results !== null && results.length > 0) {
            lane.reported += results.length;
            lane.since = performance.now();
            job.onResults(results);
          }
          if (Array.isArray(m)) return;
          // the first batch's end (all of it, or up to a stop); the worker is on the next already
          lane.batches.shift();
          lane.reported = 0;
          lane.startCount += typeof m === "number" ? m : m.done;
          lane.since = performance.now();
          feed(lane);
        },
        error: (e) => fail(e),
      };
    };
    /** Tops the lane up to BATCHES_AHEAD batches; a lane with none left is done. */
    const feed = (lane: Lane) => {
      while (lane.batches.length < BATCHES_AHEAD) {
        const batch = nextBatch();
        if (!batch) break;
        if (lane.batches.length === 0) {
          lane.reported = 0;
          lane.startCount = Atomics.load(lane.slot.progress, 0);
          lane.seen = lane.startCount;
          lane.since = performance.now();
        }
        lane.batches.push(batch);
        lane.slot.worker.postMessage(batch);
      }
      if (lane.batches.length === 0) {
        lane.slot.handler = undefined;
        lanes.delete(lane);
        lane.resolve();
      }
    };
    const timeoutMs = job.runTimeout === undefined ? 0 : job.runTimeout * 1e3;
    /** A worker stuck on one run past the timeout: that run is a failed row, the worker is replaced and its other undone runs (of this batch and the next) go out again. */
    const timeOut = (lane: Lane) => {
      const [batch, ...later] = lane.batches as [SweepPoint[], ...SweepPoint[][]];
      const stuck = Math.min(lane.seen - lane.startCount, batch.length - 1);
      this.retire(lane.slot);
      const undone = [...batch.slice(lane.reported).filter((_, i) => i + lane.reported !== stuck), ...later.flat()];
      again.unshift(...undone.map((p) => p.index));
      job.onResults([{ index: batch[stuck]!.index, error: timeoutMessage(job.runTimeout!) }]);
      lane.batches = [];
      if (stopping()) {
        lanes.delete(lane);
        lane.resolve();
        return;
      }
      lane.slot = this.spawn();
      this.slots.push(lane.slot);
      attach(lane);
      feed(lane);
    };
    const watchdog =
      timeoutMs > 0
        ? setInterval(() => {
            const now = performance.now();
            for (const lane of [...lanes]) {
              if (lane.batches.length === 0 || !lane.slot.ready) continue;
              const p = Atomics.load(lane.slot.progress, 0);
              // a run ended (its result may still be on its way): the next one starts now. With
              // every run of its first batch done, none is stuck: the batch's end is on its way
              // (after the worker's last results and, once, its code-cache save, which may take
              // longer than a short timeout; timing out then gave a finished run a second row)
              if (p !== lane.seen) {
                lane.seen = p;
                lane.since = now;
              } else if (now - lane.since > timeoutMs && p - lane.startCount < lane.batches[0]!.length) timeOut(lane);
            }
          }, Math.min(250, Math.max(10, timeoutMs / 20)))
        : undefined;
    watchdog?.unref();
    const onKill = () => {
      for (const lane of [...lanes]) {
        this.retire(lane.slot);
        lanes.delete(lane);
        lane.resolve();
      }
    };
    job.kill?.addEventListener("abort", onKill);

    const slots = this.slots.slice(0, wanted);
    try {
      await Promise.race([
        failed,
        Promise.all([
          threadRuns ? here() : Promise.resolve(),
          ...slots.map(
            (slot) =>
              new Promise<void>((resolve) => {
                const lane: Lane = { slot, batches: [], reported: 0, startCount: 0, seen: 0, since: performance.now(), resolve };
                lanes.add(lane);
                attach(lane);
                if (job.kill?.aborted) onKill();
                else feed(lane);
              }),
          ),
        ]),
      ]);
    } finally {
      if (watchdog) clearInterval(watchdog);
      job.stop?.removeEventListener("abort", onStop);
      job.kill?.removeEventListener("abort", onKill);
      for (const lane of lanes) lane.slot.handler = undefined;
    }
  }

  async close(): Promise<void> {
    const all = this.slots.splice(0);
    for (const s of all) s.handler = undefined;
    await Promise.all(all.map((s) => s.worker.terminate()));
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
