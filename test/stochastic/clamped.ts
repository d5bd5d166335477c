import { MembraneModel } from "../../src/model/membraneModel.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulation/simulate.js";

/**
 * Stochastic channels in a voltage-clamped cell with a clamped bath: the rates are constant, so
 * each population is a stationary Markov chain (the start is drawn from its equilibrium) whose
 * statistics theory gives exactly. `channels` are YAML flow mappings, one per channel.
 */
export function clampedScenario(channels: readonly string[], run: { duration_ms: number; recordEvery_ms: number; dt: string; seed: number; method?: string }): string {
  return `name: clamped-noise
temperature: 22 degC
cell: { shape: sphere, radius: 3 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 140 mM, outside: 5 mM }
channels:
${channels.map((c) => `  - ${c}`).join("\n")}
clamp: { holding: -70 mV }
run: { duration: ${run.duration_ms} ms, record-every: ${run.recordEvery_ms} ms, dt: ${run.dt}, seed: ${run.seed}${run.method ? `, method: ${run.method}` : ""} }
`;
}

/** Per exact population: time in each state (channel·ms) and the count of each transition from→to. */
export interface Transitions {
  readonly occupancy: Float64Array;
  readonly counts: Map<string, number>;
  /** The time observed (ms), after the part skipped. */
  readonly span: number;
}

export interface ClampedRun {
  readonly recorder: MemoryRecorder;
  /** Per exact population (in the order of the channels): occupancies and transitions from skip_ms on. */
  readonly transitions: Transitions[];
  readonly wall_ms: number;
}

/**
 * Runs the scenario through the library. Every event of the exact channels passes through
 * MarkovChannels.fire(V, t, u); a wrapper around it sees each population's state counts before
 * and after, so the time spent in each state and every transition are known exactly (not just
 * at the record times).
 */
export function runClamped(text: string, skip_ms: number): ClampedRun {
  const scenario = parseScenario(text, "clamped-noise.yaml");
  const model = new MembraneModel(scenario);
  const recorder = new MemoryRecorder();
  const markov = model.markov;
  const populations = markov.populations;
  const skip = skip_ms * 1e-3;
  const transitions = populations.map((p) => ({ occupancy: new Float64Array(p.counts.length), counts: new Map<string, number>(), span: 0 }));
  const before = populations.map((p) => new Int32Array(p.counts.length));
  let last = skip;
  const accumulate = (t: number) => {
    if (t <= last) return;
    populations.forEach((p, i) => {
      for (let s = 0; s < p.counts.length; s++) transitions[i]!.occupancy[s]! += p.counts[s]! * (t - last) * 1e3;
    });
    last = t;
  };
  const fire = markov.fire.bind(markov);
  markov.fire = (V: number, t: number, u: number) => {
    accumulate(t);
    populations.forEach((p, i) => before[i]!.set(p.counts));
    fire(V, t, u);
    if (t < skip) return;
    populations.forEach((p, i) => {
      let from = -1;
      let to = -1;
      for (let s = 0; s < p.counts.length; s++) {
        const d = p.counts[s]! - before[i]![s]!;
        if (d === -1) from = s;
        else if (d === 1) to = s;
      }
      if (from >= 0) {
        const key = `${from}>${to}`;
        transitions[i]!.counts.set(key, (transitions[i]!.counts.get(key) ?? 0) + 1);
      }
    });
  };
  const started = performance.now();
  simulate(model, scenario.run, recorder);
  accumulate(scenario.run.duration);
  const span = (scenario.run.duration - skip) * 1e3;
  return { recorder, transitions: transitions.map((t) => ({ ...t, span })), wall_ms: performance.now() - started };
}

/** A recorded column from skip_ms on. */
export function seriesFrom(run: ClampedRun, column: string, skip_ms: number, recordEvery_ms: number): number[] {
  return run.recorder.series(column).slice(Math.round(skip_ms / recordEvery_ms) + 1);
}
