import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { ScenarioError, UsageError } from "../../errors.js";
import { writeFileAtomic } from "../../recording/atomicFile.js";
import { gridPoint, gridSize, parseAxis } from "../../sweep/grid.js";
import { runPointsInWorkers, type SweepPoint } from "../../sweep/pool.js";
import { SweepRunner, type SweepRunResult } from "../../sweep/runOne.js";
import { fmt } from "../format.js";

export interface SweepOptions {
  readonly file: string;
  readonly vary: readonly string[];
  readonly set: readonly string[];
  readonly jobs?: number;
  readonly out: string;
}

const SUMMARY_COLUMNS = ["converged", "t_converged [s]", "V_final [mV]", "E_rev_final [mV]", "I_net_final [uA/cm^2]", "steps", "rhs_evaluations", "error"];

function summaryCells(r: SweepRunResult): (string | number)[] {
  if (r.error !== undefined) return ["", "", "", "", "", "", "", r.error];
  const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "" : x);
  return [r.converged ? "true" : "false", num(r.tConverged_s), num(r.V_final_mV), num(r.E_rev_final_mV), num(r.I_net_final_uA_cm2), num(r.steps), num(r.rhsEvaluations), ""];
}

/**
 * `ionflux sweep FILE --vary PATH=SPEC...`: the Cartesian grid of runs on `jobs` threads, one row
 * per run in grid order in DIR/sweep.csv (written whole); a failed run is a row with its error.
 */
export async function sweepCommand(opts: SweepOptions, print: (line: string) => void): Promise<void> {
  if (opts.vary.length === 0) throw new UsageError("sweep needs at least one --vary PATH=SPEC");
  const axes = opts.vary.map(parseAxis);
  const total = gridSize(axes);
  let text: string;
  try {
    text = readFileSync(opts.file, "utf8");
  } catch (e) {
    throw new ScenarioError(opts.file, "", (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : `cannot read (${(e as Error).message})`);
  }
  const points: SweepPoint[] = Array.from({ length: total }, (_, k) => ({
    index: k,
    sets: [...opts.set, ...gridPoint(axes, k).map((v, a) => `${axes[a]!.path}=${v}`)],
  }));
  // validate the first point here, so that a bad scenario or path fails once, clearly, up front
  const probe = new SweepRunner(text, opts.file);
  const scenario = probe.scenario(points[0]!.sets);
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), total));
  const started = performance.now();
  const results = jobs === 1 ? points.map((p) => probe.run(p.index, p.sets)) : await runPointsInWorkers(text, opts.file, points, jobs);
  const seconds = (performance.now() - started) / 1e3;
  const header = ["run", ...axes.map((a) => a.path), ...SUMMARY_COLUMNS];
  const rows = results.map((r, k) => [k, ...gridPoint(axes, k), ...summaryCells(r)]);
  const path = join(opts.out, "sweep.csv");
  writeFileAtomic(path, stringify([header, ...rows], { record_delimiter: "unix" }));
  const failed = results.filter((r) => r.error !== undefined).length;
  print(`${scenario.name}: ${total} runs (${failed} failed) on ${jobs} thread${jobs > 1 ? "s" : ""} in ${fmt(seconds, 3)} s (${fmt(total / seconds, 4)} runs/s) -> ${path}`);
}
