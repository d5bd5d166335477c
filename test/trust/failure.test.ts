import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-fail-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

/**
 * A cell whose electrode pulls K+ out faster than the cell has it: K_in (1 mM) runs out when
 * A·I·t/(F·vol) = 1 mM, i.e. t = F·(r/3)·1 mM / I = 96485.33212 · (5e-6/3) / 2 = 0.0804044 s after the
 * pulse starts at 1 ms. No method can go on past that; the run must say so, not return NaN.
 */
const DRAIN = `name: drain
temperature: 37 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 1 mM, outside: 5 mM }
  A: { charge: -1, inside: 1 mM, outside: 5 mM }
stimulus:
  - { start: 1 ms, duration: 1 s, amplitude: -200 uA/cm^2, carried-by: K }
initial: { voltage: -70 mV }
run: { duration: 2 s }
`;

describe("numerical failure stops the run with the time, the quantity and what to try", () => {
  it("a concentration driven below zero: IntegrationError at the analytic exhaustion time", () => {
    const out = dir();
    writeFileSync(join(out, "drain.yaml"), DRAIN);
    const r = ionflux(["run", join(out, "drain.yaml"), "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/integration failed at t = 0\.0814\d* s: step size underflow .*K_in went below zero/);
    const summary = JSON.parse(readFileSync(join(out, "drain.summary.json"), "utf8"));
    expect(summary.converged).toBe(false);
    expect(summary.stop_reason).toBe("failed");
    expect(summary.failure).toContain("K_in went below zero");
    const exhaustion = 0.001 + (96485.33212 * (5e-6 / 3) * 1) / 2;
    expect(Math.abs(summary["t_end [s]"] - exhaustion)).toBeLessThan(1e-6);
    // the trajectory up to the failure is there, whole, and never negative or NaN
    const rows: string[][] = parse(readFileSync(join(out, "drain.csv"), "utf8"));
    const kIn = rows[0]!.indexOf("K_in [mM]");
    for (const row of rows.slice(1)) expect(Number(row[kIn])).toBeGreaterThanOrEqual(0);
  });

  it("an explicit method past its stability limit is refused up front: the largest stable dt and 'bdf', nothing written", () => {
    const out = dir();
    const r = ionflux(["run", "sims/bench/w1-run-down.yaml", "--set", "run.method=euler", "--set", "run.dt=10 ms", "--set", "run.duration=10 s", "--out", out]);
    expect(r.status).toBe(1);
    // W1's fastest mode decays in C_m/G = 2.7 ms: euler's bound on the real axis is 2/|λ| = 5.4 ms
    expect(r.stderr.trim()).toMatch(/^ionflux: sims\/bench\/w1-run-down\.yaml: run\.dt: 10 ms is beyond euler's stability bound for this model: its fastest mode decays in 2\.7 ms .*dt must be at most 5\.4 ms; .*the stiff method bdf/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(out, "w1-run-down.csv"))).toBe(false);
  });

  it("a sweep records the failure in the run's row", () => {
    const out = dir();
    const r = ionflux(["sweep", "sims/bench/w1-run-down.yaml", "--set", "run.method=euler", "--set", "run.duration=1 s", "--vary", "run.dt=1 ms,10 ms", "--out", out, "--jobs", "1"]);
    expect(r.status).toBe(0);
    const rows: Record<string, string>[] = parse(readFileSync(join(out, "sweep.csv"), "utf8"), { columns: true });
    expect(rows[0]!.error).toBe("");
    expect(rows[1]!.error).toMatch(/beyond euler's stability bound/);
    expect(rows[1]!.converged).toBe("FALSE"); // a failed run did not converge (issue 13) ...
    expect(rows[1]!["V_final [mV]"]).toBe(""); // ... and its end-state cells are empty
  });
});

describe("the other failure modes, provoked", () => {
  it("too many steps: the limit, where it was hit, and what to change", () => {
    const out = dir();
    const r = ionflux(["run", "sims/bench/w1-run-down.yaml", "--set", "run.max-steps=10", "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/integration failed at t = [\d.e-]+ s: more than 10 steps \(run\.max-steps\): raise it or loosen rtol\/dt/);
  });
  it("a steady state that does not exist (a pump with no leak drains Na_in toward zero): Newton and continuation fail, said so", () => {
    const out = dir();
    writeFileSync(join(out, "s.yaml"), `name: nosteady
temperature: 37 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  Na: { charge: 1, inside: 10 mM, outside: 145 mM }
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 150 mM, outside: 150 mM }
pumps: [{ max-current: 1 uA/cm^2 }]
initial: { voltage: -70 mV }
run: { method: steady }
`);
    const r = ionflux(["run", join(out, "s.yaml"), "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no steady state found");
    const summary = JSON.parse(readFileSync(join(out, "nosteady.summary.json"), "utf8"));
    expect(summary.converged).toBe(false);
    expect(summary.stop_reason).toBe("failed");
  });
});

describe("limits refuse absurd work up front, with the numbers", () => {
  const base = readFileSync("sims/neuron-chord.yaml", "utf8");
  const refused = (text: string) => {
    const out = dir();
    writeFileSync(join(out, "x.yaml"), text);
    return ionflux(["check", join(out, "x.yaml")]);
  };
  it("a file over 1 MiB", () => {
    expect(refused(`${base}\n# ${"x".repeat(1 << 20)}\n`).stderr).toMatch(/larger than 1048576 bytes/);
  });
  it("more than 32 ions", () => {
    const ions = Array.from({ length: 40 }, (_, i) => `  X${i}: { charge: 1, inside: 1 mM, outside: 1 mM }`).join("\n");
    expect(refused(base.replace("ions:\n", `ions:\n${ions}\n`)).stderr).toMatch(/ions: \d+ ions; at most 32/);
  });
  it("more than 256 channels", () => {
    const ch = Array.from({ length: 300 }, (_, i) => `  - { name: c${i}, ion: K, conductance: 1 mS/cm^2 }`).join("\n");
    expect(refused(base.replace("channels:\n", `channels:\n${ch}\n`)).stderr).toMatch(/channels: \d+ items; at most 256/);
  });
  it("YAML nested deeper than 32 levels", () => {
    expect(refused(`${base}\nsweep: ${"[".repeat(40)}${"]".repeat(40)}\n`).stderr).toMatch(/nesting deeper than 32 levels/);
  });
});
