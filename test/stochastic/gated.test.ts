import { beforeAll, describe, expect, it } from "vitest";
import { type ClampedRun, clampedScenario, runClamped, seriesFrom, type Transitions } from "./clamped.js";
import { binarySumErrors, binomial, expectWithin, integral, sampleOf, subunitTransition } from "./theory.js";

/**
 * The gated multi-state scheme, simulated exactly: a channel m³h (three m subunits and one h,
 * independent two-state subunits, open when all four are) is an 8-state Markov chain, state
 * (k open m subunits, j open h). Under a voltage clamp its rates are constant and theory is exact:
 * - at equilibrium the states are distributed as B(3, m∞)·B(1, h∞), so the open probability is
 *   p = m∞³h∞ and N channels have an open count of mean N p and variance N p (1 − p);
 * - the transitions are single subunit moves at k → k+1: (3 − k)αm, k → k−1: k βm,
 *   j = 0 → 1: αh, j = 1 → 0: βh (the multiplicities (3 − k) and k: any of the closed, or open,
 *   subunits may move).
 *
 * The rates are constants rather than HH's at a clamped V: at any V the HH sodium channel has
 * p = m∞³h∞ ≤ 0.0076 (at −30 mV), which would need ~10⁶ events for these statistics; here
 * m∞ = h∞ = 0.6 (p = 0.13) and the rarest state still holds 2.6% of the time. The scheme, the
 * state counting and the event loop are the same code whatever the rate formulas.
 *
 * Bounds: 4 standard errors, each from theory (theory.ts), z-scores from this run (seed 3) in
 * the comments; IONFLUX_STATS=1 prints them. Shown to fail: the opening multiplicity (3 − k)
 * dropped to min(1, 3 − k) in markov.ts (open mean −32 SE, state 0's time +117 SE, 3αm −78 SE),
 * the closing one k to min(1, k), and the clock 10% slow (3αm −6.2 SE, dwell +6.7 SE).
 */
const AM = 0.6; // 1/ms
const BM = 0.4;
const AH = 0.3;
const BH = 0.2;
const M = AM / (AM + BM);
const H = AH / (AH + BH);
const P = M ** 3 * H;
const N = 20;
const T = 4_000; // ms: 4000 τm, 2000 τh; about 130k events (≈2 s)
const DT = 0.2; // ms between records
const SKIP = 20; // ms

const show = (label: string, z: number) => {
  if (process.env.IONFLUX_STATS) console.log(`${label}: z = ${z.toFixed(2)}`);
};

/** One channel's open indicator: Cov(O(0), O(u)) = p·P(m open at u | open at 0)³·P(h open at u | open at 0) − p². */
const openCovariance = (u: number) => P * (M + (1 - M) * Math.exp(-(AM + BM) * u)) ** 3 * (H + (1 - H) * Math.exp(-(AH + BH) * u)) - P * P;

describe("a gated channel m3h simulated exactly under a clamp", () => {
  const text = clampedScenario(
    [`{ name: na, ion: K, conductance: 0.001 mS/cm^2, stochastic: true, count: ${N}, noise: exact, gates: { m: { power: 3, alpha: "${AM}", beta: "${BM}" }, h: { power: 1, alpha: "${AH}", beta: "${BH}" } } }`],
    { duration_ms: T, recordEvery_ms: DT, dt: "1 ms", method: "rk45", seed: 3 },
  );
  let run: ClampedRun;
  let tr: Transitions;
  beforeAll(() => {
    run = runClamped(text, SKIP);
    tr = run.transitions[0]!;
    if (process.env.IONFLUX_STATS) console.log(`run: ${run.wall_ms.toFixed(0)} ms`);
  });
  // state index k + 4j: the m gate's digit first (markov.ts's mixed radix)
  const states = Array.from({ length: 8 }, (_, s) => ({ s, k: s % 4, j: Math.floor(s / 4) }));

  it("the open count: mean N m^3 h, variance N p (1 - p) (binomial)", () => {
    const x = seriesFrom(run, "na.open", SKIP, DT).map((f) => f * N);
    const s = sampleOf(x);
    const se = binarySumErrors(openCovariance, P, N, DT, s.n);
    // 4 SE of the mean of 19900 correlated samples: SE ≈ 1.2% of N p = 2.59; z = −0.59
    show("open mean", expectWithin("open count mean", s.mean, N * P, se.mean));
    // 4 SE of the sample variance (binary fourth moments): SE ≈ 2.1% of N p (1 − p) = 2.26; z = −0.47
    show("open variance", expectWithin("open count variance", s.variance, N * P * (1 - P), se.variance));
  });

  it("the time in each of the 8 states: B(3, m) B(1, h)", () => {
    // the fraction of channel-time in state s over T, 4 SE: Var = (2/N T) ∫ π_s (P_ss(u) − π_s) du,
    // P_ss from the subunits' two-state transition probabilities; SE 0.75–2.4% of π_s; |z| ≤ 1.84
    for (const { s, k, j } of states) {
      const pi = binomial(3, k, M) * binomial(1, j, H);
      const returns = (u: number) => pi * (subunitTransition(3, k, k, AM, BM, u) * subunitTransition(1, j, j, AH, BH, u) - pi);
      const se = Math.sqrt((2 * integral(returns, 40)) / (N * tr.span));
      show(`occupancy ${s}`, expectWithin(`fraction of time with ${k} m and ${j} h open`, tr.occupancy[s]! / (N * tr.span), pi, se));
    }
  });

  it("every transition rate, the opening multiplicities (3 - k) alpha_m included, and the mean dwell time when fully closed", () => {
    // transitions from state s to t per channel-ms spent in s: given the time spent, the count is
    // Poisson, SE = sqrt(rate/time) (0.8–4.0% of the rate here), 4 SE each; |z| ≤ 2.85
    let moves = 0;
    for (const { s, k, j } of states) {
      const out: [number, number, string][] = [];
      if (k < 3) out.push([s + 1, (3 - k) * AM, `${3 - k} alpha_m`]);
      if (k > 0) out.push([s - 1, k * BM, `${k} beta_m`]);
      out.push(j === 0 ? [s + 4, AH, "alpha_h"] : [s - 4, BH, "beta_h"]);
      for (const [to, rate, name] of out) {
        const time = tr.occupancy[s]!;
        show(`rate ${s}>${to}`, expectWithin(`rate from (${k} m, ${j} h open) to state ${to}, ${name} [1/ms]`, (tr.counts.get(`${s}>${to}`) ?? 0) / time, rate, Math.sqrt(rate / time)));
        moves++;
      }
    }
    expect(moves).toBe(20);
    // no other transitions: every event moves one subunit
    let all = 0;
    for (const [key, n] of tr.counts) {
      const [from, to] = key.split(">").map(Number) as [number, number];
      expect([1, 4], `transition ${key}`).toContain(Math.abs(from - to));
      all += n;
    }
    // the mean dwell time in the fully closed state (0 m, 0 h): 1/(3 alpha_m + alpha_h) = 0.476 ms;
    // SE = dwell/sqrt(number of exits) (an exponential's mean; 1.5%); z = 0.03
    const exits = (tr.counts.get("0>1") ?? 0) + (tr.counts.get("0>4") ?? 0);
    const dwell = 1 / (3 * AM + AH);
    show("dwell closed", expectWithin("mean dwell time fully closed [ms]", tr.occupancy[0]! / exits, dwell, dwell / Math.sqrt(exits)));
    expect(all).toBeGreaterThan(100_000);
  });
});
