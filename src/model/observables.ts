import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";
import { nernstPotential } from "../physics/nernst.js";
import { findRootOfIncreasing } from "../numerics/roots.js";
import { compileIonicCurrents, type Compiled, type IonicCurrentsFn, type WaterConstants } from "./assemble.js";
import type { ParameterArray } from "./rates.js";
import type { MembraneStructure } from "./build.js";
import type { GateSet } from "./gates.js";
import type { StateLayout } from "./layout.js";
import type { MarkovChannels } from "./markov.js";
import type { Mechanism } from "./mechanisms/types.js";

/** The compiled currents of a shared structure (build.ts: sharedMembrane), made once. */
const SHARED_CURRENTS = new WeakMap<MembraneStructure, Compiled<IonicCurrentsFn>>();

/**
 * What can be read off one state of the membrane, whatever the time and the protocol: the
 * concentrations and volumes, the osmolarities, the currents per ion, per channel and per
 * transporter, the Nernst potentials and E_rev. MembraneModel adds the time course (the
 * protocol, the right-hand side, the problem).
 */
export class MembraneObservables {
  readonly layout: StateLayout;
  readonly ionCount: number;
  readonly size: number;
  readonly ionNames: readonly string[];
  readonly valence: Float64Array;
  readonly area: number;
  readonly volumeIn: number;
  /** Bath volume (m³), Infinity when clamped. */
  readonly volumeOut: number;
  readonly capacitance: number;
  readonly temperature: number;
  readonly gates: GateSet;
  /** Channels simulated event by event; their open fractions scale the channels' currents. */
  readonly markov: MarkovChannels;
  /** Every current of the membrane: channels, pumps (the registry's kinds, in order). */
  readonly mechanisms: readonly Mechanism[];
  /** The channels among them, in the scenario's order. */
  readonly channels: readonly Mechanism[];
  /** Ions some mechanism carries across the membrane. */
  readonly permeantIons: ReadonlySet<number>;
  /** When water moves: its slot and constants (assemble.ts); the ion slots then hold n/vol(0). */
  readonly water: WaterConstants | undefined;
  private readonly view: Float64Array;
  private readonly scratch: Float64Array;
  private lastReversal = NaN;
  private readonly currents: IonicCurrentsFn;
  /** The compiled currents' parameters (rates.ts: written again with the model's rates). */
  protected readonly currentParameters: ParameterArray;

  constructor(structure: MembraneStructure) {
    this.layout = structure.layout;
    this.ionCount = structure.ionNames.length;
    this.size = structure.layout.size;
    this.ionNames = structure.ionNames;
    this.valence = structure.valence;
    this.area = structure.area;
    this.volumeIn = structure.volumeIn;
    this.volumeOut = structure.volumeOut;
    this.capacitance = structure.capacitance;
    this.temperature = structure.temperature;
    this.gates = structure.gates;
    this.markov = structure.markov;
    this.mechanisms = structure.mechanisms;
    this.channels = structure.channels;
    this.permeantIons = structure.permeantIons;
    this.water = structure.constants.water;
    this.view = new Float64Array(this.size);
    this.scratch = new Float64Array(this.ionCount);
    let currents = structure.shared ? SHARED_CURRENTS.get(structure) : undefined;
    if (!currents) {
      currents = compileIonicCurrents(this.layout, this.mechanisms);
      if (structure.shared) SHARED_CURRENTS.set(structure, currents);
    }
    this.currents = currents.fn;
    this.currentParameters = currents.parameters;
  }

  /** Nernst potential of ion k (V) for the concentrations in y. */
  nernst(k: number, y: Float64Array): number {
    return nernstPotential(this.valence[k]!, this.concentrationIn(k, y), this.concentrationOut(k, y), this.temperature);
  }

  /** The inside volume (m³) of state y: vol_in(0)·λ when water moves (the slot holds λ), else the cell's volume. */
  volumeInOf(y: Float64Array): number {
    return this.water ? this.volumeIn * y[this.water.slot]! : this.volumeIn;
  }

  /** The bath's volume (m³) of state y (Infinity when clamped): it loses the water the cell gains. */
  volumeOutOf(y: Float64Array): number {
    return this.water ? this.water.total - this.volumeIn * y[this.water.slot]! : this.volumeOut;
  }

