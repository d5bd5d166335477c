import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";
import type { MembraneModel } from "./membraneModel.js";

export interface DerivedNumbers {
  /** Per ion: Nernst potential (V) at the initial state (NaN if a concentration is zero), and whether it is permeant. */
  readonly ions: readonly { name: string; valence: number; nernst: number; permeant: boolean }[];
  /** Root of the net ionic current at the initial concentrations (V). */
  readonly reversalPotential: number;
  /** C_m / G, G = −∂(ΣI)/∂V·… the slope conductance at the initial state (s). */
  readonly membraneTimeConstant: number;
  /** Per ion, 1/|∂ċ_in/∂c_in + ∂ċ_out/∂c_out| at the initial state (s): an uncoupled estimate. */
  readonly concentrationTimeScales: Record<string, number>;
  readonly slowestConcentrationTimeScale: number;
  /** Σ z·c on each side (mol/m³ of elementary charge) and as charge (C) for the inside and a finite bath. */
  readonly netChargeInside: { perVolume: number; coulombs: number };
  readonly netChargeOutside: { perVolume: number; coulombs: number | null };
  /** Osmolarity of each side at the initial state (mol/m³): every solute. */
  readonly osmolarity: { inside: number; outside: number };
  /** With water: 1/|∂(dvol_in/dt)/∂vol_in| at the initial state (s), the volume's relaxation time; else null. */
  readonly waterTimeConstant: number | null;
}

/** The numbers `ionflux check` prints: what the run should head for, and on what time scales. */
export function derivedNumbers(model: MembraneModel): DerivedNumbers {
  const n = model.ionCount;
  const m = model.size;
  const y = model.y0;
  const L = model.layout;
  // permeant: some mechanism carries it, or an electrode of the protocol delivers it
  const permeant = new Set<string>([...[...model.permeantIons].map((k) => model.ionNames[k]!), ...model.protocol.carriedIons]);
  const J = new Float64Array(m * m);
  model.setSegment(0);
  model.jacobian(0, y, J);
  const scales: Record<string, number> = {};
  let slowest = 0;
  model.ionNames.forEach((name, k) => {
    const i = L.cIn[k]!;
    const o = L.cOut[k]!;
    const rate = Math.abs(J[i * m + i]!) + Math.abs(J[o * m + o]!);
    const tau = rate > 0 ? 1 / rate : Infinity;
    scales[name] = tau;
    if (tau > slowest && Number.isFinite(tau)) slowest = tau;
  });
  let zIn = 0;
  let zOut = 0;
  for (let k = 0; k < n; k++) {
    zIn += model.valence[k]! * y[L.cIn[k]!]!;
    zOut += model.valence[k]! * y[L.cOut[k]!]!;
  }
  const g = -J[L.V * m + L.V]! * model.capacitance;
  const w = model.water?.slot ?? -1;
  const waterRate = w >= 0 ? Math.abs(J[w * m + w]!) : 0;
  return {
    ions: model.ionNames.map((name, k) => ({ name, valence: model.valence[k]!, nernst: model.nernst(k, y), permeant: permeant.has(name) })),
    reversalPotential: model.reversalPotential(y),
    membraneTimeConstant: g > 0 ? model.capacitance / g : Infinity,
    concentrationTimeScales: scales,
    slowestConcentrationTimeScale: slowest,
    netChargeInside: { perVolume: zIn, coulombs: F * model.volumeIn * zIn },
    netChargeOutside: { perVolume: zOut, coulombs: Number.isFinite(model.volumeOut) ? F * model.volumeOut * zOut : null },
    osmolarity: model.osmolarities(y),
    waterTimeConstant: w >= 0 ? (waterRate > 0 ? 1 / waterRate : Infinity) : null,
  };
}
