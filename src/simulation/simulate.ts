import { invariantDrifts, type InvariantDrifts } from "../model/invariants.js";
import { RecordTimes } from "./recordTimes.js";
import type { MembraneModel } from "../model/membraneModel.js";
import { findRootBracketed, findRootOfIncreasing } from "../numerics/roots.js";
import type { Column, Recorder } from "../recording/types.js";
import type { RunSettings } from "../scenario/types.js";
import seedrandom from "seedrandom";
import { IntegrationError } from "../errors.js";
import { integrate } from "../solvers/integrate.js";
import { solveSteadyState, type SteadyStateResult } from "./steady.js";
import { findMethod } from "../solvers/registry.js";
import type { IntegrationStats, Stepper } from "../solvers/types.js";

/** Threshold (A/m²) used to judge `converged` when the scenario gives no stop rule: 1e-4 uA/cm². */
export const DEFAULT_CONVERGENCE_CURRENT = 1e-6;

export interface RunResult {
  readonly tEnd: number;
  readonly yEnd: Float64Array;
  readonly stopReason: "net-current-below" | "duration" | "steady-state" | "failed";
  /** Why the integration stopped early (an IntegrationError's message), when it did. */
  readonly failure?: string;
  /** |I_net| fell below the threshold at this time and stayed below until the end; null if not at the end. */
  readonly tConverged: number | null;
  readonly converged: boolean;
  readonly netCurrentEnd: number;
  readonly reversalPotentialEnd: number;
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

/** Trajectory columns in the units of scenario-format.md: SI → mV, mM, uA/cm². */
export function trajectoryColumns(model: MembraneModel): Column[] {
  const cols: Column[] = [
    { name: "t", unit: "s" },
    { name: "V", unit: "mV" },
    { name: "E_rev", unit: "mV" },
    { name: "I_net", unit: "uA/cm^2" },
  ];
  for (const ion of model.ionNames) {
    cols.push({ name: `${ion}_in`, unit: "mM" }, { name: `${ion}_out`, unit: "mM" }, { name: `E_${ion}`, unit: "mV" }, { name: `I_${ion}`, unit: "uA/cm^2" });
  }
  for (const gate of model.gates.names) cols.push({ name: gate, unit: "1" });
  for (const p of model.markov.populations) cols.push({ name: `${model.scenario.channels[p.channel]!.name}.open`, unit: "1" });
  if (model.clamp) cols.push({ name: "I_clamp", unit: "uA/cm^2" });
  // appended, so that the columns of scenarios without them keep their places
  for (const name of model.transporterNames) cols.push({ name: `J_${name}`, unit: "pmol/(cm^2*s)" });
  if (model.water) {
    cols.push({ name: "vol_in", unit: "pL" });
    if (Number.isFinite(model.water.total)) cols.push({ name: "vol_out", unit: "pL" });
    cols.push({ name: "Osm_in", unit: "mM" }, { name: "Osm_out", unit: "mM" });
  }
  return cols;
}

/** mol/(m²·s) → pmol/(cm²·s). */
const PMOL_PER_CM2_S = 1e8;
/** m³ → pL. */
const PL = 1e15;

const MV = 1e3;
/** A/m² → uA/cm². */
const UA_PER_CM2 = 1e2;

/** `run.method: steady`: the steady state directly (steady.ts), not a time course. */
export const STEADY_METHOD = "steady";

/** Writes one trajectory row (SI state → the CSV's units). */
function rowWriter(model: MembraneModel, recorder: Recorder) {
  const n = model.ionCount;
  const perIon = new Float64Array(n);
  const clamped = model.clamp !== undefined;
  const markov = model.markov.populations;
  const fluxes = new Float64Array(model.transporterNames.length);
  const water = model.water;
  const finiteWater = water !== undefined && Number.isFinite(water.total);
  const extra = 4 + 4 * n + model.gates.count + markov.length + (clamped ? 1 : 0);
  const row = new Float64Array(extra + fluxes.length + (water ? (finiteWater ? 4 : 3) : 0));
  const forced = new Float64Array(model.size);
  return (t: number, state: Float64Array) => {
    let y = state;
    if (clamped) {
      forced.set(state);
      forced[0] = model.voltageOf(t, state);
      y = forced;
    }
    const net = model.netCurrent(y, perIon);
    row[0] = t;
    row[1] = y[0]! * MV;
    row[2] = model.reversalPotential(y) * MV;
    row[3] = net * UA_PER_CM2;
    for (let k = 0; k < n; k++) {
      row[4 + 4 * k] = model.concentrationIn(k, y);
      row[5 + 4 * k] = model.concentrationOut(k, y);
      row[6 + 4 * k] = model.nernst(k, y) * MV;
      row[7 + 4 * k] = perIon[k]! * UA_PER_CM2;
    }
    for (let j = 0; j < model.gates.count; j++) row[4 + 4 * n + j] = y[model.layout.gates[j]!]!;
    markov.forEach((p, i) => {
      row[4 + 4 * n + model.gates.count + i] = p.openFraction;
    });
    // the clamp's current: all the membrane current (ionic and capacitive) it must supply, outward positive
    if (clamped) row[4 + 4 * n + model.gates.count + markov.length] = (net + model.capacitance * model.clamp!.rate) * UA_PER_CM2;
    let c = extra;
    if (fluxes.length) {
      model.transporterFluxes(y, fluxes);
      for (let i = 0; i < fluxes.length; i++) row[c++] = fluxes[i]! * PMOL_PER_CM2_S;
    }
    if (water) {
      row[c++] = model.volumeInOf(y) * PL;
      if (finiteWater) row[c++] = model.volumeOutOf(y) * PL;
      const osm = model.osmolarities(y);
      row[c++] = osm.inside;
      row[c++] = osm.outside;
    }
    recorder.row(row);
  };
}

function simulateSteady(model: MembraneModel, recorder: Recorder, started: number): RunResult {
  recorder.start(trajectoryColumns(model));
  const writeRow = rowWriter(model, recorder);
  model.setSegment(0);
  writeRow(0, model.y0);
  let minConcentration = model.layout.minConcentration(model.y0);
  const { y, ...steady } = solveSteadyState(model);
  minConcentration = Math.min(minConcentration, model.layout.minConcentration(y));
  model.setSegment(Infinity);
  writeRow(Infinity, y); // t = infinity: an empty cell
  recorder.finish();
  const perIon = new Float64Array(model.ionCount);
  return {
    tEnd: Infinity,
    yEnd: y,
    stopReason: steady.converged ? "steady-state" : "failed",
    tConverged: null,
    converged: steady.converged,
    netCurrentEnd: model.netCurrent(y, perIon),
    reversalPotentialEnd: model.reversalPotential(y),
    minConcentration,
    invariants: invariantDrifts(model, model.y0, y, Infinity),
    stats: { steps: steady.newtonIterations + steady.continuationSteps, rejectedSteps: 0, rhsEvaluations: steady.rhsEvaluations, jacobianEvaluations: steady.newtonIterations + steady.continuationSteps, luDecompositions: steady.newtonIterations + steady.continuationSteps },
    method: STEADY_METHOD,
    wallTime_ms: performance.now() - started,
    steady,
    ...(steady.converged ? {} : { failure: steady.message }),
  };
}

/**
 * Runs a model under its run settings: integrates, records rows at every `record-every` (by dense
 * output, never by extra steps), applies the stop rule and checks the invariants at the end.
 */
export function simulate(model: MembraneModel, run: RunSettings, recorder: Recorder): RunResult {
  const started = performance.now();
  if (run.method === STEADY_METHOD) return simulateSteady(model, recorder, started);
  const method = findMethod(run.method);
  if (!method) throw new Error(`unknown method ${run.method}`);
  const n = model.ionCount;
  const perIon = new Float64Array(n);
  const state = new Float64Array(model.size);
  const threshold = run.stop?.netCurrentBelow ?? DEFAULT_CONVERGENCE_CURRENT;
  const writeRow = rowWriter(model, recorder);
  const hold = run.stop?.hold ?? 0;

  recorder.start(trajectoryColumns(model));
  const y0 = model.y0;
  model.setSegment(0);
  writeRow(0, y0);
  const recordTimes = new RecordTimes(run);
  let lastRecorded = 0;
  let belowSince: number | null = Math.abs(model.netCurrent(y0, perIon)) < threshold ? 0 : null;
  let minConcentration = model.layout.minConcentration(y0);
  let stoppedByRule = false;

  const ahead = new Float64Array(model.size);
  const behind = new Float64Array(model.size);
  /**
   * The state at t = tPrev + θ·h inside the last step. Where the step is long against the membrane
   * time constant, V is slaved to the concentrations and the interpolant's V error (≈ rtol·|V|)
   * would swamp V − E_rev; there V is taken instead as the root of C_m·dV/dt = −I_net(V, c), with
   * c and dV/dt from the interpolant (both smooth on the slow scale), so that I_net stays right.
   */
  const stateAt = (stepper: Stepper, theta: number, h: number, out: Float64Array) => {
    stepper.interpolate(theta, out);
    if (model.clamp) return; // V is the command, not a dynamic variable
    const slope = model.slopeConductance(out, perIon);
    if (!(h * slope > 10 * model.capacitance)) return;
    const d = 1e-4;
    stepper.interpolate(Math.min(1, theta + d), ahead);
    stepper.interpolate(Math.max(0, theta - d), behind);
    const dVdt = (ahead[0]! - behind[0]!) / ((Math.min(1, theta + d) - Math.max(0, theta - d)) * h);
    const target = -model.capacitance * dVdt;
    const v = findRootOfIncreasing((V) => model.netCurrentAt(V, out, perIon) - target, out[0]! - 1e-3, out[0]! + 1e-3, 10, 1e-15);
    if (Number.isFinite(v)) out[0] = v;
  };
  const netAt = (stepper: Stepper, theta: number, h: number) => {
    stateAt(stepper, theta, h, state);
    return Math.abs(model.netCurrent(state, perIon)) - threshold;
  };

  let stepsBeforeFailure = 0;
  // stochastic runs: V and I_net of every recorded row, for the window statistics and stop rule
  const stochastic = model.markov.count > 0 || model.scenario.channels.some((c) => c.stochastic);
  const rowT: number[] = [];
  const rowV: number[] = [];
  const rowI: number[] = [];
  const window = run.stop?.window ?? 0.1 * run.duration;
  let windowStop = false;
  const noteRow = (tr: number, y: Float64Array) => {
    if (!stochastic) return;
    rowT.push(tr);
    rowV.push(model.voltageOf(tr, y));
    rowI.push(model.netCurrent(y, perIon));
    if (run.stop && tr >= window) {
      let sum = 0;
      let count = 0;
      for (let i = rowT.length - 1; i >= 0 && rowT[i]! >= tr - window; i--) {
        sum += rowI[i]!;
        count++;
      }
      if (Math.abs(sum / count) < threshold) windowStop = true;
    }
  };
  /**
   * After each accepted step: rows at the record times up to tLimit (the step's end, or an event
   * inside it), interpolated over the step [tPrev, tStepEnd]; then the stop rule.
   */
  const observe = (tPrev: number, t: number, y: Float64Array, stepper: Stepper, tStepEnd = t): boolean => {
    stepsBeforeFailure = stepper.stats.steps;
    for (;;) {
      const tr = recordTimes.peek();
      if (tr > t * (1 + 1e-12)) break;
      if (tr >= t) {
        writeRow(t, y);
        noteRow(t, y);
      } else {
        stateAt(stepper, (tr - tPrev) / (tStepEnd - tPrev), tStepEnd - tPrev, state);
        writeRow(tr, state);
        noteRow(tr, state);
      }
      lastRecorded = Math.min(tr, t);
      recordTimes.advance();
    }
    if (stochastic) {
      if (windowStop) stoppedByRule = true;
      return windowStop;
    }
    const least = model.layout.minConcentration(y);
    if (least < minConcentration) minConcentration = least;
    // I_net = −C_m·dV/dt, and f at the step's end is already known: no extra current evaluation
    const below = Math.abs(model.capacitance * stepper.endDerivative[0]!) < threshold;
    if (!below) belowSince = null;
    else if (belowSince === null) {
      // when within the step did |I_net| cross the threshold? (dense output, bracketed root)
      const h = t - tPrev;
      const theta = netAt(stepper, 0, h) > 0 ? findRootBracketed((th) => netAt(stepper, th, h), 0, 1, 1e-9) : 0;
      belowSince = Number.isFinite(theta) ? tPrev + theta * (t - tPrev) : t;
    }
    if (run.stop && belowSince !== null && t - belowSince >= hold) {
      stoppedByRule = true;
      return true;
    }
    return false;
  };

  const control = {
    rtol: run.rtol,
    atol: run.atol,
    dt: run.dt,
    hMin: 1e-15 * Math.max(1, run.duration),
    hMax: run.duration,
    maxSteps: run.maxSteps,
  };
  const langevin = model.scenario.channels.some((c) => c.stochastic?.noise === "langevin");
  let result: ReturnType<typeof integrate>;
  let failure: string | undefined;
  try {
    result = langevin
      ? integrateLangevin(model, run, observe)
      : model.markov.count > 0
        ? integrateWithEvents(model, method, control, run, observe)
        : integrate(model.problem(run.duration), method, control, observe);
  } catch (e) {
    if (!(e instanceof IntegrationError)) {
      recorder.abort();
      throw e;
    }
    // a numerical failure is a result too: the run up to its last good state, and why it stopped
    failure = e.message;
    result = { t: e.lastGood?.t ?? 0, y: e.lastGood?.y ?? Float64Array.from(y0), stoppedByObserver: false, stats: { steps: stepsBeforeFailure, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 } };
  }
  if (lastRecorded < result.t) writeRow(result.t, result.y);
  recorder.finish();
  // under a clamp the state's V entry is not the membrane voltage: the command is
  const yEnd = Float64Array.from(result.y);
  yEnd[model.layout.V] = model.voltageOf(result.t, result.y);
  const netEnd = model.netCurrent(yEnd, perIon);
  return {
    tEnd: result.t,
    yEnd,
    stopReason: failure ? "failed" : stoppedByRule ? "net-current-below" : "duration",
    // under a clamp V does not relax: there is nothing to converge
    // stochastic runs converge in the mean: when the window's average met the threshold
    tConverged: model.clamp || failure ? null : stochastic ? (stoppedByRule ? result.t : null) : belowSince,
    converged: model.clamp || failure ? false : stochastic ? stoppedByRule : belowSince !== null,
    ...(failure ? { failure } : {}),
    netCurrentEnd: netEnd,
    reversalPotentialEnd: model.reversalPotential(result.y),
    minConcentration,
    invariants: invariantDrifts(model, y0, result.y, result.t),
    stats: { ...result.stats },
    method: langevin ? "euler-maruyama" : method.name,
    wallTime_ms: performance.now() - started,
    ...(stochastic ? { fluctuations: windowStatistics(rowT, rowV, rowI, result.t, window) } : {}),
  };
}

/** Mean and standard deviation of V (V) and I_net (A/m²) over the recorded rows of the final window. */
function windowStatistics(t: number[], V: number[], I: number[], tEnd: number, window: number): Fluctuations {
  const pick = (xs: number[]) => xs.filter((_, i) => t[i]! >= tEnd - window);
  const stats = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    return { mean, sd };
  };
  const v = stats(pick(V));
  const i = stats(pick(I));
  return { window, rows: pick(V).length, V_mean: v.mean, V_sd: v.sd, I_net_mean: i.mean, I_net_sd: i.sd };
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
 * Exact stochastic channels (Gillespie's direct method with time-dependent propensities): the
 * state carries Λ = ∫ a0 dt; an event happens when Λ reaches −ln(u). The driver is stopped on the
 * step that crosses it, the crossing time is found on the dense output, the transition chosen by
 * the propensities there is fired, and integration restarts from that time and state. Every
 * random number comes from seedrandom seeded with run.seed.
 */
function integrateWithEvents(
  model: MembraneModel,
  method: NonNullable<ReturnType<typeof findMethod>>,
  control: Parameters<typeof integrate>[2],
  run: RunSettings,
  observe: (tPrev: number, t: number, y: Float64Array, stepper: Stepper, tStepEnd?: number) => boolean,
): ReturnType<typeof integrate> {
  const random = seedrandom(`ionflux:events:${run.seed}`);
  const P = model.propensityIndex;
  const y = Float64Array.from(model.y0);
  const interpolated = new Float64Array(model.size);
  let t0 = 0;
  let threshold = -Math.log(1 - random());
  const totals = { steps: 0, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 };
  for (;;) {
    let event = false;
    let stoppedByRule = false;
    const result = integrate(model.problem(run.duration, t0, y), method, control, (tPrev, t, yStep, stepper) => {
      if (yStep[P]! < threshold) return observe(tPrev, t, yStep, stepper);
      const theta = findRootBracketed(
        (th) => {
          stepper.interpolate(th, interpolated);
          return interpolated[P]! - threshold;
        },
        0,
        1,
        1e-12,
      );
      stepper.interpolate(Number.isFinite(theta) ? theta : 1, interpolated);
      const tEvent = tPrev + (Number.isFinite(theta) ? theta : 1) * (t - tPrev);
      stoppedByRule = observe(tPrev, tEvent, interpolated, stepper, t);
      event = true;
      t0 = tEvent;
      y.set(interpolated);
      return true;
    });
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += result.stats[k];
    if (!event || stoppedByRule) return { ...result, stats: totals };
    model.setSegment(t0);
    model.markov.fire(model.voltageOf(t0, y), t0, random());
    y[P] = 0;
    threshold = -Math.log(1 - random());
    if (t0 >= run.duration) return { t: t0, y, stoppedByObserver: false, stats: totals };
  }
}

/**
 * Langevin channels (Fox & Lu 1994): each gate x of a population of N channels gets the noise
 * dx = (α(1 − x) − βx) dt + sqrt((α(1 − x) + βx)/N) dW, integrated by Euler–Maruyama at run.dt for
 * the whole state (gates clipped to [0, 1]). Normal deviates by Box–Muller from seedrandom.
 */
function integrateLangevin(
  model: MembraneModel,
  run: RunSettings,
  observe: (tPrev: number, t: number, y: Float64Array, stepper: Stepper) => boolean,
): ReturnType<typeof integrate> {
  const random = seedrandom(`ionflux:langevin:${run.seed}`);
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const g = model.gates;
  const noisy: { j: number; count: number }[] = [];
  for (let j = 0; j < g.count; j++) {
    const ch = model.scenario.channels[g.channel[j]!]!;
    if (ch.stochastic?.noise === "langevin") noisy.push({ j, count: ch.stochastic.count });
  }
  const n = model.size;
  const y = Float64Array.from(model.y0);
  const previous = new Float64Array(n);
  const f = new Float64Array(n);
  const stats = { steps: 0, rejectedSteps: 0, rhsEvaluations: 0, jacobianEvaluations: 0, luDecompositions: 0 };
  const stepper: Stepper = {
    stats,
    attempt: () => null,
    accept: () => {},
    reset: () => {},
    interpolate: (theta, out) => {
      for (let i = 0; i < n; i++) out[i] = previous[i]! + theta * (y[i]! - previous[i]!);
    },
    endDerivative: f,
  };
  const edges = [...model.problem(run.duration).breakpoints.filter((b) => b > 0 && b < run.duration), run.duration].sort((a, b) => a - b);
  let t = 0;
  for (const edge of edges) {
    model.setSegment(0.5 * (t + edge), t);
    const start = t;
    const steps = Math.max(1, Math.ceil((edge - start) / run.dt - 1e-9));
    // f at the piece's start; afterwards each step's f at its end serves the next step
    model.compiledRhs(t, y, f);
    stats.rhsEvaluations++;
    for (let k = 1; k <= steps; k++) {
      const tNext = k === steps ? edge : start + k * run.dt;
      const h = tNext - t;
      previous.set(y);
      for (let i = 0; i < n; i++) y[i]! += h * f[i]!;
      for (const { j, count } of noisy) {
        const i = model.layout.gates[j]!;
        const D = g.noiseIntensity(j, previous[0]!, t, previous[i]!);
        y[i] = Math.min(1, Math.max(0, y[i]! + Math.sqrt(Math.max(0, D) * h / count) * normal()));
      }
      if (!y.every(Number.isFinite) || !model.isAdmissible(y)) {
        const error = new IntegrationError(tNext, `${model.explain(y)}; dt = ${run.dt} s is too large for the Euler-Maruyama scheme of Langevin channels: try a smaller dt`);
        error.lastGood = { t, y: Float64Array.from(previous) };
        throw error;
      }
      stats.steps++;
      if (stats.steps > run.maxSteps) throw new IntegrationError(tNext, `more than ${run.maxSteps} steps (run.max-steps): raise it or use a larger dt`);
      const tPrev = t;
      t = tNext;
      model.compiledRhs(t, y, f);
      stats.rhsEvaluations++;
      if (observe(tPrev, t, y, stepper)) return { t, y, stoppedByObserver: true, stats };
    }
  }
  return { t, y, stoppedByObserver: false, stats };
}
