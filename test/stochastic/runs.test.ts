import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScenario } from "../helpers/run.js";

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-noise-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

describe("stochastic runs", () => {
  it("the same seed gives byte-identical CSVs; another seed a different one", () => {
    const [a, b, c] = [dir(), dir(), dir()];
    for (const d of [a, b]) expect(ionflux(["run", "sims/k-noise-small.yaml", "--set", "run.duration=50 ms", "--set", "run.stop=null", "--out", d]).status).toBe(0);
    ionflux(["run", "sims/k-noise-small.yaml", "--set", "run.duration=50 ms", "--set", "run.stop=null", "--set", "run.seed=2", "--out", c]);
    const csv = (d: string) => readFileSync(join(d, "k-noise-small.csv"), "utf8");
    expect(csv(a)).toBe(csv(b));
    expect(csv(c)).not.toBe(csv(a));
  });

  it("fluctuations shrink as 1/sqrt(N) and 10^5 channels approach the deterministic answer", () => {
    const small = runScenario("sims/k-noise-small.yaml", ["run.stop=null", "run.duration=200 ms"]);
    const large = runScenario("sims/k-noise-large.yaml", ["run.stop=null", "run.duration=200 ms"]);
    // the deterministic cell: the same channel with its mean open fraction 0.3 as a conductance
    const mean = runScenario("sims/k-noise-small.yaml", ["channels.k-noisy.stochastic=false", "channels.k-noisy.count=null", "channels.k-noisy.open-rate=null", "channels.k-noisy.close-rate=null", "channels.k-noisy.conductance=0.3 mS/cm^2", "run.stop=null", "run.duration=200 ms"]);
    const ratio = small.result.fluctuations!.V_sd / large.result.fluctuations!.V_sd;
    expect(ratio).toBeGreaterThan(Math.sqrt(1e5 / 300) / 2);
    expect(ratio).toBeLessThan(Math.sqrt(1e5 / 300) * 2);
    // the large population's mean V is within a few of its standard errors of the deterministic V
    expect(Math.abs(large.result.fluctuations!.V_mean - mean.result.yEnd[0]!) * 1e3).toBeLessThan(0.05);
    // the small one is noisy but centred near it too (its mean V is biased a little by the V-dependence)
    expect(Math.abs(small.result.fluctuations!.V_mean - mean.result.yEnd[0]!) * 1e3).toBeLessThan(1);
  });

  it("moles and charge hold through the events (finite bath)", () => {
    const r = runScenario("sims/k-noise-small.yaml", ["bath.clamped=null", "bath.volume=1 pL", "run.stop=null", "run.duration=50 ms"]);
    for (const d of Object.values(r.result.invariants.molesRelative!)) expect(d).toBeLessThan(1e-13);
    const ionicCharge = 96485.33212 * r.model.volumeIn * r.scenario.ions.reduce((s, ion) => s + Math.abs(ion.valence * ion.inside), 0);
    expect(Math.abs(r.result.invariants.charge_C)).toBeLessThan(100 * Number.EPSILON * ionicCharge);
  });

  it("the stop rule averages the net current over its window, and the summary reports the fluctuations", () => {
    const out = dir();
    expect(ionflux(["run", "sims/k-noise-small.yaml", "--out", out]).status).toBe(0);
    const s = JSON.parse(readFileSync(join(out, "k-noise-small.summary.json"), "utf8"));
    expect(s.converged).toBe(true);
    expect(s.stop_reason).toBe("net-current-below");
    expect(s.fluctuations["window [s]"]).toBe(0.1);
    expect(Math.abs(s.fluctuations["I_net_mean [uA/cm^2]"])).toBeLessThan(1e-3);
    expect(s.fluctuations["V_sd [mV]"]).toBeGreaterThan(0.05);
  });

  it("a sweep gives each run its own stream: the same table with --jobs 1 and 2", () => {
    const [a, b] = [dir(), dir()];
    const args = ["sweep", "sims/k-noise-small.yaml", "--vary", "channels.k-noisy.count=100,200,300,400", "--set", "run.duration=30 ms", "--set", "run.stop=null", "--progress", "never"];
    expect(ionflux([...args, "--jobs", "1", "--out", a]).status).toBe(0);
    expect(ionflux([...args, "--jobs", "2", "--out", b]).status).toBe(0);
    expect(readFileSync(join(b, "sweep.csv"), "utf8")).toBe(readFileSync(join(a, "sweep.csv"), "utf8"));
  });
});

describe("what stochastic channels refuse", () => {
  it("method steady (a steady state exists only on average)", () => {
    const r = ionflux(["run", "sims/k-noise-small.yaml", "--set", "run.method=steady", "--out", dir()]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("run.method: a steady state of stochastic channels exists only on average");
  });
  it("count without stochastic: true, and exact simulation of a million channels", () => {
    const plain = ionflux(["check", "sims/neuron-chord.yaml", "--set", "channels.k-leak.count=10"]);
    expect(plain.stderr).toContain("channels[1].count: only for a stochastic channel");
    const huge = ionflux(["check", "sims/k-noise-small.yaml", "--set", "channels.k-noisy.count=5000000"]);
    expect(huge.stderr).toContain("use noise: langevin");
  });
});
