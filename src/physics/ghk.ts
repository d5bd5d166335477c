import { FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K } from "./constants.js";

/** Below this |u| the Bernoulli-type series is used: no 0/0 at u = 0 and no cancellation near it. */
const SERIES_LIMIT = 1e-2;

/**
 * φ(u) = u / (1 − e^(−u)), the function the GHK flux equation is built from (φ(0) = 1).
 * expm1 keeps the denominator exact for small u; the series 1 + u/2 + u²/12 − u⁴/720
 * (error < u⁶/30240) takes over near 0.
 */
export function ghkPhi(u: number): number {
  if (Math.abs(u) < SERIES_LIMIT) {
    const u2 = u * u;
    return 1 + u / 2 + u2 / 12 - (u2 * u2) / 720;
  }
  return u / -Math.expm1(-u);
}

/** dφ/du = φ(u)·(1 − φ(−u))/u, with the series 1/2 + u/6 − u³/180 + u⁵/5040 near 0. */
export function ghkPhiDerivative(u: number): number {
  if (Math.abs(u) < SERIES_LIMIT) {
    const u2 = u * u;
    return 0.5 + u / 6 - (u * u2) / 180 + (u * u2 * u2) / 5040;
  }
  return (ghkPhi(u) * (1 - ghkPhi(-u))) / u;
}

/**
 * GHK current density (A/m², positive outward), physics.md:
 *   I = P·z²F²V/(RT) · (c_in − c_out·e^(−u)) / (1 − e^(−u)),  u = zFV/(RT)
 * written as I = P·z·F·(c_in·φ(u) − c_out·φ(−u)), which is exact and smooth through V = 0
 * (its limit there is P·z·F·(c_in − c_out)). P in m/s, c in mol/m³, V in volts, T in kelvin.
 */
export function ghkCurrentDensity(
  permeability_m_per_s: number,
  valence: number,
  voltage_V: number,
  cIn: number,
  cOut: number,
  temperature_K: number,
): number {
  const u = (valence * FARADAY_C_PER_MOL * voltage_V) / (GAS_CONSTANT_J_PER_MOL_K * temperature_K);
  return permeability_m_per_s * valence * FARADAY_C_PER_MOL * (cIn * ghkPhi(u) - cOut * ghkPhi(-u));
}

/**
 * The GHK voltage equation for monovalent ions: the V at which the GHK currents of the given
 * cations and anions sum to zero. Each entry is [P, c_in, c_out].
 */
export function ghkVoltage(
  cations: readonly (readonly [number, number, number])[],
  anions: readonly (readonly [number, number, number])[],
  temperature_K: number,
): number {
  let numerator = 0;
  let denominator = 0;
  for (const [p, cin, cout] of cations) {
    numerator += p * cout;
    denominator += p * cin;
  }
  for (const [p, cin, cout] of anions) {
    numerator += p * cin;
    denominator += p * cout;
  }
  return ((GAS_CONSTANT_J_PER_MOL_K * temperature_K) / FARADAY_C_PER_MOL) * Math.log(numerator / denominator);
}
