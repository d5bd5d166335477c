/**
 * Generic initial-value problem types. Nothing here knows about membranes: the model reaches the
 * solvers only through these (design.md, principle 2).
 */
export type Vector = Float64Array;

/** y' = f(t, y); writes dydt in place, allocates nothing. */
export type Rhs = (t: number, y: Vector, dydt: Vector) => void;

/** ∂f/∂y at (t, y), written row-major into J (n×n): J[i*n + j] = ∂f_i/∂y_j. */
export type JacobianFn = (t: number, y: Vector, jacobian: Float64Array) => void;

export interface OdeProblem {
  readonly size: number;
  readonly rhs: Rhs;
  /** Analytic Jacobian; stiff methods fall back to finite differences without it. */
  readonly jacobian?: JacobianFn;
  readonly y0: Vector;
  readonly t0: number;
  readonly t1: number;
  /**
   * false when f depends on t within a smooth piece (a formula of t, a clamp ramp): Rosenbrock
   * methods then add their ∂f/∂t term. Omitted: autonomous within each piece.
   */
  readonly autonomous?: boolean;
  /** Times in (t0, t1) where f is discontinuous; the driver lands on each and never steps across. */
  readonly breakpoints: readonly number[];
  /** Called before the driver integrates the smooth piece [a, b] (e.g. to fix a stimulus level). */
  beginSegment?(a: number, b: number): void;
  /** A state the problem refuses (e.g. a negative concentration): the step is rejected and retried smaller. */
  isAdmissible?(y: Vector): boolean;
  /** Names what is wrong with a refused or non-finite state, for the error message ("K_in = -3e-6 mM"). */
  explain?(y: Vector): string;
  /**
   * Names a term of f that has no meaning at (t, y) (a rate that is not finite, out of its range),
   * with advice that fits it; undefined when every term is fine, so that the failure is numerical.
   * The driver asks it once after a failure (diagnosis.ts), never per step.
   */
  diagnose?(t: number, y: Vector): string | undefined;
  /**
   * A stochastic differential equation's noise: adds one step's random increment to yNext (the
   * deterministic step from (t, y) over h), in place, and may project it onto the admissible set.
   * Only methods for SDEs (stochastic/) call it.
   */
  noise?(t: number, y: Vector, h: number, yNext: Vector): void;
}

/** Options of the driver loop: one typed object, validated in one place (stepControl.ts). */
export interface StepControl {
  readonly rtol: number;
  readonly atol: number;
  /** Fixed step of fixed-step methods; first step of adaptive ones. */
  readonly dt: number;
  readonly hMin: number;
  readonly hMax: number;
  readonly maxSteps: number;
  /**
   * How the caller's users name the step limit and the stiff method, for failure messages
   * ("run.max-steps", "bdf"); the solvers themselves know no such names.
   */
  readonly names?: { readonly maxSteps: string; readonly stiffMethod: string };
}

/** The names of StepControl.names, or plain words without them. */
export function controlNames(control: StepControl): { maxSteps: string; stiffMethod: string } {
  return control.names ?? { maxSteps: "the step limit", stiffMethod: "a stiff method" };
}

export interface IntegrationStats {
  steps: number;
  rejectedSteps: number;
  rhsEvaluations: number;
  jacobianEvaluations: number;
  luDecompositions: number;
}

/**
 * One step of a method. The driver owns t, h and acceptance; the stepper only computes.
 */
export interface Stepper {
  /**
   * Attempts a step of size h from (t, y), writing the increment y(t+h) − y(t) to `increment`
   * (the driver adds it with compensated summation, so that tiny changes of large values are not
   * rounded away over many steps). Returns the scaled error norm of the embedded estimate
   * (≤ 1 means acceptable) or null for fixed-step methods.
   */
  attempt(t: number, y: Vector, h: number, increment: Vector): number | null;
  /** Tells the stepper its last attempt was accepted (it may keep f(yNext) for the next step). */
  accept(): void;
  /** Forgets cached values (called at every segment start, after a discontinuity). */
  reset(): void;
  /** Dense output of the last accepted step at t + θ·h, θ ∈ [0, 1]. */
  interpolate(theta: number, out: Vector): void;
  /** f(t, y) at the end of the last accepted step (computed anyway: it starts the next step). */
  readonly endDerivative: Vector;
  /**
   * Methods whose new state is not y + increment (a projection, as Euler–Maruyama clips) write the
   * accepted state into y here; the driver's compensated sum is skipped for them.
   */
  commit?(y: Vector): void;
  readonly stats: IntegrationStats;
}

