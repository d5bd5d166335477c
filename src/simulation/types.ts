import type { InvariantDrifts } from "../model/invariants.js";
import type { MembraneModel } from "../model/membraneModel.js";
import type { IntegrationStats } from "../solvers/types.js";
import type { SteadyStateResult } from "./steady.js";

/**
 * Where a run's trajectory goes: the state (SI) at each record time. recording/ turns samples
 * into rows with units (its Recorders implement this); simulate never converts units.
 */
export interface TrajectorySink {
  /** Before the first sample: the model whose states follow. */
  begin(model: MembraneModel): void;
  sample(t: number, y: Float64Array): void;
  /** After the last sample: make the trajectory visible. */
  finish(): void;
  /** The run failed in a way that leaves no result: keep nothing. */
  abort(): void;
}

export interface Fluctuations {
  readonly window: number;
  readonly rows: number;
  readonly V_mean: number;
  readonly V_sd: number;
  readonly I_net_mean: number;
  readonly I_net_sd: number;
}

/**
 * The end of a run as plain numbers in SI, by name: what the summary and the sweep rows are
 * built from (no model needed to read it).
 */
export interface RunReport {
  readonly tEnd: number;
  readonly stopReason: "net-current-below" | "duration" | "steady-state" | "failed";
  /** Why the integration stopped early (an IntegrationError's message), when it did. */
  readonly failure?: string;
  /** |I_net| fell below the threshold at this time and stayed below until the end; null if not at the end. */
  readonly tConverged: number | null;
  readonly converged: boolean;
  /** The membrane voltage at the end (V; the command under a voltage clamp). */
  readonly voltageEnd: number;
  readonly netCurrentEnd: number;
  readonly reversalPotentialEnd: number;
  /** Per ion at the end: concentrations (mol/m³) and Nernst potential (V). */
  readonly ions: readonly { readonly name: string; readonly inside: number; readonly outside: number; readonly nernst: number }[];
  /** The inside volume at the end (m³). */
  readonly volumeInEnd: number;
  /**
   * When water moves, at the end: the bath's volume (m³, Infinity when clamped), the osmolarities
   * (mol/m³) and the relative volume rate (d vol_in/dt)/vol_in (1/s).
   */
  readonly water?: { readonly volumeOut: number; readonly osmolarity: { readonly inside: number; readonly outside: number }; readonly volumeRate: number };
  readonly minConcentration: number;
  readonly invariants: InvariantDrifts;
  readonly stats: IntegrationStats;
  readonly method: string;
  readonly wallTime_ms: number;
  /** Set by `method: steady`: how the steady state was found and whether it is stable. */
  readonly steady?: Omit<SteadyStateResult, "y">;
  /** Stochastic runs: mean and SD of V and I_net over the final window (SI). */
  readonly fluctuations?: Fluctuations;
}

/** A run's report and its end state (the model's layout says which slot is what). */
export interface RunResult extends RunReport {
  readonly yEnd: Float64Array;
}
