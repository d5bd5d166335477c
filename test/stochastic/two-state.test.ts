import { describe, expect, it } from "vitest";
import { clampedScenario, runClamped, seriesFrom } from "./clamped.js";
import { autocorrelation, binarySumErrors, correlationTime, correlationTimeError, expectWithin, gaussianErrors, sampleOf } from "./theory.js";

/**
 * Statistics as the oracle: N two-state channels (open at α, close at β) under a voltage clamp,
 * so the rates are constant and the open count is a birth-death process with mean N p, variance
 * N p (1 − p) and autocorrelation exp(−|u|/τ), τ = 1/(α + β), p = α/(α + β).
 *
 * Every bound is 4 standard errors, and every standard error comes from that theory (theory.ts),
 * with the number of independent samples the correlation time allows (about T/2τ for a mean), not
 * from the data. The runs are long enough that a 10% error in the Gillespie clock (every rate
 * ×0.9, so τ → τ/0.9) or in the Langevin noise amplitude (SD ×0.9) is many standard errors out.
 * The z-scores in the comments are those of the runs here (seed 3); IONFLUX_STATS=1 prints them.
 * Shown to fail: the event threshold −ln(u) in events.ts divided by 0.9 (τ +9.7 SE, α and β −22 SE),
 * multiplied by 0.9 (τ −5.0 SE, α and β +24 SE), markov.ts's rates ×0.9 (as the first); the Langevin
 * increment ×0.9 (SD −8.5 to −10.8 SE) and ×1.1 (SD +6.6 to +9.4 SE).
 */
const ALPHA = 0.3; // 1/ms
const BETA = 0.7;
const P = ALPHA / (ALPHA + BETA);
const TAU = 1 / (ALPHA + BETA); // ms
const DT = 0.2; // ms between records
const SKIP = 10; // ms: the start is drawn from the equilibrium; skip 10 τ anyway

const show = (label: string, z: number) => {
  if (process.env.IONFLUX_STATS) console.log(`${label}: z = ${z.toFixed(2)}`);
};
const channel = (name: string, N: number, noise: "exact" | "langevin") =>
  `{ name: ${name}, ion: K, conductance: 0.001 mS/cm^2, stochastic: true, count: ${N}, noise: ${noise}, open-rate: "${ALPHA}", close-rate: "${BETA}" }`;

describe("two-state channels under a clamp, exact (Gillespie)", () => {
  // N = 20 channels for 12 s = 12000 τ, about 100k events (≈2 s). Few channels on purpose: the
  // relative errors of the variance and of τ depend on T/τ, not on N, and the time on N·T.
  const N = 20;
  const T = 12_000; // ms
  it("open count mean N p, variance N p (1 - p), correlation time 1/(alpha + beta); opening and closing rates alpha and beta", () => {
    const run = runClamped(clampedScenario([channel("ch", N, "exact")], { duration_ms: T, recordEvery_ms: DT, dt: "1 ms", method: "rk45", seed: 3 }), SKIP);
    const x = seriesFrom(run, "ch.open", SKIP, DT).map((f) => f * N);
    const s = sampleOf(x);
    const single = (u: number) => P * (1 - P) * Math.exp(-u / TAU);
    const se = binarySumErrors(single, P, N, DT, s.n);
    // mean: 4 SE of the mean of n = 59950 correlated samples, SE = σ sqrt(2τ/T) ≈ 0.44% of N p; z = −0.02
    show("exact mean", expectWithin("open count mean", s.mean, N * P, se.mean));
    // variance: 4 SE of the sample variance (binary fourth moments), SE ≈ 1.3% of N p (1 − p); z = 1.37
    show("exact variance", expectWithin("open count variance", s.variance, N * P * (1 - P), se.variance));
    // correlation time from the lag-0.2 ms autocorrelation: 4 SE (Bartlett), SE ≈ 1.4% of τ, so the
    // bound is ±5.7% and a clock 10% slow (τ/0.9, +11%) fails; z = 1.88
    const tau = correlationTime(autocorrelation(x, 1, s), DT);
    show("exact tau", expectWithin("correlation time [ms]", tau, TAU, correlationTimeError(TAU, DT, s.n)));
    // The clock itself: openings per ms of closed-channel time is α, closings per ms of open time β.
    // Given the time spent, the count is Poisson (a counting process with that compensator), so
    // SE = sqrt(rate/time) ≈ 0.45% of α and 0.46% of β: a 10% clock error is 20 SE out; z = −0.31, −0.20
    const tr = run.transitions[0]!;
    const rate = (from: number, to: number, theory: number, label: string) => {
      const time = tr.occupancy[from]!;
      show(label, expectWithin(label, (tr.counts.get(`${from}>${to}`) ?? 0) / time, theory, Math.sqrt(theory / time)));
    };
    rate(0, 1, ALPHA, "opening rate alpha [1/ms]");
    rate(1, 0, BETA, "closing rate beta [1/ms]");
    // and nothing but single openings and closings
    expect([...tr.counts.keys()].sort()).toEqual(["0>1", "1>0"]);
  }, 60_000);
});

