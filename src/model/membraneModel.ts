import seedrandom from "seedrandom";
import { SimulatorError } from "../errors.js";
import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "../physics/constants.js";
import { nernstPotential } from "../physics/nernst.js";
import { findRootOfIncreasing } from "../numerics/roots.js";
import type { Scenario } from "../scenario/types.js";
import type { JacobianFn, OdeProblem, Rhs } from "../solvers/types.js";
import { compileJacobian, compileRhs, type MembraneConstants, type WaterConstants } from "./assemble.js";
import { WATER_MOLAR_VOLUME } from "../physics/transporter.js";
import type { ClampPiece } from "../protocol/clamp.js";
import { Protocol, type ProtocolPiece } from "../protocol/protocol.js";
import { GateSet } from "./gates.js";
import { StateLayout } from "./layout.js";
import { MarkovChannels, PropensityBlock } from "./markov.js";
import { mechanismKinds } from "./mechanisms/registry.js";
import type { Mechanism, StateBlock } from "./mechanisms/types.js";

/**
 * Generated code per scenario object, when it can be made again for another model's levels; `moves`
 * (which ions change, protocol included) is baked into it.
 */
const GENERATED = new WeakMap<Scenario, { moves: string; rhs: (levels: Float64Array) => Rhs; jacobian: (levels: Float64Array) => JacobianFn }>();

/**
 * The membrane model of physics.md as an ODE in SI units, assembled from mechanisms (each
 * declared once, in mechanisms/) over a state layout (layout.ts). With a clamped bath the c_out
 * entries stay in the state (so the layout never changes) but their derivatives are zero. It is
 * driven by a protocol (protocol/: the applied current and the clamp command, with their
 * breakpoints), by default the scenario's own. The right-hand side and the Jacobian use flat typed arrays and allocate nothing.
 */
export class MembraneModel {
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
  /** What is done to the cell: the applied current and, optionally, the clamp command. */
  readonly protocol: Protocol;
  readonly gates: GateSet;
  /** Channels simulated event by event; their open fractions scale the channels' currents. */
  readonly markov: MarkovChannels;
  /** Every current of the membrane: channels, pumps (the registry's kinds, in order). */
  readonly mechanisms: readonly Mechanism[];
  /** The channels among them, in the scenario's order. */
  readonly channels: readonly Mechanism[];
  /** Ions some mechanism carries across the membrane. */
  readonly permeantIons: ReadonlySet<number>;
  /** The clamp command's present piece, when the protocol has a clamp: V then follows it. */
  readonly clamp: ClampPiece | undefined;
  /** The initial state (the scenario's, whatever the protocol). */
  readonly y0: Float64Array;
  private readonly blocks: readonly StateBlock[];
  private readonly constants: MembraneConstants;
  // work arrays
  private readonly ionCurrent: Float64Array;
  private readonly scratch: Float64Array;
  /** The protocol's present smooth piece (set by setSegment); its levels are shared with the compiled code. */
  private readonly piece: ProtocolPiece;
  /** The right-hand side compiled to straight-line code for this scenario (assemble.ts). */
  readonly compiledRhs: Rhs;
  /** The exact ∂f/∂y, compiled from the mechanisms' partial derivatives (assemble.ts). */
  readonly jacobian: JacobianFn;
  /** When water moves: its slot and constants (assemble.ts); the ion slots then hold n/vol(0). */
  readonly water: WaterConstants | undefined;
  private readonly view: Float64Array;

