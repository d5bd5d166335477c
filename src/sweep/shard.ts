import { UsageError } from "../errors.js";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `--shard K/N` (1-based, as vitest and playwright count), or Slurm's job-array variables. */
export function parseShard(text: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  if (text !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(text.trim());
    const k = m ? Number(m[1]) : NaN;
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n >= 1 && k >= 1 && k <= n)) throw new UsageError(`bad shard ${text}: expected K/N with 1 <= K <= N`);
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
  return null;
}

/** The runs of a shard: a deterministic round-robin share (run k goes to shard k mod N + 1). */
export function shardRuns(total: number, shard: Shard | null): number[] {
  const runs: number[] = [];
  for (let k = shard ? shard.index - 1 : 0; k < total; k += shard ? shard.count : 1) runs.push(k);
  return runs;
}

/** File stem of a shard's output: sweep.shard-02-of-16 (zero-padded so that globs sort). */
export function shardStem(shard: Shard | null): string {
  if (!shard) return "sweep";
  const width = String(shard.count).length;
  return `sweep.shard-${String(shard.index).padStart(width, "0")}-of-${shard.count}`;
}
