import { compileGateFormula } from "../scenario/gateFormula.js";
import type { Scenario } from "../scenario/types.js";
import type { Emitter, StateBlock } from "./mechanisms/types.js";

/**
 * The gating variables of a scenario's channels: first-order kinetics
 *   dx/dt = q·(α(V)(1 − x) − βx)   or   dx/dt = q·(x∞(V) − x)/τ(V)
 * with formulas in V [mV], t [ms], celsius and rates in 1/ms (converted to 1/s here), and the
 * temperature factor q = q10^((T − T_ref)/10 K). Gate j lives at state slot slots[j] (the layout's).
 */
export class GateSet implements StateBlock {
  readonly count: number;
  /** Per gate: its channel, power, and CSV name `channel.gate`. */
  readonly channel: Int32Array;
  readonly power: Int32Array;
  readonly names: readonly string[];
  /** Per channel: its gates are [start[c], end[c]). */
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Per gate: its state slot (set by place()). */
  slots: Int32Array = new Int32Array(0);
  private voltage = 0;
  private readonly alphaBeta: Uint8Array;
  private readonly first: ((x: Float64Array) => number)[];
  private readonly second: ((x: Float64Array) => number)[];
  private readonly factor: Float64Array;
  private readonly vars = new Float64Array(3);
  private readonly celsius: number;

  constructor(scenario: Scenario) {
    // gates of channels simulated event by event (stochastic, noise: exact) are not continuous state
    const continuous = (ch: Scenario["channels"][number]) => ch.stochastic?.noise !== "exact";
    const gates = scenario.channels.flatMap((ch, c) => (continuous(ch) ? ch.gates.map((g) => ({ g, c, name: `${ch.name}.${g.name}` })) : []));
    this.count = gates.length;
    this.channel = Int32Array.from(gates, (x) => x.c);
    this.power = Int32Array.from(gates, (x) => x.g.power);
    this.names = gates.map((x) => x.name);
    this.alphaBeta = Uint8Array.from(gates, (x) => (x.g.form === "alpha-beta" ? 1 : 0));
    this.first = gates.map((x) => compileGateFormula(x.g.first, scenario.constants));
    this.second = gates.map((x) => compileGateFormula(x.g.second, scenario.constants));
    this.factor = Float64Array.from(gates, (x) => x.g.q10 ** ((scenario.temperature - x.g.q10Reference) / 10));
    this.celsius = scenario.temperature - 273.15;
    this.start = new Int32Array(scenario.channels.length);
    this.end = new Int32Array(scenario.channels.length);
    let j = 0;
    scenario.channels.forEach((ch, c) => {
      this.start[c] = j;
      if (continuous(ch)) j += ch.gates.length;
      this.end[c] = j;
    });
  }

  /** Tells the gates their slots and the voltage's slot in the layout. */
  place(slots: Int32Array, voltage: number): void {
    this.slots = slots;
    this.voltage = voltage;
  }

  private set(V: number, t: number): Float64Array {
    this.vars[0] = V * 1e3;
    this.vars[1] = t * 1e3;
    this.vars[2] = this.celsius;
    return this.vars;
  }

  /** dx/dt (1/s) of gate j at membrane voltage V (volts), time t (s) and gate value x. */
  rate(j: number, V: number, t: number, x: number): number {
    const v = this.set(V, t);
    const a = this.first[j]!(v);
    const b = this.second[j]!(v);
    const q = this.factor[j]! * 1e3;
    return this.alphaBeta[j] ? q * (a * (1 - x) - b * x) : (q * (a - x)) / b;
  }

  /** Fox–Lu noise intensity of gate j: q·(α(1 − x) + βx) (1/s); the variance of dx over dt is this·dt/N. */
  noiseIntensity(j: number, V: number, t: number, x: number): number {
    const v = this.set(V, t);
    const a = this.first[j]!(v);
    const b = this.second[j]!(v);
    const q = this.factor[j]! * 1e3;
    if (this.alphaBeta[j]) return q * (a * (1 - x) + b * x);
    return (q * (a * (1 - x) + (1 - a) * x)) / b;
  }

  /** ∂(dx/dt)/∂x (1/s). */
  derivativeDx(j: number, V: number, t: number): number {
    const v = this.set(V, t);
    const q = this.factor[j]! * 1e3;
    return this.alphaBeta[j] ? -q * (this.first[j]!(v) + this.second[j]!(v)) : -q / this.second[j]!(v);
  }

  /** ∂(dx/dt)/∂V (1/(s·V)) by a central difference of 1 µV (the formulas are smooth). */
  derivativeDV(j: number, V: number, t: number, x: number): number {
    const h = 1e-6;
    return (this.rate(j, V + h, t, x) - this.rate(j, V - h, t, x)) / (2 * h);
  }

  /** The steady-state value of gate j at voltage V (volts). */
  steadyState(j: number, V: number, t: number): number {
    const v = this.set(V, t);
    const a = this.first[j]!(v);
    return this.alphaBeta[j] ? a / (a + this.second[j]!(v)) : a;
  }

  /** Π x^power over channel c's gates (1 for an ungated channel). */
  openFraction(c: number, y: Float64Array): number {
    let f = 1;
    for (let j = this.start[c]!; j < this.end[c]!; j++) f *= y[this.slots[j]!]! ** this.power[j]!;
    return f;
  }

  derivative(t: number, y: Float64Array, dydt: Float64Array): void {
    const V = y[this.voltage]!;
    for (let j = 0; j < this.count; j++) dydt[this.slots[j]!] = this.rate(j, V, t, y[this.slots[j]!]!);
  }

  emitDerivative(e: Emitter): string[] {
    return Array.from(this.slots, (s, j) => `${e.dy(s)} = ${e.fn((V, t, x) => this.rate(j, V, t, x))}(V, t, ${e.y(s)});`);
  }

  /** Each gate depends on V and on itself. */
  emitJacobian(e: Emitter): string[] {
    return Array.from(this.slots, (s, j) => {
      const dV = e.fn((V, t, x) => this.derivativeDV(j, V, t, x));
      const dx = e.fn((V, t) => this.derivativeDx(j, V, t));
      return `${e.J(s, this.voltage)} = ${dV}(V, t, ${e.y(s)}); ${e.J(s, s)} = ${dx}(V, t);`;
    });
  }
}
