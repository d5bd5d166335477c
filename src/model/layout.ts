/**
 * The state layout: which entry of the state vector y holds what. Every index into y outside this
 * file comes from here (a slot), never from arithmetic such as `1 + n + k`.
 *
 * Order (fixed, so the state of an existing scenario never changes): V, each ion's inside
 * concentration, each ion's outside concentration, the gates, then slots added later (the
 * integrated event propensity of exact stochastic channels; the inside volume next).
 * Units are SI: V in volts, concentrations in mol/m³ (= mM), gates unitless, volumes in m³.
 */
export type SlotKind = "voltage" | "inside" | "outside" | "gate" | "propensity" | "volume";

export interface Slot {
  readonly index: number;
  readonly kind: SlotKind;
  /** Its name in messages and CSV columns: V, K_in, K_out, hh-na.m, ... */
  readonly name: string;
  /** Concentration slots: the ion's index. */
  readonly ion?: number;
  /** A negative value is refused (every slot but V). */
  readonly nonNegative: boolean;
}

/** Builds a layout slot by slot (the model constructor does this once). */
export class LayoutBuilder {
  private readonly slots: Slot[] = [];

  add(kind: SlotKind, name: string, ion?: number): number {
    const index = this.slots.length;
    this.slots.push({ index, kind, name, nonNegative: kind !== "voltage", ...(ion === undefined ? {} : { ion }) });
    return index;
  }

  build(ionNames: readonly string[]): StateLayout {
    return new StateLayout(this.slots, ionNames);
  }
}

export class StateLayout {
  readonly size: number;
  /** The membrane voltage's slot. */
  readonly V: number;
  /** Per ion k: the slot of its inside (cIn[k]) and outside (cOut[k]) concentration. */
  readonly cIn: Int32Array;
  readonly cOut: Int32Array;
  /** All concentration slots, inside and outside. */
  readonly concentrations: Int32Array;
  /** The gates' slots, in declaration order. */
  readonly gates: Int32Array;
  /** The integrated event propensity Λ (exact stochastic channels), or -1. */
  readonly propensity: number;
  /** The inside volume when it is a state (water movement), or -1. */
  readonly volumeIn: number;
  /** The slots that must not go negative (all but V). */
  readonly nonNegative: Int32Array;

  constructor(
    readonly slots: readonly Slot[],
    readonly ionNames: readonly string[],
  ) {
    this.size = slots.length;
    const of = (kind: SlotKind) => slots.filter((s) => s.kind === kind);
    this.V = of("voltage")[0]?.index ?? -1;
    const n = ionNames.length;
    this.cIn = new Int32Array(n).fill(-1);
    this.cOut = new Int32Array(n).fill(-1);
    for (const s of of("inside")) this.cIn[s.ion!] = s.index;
    for (const s of of("outside")) this.cOut[s.ion!] = s.index;
    this.concentrations = Int32Array.from(slots.filter((s) => s.kind === "inside" || s.kind === "outside"), (s) => s.index);
    this.gates = Int32Array.from(of("gate"), (s) => s.index);
    this.propensity = of("propensity")[0]?.index ?? -1;
    this.volumeIn = of("volume")[0]?.index ?? -1;
    this.nonNegative = Int32Array.from(slots.filter((s) => s.nonNegative), (s) => s.index);
  }

  /** The standard layout of a membrane: V, c_in and c_out per ion, then the named gates. */
  static membrane(ionNames: readonly string[], gateNames: readonly string[], propensity: boolean, volume = false): StateLayout {
    const b = new LayoutBuilder();
    b.add("voltage", "V");
    ionNames.forEach((name, k) => b.add("inside", `${name}_in`, k));
    ionNames.forEach((name, k) => b.add("outside", `${name}_out`, k));
    for (const g of gateNames) b.add("gate", g);
    if (propensity) b.add("propensity", "propensity");
    if (volume) b.add("volume", "vol_in");
    return b.build(ionNames);
  }

  /** The smallest concentration in y (gates and other slots are not concentrations). */
  minConcentration(y: Float64Array): number {
    let min = Infinity;
    for (let i = 0; i < this.concentrations.length; i++) {
      const c = y[this.concentrations[i]!]!;
      if (c < min) min = c;
    }
    return min;
  }

  /** A value of slot i for messages: V in mV, concentrations in mM, the rest as is. */
  show(i: number, y: Float64Array): string {
    const kind = this.slots[i]!.kind;
    return kind === "voltage" ? `${y[i]! * 1e3} mV` : kind === "inside" || kind === "outside" ? `${y[i]} mM` : String(y[i]);
  }
}
