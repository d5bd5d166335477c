import type { RunReport } from "../simulation/types.js";

/**
 * The one conversion from the SI numbers of the simulation to the units of the outputs
 * (scenario-format.md): V → mV, mol/m³ → mM (the same number), A/m² → uA/cm².
 */
export const MV_PER_V = 1e3;
export const UA_PER_CM2_PER_A_PER_M2 = 1e2;
/** m³ → pL. */
export const PL_PER_M3 = 1e15;
/** mol/(m²·s) → pmol/(cm²·s). */
export const PMOL_PER_CM2_S_PER_MOL_PER_M2_S = 1e8;

export const toMillivolts = (v: number): number => v * MV_PER_V;
export const toMicroampsPerCm2 = (i: number): number => i * UA_PER_CM2_PER_A_PER_M2;

/** The end-of-run numbers every output shows (summary, run line, sweep rows), in output units. */
export function endInOutputUnits(report: RunReport): { V_final_mV: number; E_rev_final_mV: number; I_net_final_uA_cm2: number } {
  return {
    V_final_mV: toMillivolts(report.voltageEnd),
    E_rev_final_mV: toMillivolts(report.reversalPotentialEnd),
    I_net_final_uA_cm2: toMicroampsPerCm2(report.netCurrentEnd),
  };
}
