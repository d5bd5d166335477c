import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/load.js";
import { parseOverride } from "../../src/scenario/overrides.js";

const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

const GOOD = readFileSync("sims/chloride-kcc2-mature.yaml", "utf8");

describe("bad homeostasis input from the command line: one line naming file and field, non-zero exit, no output", () => {
  const cases: [string, string, RegExp][] = [
    ["stoichiometry on an undeclared ion", GOOD.replace("  - { name: kcc2, type: kcc2 }", "  - { name: x, kinetics: thermodynamic, stoichiometry: { Mg: 1 }, conductance: 1 mS/cm^2 }"), /cell\.yaml:\d+: transporters\[0\]\.stoichiometry\.Mg: undeclared ion "Mg"/],
    ["a fractional charge on a permeant species", GOOD.replace("Cl: { charge: -1,", "Cl: { charge: -0.5,").replace("transporters:\n  - { name: kcc2, type: kcc2 }\n", ""), /cell\.yaml:\d+: ions\.Cl\.charge: expected a whole number from -4 to 4: channel "cl-leak" carries it/],
    ["a zero charge on a permeant species", GOOD.replace("Cl: { charge: -1,", "Cl: { charge: 0,").replace("transporters:\n  - { name: kcc2, type: kcc2 }\n", ""), /cell\.yaml:\d+: ions\.Cl\.charge: must not be zero: channel "cl-leak" carries it/],
    ["a charge a preset does not allow", GOOD.replace("Cl: { charge: -1,", "Cl: { charge: -2,"), /cell\.yaml:\d+: ions\.Cl\.charge: must be -1 for the kcc2 transporter "kcc2", got -2/],
    ["a flux formula of unknown names", GOOD.replace("  - { name: kcc2, type: kcc2 }", '  - { name: x, kinetics: formula, stoichiometry: { K: 1 }, flux: "K_inside * 2" }'), /cell\.yaml:\d+: transporters\[0\]\.flux: unknown name 'K_inside'/],
    ["a negative water permeability", GOOD.replace("  capacitance: 1 uF/cm^2", "  capacitance: 1 uF/cm^2\n  water-permeability: -1e-3 cm/s"), /cell\.yaml:\d+: cell\.water-permeability: must not be negative/],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      const dir = mkdtempSync(join(tmpdir(), "ionflux-homeo-cli-"));
      const file = join(dir, "cell.yaml");
      writeFileSync(file, text);
      const out = join(dir, "out");
      const r = ionflux(["run", file, "--out", out]);
      expect(r.status).not.toBe(0);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(readdirSync(dir)).toEqual(["cell.yaml"]);
    });
  }
});

describe("a cell that loses all its water, from the command line", () => {
  it("fails as every numerical failure does: one line naming vol_in, exit 1, the trajectory up to its last good state, converged false", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-homeo-cli-"));
    const file = join(dir, "cell.yaml");
    // an osmometer with nothing inside in a bath of 412 mM: water leaves, and no solute crosses to stop it
    writeFileSync(
      file,
      `name: empty-cell
temperature: 37 degC
cell: { area: 136 um^2, volume: 90 fL, water-permeability: 0.02 cm/s }
bath: { clamped: true }
ions:
  K:   { charge: 1,  inside: 0 mM, outside: 5 mM }
  Cl:  { charge: -1, inside: 0 mM, outside: 5 mM }
  sucrose: { charge: 0, inside: 0 mM, outside: 402 mM }
initial: { voltage: 0 mV }
run: { method: bdf, duration: 60 s }
`,
    );
    const out = join(dir, "out");
    const r = ionflux(["run", file, "--out", out]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ionflux: .*cell\.yaml: integration failed at t = [0-9.e-]+ s: .*vol_in went to zero or below.*the cell lost all its water.*converged: false\)$/);
    const summary = JSON.parse(readFileSync(join(out, "empty-cell.summary.json"), "utf8")) as Record<string, unknown>;
    expect(summary.converged).toBe(false);
    expect(summary.stop_reason).toBe("failed");
    expect(readFileSync(join(out, "empty-cell.csv"), "utf8").split("\n")[0]).toContain("vol_in [pL]");
  });
});

describe("sweeps and --set reach the new fields", () => {
  it("transporters.NAME.conductance, cell.water-permeability, a transporter's stoichiometry", () => {
    const s = parseScenario(GOOD, "cell.yaml", ["transporters.kcc2.conductance=0.2 mS/cm^2", "cell.water-permeability=0.01 cm/s"].map(parseOverride));
    expect(s.transporters[0]!.kinetics).toEqual({ kind: "thermodynamic", conductance: 2 });
    expect(s.cell.waterPermeability).toBeCloseTo(1e-4, 15);
  });
});

describe("a sweep of a cell that moves water", () => {
  it("varies the water permeability and gains a volume_final [pL] column, each cell the run's own volume_final", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-homeo-sweep-"));
    const common = ["--set", "run.duration=3 s", "--set", "run.stop=null"];
    const r = ionflux(["sweep", "sims/osmotic-shock.yaml", "--vary", "cell.water-permeability=0 cm/s,0.002 cm/s,0.02 cm/s", ...common, "--jobs", "1", "--progress", "never", "--out", dir]);
    expect(r.status, r.stderr).toBe(0);
    const [header, ...rows] = readFileSync(join(dir, "sweep.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    expect(header!.at(-1)).toBe("volume_final [pL]");
    expect(header!.at(-2)).toBe("error");
    expect(rows).toHaveLength(3);
    const volumes = rows.map((row) => Number(row.at(-1)));
    // no water moves at P_f = 0 (90 fL); the faster the membrane lets water through, the nearer 68.17 fL after 3 s
    expect(volumes[0]).toBe(0.09);
    expect(volumes[1]!).toBeLessThan(0.09);
    expect(volumes[2]!).toBeLessThan(volumes[1]!);
    for (const [i, pf] of ["0 cm/s", "0.002 cm/s", "0.02 cm/s"].entries()) {
      const out = join(dir, `single-${i}`);
      expect(ionflux(["run", "sims/osmotic-shock.yaml", "--set", `cell.water-permeability=${pf}`, ...common, "--out", out]).status).toBe(0);
      const summary = JSON.parse(readFileSync(join(out, "osmotic-shock.summary.json"), "utf8")) as Record<string, number>;
      expect(volumes[i]).toBe(summary["volume_final [pL]"]);
    }
  });
});
