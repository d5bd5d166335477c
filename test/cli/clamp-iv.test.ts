import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/load.js";
import { runScenario } from "../helpers/run.js";

const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
const dir = () => mkdtempSync(join(tmpdir(), "ionflux-iv-"));

describe("voltage clamp", () => {
  it("V follows the command; the clamp current is inward (Na+) then outward (K+) at 0 mV, as in HH 1952", () => {
    const { recorder, result } = runScenario("sims/iv-protocol.yaml");
    const t = recorder.series("t");
    const V = recorder.series("V");
    const I = recorder.series("I_clamp");
    const during = t.map((x, i) => i).filter((i) => t[i]! > 0.005 && t[i]! < 0.015);
    for (const i of during) expect(V[i]).toBe(0);
    expect(V[t.findIndex((x) => x >= 0.02)]).toBe(-65);
    const peakInward = Math.min(...during.map((i) => I[i]!));
    expect(peakInward).toBeLessThan(-500); // about -1.2 mA/cm^2 early in the step
    expect(I[during.at(-1)!]).toBeGreaterThan(1000); // about +1.9 mA/cm^2 late in the step
    // the concentrations keep moving with the channel currents: Na+ came in
    expect(result.yEnd[1]!).toBeGreaterThan(55.172292205200314);
    // moles are still conserved? (clamped bath: not applicable); charge identity: not applicable under a clamp
    expect(result.invariants.chargeRelative).toBeNaN();
  });
  it("a stop rule under a clamp is refused", () => {
    const r = ionflux(["run", "sims/iv-protocol.yaml", "--set", "run.stop.net-current-below=1e-4 uA/cm^2", "--out", dir()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("run.stop: a stop rule on the net current means nothing under a voltage clamp");
  });
});

/**
 * Nernst potentials of every ion, and the total reversal potential for ungated scenarios (chord
 * conductance when all channels are ohmic, the GHK voltage equation when all are monovalent GHK),
 * from physics.md's formulas and the scenario's SI numbers (mV).
 */
function closedForms(file: string): { nernst: Record<string, number>; total: number | null } {
  const s = parseScenario(readFileSync(file, "utf8"), file);
  const rtf = (8.314462618 * s.temperature) / 96485.33212;
  const ion = (name: string) => s.ions.find((i) => i.name === name)!;
  const nernst: Record<string, number> = {};
  for (const i of s.ions) if (i.inside > 0 && i.outside > 0) nernst[i.name] = (rtf / i.valence) * Math.log(i.outside / i.inside) * 1e3;
  if (s.channels.some((c) => c.gates.length > 0)) return { nernst, total: null };
  if (s.channels.every((c) => c.kind === "ohmic")) {
    let num = 0;
    let den = 0;
    for (const c of s.channels) if (c.kind === "ohmic") (num += c.conductance * nernst[c.ion]!), (den += c.conductance);
    return { nernst, total: num / den };
  }
  let num = 0;
  let den = 0;
  for (const c of s.channels) {
    if (c.kind !== "ghk") continue;
    const i = ion(c.ion);
    if (i.valence > 0) (num += c.permeability * i.outside), (den += c.permeability * i.inside);
    else (num += c.permeability * i.inside), (den += c.permeability * i.outside);
  }
  return { nernst, total: rtf * Math.log(num / den) * 1e3 };
}

describe("ionflux iv", () => {
  /** The zero crossing must equal the closed form within 0.01 mV (measured: ~1e-14 mV). */
  const TOLERANCE_MV = 0.01;
  for (const [file, by] of [["sims/neuron-chord.yaml", "chord conductance"], ["sims/squid-axon-ghk.yaml", "GHK voltage equation"], ["sims/iv-protocol.yaml", "chord conductance"]] as const) {
    it(`${file}: the total current reverses at the ${by} prediction, each ion at its Nernst potential`, () => {
      const out = dir();
      const r = ionflux(["iv", file, "--from", "-100mV", "--to", "60mV", "--step", "5mV", "--out", out]);
      expect(r.status).toBe(0);
      const name = readFileSync(file, "utf8").match(/^name: (\S+)/m)![1]!;
      const summary = JSON.parse(readFileSync(join(out, `${name}.iv.summary.json`), "utf8"));
      const total = summary.reversals.find((x: { current: string }) => x.current === "total, instantaneous");
      expect(total.prediction).toBe(by);
      expect(Math.abs(total["difference [mV]"])).toBeLessThan(TOLERANCE_MV);
      // and against closed forms worked out here, from the scenario's own numbers
      const expected = closedForms(file);
      if (expected.total !== null) expect(Math.abs(total["E_rev [mV]"] - expected.total)).toBeLessThan(TOLERANCE_MV);
      for (const x of summary.reversals.filter((e: { current: string }) => e.current !== "total, instantaneous")) {
        expect(x.prediction).toMatch(/^Nernst/);
        const ion = String(x.current).split(",")[0]!;
        expect(Math.abs(x["E_rev [mV]"] - expected.nernst[ion]!)).toBeLessThan(TOLERANCE_MV);
      }
      const rows: Record<string, string>[] = parse(readFileSync(join(out, `${name}.iv.csv`), "utf8"), { columns: true });
      expect(rows).toHaveLength(33);
      expect(rows[0]!["V_command [mV]"]).toBe("-100");
      expect(rows[32]!["V_command [mV]"]).toBe("60");
    });
  }
  it("--at 5ms: the HH steady-state I-V is N-shaped, with three reversals", () => {
    const out = dir();
    const r = ionflux(["iv", "sims/iv-protocol.yaml", "--from", "-100mV", "--to", "60mV", "--step", "5mV", "--at", "5ms", "--out", out]);
    expect(r.status).toBe(0);
    const header = readFileSync(join(out, "iv-protocol.iv.csv"), "utf8").split("\n")[0]!;
    expect(header).toContain("I_total_at_5ms [uA/cm^2]");
    expect(header).toContain("I_na-fast_at_5ms [uA/cm^2]");
    expect(r.stdout.match(/total, at 5ms: reverses/g)).toHaveLength(3);
  });
});