describe("two-state channels under a clamp, Langevin", () => {
  // N = 100, 400 and 1600 channels in one clamped cell (each its own noise) for 4 s = 4000 τ,
  // 800k Euler–Maruyama steps of 5 µs (≈2 s). The Euler–Maruyama chain is an AR(1) with
  // φ = 1 − h/τ per step: its stationary variance is σ²/(1 − h/2τ) (0.25% above σ² here) and its
  // correlation time −h/ln(1 − h/τ); theory below is that chain's, exactly.
  const Ns = [100, 400, 1600];
  const T = 4_000; // ms
  const h = 5e-3; // ms
  const tauEM = -h / Math.log(1 - h / TAU);
  it("open fraction mean p, SD sqrt(p (1 - p) / N) scaling as 1/sqrt(N), correlation time 1/(alpha + beta)", () => {
    const text = clampedScenario(
      Ns.map((N, i) => channel(`c${i}`, N, "langevin")),
      { duration_ms: T, recordEvery_ms: DT, dt: `${h} ms`, seed: 3 },
    );
    const run = runClamped(text, SKIP);
    const sd: { value: number; relativeError: number }[] = [];
    Ns.forEach((N, i) => {
      const x = seriesFrom(run, `c${i}.o`, SKIP, DT);
      const s = sampleOf(x);
      const variance = (P * (1 - P)) / N / (1 - h / (2 * TAU));
      const se = gaussianErrors((u) => variance * Math.exp(-u / tauEM), DT, s.n);
      // mean: 4 SE, SE = σ sqrt(2τ/T) ≈ 0.34%, 0.17%, 0.08% of p; z = 0.12, −1.75, 2.07
      show(`langevin N=${N} mean`, expectWithin(`N = ${N}: open fraction mean`, s.mean, P, se.mean));
      // SD: 4 SE, SE(SD) = SE(s²)/2σ ≈ 1.1% of σ (sqrt(τ/2T)), so the bound is ±4.5% and a noise
      // amplitude 10% off is 9 SE out; z = 0.44, −2.09, −0.82
      const sdTheory = Math.sqrt(variance);
      const sdError = se.variance / (2 * sdTheory);
      show(`langevin N=${N} sd`, expectWithin(`N = ${N}: open fraction SD`, Math.sqrt(s.variance), sdTheory, sdError));
      sd.push({ value: Math.sqrt(s.variance), relativeError: sdError / sdTheory });
      // correlation time: 4 SE (Bartlett), SE ≈ 2.5% of τ; z = 0.61, −1.36, −1.27
      const tau = correlationTime(autocorrelation(x, 1, s), DT);
      show(`langevin N=${N} tau`, expectWithin(`N = ${N}: correlation time [ms]`, tau, tauEM, correlationTimeError(tauEM, DT, s.n)));
    });
    // 1/sqrt(N): SD(N)/SD(4N) = 2, to 4 SE of the ratio of two independent SDs (≈1.6%); z = 1.83, −0.91
    for (let i = 0; i + 1 < Ns.length; i++) {
      const ratio = sd[i]!.value / sd[i + 1]!.value;
      const theory = Math.sqrt(Ns[i + 1]! / Ns[i]!);
      const se = theory * Math.hypot(sd[i]!.relativeError, sd[i + 1]!.relativeError);
      show(`langevin ratio ${Ns[i]}/${Ns[i + 1]}`, expectWithin(`SD(N = ${Ns[i]})/SD(N = ${Ns[i + 1]})`, ratio, theory, se));
    }
  }, 60_000);
});
