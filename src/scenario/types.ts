/**
 * A validated scenario. Every number is SI (V, s, K, m, m², m³, mol/m³, F/m², S/m², m/s, A/m²);
 * units exist only in the scenario text (design.md, principle 6).
 */
export interface Ion {
  readonly name: string;
  /** An integer, non-zero for a permeant species; any number (fractional, zero) for an impermeant one. */
  readonly valence: number;
  readonly inside: number;
  readonly outside: number;
}

/** A formula compiled to a closure of its variables' array (V [mV], t [ms], celsius, X_in..., X_out... [mM]). */
export type FormulaClosure = (vars: Float64Array) => number;

/**
 * A formula as the model evaluates it: closures made once by validation (scenario/rateFormula.ts),
 * with the partial derivatives the stiff solver's Jacobian needs. Variables, in the order of the
 * array the closures read: V [mV], t [ms], celsius, X_in for each ion, X_out for each ion [mM].
 */
export interface RateFormula {
  /** The value, with removable singularities in V replaced by their limits. */
  readonly value: FormulaClosure;
  /** Indices into the variable array (≥ 3) of the concentrations the formula reads. */
  readonly reads: readonly number[];
  /** ∂value/∂(variable reads[i]) (per mM), same array. */
  readonly partials: readonly FormulaClosure[];
  /** Whether partials[i] is the symbolic derivative (else a central difference). */
  readonly exact: readonly boolean[];
  /** ∂value/∂V (per mV), by a central difference of 1 µV (gate rates of V are smooth by construction). */
  readonly dV: FormulaClosure;
  /** Whether the text names V as a whole word (else dV is zero and the Jacobian leaves it out). */
  readonly readsV: boolean;
  /** Whether it reads t (then the equations are not autonomous: the stiff method needs ∂f/∂t). */
  readonly readsT: boolean;
}

/**
 * A gating variable with first-order kinetics. Formulas are text in V [mV], t [ms], celsius and
 * the scenario's constants, giving rates (alpha, beta) in 1/ms, or inf (unitless) and tau in ms.
 * `compiled` holds the same formulas as closures; it is not enumerable (JSON, Object.keys and
 * spreads do not see it), so a Scenario serialises as its text only.
 */
export interface Gate {
  readonly name: string;
  readonly power: number;
  readonly form: "alpha-beta" | "inf-tau";
  /** alpha or inf. */
  readonly first: string;
  /** beta or tau. */
  readonly second: string;
  /** Rates are multiplied by q10^((T − T_ref)/10 K). */
  readonly q10: number;
  readonly q10Reference: number;
  /** first and second compiled by validation (not enumerable). */
  readonly compiled: { readonly first: RateFormula; readonly second: RateFormula };
  /** Where it was written and what was checked at load, for messages at run time; set by validation (not enumerable). */
  readonly origin?: GateOrigin;
}

/** Where a gate's formulas were written and where their values were checked when the scenario loaded. */
export interface GateOrigin {
  /** first's and second's field paths as load-time messages name them: `channels[1].gates.n.alpha`, `channels[0].open-rate`. */
  readonly first: string;
  readonly second: string;
  /** The voltages (mV) where both were checked for sign and range (validate.ts). */
  readonly checkedMv: { readonly from: number; readonly to: number };
}

/** A finite number of channels whose gating is random (issue: small cells are noisy). */
export interface Stochastic {
  readonly count: number;
  /** exact: a Markov chain of channel states, event by event; langevin: Fox-Lu noise on the gates. */
  readonly noise: "exact" | "langevin";
}

interface ChannelCommon {
  readonly name: string;
  readonly ion: string;
  readonly gates: readonly Gate[];
  readonly stochastic?: Stochastic;
}

export type Channel =
  | (ChannelCommon & { readonly kind: "ohmic"; readonly conductance: number })
  | (ChannelCommon & { readonly kind: "ghk"; readonly permeability: number });

export interface Pump {
  readonly name: string;
  readonly type: "na-k-atpase";
  /** F·J_max, A/m². */
  readonly maxCurrent: number;
  readonly kNa: number;
  readonly kK: number;
  /** Where it was written (`pumps[0]`), for messages at run time; set by validation (not enumerable). */
  readonly origin?: { readonly path: string };
}

