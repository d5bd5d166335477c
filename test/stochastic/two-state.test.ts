import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulation/simulate.js";

/**
 * Statistics as the oracle: N two-state channels (open at α, close at β) under a voltage clamp,
 * so the rates are constant and the open count is a birth-death process with mean N·p,
 * variance N·p(1 − p) and correlation time 1/(α + β), p = α/(α + β).
 */
const N = 200;
const ALPHA = 0.3; // 1/ms
const BETA = 0.7;
const P = ALPHA / (ALPHA + BETA);
const TAU_MS = 1 / (ALPHA + BETA);
const T_MS = 2000;
const DT_MS = 0.2;

function run(noise: "exact" | "langevin", seed = 3) {
  const text = `name: two-state
temperature: 22 degC
cell: { shape: sphere, radius: 3 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 140 mM, outside: 5 mM }
channels:
  - { name: ch, ion: K, conductance: 0.1 mS/cm^2, stochastic: true, count: ${N}, noise: ${noise}, open-rate: "${ALPHA}", close-rate: "${BETA}" }
clamp: { holding: -70 mV }
run: { duration: ${T_MS} ms, record-every: ${DT_MS} ms, dt: 5 us, seed: ${seed} }
`;
  const scenario = parseScenario(text, "two-state.yaml");
  const recorder = new MemoryRecorder();
  simulate(new MembraneModel(scenario), scenario.run, recorder);
  const column = noise === "exact" ? "ch.open" : "ch.o";
  // skip the first 10 τ (the start is drawn from the equilibrium, but be safe)
  return recorder.series(column).slice(Math.round((10 * TAU_MS) / DT_MS)).map((x) => x * N);
}

function statistics(counts: number[]) {
  const n = counts.length;
  const mean = counts.reduce((a, b) => a + b, 0) / n;
  const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  // correlation time from the autocorrelation at lag 1 ms: ρ = exp(−lag/τ)
  const lag = Math.round(1 / DT_MS);
  let c = 0;
  for (let i = 0; i + lag < n; i++) c += (counts[i]! - mean) * (counts[i + lag]! - mean);
  const rho = c / (n - lag) / variance;
  return { mean, variance, tau: -1 / Math.log(rho) };
}

// confidence bounds from the run length: about T/(2τ) independent samples
const independent = T_MS / (2 * TAU_MS);
const varianceTheory = N * P * (1 - P);
const MEAN_BOUND = 4 * Math.sqrt(varianceTheory / independent); // 4 standard errors
const VARIANCE_BOUND = 4 * varianceTheory * Math.sqrt(2 / independent);
const TAU_BOUND = 0.4; // ms: 4 standard errors of the lag-1 ms estimate (about 0.1 ms)

describe("a two-state channel population under a clamp", () => {
  for (const noise of ["exact", "langevin"] as const) {
    it(`${noise}: open count mean N p, variance N p (1 - p), correlation time 1/(alpha + beta)`, () => {
      const s = statistics(run(noise));
      expect(Math.abs(s.mean - N * P)).toBeLessThan(MEAN_BOUND);
      expect(Math.abs(s.variance - varianceTheory)).toBeLessThan(VARIANCE_BOUND);
      expect(Math.abs(s.tau - TAU_MS)).toBeLessThan(TAU_BOUND);
    }, 120_000);
  }
  it("exact and Langevin agree in mean and variance", () => {
    const a = statistics(run("exact", 11));
    const b = statistics(run("langevin", 11));
    expect(Math.abs(a.mean - b.mean)).toBeLessThan(Math.SQRT2 * MEAN_BOUND);
    expect(Math.abs(a.variance - b.variance)).toBeLessThan(Math.SQRT2 * VARIANCE_BOUND);
  }, 120_000);
});
