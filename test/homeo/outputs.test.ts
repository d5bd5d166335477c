import { describe, expect, it } from "vitest";
import { buildSummary } from "../../src/recording/summary.js";
import { F, R } from "../helpers/run.js";
import { runText } from "./helpers.js";

const TEXT = `name: outputs
temperature: 37 degC
cell: { area: 1000 um^2, volume: 2 pL, water-permeability: 0.005 cm/s }
bath: { volume: 8 pL }
ions:
  Na: { charge: 1, inside: 12 mM, outside: 145 mM }
  K: { charge: 1, inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 10 mM, outside: 120 mM }
  A: { charge: -0.9, inside: 157.8 mM, outside: 32.2 mM }
  sucrose: { charge: 0, inside: 0 mM, outside: 20 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.05 mS/cm^2 }
pumps:
  - { name: pump, max-current: 1 uA/cm^2 }
transporters:
  - { name: kcc2, kinetics: thermodynamic, stoichiometry: { K: 1, Cl: 1 }, conductance: 0.1 mS/cm^2 }
initial: { voltage: -80 mV }
run: { method: bdf, duration: 100 s, record-every: 10 s }
`;

describe("outputs with transporters and water", () => {
  it("CSV columns J_NAME [pmol/(cm^2*s)], vol_in, vol_out [pL], Osm_in, Osm_out [mM], consistent with the row's own concentrations", () => {
    const run = runText(TEXT);
    const names = run.recorder.columns.map((c) => `${c.name} [${c.unit}]`);
    expect(names.slice(-6)).toEqual(["J_pump [pmol/(cm^2*s)]", "J_kcc2 [pmol/(cm^2*s)]", "vol_in [pL]", "vol_out [pL]", "Osm_in [mM]", "Osm_out [mM]"]);
    const col = (name: string) => names.findIndex((n) => n.startsWith(`${name} [`));
    const vt = (R * 310.15) / F;
    for (const row of run.recorder.rows) {
      // KCC2: J = g·(RT/F)·ln(K_in·Cl_in/(K_out·Cl_out))/F, from this row's concentrations (g = 1 S/m²)
      const J = (1 * vt * Math.log((row[col("K_in")]! * row[col("Cl_in")]!) / (row[col("K_out")]! * row[col("Cl_out")]!))) / F;
      expect(Math.abs(row[col("J_kcc2")]! - J * 1e8)).toBeLessThan(1e-9 * Math.abs(J * 1e8) + 1e-15);
      // the pump: J = I_max/F·(Na_in/(Na_in + 10))³·(K_out/(K_out + 1.5))²
      const Jp = (0.01 / F) * (row[col("Na_in")]! / (row[col("Na_in")]! + 10)) ** 3 * (row[col("K_out")]! / (row[col("K_out")]! + 1.5)) ** 2;
      expect(Math.abs(row[col("J_pump")]! - Jp * 1e8)).toBeLessThan(1e-12 * Jp * 1e8);
      const osmIn = ["Na", "K", "Cl", "A", "sucrose"].reduce((s, ion) => s + row[col(`${ion}_in`)]!, 0);
      const osmOut = ["Na", "K", "Cl", "A", "sucrose"].reduce((s, ion) => s + row[col(`${ion}_out`)]!, 0);
      expect(Math.abs(row[col("Osm_in")]! - osmIn)).toBeLessThan(1e-12 * osmIn);
      expect(Math.abs(row[col("Osm_out")]! - osmOut)).toBeLessThan(1e-12 * osmOut);
      expect(Math.abs(row[col("vol_in")]! + row[col("vol_out")]! - 10)).toBeLessThan(1e-12);
      // moles inside from the CSV's own columns: the sucrose outside stays 20 mM·8 pL
      expect(Math.abs(row[col("sucrose_out")]! * row[col("vol_out")]! - 160)).toBeLessThan(1e-10);
    }
    // water moved: the cell's volume changed
    expect(Math.abs(run.recorder.rows.at(-1)![col("vol_in")]! - 2)).toBeGreaterThan(1e-3);
  });

  it("summary: volume_final, the bath's volume, osmolarities and the volume invariant", () => {
    const run = runText(TEXT);
    const summary = buildSummary(run.scenario, run.model, run.result, { scenarioText: TEXT, overrides: [] }) as Record<string, unknown>;
    const last = run.recorder.rows.at(-1)!;
    const names = run.recorder.columns.map((c) => c.name);
    expect(summary["volume_final [pL]"]).toBeCloseTo(last[names.indexOf("vol_in")]!, 12);
    expect(summary["volume_out_final [pL]"]).toBeCloseTo(last[names.indexOf("vol_out")]!, 12);
    const inv = summary.invariants as Record<string, number>;
    expect(inv.volume_drift_relative).toBeLessThan(1e-15);
    expect(inv.charge_drift_relative).toBeLessThan(1e-8);
    const conc = summary["concentrations_final [mM]"] as Record<string, { in: number }>;
    expect(conc.K!.in).toBeCloseTo(last[names.indexOf("K_in")]!, 10);
  });
});
