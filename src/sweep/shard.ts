import { UsageError } from "../errors.js";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Job-array index variables that give K but not N (0-based), and where they come from. */
const INDEX_VARIABLES = [
  ["JOB_COMPLETION_INDEX", "a Kubernetes Indexed Job"],
  ["AWS_BATCH_JOB_ARRAY_INDEX", "an AWS Batch array job"],
] as const;

/**
 * `--shard K/N` (1-based, as vitest and playwright count); `--shard auto/N` takes K from the job
 * array's index: Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX or AWS Batch's
 * AWS_BATCH_JOB_ARRAY_INDEX (both 0-based, so K = index + 1), or Slurm's SLURM_ARRAY_TASK_ID;
 * N is given because neither Kubernetes nor AWS Batch tells a task how many there are. Without
 * --shard, Slurm's job-array variables give both K and N.
 */
export function parseShard(text: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  if (text !== undefined) {
    const auto = /^auto\/(\d+)$/.exec(text.trim());
    if (auto) {
      const n = Number(auto[1]);
      if (!(n >= 1)) throw new UsageError(`bad shard ${text}: N must be at least 1`);
      const k = indexFromEnvironment(env, n);
      if (k === null) throw new UsageError(`--shard ${text}: no job-array index in the environment (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID); give --shard K/N`);
      return { index: k, count: n };
    }
    const m = /^(\d+)\/(\d+)$/.exec(text.trim());
    const k = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n >= 1 && k >= 1 && k <= n)) throw new UsageError(`bad shard ${text}: expected K/N with 1 <= K <= N, or auto/N`);
    return { index: k, count: n };
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const id = Number(env.SLURM_ARRAY_TASK_ID);
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    const count = Number(env.SLURM_ARRAY_TASK_COUNT);
    const k = id - min + 1;
    if (!(Number.isInteger(k) && count >= 1 && k >= 1 && k <= count)) {
      throw new UsageError(`cannot derive a shard from SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID}, _MIN=${env.SLURM_ARRAY_TASK_MIN}, _COUNT=${env.SLURM_ARRAY_TASK_COUNT}; give --shard K/N`);
    }
    return { index: k, count };
  }
  // inside a Kubernetes or AWS Batch array, every task running the whole sweep is surely a mistake
  for (const [name, what] of INDEX_VARIABLES) {
    if (env[name] !== undefined) {
      throw new UsageError(`${name}=${env[name]} says this is one task of ${what}: give --shard auto/N (N = the number of tasks) to run its share, or --shard 1/1 to run the whole sweep`);
    }
  }
  return null;
}

/** K (1-based) from the first job-array index variable set, checked against N; null if none is set. */
function indexFromEnvironment(env: NodeJS.ProcessEnv, count: number): number | null {
  for (const [name] of INDEX_VARIABLES) {
    const v = env[name];
    if (v === undefined) continue;
    const k = Number(v) + 1;
    if (!(/^\d+$/.test(v.trim()) && k <= count)) throw new UsageError(`${name}=${v}: expected an index from 0 to ${count - 1} for --shard auto/${count}`);
    return k;
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const k = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0) + 1;
    if (!(Number.isInteger(k) && k >= 1 && k <= count)) throw new UsageError(`SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID}: outside 1..${count} for --shard auto/${count}`);
    return k;
  }
  return null;
}

/**
 * The runs of a shard, ascending: k = first + i·stride for 0 <= i < count. A description, never
 * an array: a 10⁴ × 10⁴ grid is 10⁸ runs, and an array of them alone would be 0.8 GB.
 */
export interface RunRange {
  readonly first: number;
  readonly stride: number;
  readonly count: number;
}

/** The runs of a shard: a deterministic round-robin share (run k goes to shard k mod N + 1). */
export function shardRuns(total: number, shard: Shard | null): RunRange {
  const first = shard ? shard.index - 1 : 0;
  const stride = shard ? shard.count : 1;
  return { first, stride, count: first < total ? Math.ceil((total - first) / stride) : 0 };
}

/** Run k's position in the range, or -1 when k is not one of its runs. */
export function positionIn(range: RunRange, k: number): number {
  const d = k - range.first;
  if (!(Number.isInteger(k) && d >= 0 && d % range.stride === 0)) return -1;
  const i = d / range.stride;
  return i < range.count ? i : -1;
}

/** The runs of the range in order, skipping those `skip` says are done (--resume): generated, not stored. */
export function* runsOf(range: RunRange, skip: (k: number) => boolean = () => false): Generator<number> {
  for (let i = 0, k = range.first; i < range.count; i++, k += range.stride) if (!skip(k)) yield k;
}

/** File stem of a shard's output: sweep.shard-02-of-16 (zero-padded so that globs sort). */
export function shardStem(shard: Shard | null): string {
  if (!shard) return "sweep";
  const width = String(shard.count).length;
  return `sweep.shard-${String(shard.index).padStart(width, "0")}-of-${shard.count}`;
}
