import { readScenarioText } from "../scenario/source.js";
import { availableParallelism } from "node:os";
import { buildPlan } from "./plan.js";
import { runSweepPoints } from "./pool.js";
import type { SweepRunResult } from "./runOne.js";
import { runsOf } from "./shard.js";

/** What `sweep()` runs: the same choices as `ionflux sweep FILE --vary ... [--samples N --seed S --lhs]`. */
export interface SweepOptions {
  /** Scenario file (YAML or JSON). */
  readonly file: string;
  /** `PATH=SPEC` as for --vary: `"channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:10"`. */
  readonly vary: readonly string[];
  /** `PATH=VALUE` overrides applied to every run, as --set. */
  readonly set?: readonly string[];
  /** A seeded random sample of this many runs instead of the grid. */
  readonly samples?: number;
  readonly seed?: number;
  readonly latinHypercube?: boolean;
  /** Threads (default: the cores available). */
  readonly jobs?: number;
}

/** One run of a sweep: its index, the varied values as given (`"0.1 mS/cm^2"`), and its end state or error. */
export interface SweepRow {
  readonly run: number;
  readonly values: Readonly<Record<string, string>>;
  readonly result: SweepRunResult;
}

/** Runs a sweep in memory and returns its rows in run order (what sweep.csv holds, unformatted). */
export async function sweep(options: SweepOptions): Promise<SweepRow[]> {
  const text = readScenarioText(options.file);
  const set = options.set ?? [];
  const plan = buildPlan(text, {
    vary: options.vary,
    set,
    ...(options.samples !== undefined ? { samples: options.samples } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    latinHypercube: options.latinHypercube ?? false,
  });
  const setsOf = (k: number) => plan.valuesAt(k).map((v, i) => `${plan.columns[i]}=${v}`);
  const rows: SweepRow[] = new Array(plan.total);
  await runSweepPoints({
    text,
    file: options.file,
    indices: runsOf({ first: 0, stride: 1, count: plan.total }),
    count: plan.total,
    setsOf,
    baseSets: set,
    jobs: Math.max(1, options.jobs ?? availableParallelism()),
    onResults: (results) => {
      for (const r of results) {
        const values = plan.valuesAt(r.index);
        rows[r.index] = { run: r.index, values: Object.fromEntries(plan.columns.map((c, i) => [c, values[i]!])), result: r };
      }
    },
  });
  return rows;
}
