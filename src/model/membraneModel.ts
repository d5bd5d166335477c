import { SimulatorError } from "../errors.js";
import type { ClampPiece } from "../protocol/clamp.js";
import { Protocol, type ProtocolPiece } from "../protocol/protocol.js";
import type { Scenario } from "../scenario/types.js";
import type { JacobianFn, OdeProblem, Rhs } from "../solvers/types.js";
import { compileJacobian, compileRhs, type MembraneConstants } from "./assemble.js";
import { buildMembrane, sharedMembrane, type MembraneStructure } from "./build.js";
import type { StateBlock } from "./mechanisms/types.js";
import { MembraneObservables } from "./observables.js";
import type { ParameterArray, RateTable } from "./rates.js";

/**
 * Generated code per shared structure (build.ts: sharedMembrane, one per scenario object and the
 * ions its protocol carries), when it can be made again for another model's levels.
 */
const GENERATED = new WeakMap<MembraneStructure, { rhs: (levels: Float64Array) => Rhs; jacobian: (levels: Float64Array) => JacobianFn }>();

/**
 * The membrane model of physics.md as an ODE in SI units, assembled from mechanisms (each
 * declared once, in mechanisms/) over a state layout (layout.ts; build.ts puts them together),
 * driven by a protocol (protocol/: the applied current and the clamp command, with their
 * breakpoints), by default the scenario's own. With a clamped bath the c_out entries stay in the
 * state (so the layout never changes) but their derivatives are zero. What can be read off a
 * state (currents, E_rev, volumes, osmolarities) is in observables.ts. The right-hand side and
 * the Jacobian use flat typed arrays and allocate nothing.
 */
export class MembraneModel extends MembraneObservables {
  /** What is done to the cell: the applied current and, optionally, the clamp command. */
  readonly protocol: Protocol;
  /** The clamp command's present piece, when the protocol has a clamp: V then follows it. */
  readonly clamp: ClampPiece | undefined;
  /** The initial state (the scenario's, whatever the protocol). */
  readonly y0: Float64Array;
  private readonly blocks: readonly StateBlock[];
  private readonly constants: MembraneConstants;
  private readonly ionCurrent: Float64Array;
  /** The protocol's present smooth piece (set by setSegment); its levels are shared with the compiled code. */
  private readonly piece: ProtocolPiece;
  /** The right-hand side compiled to straight-line code for this scenario (assemble.ts). */
  readonly compiledRhs: Rhs;
  /** The exact ∂f/∂y, compiled from the mechanisms' partial derivatives (assemble.ts). */
  readonly jacobian: JacobianFn;
  /** Whether f depends on t within a smooth piece: a gate or flux formula of t, or a clamp ramp. */
  readonly readsTime: boolean;
  /**
   * Every slot but V must stay non-negative (concentrations, gates, the propensity). One function
   * per structure (build.ts), so that models of one scenario hand the solvers the same function
   * (RK4's generated loop calls it: a new one per model made V8 drop its optimised code once).
   */
  readonly isAdmissible: (y: Float64Array) => boolean;
  private current: Scenario;
  private readonly rates: RateTable;
  /** The parameter arrays of the compiled code; undefined when they may be shared with another model. */
  private readonly parameters: readonly ParameterArray[] | undefined;

  /**
   * The scenario's membrane under `protocol` (built for the same ions, in the same order).
   * `writable`: a model for writeRates, whose compiled code is its own (never shared with other
   * models of the same scenario object, as it otherwise may be).
   */
  constructor(scenario: Scenario, protocol: Protocol = Protocol.fromScenario(scenario), options: { readonly writable?: boolean } = {}) {
    checkProtocol(scenario, protocol);
    const structure = options.writable ? buildMembrane(scenario, protocol) : sharedMembrane(scenario, protocol);
    super(structure);
    this.current = scenario;
    this.rates = structure.rates;
    this.isAdmissible = structure.isAdmissible;
    this.protocol = protocol;
    this.piece = protocol.newPiece();
    this.clamp = this.piece.clamp;
    this.blocks = structure.blocks;
    this.constants = structure.constants;
    this.y0 = structure.shared ? structure.y0.slice() : structure.y0;
    this.ionCurrent = new Float64Array(this.ionCount);
    this.readsTime =
      scenario.channels.some((c) => c.gates.some((g) => g.compiled.first.readsT || g.compiled.second.readsT)) ||
      scenario.transporters.some((t) => t.kinetics.kind === "formula" && t.kinetics.compiled.readsT) ||
      protocol.hasRamp;
    const levels = this.piece.levels;
    // a model built again from the same scenario object (bench runs, iv, library loops) reuses the
    // generated code when it reads nothing model-specific (no closures: no gates, formulas or water)
    const again = structure.shared ? GENERATED.get(structure) : undefined;
    if (again) {
      this.compiledRhs = again.rhs(levels);
      this.jacobian = again.jacobian(levels);
      this.parameters = undefined;
    } else {
      const rhs = compileRhs(this.layout, this.mechanisms, this.blocks, this.constants, levels);
      const jacobian = compileJacobian(this.layout, this.mechanisms, this.blocks, this.constants, levels);
      this.compiledRhs = rhs.fn;
      this.jacobian = jacobian.fn;
      // a writable model's structure is its own (never shared), so its arrays are too
      this.parameters = options.writable ? [rhs.parameters, jacobian.parameters, this.currentParameters] : undefined;
      if (structure.shared && rhs.again && jacobian.again) GENERATED.set(structure, { rhs: rhs.again, jacobian: jacobian.again });
    }
    this.setSegment(0);
  }

