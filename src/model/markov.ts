import type { Gate, Scenario } from "../scenario/types.js";
import { compiledOf } from "./gates.js";
import type { Emitter, StateBlock } from "./mechanisms/types.js";

/** Rates (1/s) of one gate's subunit at (V, t): opening α and closing β. */
type RatePair = (V: number, t: number, out: Float64Array) => void;

function ratesOf(gate: Gate, scenario: Scenario): RatePair {
  // the values validation compiled; a stochastic channel's rates read V, t and celsius only (validation refuses concentrations)
  const compiled = compiledOf(gate, gate.name);
  const first = compiled.first.value;
  const second = compiled.second.value;
  const q = 1e3 * gate.q10 ** ((scenario.temperature - gate.q10Reference) / 10);
  const vars = new Float64Array(3);
  const celsius = scenario.temperature - 273.15;
  return (V, t, out) => {
    vars[0] = V * 1e3;
    vars[1] = t * 1e3;
    vars[2] = celsius;
    const a = first(vars);
    const b = second(vars);
    if (gate.form === "alpha-beta") {
      out[0] = q * a;
      out[1] = q * b;
    } else {
      // x∞ = α/(α+β), τ = 1/(α+β)
      out[0] = (q * a) / b;
      out[1] = (q * (1 - a)) / b;
    }
  };
}

/** One population of N channels whose gates are independent two-state subunits. */
class Population {
  /** State = the number of open subunits of each gate, in mixed radix (gate 0 fastest). */
  readonly counts: Int32Array;
  readonly openState: number;
  private readonly radix: Int32Array;
  private readonly rates: RatePair[];
  private readonly r = new Float64Array(2);
  private readonly alpha: Float64Array;
  private readonly beta: Float64Array;

  constructor(
    readonly channel: number,
    readonly size: number,
    readonly powers: readonly number[],
    gates: readonly Gate[],
    scenario: Scenario,
  ) {
    this.radix = Int32Array.from(powers, (p) => p + 1);
    const states = this.radix.reduce((a, b) => a * b, 1);
    this.counts = new Int32Array(states);
    let open = 0;
    let scale = 1;
    powers.forEach((p, i) => {
      open += p * scale;
      scale *= this.radix[i]!;
    });
    this.openState = open;
    this.rates = gates.map((g) => ratesOf(g, scenario));
    this.alpha = new Float64Array(gates.length);
    this.beta = new Float64Array(gates.length);
  }

  private digit(state: number, i: number): number {
    let s = state;
    for (let j = 0; j < i; j++) s = Math.floor(s / this.radix[j]!);
    return s % this.radix[i]!;
  }

  private place(i: number): number {
    let p = 1;
    for (let j = 0; j < i; j++) p *= this.radix[j]!;
    return p;
  }

  private loadRates(V: number, t: number): void {
    for (let i = 0; i < this.rates.length; i++) {
      this.rates[i]!(V, t, this.r);
      this.alpha[i] = this.r[0]!;
      this.beta[i] = this.r[1]!;
    }
  }

  /** Each channel's state drawn from the equilibrium at V: every subunit open with p = α/(α+β). */
  equilibrate(V: number, random: () => number): void {
    this.counts.fill(0);
    this.loadRates(V, 0);
    for (let n = 0; n < this.size; n++) {
      let state = 0;
      for (let i = 0; i < this.powers.length; i++) {
        const p = this.alpha[i]! / (this.alpha[i]! + this.beta[i]!);
        let k = 0;
        for (let s = 0; s < this.powers[i]!; s++) if (random() < p) k++;
        state += k * this.place(i);
      }
      this.counts[state]!++;
    }
  }

  get openFraction(): number {
    return this.counts[this.openState]! / this.size;
  }

  /** Σ over states of count × (all the ways to leave it) (1/s). */
  totalRate(V: number, t: number): number {
    this.loadRates(V, t);
    let a0 = 0;
    for (let s = 0; s < this.counts.length; s++) {
      const c = this.counts[s]!;
      if (c === 0) continue;
      for (let i = 0; i < this.powers.length; i++) {
        const k = this.digit(s, i);
        a0 += c * ((this.powers[i]! - k) * this.alpha[i]! + k * this.beta[i]!);
      }
    }
    return a0;
  }

  /** Fires the transition that `target` (in [0, a0)) falls on; returns what is left of target. */
  fire(target: number): number {
    for (let s = 0; s < this.counts.length; s++) {
      const c = this.counts[s]!;
      if (c === 0) continue;
      for (let i = 0; i < this.powers.length; i++) {
        const k = this.digit(s, i);
        const up = c * (this.powers[i]! - k) * this.alpha[i]!;
        if (target < up) {
          this.counts[s]!--;
          this.counts[s + this.place(i)]!++;
          return -1;
        }
        target -= up;
        const down = c * k * this.beta[i]!;
        if (target < down) {
          this.counts[s]!--;
          this.counts[s - this.place(i)]!++;
          return -1;
        }
        target -= down;
      }
    }
    return target;
  }
}

/**
 * The channels simulated exactly (stochastic, noise: exact): per channel, how many of its N
 * channels are in each state. Between events the rest of the model is deterministic; an event
 * moves one subunit of one channel (Gillespie's direct method with time-dependent propensities).
 */
export class MarkovChannels {
  readonly populations: Population[];
  /** Per channel of the scenario: its open fraction (1 for channels not simulated here). */
  readonly factor: Float64Array;

  constructor(scenario: Scenario) {
    this.populations = [];
    scenario.channels.forEach((ch, c) => {
      if (ch.stochastic?.noise === "exact") this.populations.push(new Population(c, ch.stochastic.count, ch.gates.map((g) => g.power), ch.gates, scenario));
    });
    this.factor = new Float64Array(scenario.channels.length).fill(1);
  }

  get count(): number {
    return this.populations.length;
  }

  equilibrate(V: number, random: () => number): void {
    for (const p of this.populations) p.equilibrate(V, random);
    this.refresh();
  }

  refresh(): void {
    for (const p of this.populations) this.factor[p.channel] = p.openFraction;
  }

  totalRate(V: number, t: number): number {
    let a0 = 0;
    for (const p of this.populations) a0 += p.totalRate(V, t);
    return a0;
  }

  /** One event at (V, t): u in [0, 1) picks which transition, in proportion to its propensity. */
  fire(V: number, t: number, u: number): void {
    let target = u * this.totalRate(V, t);
    for (const p of this.populations) {
      p.totalRate(V, t); // loads the rates at (V, t)
      target = p.fire(target);
      if (target < 0) break;
    }
    this.refresh();
  }
}

/** The integrated propensity Λ = ∫ a0 dt of the exact stochastic channels as a state equation. */
export class PropensityBlock implements StateBlock {
  constructor(
    private readonly markov: MarkovChannels,
    private readonly slot: number,
    private readonly voltage: number,
  ) {}

  derivative(t: number, y: Float64Array, dydt: Float64Array): void {
    dydt[this.slot] = this.markov.totalRate(y[this.voltage]!, t);
  }

  emitDerivative(e: Emitter): string[] {
    return [`${e.dy(this.slot)} = ${e.fn((V, t) => this.markov.totalRate(V, t))}(V, t);`];
  }

  /** Λ depends on V only (through the rates), and nothing depends on Λ. */
  emitJacobian(e: Emitter): string[] {
    const a0 = e.fn((V, t) => this.markov.totalRate(V, t));
    return [`${e.J(this.slot, this.voltage)} = (${a0}(V + 1e-6, t) - ${a0}(V - 1e-6, t)) / 2e-6;`];
  }
}
