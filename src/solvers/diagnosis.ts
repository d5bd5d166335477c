import type { OdeProblem, Vector } from "./types.js";

function allFinite(v: Vector): boolean {
  for (let i = 0; i < v.length; i++) if (v[i]! - v[i]! !== 0) return false; // NaN or ±Infinity
  return true;
}

/**
 * After the driver refused a step for good (a non-finite or inadmissible state, a step size that
 * underflowed), asks the problem's diagnose() which term of f has no meaning: first at the last
 * accepted state (t, y), then at the first state of the failed step where f or its Jacobian came
 * out non-finite from a finite, admissible input (a stage beyond where a formula overflows, say). That state
 * is found by attempting the failed step once more, with f and the Jacobian watched: `attempt`
 * does the step with the problem it is given. undefined when the problem has no diagnose() or
 * names nothing: the failure is numerical, and the caller's message (rtol, dt) stands.
 * Runs once per failed run, never per step; it may allocate.
 */
export function diagnoseFailure(problem: OdeProblem, t: number, y: Vector, attempt: (watched: OdeProblem) => void): string | undefined {
  const diagnose = problem.diagnose;
  if (!diagnose) return undefined;
  const atLast = diagnose(t, y);
  if (atLast) return atLast;
  let found: { t: number; y: Vector } | undefined;
  // a stage the problem would refuse (a negative concentration) is no state the run could be in
  const admissible = problem.isAdmissible ?? (() => true);
  const watch = (tt: number, input: Vector, output: Vector) => {
    if (!found && allFinite(input) && !allFinite(output) && admissible(input)) found = { t: tt, y: Float64Array.from(input) };
  };
  const inner = problem.rhs;
  const innerJacobian = problem.jacobian;
  const watched: OdeProblem = {
    ...problem,
    rhs: (tt, input, dydt) => {
      inner(tt, input, dydt);
      watch(tt, input, dydt);
    },
    ...(innerJacobian
      ? {
          jacobian: (tt: number, input: Vector, J: Float64Array) => {
            innerJacobian(tt, input, J);
            watch(tt, input, J);
          },
        }
      : {}),
  };
  try {
    attempt(watched);
  } catch {
    // whatever the step does now (a singular matrix), what it evaluated so far is what counts
  }
  return found ? diagnose(found.t, found.y) : undefined;
}
