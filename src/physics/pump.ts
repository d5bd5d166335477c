/**
 * Na⁺/K⁺-ATPase (physics.md): cycle flux J = J_max·(Na_in/(Na_in+K_Na))³·(K_out/(K_out+K_K))²,
 * 3 Na⁺ out and 2 K⁺ in per cycle, so the pump current is F·J outward. Here the scale is the
 * maximal current F·J_max (A/m²); the result is the pump current density in A/m².
 */
export function naKPumpCurrent(
  maxCurrent_A_per_m2: number,
  naIn: number,
  kOut: number,
  kNa: number,
  kK: number,
): number {
  const a = naIn / (naIn + kNa);
  const b = kOut / (kOut + kK);
  return maxCurrent_A_per_m2 * a * a * a * b * b;
}
