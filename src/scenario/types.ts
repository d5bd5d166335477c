/**
 * A validated scenario. Every number is SI (V, s, K, m, m², m³, mol/m³, F/m², S/m², m/s, A/m²);
 * units exist only in the scenario text (design.md, principle 6).
 */
export interface Ion {
  readonly name: string;
  readonly valence: number;
  readonly inside: number;
  readonly outside: number;
}

/**
 * A gating variable with first-order kinetics. Formulas are text in V [mV], t [ms], celsius and
 * the scenario's constants, giving rates (alpha, beta) in 1/ms, or inf (unitless) and tau in ms.
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
  readonly cell: { readonly area: number; readonly volume: number; readonly capacitance: number };
  readonly bath: Bath;
  readonly ions: readonly Ion[];
  readonly channels: readonly Channel[];
  readonly pumps: readonly Pump[];
  readonly stimulus: readonly StimulusPulse[];
  readonly initialVoltage: number;
  readonly run: RunSettings;
  /** Named plain numbers that gate formulas may use. */
  readonly constants: Readonly<Record<string, number>>;
  readonly clamp?: ClampProtocol;
}
