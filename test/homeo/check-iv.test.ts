import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkCommand } from "../../src/cli/commands/check.js";
import { ivCommand } from "../../src/cli/commands/iv.js";
import { nernst, V_W } from "./closedForms.js";

const T = 310.15;
const CELL = `name: ncx-cell
temperature: 37 degC
cell: { area: 1000 um^2, volume: 2 pL, water-permeability: 0.002 cm/s }
bath: { clamped: true }
ions:
  Na: { charge: 1,  inside: 12 mM,    outside: 145 mM }
  K:  { charge: 1,  inside: 140 mM,   outside: 4 mM }
  Ca: { charge: 2,  inside: 0.0001 mM, outside: 2 mM }
  A:  { charge: -1, inside: 152.0002 mM, outside: 153 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.05 mS/cm^2 }
transporters:
  - { name: ncx, type: ncx }
  - { name: kcc, kinetics: thermodynamic, stoichiometry: { K: 1, A: 1 }, conductance: 0 mS/cm^2 }
initial: { voltage: -70 mV }
run: { duration: 1 s }
`;

function file(text: string): { path: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "ionflux-homeo-"));
  const path = join(dir, "cell.yaml");
  writeFileSync(path, text);
  return { path, out: dir };
}

describe("iv with electrogenic transporters", () => {
  it("includes NCX in the total current and reports its reversal 3·E_Na − 2·E_Ca", () => {
    const { path, out } = file(CELL.replace("  - { name: kcc, kinetics: thermodynamic, stoichiometry: { K: 1, A: 1 }, conductance: 0 mS/cm^2 }\n", ""));
    const lines: string[] = [];
    ivCommand({ file: path, from: "-150 mV", to: "100 mV", step: "5 mV", set: [], out }, (l) => lines.push(l));
    const expected = 3 * nernst(1, 12, 145, T) - 2 * nernst(2, 0.0001, 2, T);
    const line = lines.find((l) => l.startsWith("  ncx, instantaneous: reverses at"));
    expect(line).toBeDefined();
    expect(line).toContain("3·E_Na − 2·E_Ca");
    // the printed prediction is the closed form worked here, not the root found again
    const printed = Number(/3·E_Na − 2·E_Ca: (-?[\d.]+) mV/.exec(line!)![1]);
    expect(Math.abs(printed - expected * 1e3)).toBeLessThan(1e-6);
    const summary = JSON.parse(readFileSync(join(out, "ncx-cell.iv.summary.json"), "utf8")) as { reversals: { current: string; "E_rev [mV]": number }[] };
    const ncx = summary.reversals.find((r) => r.current === "ncx, instantaneous")! as { "E_rev [mV]": number; "predicted [mV]"?: number };
    expect(Math.abs(ncx["E_rev [mV]"] - expected * 1e3)).toBeLessThan(1e-6);
    expect(Math.abs((ncx["predicted [mV]"] as number) - expected * 1e3)).toBeLessThan(1e-6);
    // the total current includes the exchanger: total = K leak + NCX at every command voltage
    const csv = readFileSync(join(out, "ncx-cell.iv.csv"), "utf8").trim().split("\n");
    const header = csv[0]!.split(",");
    const col = (name: string) => header.indexOf(name);
    for (const row of csv.slice(1).map((r) => r.split(",").map(Number))) {
      expect(Math.abs(row[col("I_total_instant [uA/cm^2]")]! - row[col("I_k-leak_instant [uA/cm^2]")]! - row[col("I_ncx_instant [uA/cm^2]")]!)).toBeLessThan(1e-9);
    }
  });
});

describe("check with water", () => {
  it("prints Osm per side and the water time constant vol/(A·P_f·v_w·Osm_in)", () => {
    const { path } = file(CELL);
    const lines: string[] = [];
    checkCommand({ files: [path], set: [] }, (l) => lines.push(l));
    const osmIn = 12 + 140 + 0.0001 + 152.0002;
    const osmOut = 145 + 4 + 2 + 153;
    const osm = lines.find((l) => l.includes("osmolarity"))!;
    const [, inside, outside] = /inside ([0-9.e+-]+) mM, outside ([0-9.e+-]+) mM/.exec(osm)!;
    expect(Math.abs(Number(inside) / osmIn - 1)).toBeLessThan(1e-4);
    expect(Math.abs(Number(outside) / osmOut - 1)).toBeLessThan(1e-4);
    // an ideal osmometer in a clamped bath relaxes with τ = vol/(A·P_f·v_w·Osm_in) (linearised Boyle–van 't Hoff)
    const tau = 2e-15 / (1e-9 * 2e-5 * V_W * osmIn);
    const water = lines.find((l) => l.includes("water time constant"))!;
    const [, value, unit] = /water time constant ([0-9.e+-]+) (\w+)/.exec(water)!;
    const seconds = Number(value) * ({ s: 1, ms: 1e-3, us: 1e-6, min: 60, h: 3600 } as Record<string, number>)[unit!]!;
    expect(Math.abs(seconds / tau - 1)).toBeLessThan(1e-3);
    console.log(osm, "|", water, "| expected tau", tau);
  });
});