/**
 * How a transporter's cycle flux J (mol/(m²·s), positive when the cycle runs as written) is set
 * (physics.md "Transporters"):
 * - thermodynamic: J = g·Δ/F with the driving force Δ (V) of one cycle; g in S/m²;
 * - formula: J = fluxScale · f(V [mV], t [ms], celsius, X_in, X_out [mM]), f a user's rate law;
 * - na-k-atpase: J = J_max·(Na_in/(Na_in+K_Na))³·(K_out/(K_out+K_K))², the saturating pump.
 */
export type TransporterKinetics =
  | { readonly kind: "thermodynamic"; readonly conductance: number }
  | (FormulaKineticsText & { /** flux compiled by validation (not enumerable). */ readonly compiled: RateFormula })
  | { readonly kind: "na-k-atpase"; readonly maxFlux: number; readonly kNa: number; readonly kK: number };

/** Formula kinetics as text, before validation compiles the flux (a preset's, transporterPresets.ts). */
export interface FormulaKineticsText {
  readonly kind: "formula";
  readonly flux: string;
  readonly fluxScale: number;
}

/** Transporter kinetics as a preset gives them: formulas still text. */
export type TransporterKineticsText = Exclude<TransporterKinetics, { kind: "formula" }> | FormulaKineticsText;

/** A cotransporter, exchanger or pump moving ions in a fixed ratio per cycle. */
export interface Transporter {
  readonly name: string;
  /** The preset it came from (nkcc1, kcc2, ncx, pmca, na-k-atpase), if any. */
  readonly preset?: string;
  /** Ions moved OUT of the cell per cycle (negative: into the cell), by ion name. */
  readonly stoichiometry: Readonly<Record<string, number>>;
  readonly kinetics: TransporterKinetics;
  /**
   * Where it was written (`transporters[2]`, or `pumps[1]` for a preset type there) and whether its
   * flux formula is its preset's (pmca) rather than the user's, for messages at run time; set by
   * validation (not enumerable).
   */
  readonly origin?: { readonly path: string; readonly presetFlux: boolean };
}

/** A rectangular applied-current pulse, positive = into the cell (depolarizing). */
export interface StimulusPulse {
  readonly name: string;
  readonly start: number;
  readonly duration: number;
  readonly amplitude: number;
  readonly carriedBy?: string;
  /** A train: `count` pulses, one every `period` seconds from `start`. */
  readonly period?: number;
  readonly count?: number;
}

/** A voltage clamp: V follows the command; the clamp supplies whatever current that takes. */
export interface ClampProtocol {
  /** Volts. */
  readonly holding: number;
  readonly steps: readonly { readonly at: number; readonly to: number }[];
  readonly ramp?: { readonly start: number; readonly duration: number; readonly from: number; readonly to: number };
}

export type Bath = { readonly kind: "clamped" } | { readonly kind: "finite"; readonly volume: number };

export interface StopRule {
  /** A/m². */
  readonly netCurrentBelow: number;
  /** s. */
  readonly hold: number;
  /** s: with stochastic channels, the net current is averaged over this window. */
  readonly window?: number;
}

export interface RunSettings {
  readonly method: string;
  readonly duration: number;
  readonly dt: number;
  readonly rtol: number;
  readonly atol: number;
  readonly recordEvery: number;
  /** Log-spaced rows as well: `perDecade` per decade of time from `first` (s); see simulation/recordTimes.ts. */
  readonly recordLog?: { readonly first: number; readonly perDecade: number };
  readonly stop?: StopRule;
  readonly seed: number;
  readonly maxSteps: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The file it came from (for messages and provenance). */
  readonly source: string;
  readonly temperature: number;
  /** waterPermeability: osmotic P_f (m/s); 0 when the volume does not follow water. */
  readonly cell: { readonly area: number; readonly volume: number; readonly capacitance: number; readonly waterPermeability: number };
  readonly bath: Bath;
  readonly ions: readonly Ion[];
  readonly channels: readonly Channel[];
  readonly pumps: readonly Pump[];
  /** Transporters of the `transporters:` list (and preset types under `pumps:`); the na-k-atpase pumps stay in `pumps`. */
  readonly transporters: readonly Transporter[];
  readonly stimulus: readonly StimulusPulse[];
  readonly initialVoltage: number;
  readonly run: RunSettings;
  /** Named plain numbers that gate formulas may use. */
  readonly constants: Readonly<Record<string, number>>;
  readonly clamp?: ClampProtocol;
}
