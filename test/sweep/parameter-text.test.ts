import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { parameterCell } from "../../src/sweep/output.js";
import { buildPlan, type SweepPlan } from "../../src/sweep/plan.js";

/**
 * sweep.csv's parameter cells come from SweepPlan.parameterText (a grid axis value's cell made once,
 * a sample's numbers written directly) instead of each row's value texts parsed back: every cell
 * must be what parameterCell makes of the value text, as csv-stringify writes it.
 */
const SCENARIO = "name: x\n";
const reference = (plan: SweepPlan, k: number) =>
  stringify([plan.valuesAt(k).map((v, i) => parameterCell(plan.parameters[i]!, v))], { record_delimiter: "unix" }).slice(0, -1);

function expectSameCells(plan: SweepPlan, runs: Iterable<number>): number {
  let n = 0;
  for (const k of runs) {
    expect(plan.parameterText(k), `run ${k}: ${plan.valuesAt(k).join(" | ")}`).toBe(reference(plan, k));
    n++;
  }
  return n;
}

describe("SweepPlan.parameterText", () => {
  it("a grid: mixed units converted, a value of another kind kept as text (quoted when it holds a quote), a text column, plain numbers", () => {
    const plan = buildPlan(SCENARIO, {
      vary: ["temperature=300 K,37 degC,20 degC", "run.method=bdf,rk45", "channels.k-leak.conductance=0.3 mS/cm^2,5 mV,0.2e1 mS/cm^2", "run.rtol=1e-6,1e-7", 'name="a,b",c'],
      set: [],
    });
    expect(plan.parameters.map((p) => p.unit)).toEqual(["K", null, "mS/cm^2", "1", null]);
    expect(expectSameCells(plan, Array.from({ length: plan.total }, (_, k) => k))).toBe(108);
    // what the reference makes of them, spelled out: the test would pass with both sides wrong otherwise
    expect(plan.parameterText(0)).toBe('300,bdf,0.3,0.000001,"""a"');
    expect(plan.parameterText(1)).toBe('300,bdf,0.3,0.000001,"b"""');
    expect(plan.parameterText(plan.total - 1)).toBe("293.15,rk45,2,1e-7,c");
    // 37 degC in K: converted, not the text
    expect(plan.parameterText(36).split(",")[0]).toBe("310.15");
    // the value that is no conductance stays as written
    expect(plan.parameterText(8).split(",")[2]).toBe("5 mV");
  });

  it("a one-axis grid and a two-axis log grid of 100 x 1000 (every 7th run)", () => {
    const one = buildPlan(SCENARIO, { vary: ["pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:1000"], set: [] });
    expect(expectSameCells(one, Array.from({ length: 1000 }, (_, k) => k))).toBe(1000);
    const two = buildPlan(SCENARIO, { vary: ["channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log:100", "pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:1000"], set: [] });
    expect(expectSameCells(two, Array.from({ length: 100_000 / 7 }, (_, i) => 7 * i))).toBe(14_285);
    expect(two.parameterText(100_000 - 1)).toBe("1,2");
  });

  it("samples: random and Latin hypercube, with and without units, normal distributions reaching negative values", () => {
    for (const latinHypercube of [false, true]) {
      const plan = buildPlan(SCENARIO, {
        vary: ["channels.k-leak.conductance=0.1 mS/cm^2:1 mS/cm^2:log", "run.rtol=1e-7:1e-5", "initial.voltage=normal:-65 mV:40 mV"],
        set: [],
        samples: 5000,
        seed: 11,
        latinHypercube,
      });
      expect(plan.parameters.map((p) => p.unit)).toEqual(["mS/cm^2", "1", "mV"]);
      expect(expectSameCells(plan, Array.from({ length: 5000 }, (_, k) => k))).toBe(5000);
    }
  });
});