/**
 * An integration method. To add one:
 *  1. implement Method + Stepper in a file under explicit/ or implicit/ (allocate work arrays in
 *     createStepper, never per step);
 *  2. state its `order` (and `errorOrder`, the order of its embedded estimate, for adaptive ones);
 *  3. register it in registry.ts: the convergence-order test then measures it automatically.
 */
export interface Method {
  readonly name: string;
  readonly description: string;
  readonly order: number;
  /** Order of the embedded error estimate (sets the step-size exponent 1/(errorOrder+1)). */
  readonly errorOrder: number;
  readonly adaptive: boolean;
  readonly stiff: boolean;
  createStepper(problem: OdeProblem, control: StepControl): Stepper;
  /**
   * Fixed-step explicit methods: the step formula on its own, which the fused loop
   * (fixedStepLoop.ts) calls without the driver's per-step bookkeeping; their Stepper uses it too,
   * so the formula exists once.
   */
  fixedStepKernel?(problem: OdeProblem): FixedStepKernel;
  /**
   * Fixed-step methods: |R(z)| of their stability function at z = re + i·im (z = h·λ): a mode
   * y' = λy is damped by the step when it is at most 1 (solvers/stability.ts).
   */
  stability?(re: number, im: number): number;
}

/** One step of a fixed-step explicit method, f0 = f(t, y) given: writes y(t+h) − y(t) to dy, counts its evaluations in stats. */
export interface FixedStepKernel {
  step(t: number, y: Vector, h: number, f0: Vector, dy: Vector, stats: IntegrationStats): void;
  /**
   * Optional: the fused loop's own steps as one generated function (explicit/rk4Fused.ts), for a
   * problem whose right-hand side comes with its source (rhsCode.ts); undefined when it cannot.
   */
  fusedAdvance?(setup: FusedSetup): FusedAdvance | undefined;
  /** Right-hand-side evaluations per step of fusedAdvance, the end one included. */
  readonly evaluationsPerStep?: number;
}

/** What a fused run watches, fixed for the whole run (fixedStepLoop.ts). */
export interface FusedSetup {
  /** Components whose smallest value over the accepted steps is kept. */
  readonly trackMinimum: Int32Array;
  /** The component of f whose |scale·f| crossing a threshold shows a step, if any. */
  readonly watched?: number;
  readonly isAdmissible?: (y: Vector) => boolean;
}

/**
 * The fused loop's state, handed to a FusedAdvance and back. It takes the steps integrateFixedStep()
 * would take (the same grid, checks and compensated sums, to the bit) from (t, y, lost, fB = f at the
 * last step's end, uncompensated) until a step must be shown (t ≥ due or a crossing of the watched
 * derivative: `show`), the segment ends, `limit` steps are taken, or a step fails or would fail
 * (h ≤ 0, a non-finite or inadmissible end: left untaken, for the caller to take and report).
 * It returns how many steps it took; after at least one, tA, yA, fA, yB, fB and h are the last step's
 * (start time, start, f there, end, f there, size), as the fused loop's dense output needs them.
 */
export interface FusedRun {
  segmentStart: number;
  segmentEnd: number;
  dt: number;
  due: number;
  limit: number;
  scale: number;
  threshold: number;
  t: number;
  /** The index of the next step on the segment's grid (tNext = segmentStart + index·dt). */
  index: number;
  minimum: number;
  wasBelow: boolean;
  show: boolean;
  /** The last step's start time. */
  tA: number;
  h: number;
  y: Vector;
  lost: Vector;
  yA: Vector;
  fA: Vector;
  yB: Vector;
  fB: Vector;
}

export type FusedAdvance = (run: FusedRun) => number;

/**
 * When the observer of a run must see a step, so that fixed-step methods can skip the calls in
 * between (fixedStepLoop.ts). Without it (or with `everyStep`) it sees every accepted step.
 */
export interface ObserverNeeds {
  /** Call it after every step regardless (e.g. a stop rule that counts a hold time). */
  readonly everyStep: boolean;
  /** The next time it must see: the first step ending at or after it is shown (asked again after each call). */
  nextTime(): number;
  /** Also show the steps where |scale·f(t, y)[component]| < threshold turns true or false. */
  readonly watch?: { readonly component: number; readonly scale: number; readonly threshold: number };
  /** Components whose smallest value over all accepted steps the loop reports (IntegrationResult.minimum). */
  readonly trackMinimum?: Int32Array;
}

export function newStats(): IntegrationStats {
  return { steps: 0, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 };
}
