import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { numberText } from "../recording/numberText.js";
import { FieldReader } from "../scenario/reader.js";
import type { ScenarioSource } from "../scenario/source.js";
import { gridPoint, gridSize, parseAxis, type Axis } from "./grid.js";
import { parameterCellText, sweepParameters, type SweepParameter } from "./output.js";
import { parseDistribution, sampleStream } from "./sample.js";

/** What a sweep runs: run k sets `columns[i]` to `valuesAt(k)[i]` (as --set texts). */
export interface SweepPlan {
  readonly columns: readonly string[];
  readonly total: number;
  valuesAt(k: number): string[];
  /** The columns' formats in sweep.csv (from run 0's values: a range or a distribution has one unit). */
  readonly parameters: readonly SweepParameter[];
  /**
   * Run k's varied values as sweep.csv cells, comma-separated: what parameterCell makes of
   * valuesAt(k), without a value's text made and parsed back for every row (a grid's cells are
   * made once per value of an axis; a sample's are its numbers' shortest texts).
   */
  parameterText(k: number): string;
  /** Identifies the sweep (scenario text, overrides, parameters): shards of one sweep share it. */
  readonly id: string;
  readonly description: string;
}

export interface SweepRequest {
  readonly vary: readonly string[];
  readonly samples?: number;
  readonly seed?: number;
  readonly latinHypercube?: boolean;
  readonly set: readonly string[];
}

/**
 * Reads the optional `sweep:` section of a scenario: the whole study in one file.
 *   sweep:
 *     vary: { channels.k-leak.conductance: "0.1 mS/cm^2:10 mS/cm^2:log:20", temperature: "6 degC:37 degC:5" }
 *     samples: 200        # optional: a seeded random sample instead of the grid
 *     seed: 1
 *     design: lhs         # random | lhs (Latin hypercube), for samples
 */
export function sweepSectionOf(source: ScenarioSource): Partial<SweepRequest> {
  const tree = source.tree as Record<string, unknown> | null;
  if (!tree || typeof tree !== "object" || tree.sweep === undefined) return {};
  const r = new FieldReader(source);
  const s = r.mapping(["sweep"], tree.sweep, ["vary", "samples", "seed", "design"]);
  const varyTree = r.required(["sweep", "vary"], s.vary, "a mapping of field paths to specs");
  if (!varyTree || typeof varyTree !== "object" || Array.isArray(varyTree)) r.fail(["sweep", "vary"], "expected a mapping of field paths to specs");
  const vary = Object.entries(varyTree as Record<string, unknown>).map(([path, spec]) => `${path}=${typeof spec === "number" ? spec : r.string(["sweep", "vary", path], spec, "a spec like 1,2,5 or LO:HI:N")}`);
  const design = s.design === undefined ? "random" : r.string(["sweep", "design"], s.design);
  if (design !== "random" && design !== "lhs") r.fail(["sweep", "design"], `expected random or lhs, got "${design}"`);
  return {
    vary,
    ...(s.samples !== undefined ? { samples: r.number(["sweep", "samples"], s.samples, { integer: true, min: 1, max: 10_000_000 }) } : {}),
    ...(s.seed !== undefined ? { seed: r.number(["sweep", "seed"], s.seed, { integer: true, min: 0 }) } : {}),
    latinHypercube: design === "lhs",
  };
}

const MAX_RUNS = 100_000_000;
/**
 * A Latin hypercube's design holds one permutation of its N runs per parameter (4 bytes a run
 * each: 40 MB a parameter at this size, 0.4 GB at 10⁸): larger ones are refused rather than drawn
 * another way, so that every Latin hypercube ionflux draws is the one the same seed drew before.
 */
export const MAX_LHS_RUNS = 10_000_000;

export function buildPlan(scenarioText: string, request: SweepRequest): SweepPlan {
  if (request.vary.length === 0) throw new UsageError("a sweep needs at least one --vary PATH=SPEC (or a sweep: section in the scenario)");
  const id = (extra: unknown) =>
    createHash("sha256").update(JSON.stringify({ scenario: scenarioText, set: request.set, extra })).digest("hex").slice(0, 16);
  if (request.samples !== undefined) {
    const distributions = request.vary.map(parseDistribution);
    const seed = request.seed ?? 1;
    const count = request.samples;
    if (count > MAX_RUNS) throw new UsageError(`--samples ${count}: at most ${MAX_RUNS}`);
    if (request.latinHypercube && count > MAX_LHS_RUNS) {
      const gb = ((4 * count * distributions.length) / 1e9).toPrecision(2);
      throw new UsageError(
        `--samples ${count} with --lhs (or design: lhs): a Latin hypercube keeps a permutation of its runs per parameter (${gb} GB here), so it has at most ${MAX_LHS_RUNS} runs; drop --lhs for random sampling (any count up to ${MAX_RUNS})`,
      );
    }
    // read in chunks as the runs are handed out: a 100,000-run sample is never held whole
    const sample = sampleStream(distributions, count, seed, request.latinHypercube ?? false);
    // numberText, not `${x}`: a fresh number a run, twice (its sets and its row), through V8's number-string cache
    const text = (x: number, unit: string) => (unit ? `${numberText(x)} ${unit}` : numberText(x));
    const columns = distributions.map((d) => d.path);
    const parameters = sweepParameters(columns, sample.row(0).map((x, j) => text(x, distributions[j]!.unit)));
    return {
      columns,
      total: count,
      valuesAt: (k) => sample.row(k).map((x, j) => text(x, distributions[j]!.unit)),
      parameters,
      // a finite value in the distribution's unit is the number parameterCell reads back from its text
      parameterText: (k) =>
        sample
          .row(k)
          .map((x, j) => (Number.isFinite(x) && parameters[j]!.unit === (distributions[j]!.unit || "1") ? numberText(x) : parameterCellText(parameters[j]!, text(x, distributions[j]!.unit))))
          .join(","),
      id: id({ distributions, seed, count, lhs: request.latinHypercube ?? false }),
      description: `${count} ${request.latinHypercube ? "Latin hypercube" : "random"} samples (seed ${seed})`,
    };
  }
  const axes: Axis[] = request.vary.map(parseAxis);
  const total = gridSize(axes);
  if (total > MAX_RUNS) throw new UsageError(`the grid has ${total} runs; at most ${MAX_RUNS}`);
  const columns = axes.map((a) => a.path);
  const parameters = sweepParameters(columns, gridPoint(axes, 0));
  // each axis value's cell, made when first asked for (an axis may have a million values)
  const cells = axes.map((a) => new Array<string | undefined>(a.values.length));
  const cellOf = (a: number, i: number) => (cells[a]![i] ??= parameterCellText(parameters[a]!, axes[a]!.values[i]!));
  return {
    columns,
    total,
    valuesAt: (k) => gridPoint(axes, k),
    parameters,
    parameterText: (k) => {
      if (axes.length === 1) return cellOf(0, k % axes[0]!.values.length);
      const out = new Array<string>(axes.length);
      for (let a = axes.length - 1; a >= 0; a--) {
        const n = axes[a]!.values.length;
        out[a] = cellOf(a, k % n);
        k = Math.floor(k / n);
      }
      return out.join(",");
    },
    id: id({ axes }),
    description: `a grid of ${axes.map((a) => a.values.length).join(" x ")}`,
  };
}