  /** The scenario this model now stands for. */
  get scenario(): Scenario {
    return this.current;
  }

  /**
   * Makes this model the one `scenario` would build, by numbers alone: every rate parameter
   * (rates.ts) read from it and written into the compiled code, and what earlier runs left behind
   * forgotten. Only for a scenario that differs from the model's own in rate parameters alone (a
   * sweep checks that: sweep/ratePoints.ts), on a model built `writable`, not being run meanwhile.
   */
  writeRates(scenario: Scenario): void {
    if (!this.parameters) throw new Error("writeRates: the model was not built writable");
    this.rates.write(scenario, this.parameters);
    this.current = scenario;
    this.forgetHistory();
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

  /** y' = f(y) of physics.md, evaluated mechanism by mechanism (the reference the compiled code is tested against). */
  readonly rhs = (t: number, state: Float64Array, dydt: Float64Array): void => {
    const L = this.layout;
    const I = this.ionCurrent;
    const applied = this.piece.perIon;
    const total = this.ionicCurrents(state[L.V]!, state, I, t);
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

  /** Net membrane current (A/m², outward positive): ionic currents minus the applied current = −C_m·dV/dt. */
  netCurrent(y: Float64Array, perIon: Float64Array, t = 0): number {
    return this.ionicCurrents(y[this.layout.V]!, y, perIon, t) - this.piece.appliedTotal;
  }

  /** Net membrane current (A/m²) at voltage V with the rest of the state y. */
  netCurrentAt(V: number, y: Float64Array, perIon: Float64Array, t = 0): number {
    return this.ionicCurrents(V, y, perIon, t) - this.piece.appliedTotal;
  }


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
      autonomous: !this.readsTime,
      beginSegment: (a, b) => this.setSegment(0.5 * (a + b), a),
      isAdmissible: this.isAdmissible,
      explain: this.explain,
      diagnose: this.diagnose,
    };
  }

  /**
   * Which term of the model has no meaning at time t in state y, asked once after a failed run:
   * each mechanism in turn (channels with their gates' formulas, pumps, transporters) names the
   * first of its terms that is not finite or out of its range there, by field path
   * (`channels[1].gates.n.alpha is Infinity at V = 1421 mV, t = 1.0015 ms: ...`); undefined when
   * all are fine (then the failure is numerical). t not finite: a steady state (steady.ts).
   */
  readonly diagnose = (t: number, y: Float64Array): string | undefined => {
    const V = Number.isFinite(t) ? this.voltageOf(t, y) : y[this.layout.V]!;
    if (!Number.isFinite(V)) return undefined;
    const view = this.concentrationView(y);
    for (const m of this.mechanisms) {
      const problem = m.diagnose?.(V, view, t);
      if (problem) return problem;
    }
    return undefined;
  };

  /** What is wrong with a refused state: the first non-finite or negative entry, by name. */
  readonly explain = (y: Float64Array): string => {
    const L = this.layout;
    for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) return `${L.slots[i]!.name} became ${L.show(i, y)}`;
    for (const i of L.concentrations) if (y[i]! < 0) return `${L.slots[i]!.name} went below zero (${L.show(i, y)})`;
    if (this.water && !(y[this.water.slot]! > 0)) {
      return `vol_in went to zero or below (${this.volumeInOf(y) * 1e15} pL): the cell lost all its water, its osmolarity cannot match the bath's`;
    }
    // a gate (or the event propensity) below zero
    for (const i of L.nonNegative) if (y[i]! < 0) return `${L.slots[i]!.name} went below zero (${L.show(i, y)})`;
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
