import type { Scenario } from "../../scenario/types.js";
import type { StateLayout } from "../layout.js";

/**
 * What generated code may use (assemble.ts turns it into one straight-line function per model):
 *   V          the membrane voltage (volts; the clamp's command when clamped)
 *   t          time (s)
 *   y[i]       the state (use e.y(slot), never a literal index)
 *   phi(u), dphi(u)   the GHK function φ and its derivative (physics/ghk.ts)
 *   Math       the JavaScript Math object
 * Parameters go through e.p(value) and closures through e.fn(f), so that the code text depends only
 * on the model's structure: the runs of a sweep share one compiled (and JIT-optimised) function.
 */
export interface Emitter {
  /** A number, as code (read from the parameter array; non-finite values stay non-finite). */
  p(value: number): string;
  /**
   * A number made from a rate parameter (rates.ts), as code: derive(cell.value) now, and written
   * again into the same slot when the cell is given another value (a sweep's next point).
   * derive must be the arithmetic the mechanism would do on the value itself, so both round alike.
   */
  rate(cell: RateCell, derive?: (value: number) => number): string;
  /** A closure or typed array, as code. */
  fn(f: ((...args: number[]) => number) | Float64Array): string;
  /** The state entry of a slot, as code. */
  y(slot: number): string;
  /** The right-hand side's entry of a slot (to assign), as code. */
  dy(slot: number): string;
  /** The Jacobian's entry ∂f_row/∂y_col (to assign; it starts at zero), as code. */
  J(row: number, col: number): string;
}

/** One term of a mechanism's current: ion `ion` carries coefficient × the mechanism's current. */
export interface Carry {
  readonly ion: number;
  readonly coefficient: number;
}

/** A mechanism's current as code: statements (own block scope), then the expression. */
export interface CurrentCode {
  readonly setup?: readonly string[];
  readonly current: string;
}

/** ∂(current)/∂y[slot] for every slot the current depends on (the exact Jacobian), as code. */
export interface PartialsCode {
  readonly setup?: readonly string[];
  readonly partials: readonly { readonly slot: number; readonly value: string }[];
}

/**
 * A membrane mechanism: a current (A/m², outward positive) that ions carry in fixed proportions.
 * A channel carries one ion (coefficient 1); the Na⁺/K⁺ pump carries Na⁺ (3) and K⁺ (−2); a
 * transporter with stoichiometry ν_k moves ν_k ions of k per cycle: coefficient ν_k·z_k with the
 * current F·J (so an electroneutral one has currents that sum to zero but move ions).
 * Each ion's concentrations change by its share: dc_in/dt = −A·I_k/(z_k·F·vol_in), dc_out/dt the opposite
 * over vol_out; V by −ΣI/C_m (assemble.ts). The three forms below are tested against each other
 * and against finite differences for every registered mechanism (test/model/mechanisms.test.ts).
 */
export interface Mechanism {
  readonly name: string;
  readonly carries: readonly Carry[];
  /**
   * The current (A/m²) at voltage V with the rest of the state from y, at time t (s; a transporter's
   * flux formula may read t), evaluated (reports, roots, I-V).
   */
  current(V: number, y: Float64Array, t?: number): number;
  /** The same current as code, for the compiled right-hand side. */
  emitCurrent(e: Emitter): CurrentCode;
  /** Its partial derivatives as code, for the compiled Jacobian. */
  emitPartials(e: Emitter): PartialsCode;
  /**
   * Why its terms have no meaning at (V, y, t), if they have none: the first of its rate formulas
   * (gate rates, a flux) that is not finite or out of its range there, or its current when a
   * concentration it takes the logarithm of is gone; named by the scenario's field path, with
   * advice (diagnosis.ts). undefined when all are fine. t not finite: a steady state (evaluated at
   * t = 0, as the steady solver's f is, and no time in the message). Called once after a failed
   * run, never per step.
   */
  diagnose?(V: number, y: Float64Array, t: number): string | undefined;
}

/**
 * A rate parameter of a built mechanism (a channel's g or P, a transporter's g, the pump's F·J_max):
 * the mechanism's evaluated forms read `value`, its code reads slots written from it. See rates.ts.
 */
export interface RateCell {
  value: number;
}

/** What a registered mechanism kind gets to build its instances from. */
export interface BuildContext {
  readonly scenario: Scenario;
  readonly layout: StateLayout;
  /** Ion index by name (-1 when not declared). */
  ionIndex(name: string): number;
  /** RT/F (volts). */
  readonly thermalVoltage: number;
  /**
   * A rate parameter: a cell holding `value`, which `read` finds again in another scenario of the
   * same structure (read(scenario) is value for this one). Sweeps write it from point to point.
   */
  rate(value: number, read: (scenario: Scenario) => number): RateCell;
}

/** A kind of mechanism: builds its instances (possibly none) from a scenario. One registry line each. */
export interface MechanismKind {
  readonly name: string;
  build(context: BuildContext): Mechanism[];
}

/**
 * State variables with equations of their own (gates, the event propensity; the inside volume
 * next): their slots' rows of the right-hand side and of the Jacobian, evaluated and as code.
 */
export interface StateBlock {
  /** Writes its slots' dy/dt (generic form). */
  derivative(t: number, y: Float64Array, dydt: Float64Array): void;
  /** Statements assigning its slots' dy/dt (e.dy(slot) = ...). */
  emitDerivative(e: Emitter): string[];
  /** Statements assigning the nonzero entries of its Jacobian rows (e.J(row, col) = ...). */
  emitJacobian(e: Emitter): string[];
}
