import { ScenarioError } from "../errors.js";
import type { MembraneModel } from "../model/membraneModel.js";
import { eigenvalues } from "../numerics/eigenvalues.js";
import type { RunSettings } from "../scenario/types.js";
import { findMethod } from "../solvers/registry.js";
import { largestStableStep } from "../solvers/stability.js";

const fmtTime = (s: number) => (s >= 1 ? `${Number(s.toPrecision(3))} s` : s >= 1e-3 ? `${Number((s * 1e3).toPrecision(3))} ms` : `${Number((s * 1e6).toPrecision(3))} us`);

/**
 * A fixed-step explicit method refuses a dt beyond its stability bound (issue "Trust, round 2":
 * euler with dt = duration ended at −44,529 mV with exit 0): the bound from the eigenvalues of the
 * model's Jacobian at its initial state, each decaying mode damped by the step. The stiffness can
 * grow later in a run (a spike opens channels); then the state's checks stop the run instead.
 */
export function checkFixedStep(model: MembraneModel, run: RunSettings): void {
  const method = findMethod(run.method);
  if (!method || method.adaptive || !method.stability) return;
  const n = model.size;
  const J = new Float64Array(n * n);
  model.setSegment(0);
  model.problem(run.duration).jacobian!(0, model.y0, J);
  let modes;
  try {
    modes = eigenvalues(J, n);
  } catch {
    return; // no bound without the spectrum; the run's own checks remain
  }
  const hMax = largestStableStep(method, modes);
  if (run.dt <= hMax * (1 + 1e-9)) return;
  const fastest = modes.filter((m) => m.re < 0).reduce((a, m) => (Math.hypot(m.re, m.im) > Math.hypot(a.re, a.im) ? m : a), { re: 0, im: 0 });
  throw new ScenarioError(
    model.scenario.source,
    "run.dt",
    `${fmtTime(run.dt)} is beyond ${method.name}'s stability bound for this model: its fastest mode decays in ${fmtTime(1 / -fastest.re)} (an eigenvalue of the Jacobian at the start), so dt must be at most ${fmtTime(hMax)}; give a dt below that, or the stiff method bdf, which steps over the fast scale`,
  );
}