  /** The scenario's membrane under `protocol` (built for the same ions, in the same order). */
  constructor(
    readonly scenario: Scenario,
    protocol: Protocol = Protocol.fromScenario(scenario),
  ) {
    checkProtocol(scenario, protocol);
    const n = (this.ionCount = scenario.ions.length);
    this.ionNames = scenario.ions.map((i) => i.name);
    this.gates = new GateSet(scenario);
    this.markov = new MarkovChannels(scenario);
    const waterMoves = scenario.cell.waterPermeability > 0;
    const layout = (this.layout = StateLayout.membrane(this.ionNames, this.gates.names, this.markov.count > 0, waterMoves));
    this.gates.place(layout.gates, layout.V, Int32Array.from([...layout.cIn, ...layout.cOut]));
    this.size = layout.size;
    this.valence = Float64Array.from(scenario.ions, (i) => i.valence);
    this.area = scenario.cell.area;
    this.volumeIn = scenario.cell.volume;
    this.volumeOut = scenario.bath.kind === "finite" ? scenario.bath.volume : Infinity;
    this.capacitance = scenario.cell.capacitance;
    this.temperature = scenario.temperature;
    const index = (name: string) => this.ionNames.indexOf(name);
    const context = { scenario, layout, ionIndex: index, thermalVoltage: (R * scenario.temperature) / F };
    try {
      this.mechanisms = mechanismKinds(this.gates, this.markov).flatMap((kind) => kind.build(context));
    } catch (e) {
      throw new SimulatorError(`${scenario.source}: ${(e as Error).message}`);
    }
    this.channels = this.mechanisms.slice(0, scenario.channels.length);
    this.permeantIons = new Set(this.mechanisms.flatMap((m) => m.carries.map((c) => c.ion)));
    this.blocks = layout.propensity >= 0 ? [this.gates, new PropensityBlock(this.markov, layout.propensity, layout.V)] : [this.gates];
    this.protocol = protocol;
    this.piece = protocol.newPiece();
    this.clamp = this.piece.clamp;
    this.ionCurrent = new Float64Array(n);
    this.scratch = new Float64Array(n);
    this.constants = {
      capacitance: this.capacitance,
      inFactor: Float64Array.from(this.valence, (z) => this.area / (z * F * this.volumeIn)),
      outFactor: Float64Array.from(this.valence, (z) => (Number.isFinite(this.volumeOut) ? this.area / (z * F * this.volumeOut) : 0)),
      moves: Uint8Array.from(this.ionNames, (name, k) => (this.permeantIons.has(k) || protocol.carriedIons.has(name) ? 1 : 0)),
      ...(waterMoves
        ? {
            water: {
              slot: layout.volumeIn,
              coefficient: (this.area * scenario.cell.waterPermeability * WATER_MOLAR_VOLUME) / this.volumeIn,
              volumeIn0: this.volumeIn,
              volumeOut0: this.volumeOut,
              total: this.volumeIn + this.volumeOut,
            },
          }
        : {}),
    };
    this.water = this.constants.water;
    this.view = new Float64Array(this.size);
    this.y0 = new Float64Array(this.size);
    this.y0[layout.V] = scenario.initialVoltage;
    if (this.water) this.y0[this.water.slot] = 1;
    scenario.ions.forEach((ion, k) => {
      this.y0[layout.cIn[k]!] = ion.inside;
      this.y0[layout.cOut[k]!] = ion.outside;
    });
    // gates start at their steady state for the initial voltage; so do the channels simulated
    // event by event, each drawn from that equilibrium with its own seeded stream
    for (let j = 0; j < this.gates.count; j++) this.y0[layout.gates[j]!] = this.gates.steadyState(j, scenario.initialVoltage, 0, this.y0);
    if (this.markov.count > 0) this.markov.equilibrate(scenario.initialVoltage, seedrandom(`ionflux:initial:${scenario.run.seed}`));
    const levels = this.piece.levels;
    // a model built again from the same scenario object (bench runs, iv, library loops) reuses the
    // generated code when it reads nothing model-specific (no closures: no gates, formulas or water)
    const moves = this.constants.moves.join("");
    const again = GENERATED.get(scenario);
    if (again && again.moves === moves) {
      this.compiledRhs = again.rhs(levels);
      this.jacobian = again.jacobian(levels);
    } else {
      const rhs = compileRhs(layout, this.mechanisms, this.blocks, this.constants, levels);
      const jacobian = compileJacobian(layout, this.mechanisms, this.blocks, this.constants, levels);
      this.compiledRhs = rhs.fn;
      this.jacobian = jacobian.fn;
      if (rhs.again && jacobian.again) GENERATED.set(scenario, { moves, rhs: rhs.again, jacobian: jacobian.again });
    }
    this.setSegment(0);
  }