  /** Ion k's inside concentration (mol/m³) in state y (its slot holds n/vol_in(0) when water moves). */
  concentrationIn(k: number, y: Float64Array): number {
    const s = y[this.layout.cIn[k]!]!;
    // the same operations as the compiled code (assemble.ts), so that both round alike
    return this.water ? s * (1 / y[this.water.slot]!) : s;
  }

  /** Ion k's bath concentration (mol/m³) in state y. */
  concentrationOut(k: number, y: Float64Array): number {
    const s = y[this.layout.cOut[k]!]!;
    return this.water && Number.isFinite(this.water.total) ? s * (this.volumeOut / (this.water.total - this.volumeIn * y[this.water.slot]!)) : s;
  }

  /** Names of the transporters (the pumps first), in the order of transporterFluxes. */
  get transporterNames(): string[] {
    return this.mechanisms.slice(this.channels.length).map((m) => m.name);
  }

  /** Each transporter's cycle flux J (mol/(m²·s), positive as written) at state y, into out (pumps first). */
  transporterFluxes(state: Float64Array, out: Float64Array, t = 0): void {
    const y = this.concentrationView(state);
    const V = y[this.layout.V]!;
    for (let i = this.channels.length; i < this.mechanisms.length; i++) out[i - this.channels.length] = this.mechanisms[i]!.current(V, y, t) / F;
  }

  /** Osmolarity (mol/m³) inside and in the bath: every solute, ideal (physics.md). */
  osmolarities(y: Float64Array): { inside: number; outside: number } {
    let inside = 0;
    let outside = 0;
    for (let k = 0; k < this.ionCount; k++) {
      inside += this.concentrationIn(k, y);
      outside += this.concentrationOut(k, y);
    }
    return { inside, outside };
  }

  /**
   * The state with concentrations in the ion slots (what mechanisms read): y itself unless water
   * moves, else a work array (overwritten by the next call).
   */
  concentrationView(y: Float64Array): Float64Array {
    if (!this.water) return y;
    const v = this.view;
    v.set(y);
    const L = this.layout;
    for (let k = 0; k < this.ionCount; k++) {
      v[L.cIn[k]!] = this.concentrationIn(k, y);
      v[L.cOut[k]!] = this.concentrationOut(k, y);
    }
    return v;
  }

  /**
   * Outward current density carried by each ion (A/m²) at membrane voltage V and the rest of the
   * state y at time t (s), into out[k]; returns their sum (every mechanism, without I_app).
   */
  ionicCurrents(V: number, state: Float64Array, out: Float64Array, t = 0): number {
    return this.currents(V, this.concentrationView(state), out, t);
  }

  /** Channel c's outward current density (A/m²) at voltage V with the state y (gates included). */
  channelCurrent(c: number, V: number, y: Float64Array): number {
    return this.channels[c]!.current(V, this.concentrationView(y));
  }

  /** Each channel's outward current density (A/m²) into out[c]. */
  channelCurrents(V: number, y: Float64Array, out: Float64Array): void {
    for (let c = 0; c < this.channels.length; c++) out[c] = this.channelCurrent(c, V, y);
  }

  /**
   * E_rev: the root in V of the net ionic current (every mechanism) for the rest of the state y,
   * at time t, by a bracketing root finder. NaN when the membrane has no channel at all.
   */
  reversalPotential(y: Float64Array, t = 0): number {
    if (this.channels.length === 0) return NaN;
    const work = this.scratch;
    // consecutive rows have nearly the same E_rev: a tight bracket around the last one (or V)
    // takes a handful of iterations instead of some forty
    const guess = Number.isFinite(this.lastReversal) ? this.lastReversal : y[this.layout.V]!;
    const root = findRootOfIncreasing((V) => this.ionicCurrents(V, y, work, t), guess - 1e-4, guess + 1e-4, 20, 1e-15);
    if (Number.isFinite(root)) this.lastReversal = root;
    return root;
  }

  /** Forgets what earlier calls left behind (the last E_rev, the next search's starting point): as newly built. */
  protected forgetHistory(): void {
    this.lastReversal = NaN;
  }

  /** ∂(net current)/∂V (S/m²) at the state y, by a central difference of 1 µV. */
  slopeConductance(y: Float64Array, perIon: Float64Array, t = 0): number {
    const V = y[this.layout.V]!;
    return (this.ionicCurrents(V + 1e-6, y, perIon, t) - this.ionicCurrents(V - 1e-6, y, perIon, t)) / 2e-6;
  }
}
