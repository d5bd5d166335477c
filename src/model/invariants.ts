import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";
import type { MembraneModel } from "./membraneModel.js";

export interface InvariantDrifts {
  /** Per ion: |moles now − moles at t0 − moles delivered by the electrode| / moles at t0 (finite bath only). */
  readonly molesRelative: Record<string, number> | null;
  /** C_m·A·(V − V0) − F·vol_in·Σ z·(c_in − c_in0) − A·∫I_app (uncarried) dt, in coulombs. */
  readonly charge_C: number;
  /** charge_C relative to the membrane charge change C_m·A·max(|V − V0|, 1 mV). */
  readonly chargeRelative: number;
  /** |vol_in + vol_out − (vol_in(0) + vol_out(0))| / that total, when water moves with a finite bath; else null. */
  readonly volumeRelative: number | null;
}

/** The conservation laws of physics.md, evaluated between y0 at t = 0 and y at time t. */
export function invariantDrifts(model: MembraneModel, y0: Float64Array, y: Float64Array, t: number): InvariantDrifts {
  const n = model.ionCount;
  const L = model.layout;
  let molesRelative: Record<string, number> | null = null;
  if (Number.isFinite(model.volumeOut)) {
    molesRelative = {};
    for (let k = 0; k < n; k++) {
      const before = y0[L.cIn[k]!]! * model.volumeIn + y0[L.cOut[k]!]! * model.volumeOut;
      const after = y[L.cIn[k]!]! * model.volumeIn + y[L.cOut[k]!]! * model.volumeOut;
      // an uncharged species carries no current (and 0/0 must not make its drift NaN)
      const delivered = model.valence[k] === 0 ? 0 : (model.area * model.protocol.chargeDelivered(t, k)) / (model.valence[k]! * F);
      molesRelative[model.ionNames[k]!] = before > 0 ? Math.abs(after - before - delivered) / before : Math.abs(after - delivered);
    }
  }
  const membrane = model.capacitance * model.area * (y[L.V]! - y0[L.V]!);
  let ionic = 0;
  for (let k = 0; k < n; k++) ionic += model.valence[k]! * (y[L.cIn[k]!]! - y0[L.cIn[k]!]!);
  ionic *= F * model.volumeIn;
  const applied = model.area * model.protocol.chargeDelivered(t, -1);
  // under a voltage clamp the electrode adds charge the identity does not count
  const charge = model.clamp ? NaN : membrane - ionic - applied;
  const scale = model.capacitance * model.area * Math.max(Math.abs(y[L.V]! - y0[L.V]!), 1e-3);
  // Total volume: the state holds vol_in only and vol_out = total − vol_in, so this is an identity of
  // the formulation (it can show round-off, nothing else); the physical checks of water are the
  // Boyle–van 't Hoff and pump–leak closed forms in the tests. Reported because the contract lists it.
  let volumeRelative: number | null = null;
  if (model.water && Number.isFinite(model.water.total)) {
    const total0 = model.volumeInOf(y0) + model.volumeOutOf(y0);
    volumeRelative = Math.abs(model.volumeInOf(y) + model.volumeOutOf(y) - total0) / total0;
  }
  return { molesRelative, charge_C: charge, chargeRelative: Math.abs(charge) / scale, volumeRelative };
}
