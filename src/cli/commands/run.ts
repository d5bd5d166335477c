import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { MembraneModel } from "../../model/membraneModel.js";
import { prepareOutDir, removeStaleTemporaries, writeFileAtomic } from "../../recording/atomicFile.js";
import { CsvFileRecorder } from "../../recording/csv.js";
import { rowSink } from "../../recording/trajectory.js";
import { endInOutputUnits } from "../../recording/units.js";
import { buildSummary } from "../../recording/summary.js";
import { loadScenarioFile } from "../../scenario/load.js";
import { parseOverride } from "../../scenario/overrides.js";
import { checkFixedStep } from "../../simulation/stepBound.js";
import { simulate } from "../../simulation/simulate.js";
import { fmt, fmtTime } from "../format.js";
import { checkOutDir } from "../outDir.js";
import { withRunProgress } from "../runProgress.js";
import { figureFor } from "./plot.js";

export interface RunOptions {
  readonly files: readonly string[];
  readonly out: string;
  readonly set: readonly string[];
  /** Also draw NAME.svg next to the CSV. */
  readonly plot?: boolean;
}

/**
 * `ionflux run FILE...`: every file is validated before any runs, so one bad file leaves no output
 * at all; then each run writes NAME.csv and NAME.summary.json (each whole or not at all) and
 * prints one summary line on stdout.
 */
export function runCommand(opts: RunOptions, print: (line: string) => void, warn: (line: string) => void = (s) => process.stderr.write(`${s}\n`)): number {
  checkOutDir(opts.out, "run");
  const overrides = opts.set.map(parseOverride);
  const loaded = opts.files.map((f) => loadScenarioFile(f, overrides));
  const seen = new Map<string, string>();
  for (const { scenario } of loaded) {
    const other = seen.get(scenario.name);
    if (other) throw new UsageError(`${scenario.source} and ${other} both have name "${scenario.name}": their outputs would overwrite each other`);
    seen.set(scenario.name, scenario.source);
  }
  // a fixed-step dt beyond the method's stability bound is refused before any run writes anything
  for (const { scenario } of loaded) checkFixedStep(new MembraneModel(scenario), scenario.run);
  prepareOutDir(opts.out);
  removeStaleTemporaries(opts.out);
  let failures = 0;
  for (const { scenario, text } of loaded) {
    const model = new MembraneModel(scenario);
    const csvPath = join(opts.out, `${scenario.name}.csv`);
    const result = simulate(model, scenario.run, rowSink(withRunProgress(new CsvFileRecorder(csvPath), scenario.name, scenario.run.duration)));
    const summary = buildSummary(scenario, result, { scenarioText: text, overrides: opts.set });
    const summaryPath = join(opts.out, `${scenario.name}.summary.json`);
    writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    const conv = result.converged
      ? `converged at ${fmtTime(result.tConverged ?? 0)}`
      : `not converged (|I_net| = ${fmt(Math.abs(result.netCurrentEnd) * 100, 3)} uA/cm^2${result.water ? `, vol_in changing at ${fmt(result.water.volumeRate, 3)}/s` : ""})`;
    if (opts.plot) writeFileAtomic(join(opts.out, `${scenario.name}.svg`), figureFor(csvPath));
    if (result.failure) {
      failures++;
      warn(`ionflux: ${scenario.source}: ${result.failure} (the run up to then is in ${csvPath}; converged: false)`);
      continue;
    }
    print(
      `${scenario.name}: V = ${fmt(endInOutputUnits(result).V_final_mV, 7)} mV, E_rev = ${fmt(endInOutputUnits(result).E_rev_final_mV, 7)} mV at t = ${fmtTime(result.tEnd)} ` +
        `(${result.stopReason}); ${conv}; ${result.stats.steps} steps, ${fmt(result.wallTime_ms, 3)} ms -> ${csvPath}`,
    );
  }
  return failures > 0 ? 1 : 0;
}
