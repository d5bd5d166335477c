import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "./constants.js";

/**
 * Transporters (physics.md "Transporters"): ν_k ions of species k move OUT per cycle (negative: in).
 * The free energy released per mole of cycles, over F, is the driving force
 *   Δ = Σ_k ν_k·(z_k·V + (R·T/F)·ln(c_in,k/c_out,k))      (volts)
 * Δ > 0 runs the cycle forward; Δ = 0 is the transporter's equilibrium.
 * `ions` lists the species the transporter moves; arrays are indexed like it.
 */
export function transporterDrivingForce(
  stoichiometry: ArrayLike<number>,
  valence: ArrayLike<number>,
  cIn: ArrayLike<number>,
  cOut: ArrayLike<number>,
  V: number,
  temperature: number,
): number {
  const vt = (R * temperature) / F;
  let delta = 0;
  for (let k = 0; k < stoichiometry.length; k++) delta += stoichiometry[k]! * (valence[k]! * V + vt * Math.log(cIn[k]! / cOut[k]!));
  return delta;
}

/** Thermodynamic (linear) kinetics: cycle flux J = g·Δ/F (mol/(m²·s)), g in S/m². Always downhill: J·Δ ≥ 0. */
export function thermodynamicCycleFlux(conductance: number, drivingForce: number): number {
  return (conductance * drivingForce) / F;
}

/** The net outward current density (A/m²) of a transporter cycling at J: F·J·Σ ν_k·z_k. */
export function transporterCurrent(cycleFlux: number, stoichiometry: ArrayLike<number>, valence: ArrayLike<number>): number {
  let charge = 0;
  for (let k = 0; k < stoichiometry.length; k++) charge += stoichiometry[k]! * valence[k]!;
  return F * cycleFlux * charge;
}

/**
 * The voltage at which a transporter's Δ vanishes, when it carries net charge (Σ ν·z ≠ 0):
 * V_rev = −(R·T/F)·Σ ν_k·ln(c_in,k/c_out,k) / Σ ν_k·z_k. For NCX (Na −3, Ca +1) this is 3·E_Na − 2·E_Ca.
 * NaN for an electroneutral transporter (its Δ does not depend on V).
 */
export function transporterReversalPotential(
  stoichiometry: ArrayLike<number>,
  valence: ArrayLike<number>,
  cIn: ArrayLike<number>,
  cOut: ArrayLike<number>,
  temperature: number,
): number {
  const vt = (R * temperature) / F;
  let charge = 0;
  let chemical = 0;
  for (let k = 0; k < stoichiometry.length; k++) {
    charge += stoichiometry[k]! * valence[k]!;
    chemical += stoichiometry[k]! * vt * Math.log(cIn[k]! / cOut[k]!);
  }
  return charge === 0 ? NaN : -chemical / charge;
}

/** Partial molar volume of water (m³/mol), physics.md "Water and cell volume". */
export const WATER_MOLAR_VOLUME = 18.0e-6;

/**
 * Osmotic water flow into the cell (m³/s): d vol_in/dt = A·P_f·v_w·(Osm_in − Osm_out),
 * with Osm in mol/m³ (every solute, ideal). Water moves towards the higher osmolarity.
 */
export function waterInflow(area: number, waterPermeability: number, osmIn: number, osmOut: number): number {
  return area * waterPermeability * WATER_MOLAR_VOLUME * (osmIn - osmOut);
}
