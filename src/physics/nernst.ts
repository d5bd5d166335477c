import { FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K } from "./constants.js";

/**
 * Nernst equilibrium potential E = (R·T / (z·F)) · ln(c_out / c_in), in volts.
 * Concentrations in any common unit (only their ratio enters), temperature in kelvin.
 */
export function nernstPotential(valence: number, cIn: number, cOut: number, temperature_K: number): number {
  return ((GAS_CONSTANT_J_PER_MOL_K * temperature_K) / (valence * FARADAY_C_PER_MOL)) * Math.log(cOut / cIn);
}
