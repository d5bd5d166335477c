import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { reduceTrajectory, tableSource } from "../../src/plot/streamReduce.js";
import { chooseLogTime } from "../../src/plot/trajectory.js";
import { runScenario } from "../helpers/run.js";

/**
 * Every sims/ figure must show V's approach to E_rev: the time from the first recorded row to the
 * moment V has closed 90% of its initial gap to E_rev must take at least 5% of the time axis
 * (45 px of a 900 px figure), on the axis the figure chooses. Left out: clamps (V is commanded),
 * stochastic channels (V fluctuates), cells that start on E_rev or have none (osmotic shock).
 */
const SIMS = readdirSync("sims")
  .filter((f) => f.endsWith(".yaml"))
  .filter((f) => !/stochastic: true|^clamp:/m.test(readFileSync(`sims/${f}`, "utf8")));

describe("every sims/ figure shows V's approach to E_rev", () => {
  for (const file of SIMS) {
    it(file, () => {
      const { recorder } = runScenario(`sims/${file}`);
      const header = recorder.columns.map((c) => `${c.name} [${c.unit}]`);
      const rows = recorder.rows;
      const col = (name: string) => recorder.columns.findIndex((c) => c.name === name);
      const [iT, iV, iE] = [col("t"), col("V"), col("E_rev")];
      const gap0 = Math.abs(rows[0]![iV]! - rows[0]![iE]!);
      if (!(gap0 > 0.5)) return; // starts on E_rev (or has none): nothing to approach
      const settled = rows.find((r) => Math.abs(r[iV]! - r[iE]!) < 0.1 * gap0);
      expect(settled, "V never closes 90% of its gap to E_rev").toBeDefined();
      const columns = header.map((_, j) => Float64Array.from(rows, (r) => r[j]!));
      const reduced = reduceTrajectory(tableSource(header, columns), 640);
      const log = chooseLogTime(reduced, "auto");
      const t = settled![iT]!;
      const share = log ? Math.log10(t / reduced.tPositive0) / Math.log10(reduced.t1 / reduced.tPositive0) : (t - reduced.t0) / (reduced.t1 - reduced.t0);
      expect(share, `${log ? "log" : "linear"} axis: the approach (to t = ${t} s) takes ${(100 * share).toFixed(2)}% of it`).toBeGreaterThan(0.05);
    });
  }
});
