import type { MembraneModel } from "../model/membraneModel.js";
import { FARADAY_C_PER_MOL as F } from "../physics/constants.js";
import { eigenvalues, type Eigenvalue } from "../numerics/eigenvalues.js";
import { DenseLu } from "../numerics/lu.js";

export interface SteadyStateResult {
  readonly y: Float64Array;
  readonly converged: boolean;
  readonly message: string;
  readonly newtonIterations: number;
  readonly continuationSteps: number;
  readonly rhsEvaluations: number;
  /** Largest real part among the eigenvalues of ∂f/∂y that are not the invariants' zeros (1/s). */
  readonly maxRealEigenvalue: number;
  readonly stable: boolean;
  /** Eigenvalues counted as the conserved quantities' zeros. */
  readonly zeroEigenvalues: number;
}

/** Newton's weighted step norm below this (with these weights) means converged. */
const NEWTON_RTOL = 1e-11;
const NEWTON_ATOL = 1e-14;

/**
 * The end state without the journey: solves f(y) = 0 together with the conservation laws
 * (physics.md: each ion's moles for a finite bath, or the bath's concentrations when clamped,
 * and the charge identity), which replace the equations they make redundant. Newton's method with
 * the analytic Jacobian, damped to keep concentrations positive; when it fails from the initial
 * state, pseudo-transient continuation (linearly implicit Euler steps whose length grows as the
 * residual falls; Kelley & Keyes 1998) brings the state near the steady state first. Stability:
 * the eigenvalues of ∂f/∂y, less the zeros of the conserved quantities, must have negative real parts.
 * Applied-current pulses count with their total delivered charge (all of them end).
 */
export function solveSteadyState(model: MembraneModel): SteadyStateResult {
  const n = model.ionCount;
  const m = model.size;
  const y0 = model.y0;
  const L = model.layout;
  const finite = Number.isFinite(model.volumeOut);
  // an ion no mechanism carries keeps its inside concentration (plus what an electrode delivered):
  // its row of f is zero, so its equation is that instead
  const permeant = model.permeantIons;
  model.setSegment(Infinity); // every pulse is over
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
  const lu = new DenseLu(m);
  let rhsEvaluations = 0;

  /** The constrained residual G(y) and its Jacobian, rows equilibrated to unit max entry. */
  const residual = (y: Float64Array, withJacobian: boolean): number => {
    model.compiledRhs(0, y, f);
    rhsEvaluations++;
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

  const weightedNorm = (dy: Float64Array, y: Float64Array) => {
    let worst = 0;
    for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(dy[i]!) / (NEWTON_RTOL * Math.abs(y[i]!) + NEWTON_ATOL));
    return worst;
  };

  const step = new Float64Array(m);
  const trial = new Float64Array(m);

  /** Damped Newton on G = 0 from y (in place). */
  const newton = (y: Float64Array, maxIterations: number): { ok: boolean; iterations: number } => {
    let norm = residual(y, true);
    for (let it = 1; it <= maxIterations; it++) {
      for (let i = 0; i < m; i++) step[i] = -G[i]!;
      if (!lu.factor(JG)) return { ok: false, iterations: it };
      lu.solve(JG, step);
      let lambda = 1;
      for (;;) {
        for (let i = 0; i < m; i++) trial[i] = y[i]! + lambda * step[i]!;
        const admissible = model.isAdmissible(trial) && trial.every((x, i) => i === L.V || x > 0 || y[i] === 0);
        if (admissible) {
          const trialNorm = residual(trial, false);
          if (Number.isFinite(trialNorm) && (trialNorm <= (1 - 1e-4 * lambda) * norm || lambda === 1 && trialNorm < 1e-12)) break;
        }
        lambda /= 2;
        if (lambda < 1e-6) return { ok: false, iterations: it };
      }
      for (let i = 0; i < m; i++) step[i]! *= lambda;
      y.set(trial);
      norm = residual(y, true);
      if (lambda === 1 && weightedNorm(step, y) <= 1) return { ok: true, iterations: it };
    }
    return { ok: false, iterations: maxIterations };
  };

  /** Pseudo-transient continuation on y' = f(y) (which keeps every invariant by itself). */
  const continuation = (y: Float64Array): number => {
    const A = new Float64Array(m * m);
    let delta = 1e-5;
    let previous = Infinity;
    for (let k = 1; k <= 2000; k++) {
      model.compiledRhs(0, y, f);
      rhsEvaluations++;
      model.jacobian(0, y, J);
      let fNorm = 0;
      for (let i = 0; i < m; i++) fNorm = Math.max(fNorm, Math.abs(f[i]!) / (1e-6 * Math.abs(y[i]!) + 1e-9));
      if (Number.isFinite(previous)) delta *= Math.min(10, Math.max(0.1, previous / fNorm));
      previous = fNorm;
      for (let tries = 0; ; tries++) {
        for (let i = 0; i < m * m; i++) A[i] = -J[i]!;
        for (let i = 0; i < m; i++) A[i * m + i]! += 1 / delta;
        step.set(f);
        if (lu.factor(A)) {
          lu.solve(A, step);
          for (let i = 0; i < m; i++) trial[i] = y[i]! + step[i]!;
          if (model.isAdmissible(trial) && trial.every(Number.isFinite)) break;
        }
        delta /= 4;
        if (tries > 30) return k;
      }
      y.set(trial);
      if (delta > 1e10) return k;
    }
    return 2000;
  };

  const y = Float64Array.from(y0);
  for (let k = 0; k < n; k++) if (!permeant.has(k)) y[L.cIn[k]!] = inside0[k]!;
  let first = newton(y, 50);
  let continuationSteps = 0;
  let newtonIterations = first.iterations;
  if (!first.ok) {
    y.set(y0);
    continuationSteps = continuation(y);
    first = newton(y, 50);
    newtonIterations += first.iterations;
  }
  model.jacobian(0, y, J);
  const scale = Math.max(...J.map(Math.abs));
  const eig: Eigenvalue[] = eigenvalues(J, m);
  const zeroTolerance = 1e-10 * scale;
  let zeros = 0;
  let maxRe = -Infinity;
  for (const e of eig) {
    if (Math.hypot(e.re, e.im) <= zeroTolerance) zeros++;
    else maxRe = Math.max(maxRe, e.re);
  }
  const stable = maxRe < 0;
  return {
    y,
    converged: first.ok,
    message: first.ok
      ? stable
        ? "steady state found; it is stable"
        : `steady state found, but it is unstable (an eigenvalue has real part ${maxRe.toExponential(3)} 1/s)`
      : "no steady state found: Newton's method and pseudo-transient continuation did not converge; try a time-stepped run (method bdf)",
    newtonIterations,
    continuationSteps,
    rhsEvaluations,
    maxRealEigenvalue: maxRe,
    stable,
    zeroEigenvalues: zeros,
  };
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