  /** State slot of the integrated event propensity Λ (exact stochastic channels), or -1. */
  get propensityIndex(): number {
    return this.layout.propensity;
  }

  /** Fixes the applied current (and the clamp's line) to the protocol's piece at time t (the driver calls this per smooth piece). */
  setSegment(t: number, segmentStart = t): void {
    this.protocol.enterPiece(t, segmentStart, this.piece);
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
  transporterFluxes(state: Float64Array, out: Float64Array): void {
    const y = this.concentrationView(state);
    const V = y[this.layout.V]!;
    for (let i = this.channels.length; i < this.mechanisms.length; i++) out[i - this.channels.length] = this.mechanisms[i]!.current(V, y) / F;
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
   * state y, into out[k]; returns their sum (every mechanism, without I_app).
   */
  ionicCurrents(V: number, state: Float64Array, out: Float64Array): number {
    const y = this.concentrationView(state);
    out.fill(0);
    for (const m of this.mechanisms) {
      const current = m.current(V, y);
      for (const c of m.carries) out[c.ion]! += c.coefficient * current;
    }
    let sum = 0;
    for (let k = 0; k < this.ionCount; k++) sum += out[k]!;
    return sum;
  }

  /** Channel c's outward current density (A/m²) at voltage V with the state y (gates included). */
  channelCurrent(c: number, V: number, y: Float64Array): number {
    return this.channels[c]!.current(V, this.concentrationView(y));
  }

  /** Each channel's outward current density (A/m²) into out[c]. */
  channelCurrents(V: number, y: Float64Array, out: Float64Array): void {
    for (let c = 0; c < this.channels.length; c++) out[c] = this.channelCurrent(c, V, y);
  }

  /** y' = f(y) of physics.md, evaluated mechanism by mechanism (the reference the compiled code is tested against). */
  readonly rhs = (t: number, state: Float64Array, dydt: Float64Array): void => {
    const L = this.layout;
    const I = this.ionCurrent;
    const applied = this.piece.perIon;
    const total = this.ionicCurrents(state[L.V]!, state, I);
    const y = this.concentrationView(state);
    dydt[L.V] = (-total + this.piece.appliedTotal) / this.capacitance;
    const { inFactor, outFactor, moves } = this.constants;
    for (let k = 0; k < this.ionCount; k++) {
      dydt[L.cIn[k]!] = moves[k] ? inFactor[k]! * (-I[k]! + applied[k]!) : 0;
      dydt[L.cOut[k]!] = moves[k] ? outFactor[k]! * I[k]! : 0;
    }
    for (const b of this.blocks) b.derivative(t, y, dydt);
    if (this.water) {
      const osm = this.osmolarities(state);
      dydt[this.water.slot] = this.water.coefficient * (osm.inside - osm.outside);
    }
  };

  /**
   * E_rev: the root in V of the net ionic current (every mechanism) for the rest of the state y,
   * by a bracketing root finder. NaN when the membrane has no channel at all.
   */
  reversalPotential(y: Float64Array): number {
    if (this.channels.length === 0) return NaN;
    const work = this.scratch;
    // consecutive rows have nearly the same E_rev: a tight bracket around the last one (or V)
    // takes a handful of iterations instead of some forty
    const guess = Number.isFinite(this.lastReversal) ? this.lastReversal : y[this.layout.V]!;
    const root = findRootOfIncreasing((V) => this.ionicCurrents(V, y, work), guess - 1e-4, guess + 1e-4, 20, 1e-15);
    if (Number.isFinite(root)) this.lastReversal = root;
    return root;
  }
  private lastReversal = NaN;

  /** Net membrane current (A/m², outward positive): ionic currents minus the applied current = −C_m·dV/dt. */
  netCurrent(y: Float64Array, perIon: Float64Array): number {
    return this.ionicCurrents(y[this.layout.V]!, y, perIon) - this.piece.appliedTotal;
  }

  /** Net membrane current (A/m²) at voltage V with the rest of the state y. */
  netCurrentAt(V: number, y: Float64Array, perIon: Float64Array): number {
    return this.ionicCurrents(V, y, perIon) - this.piece.appliedTotal;
  }

  /** ∂(net current)/∂V (S/m²) at the state y, by a central difference of 1 µV. */
  slopeConductance(y: Float64Array, perIon: Float64Array): number {
    const V = y[this.layout.V]!;
    return (this.ionicCurrents(V + 1e-6, y, perIon) - this.ionicCurrents(V - 1e-6, y, perIon)) / 2e-6;
  }

  /** Every slot but V must stay non-negative (concentrations, gates, the propensity). */
  readonly isAdmissible = (y: Float64Array): boolean => {
    const slots = this.layout.nonNegative;
    for (let k = 0; k < slots.length; k++) if (!(y[slots[k]!]! >= 0)) return false;
    return true;
  };

  /** The model as an initial-value problem on [0, duration]; its breakpoints are the protocol's. */
  problem(duration: number, t0 = 0, y0: Float64Array = this.y0): OdeProblem {
    const clamp = this.clamp;
    let rhs = this.compiledRhs;
    let jacobian = this.jacobian;
    if (clamp) {
      // V is forced to the command: the currents see it, and its own equation is the command's slope
      const forced = new Float64Array(this.size);
      const inner = this.compiledRhs;
      const innerJacobian = this.jacobian;
      const m = this.size;
      const v = this.layout.V;
      rhs = (t, y, d) => {
        forced.set(y);
        forced[v] = clamp.inSegment(t);
        inner(t, forced, d);
        d[v] = clamp.rate;
      };
      jacobian = (t, y, J) => {
        forced.set(y);
        forced[v] = clamp.inSegment(t);
        innerJacobian(t, forced, J);
        for (let j = 0; j < m; j++) J[v * m + j] = 0;
        for (let i = 0; i < m; i++) J[i * m + v] = 0;
      };
    }
    return {
      size: this.size,
      rhs,
      jacobian,
      y0,
      t0,
      t1: duration,
      breakpoints: this.protocol.breakpoints,
      beginSegment: (a, b) => this.setSegment(0.5 * (a + b), a),
      isAdmissible: this.isAdmissible,
      explain: this.explain,
    };
  }

  /** What is wrong with a refused state: the first non-finite or negative entry, by name. */
  readonly explain = (y: Float64Array): string => {
    const L = this.layout;
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) return `${L.slots[i]!.name} became ${L.show(i, y)}`;
    for (const i of L.concentrations) if (y[i]! < 0) return `${L.slots[i]!.name} went below zero (${L.show(i, y)})`;
    if (this.water && !(y[this.water.slot]! > 0)) {
      return `vol_in went to zero or below (${this.volumeInOf(y) * 1e15} pL): the cell lost all its water, its osmolarity cannot match the bath's`;
    }
    return "the state was refused";
  };

  /** The membrane voltage at time t for the state y: the clamp's command when clamped. */
  voltageOf(t: number, y: Float64Array): number {
    return this.clamp ? this.clamp.inSegment(t) : y[this.layout.V]!;
  }
}

/** A protocol fits a scenario when its levels are indexed by the scenario's ions and no stop rule waits for V to settle under its clamp. */
function checkProtocol(scenario: Scenario, protocol: Protocol): void {
  const ions = scenario.ions.map((i) => i.name);
  if (protocol.ionNames.length !== ions.length || protocol.ionNames.some((name, k) => name !== ions[k])) {
    throw new SimulatorError(`${scenario.source}: the protocol was made for the ions ${protocol.ionNames.join(", ") || "(none)"}, the model has ${ions.join(", ")}; make it with the model's ions, in their order`);
  }
  if (protocol.clamp && scenario.run.stop) {
    throw new SimulatorError(`${scenario.source}: a stop rule on the net current means nothing under a voltage clamp; remove run.stop or run without the clamp`);
  }
}
