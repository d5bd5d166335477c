import { join } from "node:path";
import { MembraneModel } from "../model/membraneModel.js";
import { CsvFileRecorder } from "../recording/csv.js";
import { NullRecorder } from "../recording/trajectory.js";
import { endInOutputUnits, PL_PER_M3 } from "../recording/units.js";
import { parseScenarioSource } from "../scenario/source.js";
import { applyOverrides, canonicalField, overrideValueOnKnownPath, parseOverride, type Override } from "../scenario/overrides.js";
import type { RunSettings, Scenario } from "../scenario/types.js";
import { validateScenario } from "../scenario/validate.js";
import { simulate } from "../simulation/simulate.js";
import { RatePoints } from "./ratePoints.js";

/** A recorder that keeps nothing: sweeps want only the end state. */
export const NULL_RECORDER = new NullRecorder();

/** The end state of one run of a sweep, in the units of the summary. */
export interface SweepRunResult {
  readonly index: number;
  readonly error?: string;
  readonly converged?: boolean;
  readonly tConverged_s?: number | null;
  readonly V_final_mV?: number;
  readonly E_rev_final_mV?: number;
  readonly I_net_final_uA_cm2?: number;
  readonly steps?: number;
  readonly rhsEvaluations?: number;
  /** The cell's volume at the end (pL). */
  readonly volumeFinal_pL?: number;
}

/**
 * Runs sweep points of one scenario: the scenario text is parsed once. A point whose `--set`
 * overrides change only rate parameters (conductances, permeabilities, the pump's maximal current)
 * runs on one model with those numbers written in (ratePoints.ts); any other point's overrides
 * are applied to the raw tree and validated, and its model built, as `ionflux run --set` would.
 * `ratePoints: false` sends every point the full way (the tests compare the two).
 */
export class SweepRunner {
  readonly source;
  /** Parsed `path=value` texts: a grid's points share their axes' values (bounded small: a sample's values come once, and a large map of them would only fill the old generation). */
  private readonly parsed = new Map<string, Override>();
  /**
   * Canonical fields by a set's path text (before its "="), each parsed and checked once: a
   * sample's texts are all new, on the same few paths (their paths' parsing and lookup were 3-5%
   * of a sample run).
   */
  private readonly fields = new Map<string, string>();
  private readonly rates: RatePoints | undefined;
  /** The model the rate points are written into, built at the first of them. */
  private rateModel: MembraneModel | undefined;
  private baseTree: unknown;
  /** How many runs took the fast path (their numbers written into one model). */
  writtenRuns = 0;
  /** The run settings of the last run without a trajectory (unrecorded), and what they were made from. */
  private quietOf: RunSettings | undefined;
  private quiet: RunSettings | undefined;
  constructor(
    text: string,
    file: string,
    private readonly baseSets: readonly string[] = [],
    options: { readonly ratePoints?: boolean } = {},
  ) {
    this.source = parseScenarioSource(text, file);
    if (options.ratePoints !== false) this.rates = new RatePoints((sets) => this.scenario(sets), (t) => this.fieldOf(t), (t) => this.valueOf(t));
  }

  /** The canonical field path a set names, over the scenario with the sweep's base sets. */
  private fieldOf(text: string): string {
    const pathText = this.pathTextOf(text);
    const known = pathText === undefined ? undefined : this.fields.get(pathText);
    if (known !== undefined) return known;
    if (this.baseTree === undefined) this.baseTree = applyOverrides(this.source.tree, this.baseSets.map((s) => this.override(s))).tree;
    const field = canonicalField(this.baseTree, this.override(text).path);
    if (field === undefined) throw new Error(`no field in ${text}`);
    if (pathText !== undefined) {
      if (this.fields.size >= 256) this.fields.clear();
      this.fields.set(pathText, field);
    }
    return field;
  }

  private pathTextOf(text: string): string | undefined {
    const eq = text.indexOf("=");
    return eq > 0 ? text.slice(0, eq) : undefined;
  }

