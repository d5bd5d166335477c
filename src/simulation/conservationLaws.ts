import type { MembraneModel } from "../model/membraneModel.js";
import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";

/** The steady state's equations G(y) = 0: f(y) = 0 with the conservation laws in place of the rows they make redundant. */
export interface SteadySystem {
  /** f(y) and ∂f/∂y (row-major) at the last evaluation: work arrays. */
  readonly f: Float64Array;
  readonly J: Float64Array;
  /** G(y) and ∂G/∂y at the last evaluation, each row divided by its largest entry. */
  readonly G: Float64Array;
  readonly JG: Float64Array;
  /** Each ion's inside concentration to start from: y0's, plus what an electrode delivered to an ion no mechanism carries. */
  readonly inside0: readonly number[];
  /** Evaluates G (and ∂G/∂y when asked) at y; returns max |G_i|. */
  readonly residual: (y: Float64Array, withJacobian: boolean) => number;
  /** Calls of the right-hand side so far (the caller counts its own too). */
  rhsEvaluations: number;
}

/**
 * The constrained system of a steady state (physics.md): V's row is the charge identity; the
 * permeant ions' inside rows are their flux balances, or, when the mechanisms conserve some
 * combinations of them (mechanismConservationLaws), independent combinations of the balances
 * and the conserved quantities; an ion no mechanism carries keeps its inside amount; each outside
 * row is the ion's moles (finite bath) or its fixed concentration (clamped bath); the other slots
 * (gates, ...) are dx/dt = 0. Applied-current pulses count with the total charge they delivered
 * (all of them end): the model must be set to its piece at t = ∞ before the system is evaluated.
 */
export function steadySystem(model: MembraneModel): SteadySystem {
  const n = model.ionCount;
  const m = model.size;
  const y0 = model.y0;
  const L = model.layout;
  const finite = Number.isFinite(model.volumeOut);
  // an ion no mechanism carries keeps its inside concentration (plus what an electrode delivered):
  // its row of f is zero, so its equation is that instead
  const permeant = model.permeantIons;
  // (an uncharged species carries no current: 0, not 0/0)
  const carriedMoles = Array.from({ length: n }, (_, k) => (model.valence[k] === 0 ? 0 : (model.area * model.protocol.chargeDelivered(Infinity, k)) / (model.valence[k]! * F)));
  const molesTarget = Array.from({ length: n }, (_, k) => y0[L.cIn[k]!]! * model.volumeIn + (finite ? y0[L.cOut[k]!]! * model.volumeOut : 0) + carriedMoles[k]!);
  const unCarriedCharge = model.area * model.protocol.chargeDelivered(Infinity, -1);
  const inside0 = Array.from({ length: n }, (_, k) => y0[L.cIn[k]!]! + (permeant.has(k) ? 0 : carriedMoles[k]! / model.volumeIn));

  const laws = mechanismConservationLaws(model);
  const others = L.slots.filter((x) => x.kind !== "voltage" && x.kind !== "inside" && x.kind !== "outside").map((x) => x.index);
  const f = new Float64Array(m);
  const J = new Float64Array(m * m);
  const G = new Float64Array(m);
  const JG = new Float64Array(m * m);

  const residual = (y: Float64Array, withJacobian: boolean): number => {
    model.compiledRhs(0, y, f);
    system.rhsEvaluations++;
    if (withJacobian) model.jacobian(0, y, J);
    JG.fill(0);
    // V's row: the charge identity
    const v = L.V;
    let q = model.capacitance * model.area * (y[v]! - y0[v]!) - unCarriedCharge;
    for (let k = 0; k < n; k++) q -= F * model.volumeIn * model.valence[k]! * (y[L.cIn[k]!]! - y0[L.cIn[k]!]!);
    G[v] = q;
    JG[v * m + v] = model.capacitance * model.area;
    for (let k = 0; k < n; k++) JG[v * m + L.cIn[k]!] = -F * model.volumeIn * model.valence[k]!;
    if (laws) {
      // the permeant ions' rows: the independent combinations of their flux balances, then the
      // quantities the mechanisms conserve (a transporter alone conserves, e.g., K_in − Cl_in)
      laws.rows.forEach((row, i) => {
        const r = L.cIn[laws.ions[i]!]!;
        const w = row.weights;
        let g = 0;
        for (let j = 0; j < m; j++) JG[r * m + j] = 0;
        laws.ions.forEach((k, a) => {
          const slot = L.cIn[k]!;
          if (w[a] === 0) return;
          if (row.kind === "balance") {
            g += w[a]! * f[slot]!;
            for (let j = 0; j < m; j++) JG[r * m + j]! += w[a]! * J[slot * m + j]!;
          } else {
            g += w[a]! * (y[slot]! - y0[slot]! - carriedMoles[k]! / model.volumeIn);
            JG[r * m + slot]! += w[a]!;
          }
        });
        G[r] = g;
      });
    }
    for (let k = 0; k < n; k++) {
      const r = L.cIn[k]!;
      if (permeant.has(k)) {
        if (!laws) {
          G[r] = f[r]!;
          for (let j = 0; j < m; j++) JG[r * m + j] = J[r * m + j]!;
        }
      } else {
        G[r] = y[r]! - inside0[k]!;
        JG[r * m + r] = 1;
      }
      const o = L.cOut[k]!;
      if (finite) {
        G[o] = y[r]! * model.volumeIn + y[o]! * model.volumeOut - molesTarget[k]!;
        JG[o * m + r] = model.volumeIn;
        JG[o * m + o] = model.volumeOut;
      } else {
        G[o] = y[o]! - y0[o]!;
        JG[o * m + o] = 1;
      }
    }
    // gates and the other slots: dx/dt = 0
    for (const i of others) {
      G[i] = f[i]!;
      for (let j = 0; j < m; j++) JG[i * m + j] = J[i * m + j]!;
    }
    let norm = 0;
    for (let i = 0; i < m; i++) {
      let big = 0;
      for (let j = 0; j < m; j++) big = Math.max(big, Math.abs(JG[i * m + j]!));
      if (big === 0) big = 1;
      G[i]! /= big;
      for (let j = 0; j < m; j++) JG[i * m + j]! /= big;
      norm = Math.max(norm, Math.abs(G[i]!));
    }
    return norm;
  };
  const system: SteadySystem = { f, J, G, JG, inside0, residual, rhsEvaluations: 0 };
  return system;
}

