import type { RunSettings } from "../scenario/types.js";

/**
 * The times of the trajectory's rows after t = 0, in increasing order: every `record-every`
 * (k·Δ, k = 1, 2, …) and, with log recording, `per-decade` rows per decade from `first`
 * (first·10^(j/per-decade), j = 0, 1, …), merged, a time both series share written once. Two
 * counters and a comparison: nothing is allocated per row.
 */
export class RecordTimes {
  private linear = 1;
  private log = 0;
  private readonly every: number;
  private readonly first: number;
  private readonly perDecade: number;

  constructor(run: Pick<RunSettings, "recordEvery" | "recordLog">) {
    this.every = run.recordEvery;
    this.first = run.recordLog?.first ?? Infinity;
    this.perDecade = run.recordLog?.perDecade ?? 1;
  }

  private nextLinear(): number {
    return this.linear * this.every;
  }

  private nextLog(): number {
    return this.first === Infinity ? Infinity : this.first * 10 ** (this.log / this.perDecade);
  }

  /** The next record time. */
  peek(): number {
    return Math.min(this.nextLinear(), this.nextLog());
  }

  /** Moves past the time peek() gave (and past the other series' time if it is the same time). */
  advance(): void {
    const t = this.peek();
    const same = (x: number) => x <= t * (1 + 1e-9);
    if (same(this.nextLinear())) this.linear++;
    if (same(this.nextLog())) this.log++;
  }
}
