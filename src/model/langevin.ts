import seedrandom from "seedrandom";
import type { MembraneModel } from "./membraneModel.js";

/**
 * Langevin channels (Fox & Lu 1994): each gate x of a population of N channels gets the noise
 * sqrt((α(1 − x) + βx)/N) dW over a step, with the intensity at the step's start, and stays in
 * [0, 1]. Normal deviates by Box–Muller from seedrandom seeded with the run's seed. The result is
 * an OdeProblem's noise(t, y, h, yNext).
 */
export function langevinNoise(model: MembraneModel, seed: number): (t: number, y: Float64Array, h: number, yNext: Float64Array) => void {
  const random = seedrandom(`ionflux:langevin:${seed}`);
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const g = model.gates;
  const noisy: { j: number; slot: number; count: number }[] = [];
  for (let j = 0; j < g.count; j++) {
    const ch = model.scenario.channels[g.channel[j]!]!;
    if (ch.stochastic?.noise === "langevin") noisy.push({ j, slot: model.layout.gates[j]!, count: ch.stochastic.count });
  }
  const V = model.layout.V;
  return (t, y, h, yNext) => {
    for (const { j, slot, count } of noisy) {
      const D = g.noiseIntensity(j, y[V]!, t, y[slot]!);
      yNext[slot] = Math.min(1, Math.max(0, yNext[slot]! + Math.sqrt((Math.max(0, D) * h) / count) * normal()));
    }
  };
}
