import type { Gate, RateFormula, Scenario } from "../scenario/types.js";
import type { Emitter, StateBlock } from "./mechanisms/types.js";

/**
 * The gating variables of a scenario's channels: first-order kinetics
 *   dx/dt = q·(α(V)(1 − x) − βx)   or   dx/dt = q·(x∞(V) − x)/τ(V)
 * with formulas in V [mV], t [ms], celsius and rates in 1/ms (converted to 1/s here), and the
 * temperature factor q = q10^((T − T_ref)/10 K). Gate j lives at state slot slots[j] (the layout's).
 * Formulas may read concentrations (X_in, X_out in mM; physics.md "Rates that depend on
 * concentrations"): their exact partial derivatives enter the Jacobian. The formulas arrive
 * compiled: validation attaches their closures to each Gate (`gate.compiled`, scenario/rateFormula.ts).
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
  private readonly first: RateFormula[];
  private readonly second: RateFormula[];
  private readonly factor: Float64Array;
  private readonly vars: Float64Array;
  /** Per gate: the variables (indices into vars) its formulas read beyond V, t, celsius. */
  private readonly reads: Int32Array[];
  /** Variable 3 + i is the concentration in slot concentrationSlots[i] (set by place()). */
  private concentrationSlots: Int32Array = new Int32Array(0);
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
    this.vars = new Float64Array(3 + 2 * scenario.ions.length);
    this.first = gates.map((x) => compiledOf(x.g, x.name).first);
    this.second = gates.map((x) => compiledOf(x.g, x.name).second);
    this.reads = gates.map((_, j) => Int32Array.from(new Set([...this.first[j]!.reads, ...this.second[j]!.reads])));
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

  /**
   * Tells the gates their slots and the voltage's slot in the layout, and where the concentrations
   * their formulas may read live: [c_in per ion..., c_out per ion...].
   */
  place(slots: Int32Array, voltage: number, concentrationSlots: Int32Array = new Int32Array(0)): void {
    this.slots = slots;
    this.voltage = voltage;
    this.concentrationSlots = concentrationSlots;
  }

  /** Whether any gate's rates read a concentration. */
  get readsConcentrations(): boolean {
    return this.reads.some((r) => r.length > 0);
  }

  private set(V: number, t: number, j = -1, y?: Float64Array): Float64Array {
    this.vars[0] = V * 1e3;
    this.vars[1] = t * 1e3;
    this.vars[2] = this.celsius;
    if (y && j >= 0) {
      const reads = this.reads[j]!;
      for (let i = 0; i < reads.length; i++) this.vars[reads[i]!] = y[this.concentrationSlots[reads[i]! - 3]!]!;
    }
    return this.vars;
  }

  /** dx/dt (1/s) of gate j at membrane voltage V (volts), time t (s), gate value x and (for concentrations) state y. */
  rate(j: number, V: number, t: number, x: number, y?: Float64Array): number {
    const v = this.set(V, t, j, y);
    const a = this.first[j]!.value(v);
    const b = this.second[j]!.value(v);
    const q = this.factor[j]! * 1e3;
    return this.alphaBeta[j] ? q * (a * (1 - x) - b * x) : (q * (a - x)) / b;
  }

  /** Fox–Lu noise intensity of gate j: q·(α(1 − x) + βx) (1/s); the variance of dx over dt is this·dt/N. */
  noiseIntensity(j: number, V: number, t: number, x: number): number {
    const v = this.set(V, t);
    const a = this.first[j]!.value(v);
    const b = this.second[j]!.value(v);
    const q = this.factor[j]! * 1e3;
    if (this.alphaBeta[j]) return q * (a * (1 - x) + b * x);
    return (q * (a * (1 - x) + (1 - a) * x)) / b;
  }

  /** ∂(dx/dt)/∂x (1/s). */
  derivativeDx(j: number, V: number, t: number, y?: Float64Array): number {
    const v = this.set(V, t, j, y);
    const q = this.factor[j]! * 1e3;
    return this.alphaBeta[j] ? -q * (this.first[j]!.value(v) + this.second[j]!.value(v)) : -q / this.second[j]!.value(v);
  }

  /** ∂(dx/dt)/∂V (1/(s·V)) by a central difference of 1 µV (the formulas are smooth). */
  derivativeDV(j: number, V: number, t: number, x: number, y?: Float64Array): number {
    const h = 1e-6;
    return (this.rate(j, V + h, t, x, y) - this.rate(j, V - h, t, x, y)) / (2 * h);
  }

  /**
   * ∂(dx/dt)/∂c (1/(s·mM)) of gate j for the concentration variable `variable` (3 + index), exact:
   * alpha-beta: q·(∂α/∂c·(1 − x) − ∂β/∂c·x); inf-tau: q·(∂inf/∂c·τ − (inf − x)·∂τ/∂c)/τ².
   */
  derivativeDc(j: number, variable: number, V: number, t: number, x: number, y: Float64Array): number {
    const v = this.set(V, t, j, y);
    const first = this.first[j]!;
    const second = this.second[j]!;
    const i1 = first.reads.indexOf(variable);
    const i2 = second.reads.indexOf(variable);
    const d1 = i1 >= 0 ? first.partials[i1]!(v) : 0;
    const d2 = i2 >= 0 ? second.partials[i2]!(v) : 0;
    const q = this.factor[j]! * 1e3;
    if (this.alphaBeta[j]) return q * (d1 * (1 - x) - d2 * x);
    const a = first.value(v);
    const b = second.value(v);
    return (q * (d1 * b - (a - x) * d2)) / (b * b);
  }

  /** The steady-state value of gate j at voltage V (volts), with the concentrations of y when its rates read them. */
  steadyState(j: number, V: number, t: number, y?: Float64Array): number {
    const v = this.set(V, t, j, y);
    const a = this.first[j]!.value(v);
    return this.alphaBeta[j] ? a / (a + this.second[j]!.value(v)) : a;
  }

  /** Π x^power over channel c's gates (1 for an ungated channel). */
  openFraction(c: number, y: Float64Array): number {
    let f = 1;
    for (let j = this.start[c]!; j < this.end[c]!; j++) f *= y[this.slots[j]!]! ** this.power[j]!;
    return f;
  }

  derivative(t: number, y: Float64Array, dydt: Float64Array): void {
    const V = y[this.voltage]!;
    for (let j = 0; j < this.count; j++) dydt[this.slots[j]!] = this.rate(j, V, t, y[this.slots[j]!]!, y);
  }

  // closures called from generated code as f(V, t, x, y): y is the state array itself
  private closure(e: Emitter, f: (V: number, t: number, x: number, y: Float64Array) => number): string {
    return e.fn(f as unknown as (...a: number[]) => number);
  }

  emitDerivative(e: Emitter): string[] {
    return Array.from(this.slots, (s, j) =>
      this.reads[j]!.length
        ? `${e.dy(s)} = ${this.closure(e, (V, t, x, y) => this.rate(j, V, t, x, y))}(V, t, ${e.y(s)}, y);`
        : `${e.dy(s)} = ${e.fn((V, t, x) => this.rate(j, V, t, x))}(V, t, ${e.y(s)});`,
    );
  }

  /** Each gate depends on V, on itself, and on the concentrations its rates read. */
  emitJacobian(e: Emitter): string[] {
    return Array.from(this.slots, (s, j) => {
      if (this.reads[j]!.length === 0) {
        const dV = e.fn((V, t, x) => this.derivativeDV(j, V, t, x));
        const dx = e.fn((V, t) => this.derivativeDx(j, V, t));
        return `${e.J(s, this.voltage)} = ${dV}(V, t, ${e.y(s)}); ${e.J(s, s)} = ${dx}(V, t);`;
      }
      const dV = this.closure(e, (V, t, x, y) => this.derivativeDV(j, V, t, x, y));
      const dx = this.closure(e, (V, t, _x, y) => this.derivativeDx(j, V, t, y));
      const lines = [`${e.J(s, this.voltage)} = ${dV}(V, t, ${e.y(s)}, y);`, `${e.J(s, s)} = ${dx}(V, t, ${e.y(s)}, y);`];
      for (const variable of this.reads[j]!) {
        const dc = this.closure(e, (V, t, x, y) => this.derivativeDc(j, variable, V, t, x, y));
        lines.push(`${e.J(s, this.concentrationSlots[variable - 3]!)} = ${dc}(V, t, ${e.y(s)}, y);`);
      }
      return lines.join(" ");
    });
  }
}

/** A gate's closures, which validation attaches (a Gate copied by spreading loses them: build models from validated scenarios). */
export function compiledOf(gate: Gate, name: string): Gate["compiled"] {
  if (!gate.compiled) throw new Error(`gate ${name} has no compiled formulas: a model is built from a validated scenario (scenario/validate.ts), whose gates carry them`);
  return gate.compiled;
}
