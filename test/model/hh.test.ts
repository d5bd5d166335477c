import { describe, expect, it } from "vitest";
import { runScenario } from "../helpers/run.js";

/** Upward zero crossings of V (mV) by linear interpolation between rows: the spike times (s). */
function spikeTimes(t: number[], V: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < V.length; i++) if (V[i - 1]! < 0 && V[i]! >= 0) out.push(t[i - 1]! + ((0 - V[i - 1]!) / (V[i]! - V[i - 1]!)) * (t[i]! - t[i - 1]!));
  return out;
}
const HH = "sims/hh-squid-train.yaml";
const FIRST_SPIKE = ["run.duration=29 ms", "run.record-every=0.01 ms"];

describe("the Hodgkin-Huxley squid axon", () => {
  it("fires an action potential of the published shape: rest -65 mV, peak about +40 mV, AHP below -70 mV", () => {
    const { recorder } = runScenario(HH, FIRST_SPIKE);
    const t = recorder.series("t");
    const V = recorder.series("V");
    // HH 1952 (modern convention, 6.3 degC): rest -65 mV, peak near +40 mV, undershoot near -76 mV
    expect(V[0]).toBeCloseTo(-65, 6);
    const peak = Math.max(...V);
    expect(peak).toBeGreaterThan(35);
    expect(peak).toBeLessThan(45);
    const after = V.filter((_, i) => t[i]! > 0.014);
    const ahp = Math.min(...after);
    expect(ahp).toBeLessThan(-72);
    expect(ahp).toBeGreaterThan(-78);
    const spikes = spikeTimes(t, V);
    expect(spikes).toHaveLength(1);
    // width at 0 mV: about 1 ms at 6.3 degC
    const down = t.findIndex((x, i) => x > spikes[0]! && V[i]! < 0);
    expect(t[down]! - spikes[0]!).toBeGreaterThan(0.5e-3);
    expect(t[down]! - spikes[0]!).toBeLessThan(2e-3);
  });

  it("has a threshold: a 1 ms pulse of 2 uA/cm^2 stays subthreshold, one of 10 uA/cm^2 fires", () => {
    const sub = runScenario(HH, [...FIRST_SPIKE, "stimulus.train.amplitude=2 uA/cm^2"]);
    expect(Math.max(...sub.recorder.series("V"))).toBeLessThan(-50);
    const supra = runScenario(HH, [...FIRST_SPIKE, "stimulus.train.amplitude=10 uA/cm^2"]);
    expect(Math.max(...supra.recorder.series("V"))).toBeGreaterThan(30);
  });

  it("is refractory: a second pulse 4 ms after the first fails, one 20 ms after fires", () => {
    for (const [period, expected] of [["4 ms", 1], ["20 ms", 2]] as const) {
      const r = runScenario(HH, ["run.duration=60 ms", "run.record-every=0.01 ms", `stimulus.train.period=${period}`, "stimulus.train.count=2"]);
      expect(spikeTimes(r.recorder.series("t"), r.recorder.series("V"))).toHaveLength(expected);
    }
  });

  it("the stiff method agrees with rk45 at tight tolerance: spike times within 0.01 ms over the 20-spike train", () => {
    const common = ["run.duration=450 ms", "run.record-every=0.01 ms", "run.rtol=1e-9", "run.atol=1e-12"];
    const a = runScenario(HH, ["run.method=bdf", ...common]);
    const b = runScenario(HH, ["run.method=rk45", ...common]);
    const sa = spikeTimes(a.recorder.series("t"), a.recorder.series("V"));
    const sb = spikeTimes(b.recorder.series("t"), b.recorder.series("V"));
    expect(sa).toHaveLength(20);
    expect(sb).toHaveLength(20);
    sa.forEach((s, i) => expect(Math.abs(s - sb[i]!)).toBeLessThan(1e-5));
    expect(Math.abs(a.V_mV - b.V_mV)).toBeLessThan(1e-4);
  });

  it("the train moves ions: Na_in rises and K_in falls, with charge and moles conserved (finite bath, K-carried stimulus)", () => {
    const r = runScenario(HH, ["bath.clamped=null", "bath.volume=2 pL", "stimulus.train.carried-by=K"]);
    expect(r.conc("Na").in).toBeGreaterThan(55.172292205200314 + 1);
    expect(r.conc("K").in).toBeLessThan(400);
    for (const d of Object.values(r.result.invariants.molesRelative!)) expect(d).toBeLessThan(1e-13);
    // the charge identity holds to round-off: a hundred ulps of the inside's ionic charge
    // F·vol·Σ|z c| (the capacitor's own charge in this 5 um cell is far smaller than that scale)
    const ionicCharge = 96485.33212 * r.model.volumeIn * r.scenario.ions.reduce((s, ion) => s + Math.abs(ion.valence * ion.inside), 0);
    expect(Math.abs(r.result.invariants.charge_C)).toBeLessThan(100 * Number.EPSILON * ionicCharge);
    // and back at rest after the train
    expect(Math.abs(r.V_mV - -65)).toBeLessThan(1);
  });
});
