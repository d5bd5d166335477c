import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findRootOfIncreasing } from "../../src/numerics/roots.js";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

/**
 * No hangs and no silent wrong answers (issue 15, items 4 and 5): what used to hang or run with
 * exit 0 and a meaningless result is refused at load, naming the field (and the voltage).
 */
const BASE = readFileSync("sims/k-nernst.yaml", "utf8");
const HH = readFileSync("sims/hh-squid-train.yaml", "utf8");
const load = (text: string, sets: string[] = []) => () => parseScenario(text, "s.yaml", sets.map(parseOverride));

describe("no hangs", () => {
  it("initial.voltage 1e20 V (the E_rev bracket never widened): refused at load; ±10 V accepted", () => {
    expect(load(BASE, ["initial.voltage=1e20 V"])).toThrow(/^s\.yaml: initial\.voltage: must be within -10 V and 10 V .*got 100000000000000000000 V \(set with --set\)$/);
    expect(load(BASE, ["initial.voltage=-10.001 V"])).toThrow(/initial\.voltage: must be within/);
    expect(load(BASE, ["initial.voltage=10 V"])).not.toThrow();
  });

  it("the bracketing root finder ends from any guess: 1e20, -1e20, a zero-width bracket", () => {
    const f = (V: number) => V - 0.0421;
    for (const guess of [1e20, -1e20, 1e6, 0.0421]) {
      const t0 = performance.now();
      expect(findRootOfIncreasing(f, guess - 1e-4, guess + 1e-4, 20, 1e-15)).toBeCloseTo(0.0421, 14);
      expect(performance.now() - t0).toBeLessThan(100);
    }
    // no root within the limit: NaN, after a bounded number of widenings
    expect(findRootOfIncreasing((V) => V - 100, 1e20, 1e20, 20, 1e-15)).toBeNaN();
    expect(findRootOfIncreasing((V) => V - 100, 0.1, 0.1, 20, 1e-15)).toBeNaN();
  });
});

describe("no silent wrong answers: meaningless inputs refused, naming the field", () => {
  it("reserved ion names (E_rev, I_net, I_clamp... would repeat) and a scenario named sweep", () => {
    for (const ion of ["rev", "net", "clamp", "vol", "Osm", "V", "t", "celsius", "I_net", "E_rev"]) {
      const text = BASE.replace("  Cl: { charge: -1", `  ${ion}: { charge: -1`);
      expect(load(text), ion).toThrow(new RegExp(`^s\\.yaml:\\d+: ions\\.${ion}: "${ion}" is reserved`));
    }
    for (const name of ["sweep", "sweep.shard-1-of-2", "report"]) {
      expect(load(BASE, [`name=${name}`])).toThrow(new RegExp(`name: "${name.replace(/\./g, "\\.")}" is reserved`));
    }
    expect(load(BASE.replace("  Cl: { charge: -1", "  Rev: { charge: -1"))).not.toThrow();
  });

  it("a negative tau, a negative rate, an inf outside 0..1, a rate that is not finite: refused naming gate, field and V", () => {
    const gate = "channels.na-fast.gates.h";
    const cases: [string, RegExp][] = [
      [`${gate}={power: 1, inf: "1/(1+exp((V+62)/7))", tau: "-1"}`, /channels\[\d+\]\.gates\.h\.tau: a time constant must be positive, got -1 ms at V = -150 mV/],
      [`${gate}={power: 1, inf: "1/(1+exp((V+62)/7))", tau: "abs(V+100)/10"}`, /gates\.h\.tau: a time constant must be positive, got 0 ms at V = -100 mV/],
      [`${gate}={power: 1, inf: "1.5/(1+exp((V+62)/7))", tau: "5"}`, /gates\.h\.inf: a steady-state open fraction must be within 0\.\.1, got 1\.\d+ at V = -150 mV/],
      [`${gate}={power: 1, alpha: "0.1*(V+40)", beta: "1"}`, /gates\.h\.alpha: a rate must not be negative, got -11 1\/ms at V = -150 mV/],
      [`${gate}={power: 1, alpha: "0.07", beta: "-0.5"}`, /gates\.h\.beta: a rate must not be negative, got -0\.5 1\/ms at V = -150 mV/],
      [`${gate}={power: 1, alpha: "sqrt(V)", beta: "1"}`, /gates\.h\.alpha: not a finite number at V = -150 mV \(NaN\)/],
    ];
    for (const [set, message] of cases) expect(load(HH, [set]), set).toThrow(message);
  });
});
