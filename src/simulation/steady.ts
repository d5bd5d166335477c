import type { MembraneModel } from "../model/membraneModel.js";
import { eigenvalues, type Eigenvalue } from "../numerics/eigenvalues.js";
import { DenseLu } from "../numerics/lu.js";
import { steadySystem } from "./conservationLaws.js";

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
  const permeant = model.permeantIons;
  model.setSegment(Infinity); // every pulse is over
  const system = steadySystem(model);
  const { f, J, G, JG, inside0, residual } = system;
  const lu = new DenseLu(m);

  const weightedNorm = (dy: Float64Array, y: Float64Array) => {
    let worst = 0;
    for (let i = 0; i < m; i++) worst = Math.max(worst, Math.abs(dy[i]!) / (NEWTON_RTOL * Math.abs(y[i]!) + NEWTON_ATOL));
    return worst;
  };

  const step = new Float64Array(m);
  const trial = new Float64Array(m);
  // the last trial state that was finite but whose residual was not (a formula undefined there), for the diagnosis
  const suspect = new Float64Array(m);
  let suspected = false;

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
        let undefinedThere = false;
        if (admissible) {
          const trialNorm = residual(trial, false);
          if (Number.isFinite(trialNorm) && (trialNorm <= (1 - 1e-4 * lambda) * norm || lambda === 1 && trialNorm < 1e-12)) break;
          undefinedThere = !Number.isFinite(trialNorm) && trial.every(Number.isFinite);
        }
        lambda /= 2;
        if (lambda < 1e-6) {
          // the step ended, as close to y as it gets, where f is not finite
          if (undefinedThere) {
            suspect.set(trial);
            suspected = true;
          }
          return { ok: false, iterations: it };
        }
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
      system.rhsEvaluations++;
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
  // no spectrum of a Jacobian that is not finite (a formula undefined at the last iterate)
  const eig: Eigenvalue[] = J.every(Number.isFinite) ? eigenvalues(J, m) : [{ re: NaN, im: 0 }];
  const zeroTolerance = 1e-10 * scale;
  let zeros = 0;
  let maxRe = -Infinity;
  for (const e of eig) {
    if (Math.hypot(e.re, e.im) <= zeroTolerance) zeros++;
    else maxRe = Math.max(maxRe, e.re);
  }
  const stable = maxRe < 0;
  // what made f undefined, if a term did: at the last iterate, or where Newton's last step ended
  const named = first.ok ? undefined : (model.diagnose(Infinity, y) ?? (suspected ? model.diagnose(Infinity, suspect) : undefined));
  return {
    y,
    converged: first.ok,
    message: first.ok
      ? stable
        ? "steady state found; it is stable"
        : `steady state found, but it is unstable (an eigenvalue has real part ${maxRe.toExponential(3)} 1/s)`
      : named
        ? `no steady state found: ${named}`
        : "no steady state found: Newton's method and pseudo-transient continuation did not converge; try a time-stepped run (method bdf)",
    newtonIterations,
    continuationSteps,
    rhsEvaluations: system.rhsEvaluations,
    maxRealEigenvalue: maxRe,
    stable,
    zeroEigenvalues: zeros,
  };
}
