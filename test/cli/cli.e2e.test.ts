import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";

/** Runs the built binary, as a user would (npm ci builds dist/ through the prepare script). */
function ionflux(args: string[]) {
  const r = spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), "ionflux-e2e-"));
const SIMS = readdirSync("sims").filter((f) => f.endsWith(".yaml")).map((f) => `sims/${f}`);

describe("ionflux run (the built binary)", () => {
  it("runs every sims/ scenario: one line each, NAME.csv and NAME.summary.json that read back exactly", () => {
    const out = tempDir();
    const r = ionflux(["run", ...SIMS, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(SIMS.length);
    for (const file of SIMS) {
      const name = readFileSync(file, "utf8").match(/^name: (\S+)/m)![1]!;
      const text = readFileSync(join(out, `${name}.csv`), "utf8");
      const rows: string[][] = parse(text);
      const header = rows[0]!;
      expect(header.slice(0, 4)).toEqual(["t [s]", "V [mV]", "E_rev [mV]", "I_net [uA/cm^2]"]);
      expect(header).toContain("K_in [mM]");
      expect(header).toContain("E_K [mV]");
      expect(header).toContain("I_K [uA/cm^2]");
      expect(text).not.toMatch(/^#/m);
      expect(text.endsWith("\n")).toBe(true);
      expect(rows.every((row) => row.length === header.length)).toBe(true);
      const summary = JSON.parse(readFileSync(join(out, `${name}.summary.json`), "utf8"));
      const last = rows.at(-1)!;
      // round-trippable numbers: the CSV's last row holds exactly the summary's doubles
      expect(Number(last[0])).toBe(summary["t_end [s]"]);
      expect(Number(last[1])).toBe(summary["V_final [mV]"]);
      expect(summary.name).toBe(name);
      expect(summary.provenance.scenario_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(summary.provenance.constants).toBe("CODATA 2018");
      if (readFileSync(file, "utf8").includes("\nclamp:")) expect(summary.invariants.charge_drift_relative).toBeNull();
      else expect(summary.invariants.charge_drift_relative).toBeLessThan(1e-8);
      expect(Object.keys(summary)).toEqual(expect.arrayContaining(["converged", "t_converged [s]", "E_rev_final [mV]", "I_net_final [uA/cm^2]", "steps", "rhs_evaluations", "wall_time [ms]", "seed", "scenario_si"]));
    }
    expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("gives byte-identical CSVs for the same scenario", () => {
    const [a, b] = [tempDir(), tempDir()];
    ionflux(["run", "sims/neuron-chord.yaml", "--out", a]);
    ionflux(["run", "sims/neuron-chord.yaml", "--out", b]);
    expect(readFileSync(join(a, "neuron-chord.csv"))).toEqual(readFileSync(join(b, "neuron-chord.csv")));
  });

  it("applies --set and refuses a bad file with one line, a non-zero exit and no output at all", () => {
    const out = tempDir();
    const bad = join(out, "bad.yaml");
    writeFileSync(bad, readFileSync("sims/neuron-chord.yaml", "utf8").replace("0.5 mS/cm^2", "3 mV").replace("name: neuron-chord", "name: bad"));
    const r = ionflux(["run", "sims/k-nernst.yaml", bad, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}:`);
    expect(r.stderr).toContain("channels[1].conductance: expected a conductance per area");
    expect(readdirSync(out)).toEqual(["bad.yaml"]);

    const ok = ionflux(["run", "sims/k-nernst.yaml", "--out", out, "--set", "run.method=rk45", "--set", "name=k-rk45"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "k-rk45.summary.json"), "utf8")).method).toBe("rk45");
  });

  it("usage errors exit 2; a missing file exits 1 naming it", () => {
    expect(ionflux(["rnu"]).code).toBe(2);
    expect(ionflux(["run", "--bogus", "x.yaml"]).code).toBe(2);
    const missing = ionflux(["run", "no/such.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("ionflux: no/such.yaml: no such file\n");
  });
});

describe("ionflux check", () => {
  it("prints the Nernst potentials, E_rev, the time constants and the charges without running", () => {
    const r = ionflux(["check", "sims/squid-axon-ghk.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("E_K = -72.1406 mV");
    expect(r.stdout).toContain("E_rev at the initial state = -57.1261 mV");
    expect(r.stdout).toMatch(/membrane time constant C_m\/G = [\d.]+ ms/);
    expect(r.stdout).toMatch(/slowest [\d.]+ (h|min|s)/);
    expect(r.stdout).toContain("net charge: inside 0 mM of z");
  });
});
