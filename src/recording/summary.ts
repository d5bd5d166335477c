import { CODATA_YEAR } from "../physics/constants.js";
import type { Scenario } from "../scenario/types.js";
import type { RunReport } from "../simulation/types.js";
import { IONFLUX_VERSION } from "../version.js";
import { endInOutputUnits, MV_PER_V as MV, PL_PER_M3 as PL, UA_PER_CM2_PER_A_PER_M2 as UA_PER_CM2 } from "./units.js";
import { sha256Hex } from "./sha256.js";

/** Numbers that may be NaN/Infinity become null in JSON (JSON has no NaN). */
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

export interface SummaryContext {
  readonly scenarioText: string;
  readonly overrides: readonly string[];
}

/**
 * NAME.summary.json (scenario-format.md): the end state, how it was reached, and provenance, from
 * the run's plain report (no model needed). The older call buildSummary(scenario, model, result,
 * context) still works (the model is not read).
 */
export function buildSummary(scenario: Scenario, result: RunReport, context: SummaryContext): Record<string, unknown>;
export function buildSummary(scenario: Scenario, model: unknown, result: RunReport, context: SummaryContext): Record<string, unknown>;
export function buildSummary(scenario: Scenario, ...args: [RunReport, SummaryContext] | [unknown, RunReport, SummaryContext]): Record<string, unknown> {
  const [result, context] = (args.length === 3 ? args.slice(1) : args) as [RunReport, SummaryContext];
  const concentrations: Record<string, { in: number; out: number }> = {};
  const nernst: Record<string, number | null> = {};
  for (const ion of result.ions) {
    concentrations[ion.name] = { in: ion.inside, out: ion.outside };
    nernst[ion.name] = num(ion.nernst * MV);
  }
  const end = endInOutputUnits(result);
  return {
    name: scenario.name,
    description: scenario.description,
    converged: result.converged,
    stop_reason: result.stopReason,
    ...(result.failure ? { failure: result.failure } : {}),
    "t_converged [s]": result.tConverged,
    "t_end [s]": num(result.tEnd),
    "V_final [mV]": end.V_final_mV,
    "E_rev_final [mV]": num(end.E_rev_final_mV),
    "I_net_final [uA/cm^2]": end.I_net_final_uA_cm2,
    "concentrations_final [mM]": concentrations,
    "E_final [mV]": nernst,
    "volume_final [pL]": result.volumeInEnd * PL,
    ...(result.water
      ? {
          "volume_out_final [pL]": num(result.water.volumeOut * PL),
          "osmolarity_final [mM]": result.water.osmolarity,
          "volume_rate_final [1/s]": result.water.volumeRate,
        }
      : {}),
    "min_concentration [mM]": result.minConcentration,
    method: scenario.run.method === result.method ? result.method : `${scenario.run.method} (${result.method})`,
    rtol: scenario.run.rtol,
    atol: scenario.run.atol,
    steps: result.stats.steps,
    rejected_steps: result.stats.rejectedSteps,
    rhs_evaluations: result.stats.rhsEvaluations,
    jacobian_evaluations: result.stats.jacobianEvaluations,
    lu_decompositions: result.stats.luDecompositions,
    "wall_time [ms]": Math.round(result.wallTime_ms * 1000) / 1000,
    invariants: {
      moles_drift_relative: result.invariants.molesRelative,
      "charge_drift [C]": result.invariants.charge_C,
      charge_drift_relative: result.invariants.chargeRelative,
      volume_drift_relative: result.invariants.volumeRelative,
    },
    ...(result.steady
      ? {
          steady_state: {
            message: result.steady.message,
            stable: result.steady.stable,
            "max_real_eigenvalue [1/s]": num(result.steady.maxRealEigenvalue),
            "slowest_time_constant [s]": num(-1 / result.steady.maxRealEigenvalue),
            conserved_quantity_zero_eigenvalues: result.steady.zeroEigenvalues,
            newton_iterations: result.steady.newtonIterations,
            continuation_steps: result.steady.continuationSteps,
          },
        }
      : {}),
    ...(result.fluctuations
      ? {
          fluctuations: {
            "window [s]": result.fluctuations.window,
            rows: result.fluctuations.rows,
            "V_mean [mV]": result.fluctuations.V_mean * MV,
            "V_sd [mV]": result.fluctuations.V_sd * MV,
            "I_net_mean [uA/cm^2]": result.fluctuations.I_net_mean * UA_PER_CM2,
            "I_net_sd [uA/cm^2]": result.fluctuations.I_net_sd * UA_PER_CM2,
          },
        }
      : {}),
    seed: scenario.run.seed,
    scenario_si: scenario,
    provenance: {
      ionflux_version: IONFLUX_VERSION,
      scenario_file: scenario.source,
      scenario_sha256: sha256Hex(context.scenarioText),
      overrides: context.overrides,
      constants: `CODATA ${CODATA_YEAR}`,
      units_of_scenario_si: "SI: V, s, K, m, m^2, m^3, mol/m^3, F/m^2, S/m^2, m/s, A/m^2",
    },
  };
}