/**
 * The conservation laws the membrane's mechanisms impose beyond moles and charge. Ion k's inside
 * amount changes as dn_k/dt = −(A/F)·Σ_m B[k][m]·I_m with B[k][m] = (coefficient of k in m)/z_k, so
 * every left null vector w of B (wᵀB = 0) is conserved: wᵀ·n_in = constant. With a channel for each
 * permeant ion there is none (null returned: the flux balances are used as they are); a transporter
 * alone (KCC2: K_in − Cl_in) or a set of transporters sharing ions leaves some. Then the permeant
 * ions' equations become rank(B) independent combinations of their flux balances (eigenvectors of
 * B·Bᵀ with nonzero eigenvalues) and the conserved combinations (those with zero eigenvalues).
 */
export function mechanismConservationLaws(model: MembraneModel): { ions: number[]; rows: { kind: "balance" | "conserved"; weights: Float64Array }[] } | null {
  const ions = [...model.permeantIons].sort((a, b) => a - b);
  const p = ions.length;
  if (p === 0) return null;
  const columns = model.mechanisms.map((mech) => {
    const col = new Float64Array(p);
    for (const c of mech.carries) {
      const a = ions.indexOf(c.ion);
      if (a >= 0) col[a]! += c.coefficient / model.valence[c.ion]!;
    }
    return col;
  });
  const gram = new Float64Array(p * p);
  for (const col of columns) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) gram[a * p + b]! += col[a]! * col[b]!;
  const { values, vectors } = symmetricEigen(gram, p);
  const largest = Math.max(...values.map(Math.abs));
  const zero = values.map((v) => Math.abs(v) <= 1e-12 * largest);
  if (!zero.some(Boolean)) return null;
  const order = [...values.keys()].sort((a, b) => Number(zero[a]) - Number(zero[b]));
  return {
    ions,
    rows: order.map((i) => ({ kind: zero[i] ? ("conserved" as const) : ("balance" as const), weights: Float64Array.from({ length: p }, (_, a) => vectors[a * p + i]!) })),
  };
}

/** Eigenvalues and eigenvectors (columns of `vectors`, row-major) of a small symmetric matrix, by cyclic Jacobi rotations. */
function symmetricEigen(matrix: Float64Array, n: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off < 1e-30) break;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const aij = a[i * n + j]!;
        if (Math.abs(aij) < 1e-300) continue;
        const theta = (a[j * n + j]! - a[i * n + i]!) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const aki = a[k * n + i]!;
          const akj = a[k * n + j]!;
          a[k * n + i] = c * aki - s * akj;
          a[k * n + j] = s * aki + c * akj;
        }
        for (let k = 0; k < n; k++) {
          const aik = a[i * n + k]!;
          const ajk = a[j * n + k]!;
          a[i * n + k] = c * aik - s * ajk;
          a[j * n + k] = s * aik + c * ajk;
        }
        for (let k = 0; k < n; k++) {
          const vki = v[k * n + i]!;
          const vkj = v[k * n + j]!;
          v[k * n + i] = c * vki - s * vkj;
          v[k * n + j] = s * vki + c * vkj;
        }
      }
    }
  }
  return { values: Array.from({ length: n }, (_, i) => a[i * n + i]!), vectors: v };
}