  /** A set's value as its override reads it; on a path parsed before, without parsing the path again. */
  private valueOf(text: string): unknown {
    const pathText = this.pathTextOf(text);
    return pathText !== undefined && this.fields.has(pathText) ? overrideValueOnKnownPath(text) : this.override(text).value;
  }

  /** The model of a point that takes the fast path, its rates written; undefined otherwise. */
  private writtenModel(sets: readonly string[]): MembraneModel | undefined {
    const scenario = this.rates?.scenario(sets);
    if (scenario === undefined) return undefined;
    this.rateModel ??= new MembraneModel(this.rates!.base!, undefined, { writable: true });
    this.rateModel.writeRates(scenario);
    this.writtenRuns++;
    return this.rateModel;
  }

  private override(text: string): Override {
    let o = this.parsed.get(text);
    if (o === undefined) {
      o = parseOverride(text);
      if (this.parsed.size >= 256) this.parsed.clear();
      this.parsed.set(text, o);
    }
    return o;
  }

  scenario(sets: readonly string[]): Scenario {
    const { tree, paths } = applyOverrides(this.source.tree, [...this.baseSets, ...sets].map((s) => this.override(s)));
    return validateScenario(this.source, tree, paths);
  }

  /**
   * The scenario of sweep run k: a stochastic scenario gets its own random stream per run, derived
   * from the sweep's seed and k (unless run.seed is itself varied), so results do not depend on
   * --jobs or shards.
   */
  runScenario(index: number, sets: readonly string[]): Scenario {
    const scenario = this.scenario(sets);
    if (!scenario.channels.some((c) => c.stochastic) || [...this.baseSets, ...sets].some((s) => s.startsWith("run.seed="))) return scenario;
    return { ...scenario, run: { ...scenario.run, seed: deriveSeed(scenario.run.seed, index) } };
  }

  /**
   * A run's settings with nothing recorded between its start and end, made once for all the
   * points that share them (the fast path's points share their scenario's `run`). Spread anew
   * for every run, as before, this object kept about 230 bytes of each run alive until the next
   * full collection (5.7 kB promoted per MB allocated on W1 grid points by --trace-gc-nvp, 0.008
   * kB made once): the old-generation growth of each worker in a long sweep.
   */
  private unrecorded(run: RunSettings): RunSettings {
    if (this.quiet === undefined || this.quietOf !== run) {
      this.quietOf = run;
      this.quiet = { ...run, recordEvery: run.duration, recordLog: undefined };
    }
    return this.quiet;
  }

  /** One run; with `trajectoryDir`, its trajectory goes to DIR/run-NNNNNN.csv as `ionflux run` writes it. */
  run(index: number, sets: readonly string[], trajectoryDir?: string): SweepRunResult {
    try {
      const written = this.writtenModel(sets);
      const scenario = written ? written.scenario : this.runScenario(index, sets);
      const model = written ?? new MembraneModel(scenario);
      const r = trajectoryDir
        ? simulate(model, scenario.run, new CsvFileRecorder(join(trajectoryDir, `run-${String(index).padStart(6, "0")}.csv`)))
        : simulate(model, this.unrecorded(scenario.run), NULL_RECORDER);
      if (r.failure) return { index, error: r.failure.replace(/\s+/g, " ") };
      return {
        index,
        converged: r.converged,
        tConverged_s: r.tConverged,
        ...endInOutputUnits(r),
        steps: r.stats.steps,
        rhsEvaluations: r.stats.rhsEvaluations,
        volumeFinal_pL: r.volumeInEnd * PL_PER_M3,
      };
    } catch (e) {
      // one line, always: the row's error cell
      return { index, error: String((e as Error).message ?? e).replace(/\s+/g, " ") };
    }
  }
}

/** A run's seed from the sweep's seed and the run index (a 32-bit mix; the same on every machine). */
export function deriveSeed(seed: number, index: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
