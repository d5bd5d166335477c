import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SimulatorError } from "../../src/errors.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulation/simulate.js";
import { bisect, F, R } from "../helpers/run.js";

/** The four wrong outputs of issue 11, each against a closed form worked here. */

const T = 310.15;
const RADIUS = 2e-6;
const AREA = 4 * Math.PI * RADIUS ** 2;
const VOLUME = (4 / 3) * Math.PI * RADIUS ** 3;
const CM = 0.01;
const nernst = (z: number, cin: number, cout: number) => ((R * T) / (z * F)) * Math.log(cout / cin);

const BASE = `
name: core-bug
temperature: 37 degC
cell: { shape: sphere, radius: 2 um, capacitance: 1 uF/cm^2 }
bath: { clamped: true }
ions:
  K:  { charge: 1,  inside: 140 mM, outside: 5 mM }
  Na: { charge: 1,  inside: 10 mM,  outside: 145 mM }
  Cl: { charge: -1, inside: 150 mM, outside: 150 mM }
`;

function runCli(text: string, sets: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "ionflux-core-"));
  const file = join(dir, "s.yaml");
  writeFileSync(file, text);
  const r = spawnSync(process.execPath, ["bin/ionflux.js", "run", file, "--out", dir, ...sets.flatMap((s) => ["--set", s])], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const csv = readFileSync(join(dir, "core-bug.csv"), "utf8").trim().split("\n");
  return { summary: JSON.parse(readFileSync(join(dir, "core-bug.summary.json"), "utf8")), header: csv[0]!.split(","), last: csv.at(-1)!.split(",").map(Number), stdout: r.stdout };
}

describe("issue 11's bugs", () => {
  it("min_concentration counts concentrations only, not gates (a gate at 0.03 is not 0.03 mM)", () => {
    const { summary } = runCli(`${BASE}
channels:
  - name: k
    ion: K
    conductance: 0.5 mS/cm^2
    gates: { n: { power: 1, inf: "0.03", tau: "1" } }
initial: { voltage: -80 mV }
run: { method: bdf, duration: 10 ms, record-every: 1 ms }
`);
    // the bath is clamped, so K_out stays at 5 mM; nothing inside goes below 10 mM in 10 ms
    // (a current of at most g·n·|V - E_K| ≈ 2e-6 A/cm^2 moves far less than 1 mM)
    expect(summary["min_concentration [mM]"]).toBe(5);
  });

  it("under a voltage clamp the summary's V_final and I_net_final are the command's, as in the CSV", () => {
    const { summary, header, last, stdout } = runCli(`${BASE}
channels:
  - { name: k, ion: K, conductance: 0.5 mS/cm^2 }
  - { name: na, ion: Na, conductance: 0.05 mS/cm^2 }
clamp:
  holding: -80 mV
  steps: [ { at: 1 ms, to: -10 mV } ]
run: { method: bdf, duration: 3 ms, record-every: 1 ms }
`);
    expect(summary["V_final [mV]"]).toBe(-10);
    expect(stdout).toContain("V = -10 mV");
    // chord form at -10 mV with the final concentrations: I = g_K (V - E_K) + g_Na (V - E_Na)
    const c = summary["concentrations_final [mM]"];
    const V = -0.01;
    const expected = 5 * (V - nernst(1, c.K.in, c.K.out)) + 0.5 * (V - nernst(1, c.Na.in, c.Na.out)); // A/m²
    expect(Math.abs(summary["I_net_final [uA/cm^2]"] - expected * 100)).toBeLessThan(1e-9 * Math.abs(expected * 100));
    expect(summary["I_net_final [uA/cm^2]"]).toBe(last[header.indexOf("I_net [uA/cm^2]")]);
  });

  it("method steady reaches the state when an ion carries a stimulus but has no channel", () => {
    const text = `${BASE}
channels:
  - { name: k, ion: K, conductance: 0.5 mS/cm^2 }
stimulus:
  - { name: na-in, start: 1 ms, duration: 2 ms, amplitude: 5 uA/cm^2, carried-by: Na }
initial: { voltage: -80 mV }
run: { method: steady, duration: 1 s, record-every: 1 s }
`;
    const { summary } = runCli(text);
    expect(summary.converged).toBe(true);
    // Na+ cannot leave: Na_in = 10 mM + A·I·Δt/(F·vol_in)
    const naIn = 10 + (AREA * 0.05 * 2e-3) / (F * VOLUME);
    const c = summary["concentrations_final [mM]"];
    expect(Math.abs(c.Na.in - naIn)).toBeLessThan(1e-12 * naIn);
    // K+ settles at its Nernst potential; the charge identity ties K_in to V:
    // C_m·A·(V - V0) = F·vol_in·(ΔK_in + ΔNa_in) (the stimulus's charge came with the Na+)
    const kIn = (V: number) => 140 + (CM * AREA * (V + 0.08)) / (F * VOLUME) - (naIn - 10);
    const V = bisect((v) => v - nernst(1, kIn(v), 5), -0.12, 0);
    expect(Math.abs(summary["V_final [mV]"] - V * 1e3)).toBeLessThan(1e-7);
    // and the time course ends in the same place
    const { summary: timed } = runCli(text, ["run.method=bdf", "run.duration=2 s", "run.rtol=1e-10", "run.atol=1e-13"]);
    expect(Math.abs(timed["V_final [mV]"] - V * 1e3)).toBeLessThan(1e-5);
  });

  it("a channel on an uncharged ion is refused by the model, not turned into zeros by the compiled code", () => {
    const valid = parseScenario(`${BASE}
channels:
  - { name: k, ion: K, conductance: 0.5 mS/cm^2 }
initial: { voltage: -80 mV }
run: { method: bdf, duration: 1 ms, record-every: 1 ms }
`, "s.yaml");
    // the scenario format refuses charge 0; a library user can still build such a scenario
    const uncharged = { ...valid, ions: valid.ions.map((i) => (i.name === "K" ? { ...i, valence: 0 } : i)) };
    expect(() => new MembraneModel(uncharged)).toThrow(SimulatorError);
    expect(() => new MembraneModel(uncharged)).toThrow('s.yaml: channel "k": ion K has charge 0, and an uncharged species carries no current');
  });
});

describe("species no mechanism carries", () => {
  it("an uncharged impermeant species keeps its concentrations (no 0·∞ in its equation)", () => {
    const valid = parseScenario(`${BASE}
channels:
  - { name: k, ion: K, conductance: 0.5 mS/cm^2 }
initial: { voltage: -80 mV }
run: { method: bdf, duration: 10 ms, record-every: 1 ms }
`, "s.yaml");
    // Na has no channel here; as an uncharged species (which the model accepts for impermeant ones)
    const scenario = { ...valid, ions: valid.ions.map((i) => (i.name === "Na" ? { ...i, valence: 0 } : i)) };
    const model = new MembraneModel(scenario);
    const a = new Float64Array(model.size);
    const b = new Float64Array(model.size);
    model.rhs(0, model.y0, a);
    model.compiledRhs(0, model.y0, b);
    const k = model.ionNames.indexOf("Na");
    for (const d of [a, b]) {
      expect(d[model.layout.cIn[k]!]).toBe(0);
      expect(d[model.layout.cOut[k]!]).toBe(0);
      expect(d.every(Number.isFinite)).toBe(true);
    }
    const r = simulate(model, scenario.run, new MemoryRecorder());
    expect(r.stopReason).toBe("duration");
    expect(r.yEnd[model.layout.cIn[k]!]).toBe(10);
  });
});
