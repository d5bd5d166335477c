import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

/**
 * q10 and inf/tau gates against values worked by hand (issue 15, item 7): the gate equation
 * dm/dt = φ·(α(1−m) − βm), φ = q10^((T − T_ref)/10 K), and dm/dt = φ·(inf − m)/tau.
 */
const HH = readFileSync("sims/hh-squid-train.yaml", "utf8");
const GATE = "channels.na-fast.gates.h";

function gateDerivative(sets: string[], m: number): { dmdt: number; V: number } {
  const model = new MembraneModel(parseScenario(HH, "hh.yaml", sets.map(parseOverride)));
  const slot = model.layout.gates[1]!; // na-fast: m, h
  expect(model.layout.slots[slot]!.name).toBe("na-fast.h");
  const y = Float64Array.from(model.y0);
  y[slot] = m;
  const d = new Float64Array(model.size);
  model.compiledRhs(0, y, d);
  return { dmdt: d[slot]!, V: y[model.layout.V]! };
}

describe("gates against worked values", () => {
  it("alpha/beta with q10 = 3 and 10 K above the reference: rates times exactly 3", () => {
    // constant rates 0.2 and 0.05 1/ms, m = 0.3: α(1−m) − βm = 0.14 − 0.015 = 0.125 1/ms = 125 1/s
    const base = [`${GATE}={power: 1, alpha: "0.2", beta: "0.05", q10: 3, q10-reference: 6.3 degC}`];
    expect(gateDerivative([...base, "temperature=6.3 degC"], 0.3).dmdt).toBeCloseTo(125, 9);
    expect(gateDerivative([...base, "temperature=16.3 degC"], 0.3).dmdt).toBeCloseTo(375, 9);
    // 5 K above: φ = sqrt(3)
    expect(gateDerivative([...base, "temperature=11.3 degC"], 0.3).dmdt).toBeCloseTo(125 * Math.sqrt(3), 9);
  });

  it("inf/tau: dm/dt = (inf − m)/tau, with q10 dividing tau", () => {
    // inf = 0.8, tau = 4 ms, m = 0.3: (0.8 − 0.3)/4 ms = 0.125 1/ms = 125 1/s; q10 2 and 10 K above: 250
    expect(gateDerivative([`${GATE}={power: 1, inf: "0.8", tau: "4"}`], 0.3).dmdt).toBeCloseTo(125, 9);
    expect(gateDerivative([`${GATE}={power: 1, inf: "0.8", tau: "4", q10: 2, q10-reference: 6.3 degC}`, "temperature=16.3 degC"], 0.3).dmdt).toBeCloseTo(250, 9);
    // a formula of V: inf = 1/(1+exp((V+62)/7)) at the state's V, tau = 2 + V/1000 ms (V in mV)
    const { dmdt, V } = gateDerivative([`${GATE}={power: 1, inf: "1/(1+exp((V+62)/7))", tau: "2 + V/1000"}`], 0.3);
    const vm = V * 1e3;
    expect(dmdt).toBeCloseTo(((1 / (1 + Math.exp((vm + 62) / 7)) - 0.3) / (2 + vm / 1000)) * 1e3, 8);
  });
});
