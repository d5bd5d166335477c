import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "../physics/constants.js";
import type { TransporterKineticsText } from "./types.js";

/**
 * Ready-made transporters a scenario can name with `type:` (under `transporters:`, or under `pumps:`).
 * Each has its stoichiometry (ions moved OUT per cycle, physics.md "Transporters") and a literature
 * rate; a scenario may replace the rate (`conductance`, `flux`) but not the stoichiometry.
 * The ions must be declared under these names (Na, K, Cl, Ca) with their usual charges.
 *
 * Sources of the numbers:
 * - kcc2: J = U·ln(K_in·Cl_in/(K_out·Cl_out)) with U = 1.49e-7 mol/(m²·s), the edNEG model
 *   (Sætra et al. 2021, PLoS Comput Biol 17: e1008143, table of neuron parameters). This is the
 *   thermodynamic form J = g·Δ/F with Δ = (RT/F)·ln(...), so g = U·F²/(R·T) at the scenario's temperature
 *   (0.054 mS/cm² at 37 °C; nkcc1 below 0.084).
 * - nkcc1: the same form with U = 2.33e-7 mol/(m²·s) (Wei, Ullah & Schiff 2014, J Neurosci 34:11733,
 *   as used in edNEG), without their activation factor 1/(1 + exp(16 − K_out/mM)): write a
 *   `kinetics: formula` transporter to keep it.
 * - ncx: g = 0.0733 S/m² (7.3 µS/cm²): the slope F·∂J/∂Δ of the Luo–Rudy exchanger (Luo & Rudy 1994,
 *   Circ Res 74:1071: k_NaCa = 2000 µA/µF, K_m,Na = 87.5 mM, K_m,Ca = 1.38 mM, k_sat = 0.1, η = 0.35,
 *   C_m = 1 µF/cm²) at its linearisation point V = −80 mV, Na 14 mM in / 140 mM out, Ca 100 nM in / 2 mM out,
 *   37 °C (|dI/dV| there; 4.5 µS/cm² at Na_in 10 mM, 8.4 at 15 mM).
 *   Thermodynamic kinetics keep its exact reversal V = 3·E_Na − 2·E_Ca.
 * - pmca: J = J_max·Ca_in/(Ca_in + K_m), J_max = 5.96 pmol/(cm²·s) (I_p(Ca),max = 1.15 µA/µF of Luo & Rudy
 *   1994 over 2F, with C_m = 1 µF/cm²), K_m = 0.5 µM; one Ca²⁺ out per cycle (its H⁺ counter-transport is
 *   not modelled, so it carries 2F·J outward).
 * - na-k-atpase: the saturating pump of physics.md, J_max = 1.5 uA/cm² / F, K_Na = 10 mM, K_K = 1.5 mM
 *   (the pump of sims/pump-leak-recovery.yaml; Keener & Sneyd ch. 2 use the same form).
 */
export interface TransporterPreset {
  readonly stoichiometry: Readonly<Record<string, number>>;
  /** The charge each ion must have. */
  readonly valences: Readonly<Record<string, number>>;
  /** The preset's kinetics at temperature T (K). */
  kinetics(temperature: number): TransporterKineticsText;
  /** One line for docs and messages. */
  readonly summary: string;
}

/** Thermodynamic conductance (S/m²) equivalent to J = U·ln(ratio of ion products). */
export function conductanceFromLogRate(U_mol_per_m2_s: number, temperature: number): number {
  return (U_mol_per_m2_s * F * F) / (R * temperature);
}

/** 1 pmol/(cm²·s) in mol/(m²·s). */
export const PMOL_PER_CM2_S = 1e-8;

export const TRANSPORTER_PRESETS: Readonly<Record<string, TransporterPreset>> = {
  nkcc1: {
    stoichiometry: { Na: -1, K: -1, Cl: -2 },
    valences: { Na: 1, K: 1, Cl: -1 },
    kinetics: (T) => ({ kind: "thermodynamic", conductance: conductanceFromLogRate(2.33e-7, T) }),
    summary: "Na-K-2Cl cotransporter (1 Na, 1 K, 2 Cl in); thermodynamic, U = 2.33e-7 mol/(m^2*s) (Wei et al. 2014)",
  },
  kcc2: {
    stoichiometry: { K: 1, Cl: 1 },
    valences: { K: 1, Cl: -1 },
    kinetics: (T) => ({ kind: "thermodynamic", conductance: conductanceFromLogRate(1.49e-7, T) }),
    summary: "K-Cl cotransporter (1 K, 1 Cl out); thermodynamic, U = 1.49e-7 mol/(m^2*s) (Saetra et al. 2021)",
  },
  ncx: {
    stoichiometry: { Na: -3, Ca: 1 },
    valences: { Na: 1, Ca: 2 },
    kinetics: () => ({ kind: "thermodynamic", conductance: 0.0733 }),
    summary: "Na-Ca exchanger (3 Na in, 1 Ca out); thermodynamic, g = 0.0733 S/m^2 (slope of Luo & Rudy 1994)",
  },
  pmca: {
    stoichiometry: { Ca: 1 },
    valences: { Ca: 2 },
    kinetics: () => ({ kind: "formula", flux: "5.96 * Ca_in / (Ca_in + 0.0005)", fluxScale: PMOL_PER_CM2_S }),
    summary: "plasma-membrane Ca pump (1 Ca out); J = 5.96 pmol/(cm^2*s) * Ca_in/(Ca_in + 0.5 uM) (Luo & Rudy 1994)",
  },
  "na-k-atpase": {
    stoichiometry: { Na: 3, K: -2 },
    valences: { Na: 1, K: 1 },
    kinetics: () => ({ kind: "na-k-atpase", maxFlux: 0.015 / F, kNa: 10, kK: 1.5 }),
    summary: "Na/K-ATPase (3 Na out, 2 K in); J_max = 1.5 uA/cm^2 / F, K_Na = 10 mM, K_K = 1.5 mM",
  },
};

export const PRESET_NAMES = Object.keys(TRANSPORTER_PRESETS);
