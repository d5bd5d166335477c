import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";

/**
 * Every failure names the quantity (issue 15 "Trust, round 2", item 5): a rate formula that
 * overflows or has no meaning where the run goes (beyond the -150..150 mV checked at load, or
 * where a concentration takes it) used to end the run with "V became NaN ...; try a smaller rtol",
 * which named neither the gate nor the field, and advised the wrong thing. After a failure the
 * terms of the model are evaluated once at the last good state (and at the first stage of the
 * failed step whose derivative turned non-finite), and the first that is not finite or out of its
 * range is named by the field path load-time messages use. A genuine numerical blow-up, where
 * every term is finite, keeps the old message with its rtol/dt advice. In each case: exit 1, one
 * line on stderr, the rows up to the failure kept.
 *
 * Deliberate bugs each test was shown to fail under (and pass again without):
 *  - MembraneModel.problem() without `diagnose`: every test that expects a name (7 of 9) gets the
 *    old "V became NaN ... try a smaller rtol"; the two blow-up tests still pass, as they must;
 *  - diagnoseFailure (solvers/diagnosis.ts) without re-attempting the failed step (the last
 *    accepted state only): the transporter test, whose flux is still finite there;
 *  - the re-attempt taking stages the problem refuses (no isAdmissible test): the rk4 blow-up
 *    names "channels[0] (k-leak) current is NaN ... K_in is -4623.59 mM" instead of the dt advice;
 *  - the channel's check of dx/dt's derivatives dropped (dx/dt itself kept): the bdf overflow
 *    test falls back (alpha is 2.6e305 1/ms there, finite, but ∂(dn/dt)/∂V overflows the Jacobian);
 *  - tau accepted when x >= 0 instead of x > 0: the tau = 0 test;
 *  - gate paths made from channel names, ignoring the paths validation recorded: every gate test
 *    (`channels.k-delayed.gates.n.alpha`; the open-rate one gets `channels.k-noisy.gates.o.alpha`);
 *  - transporter paths counted after the pumps (`transporters[3]`): the transporter test;
 *  - steady.ts computing eigenvalues of a Jacobian that is not finite: the steady case exits 70.
 */

const dir = () => mkdtempSync(join(tmpdir(), "ionflux-runtime-"));
const ionflux = (args: string[]) => spawnSync(process.execPath, ["bin/ionflux.js", ...args], { encoding: "utf8" });

/** Runs and checks the shape every failure must have: exit 1, one line, rows kept; returns the line. */
function failed(args: string[], file: string, name: string): string {
  const out = dir();
  const r = ionflux(["run", file, ...args, "--out", out]);
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  // a numerical failure keeps the trajectory up to its last good state
  const rows: string[][] = parse(readFileSync(join(out, `${name}.csv`), "utf8"));
  expect(rows.length).toBeGreaterThanOrEqual(2);
  const summary = JSON.parse(readFileSync(join(out, `${name}.summary.json`), "utf8"));
  expect(summary.stop_reason).toBe("failed");
  expect(summary.failure).toBe(lines[0]!.replace(/^ionflux: [^:]+: /, "").replace(/ \(the run up to then is in .*\)$/, ""));
  return lines[0]!;
}

const write = (name: string, text: string) => {
  const file = join(dir(), `${name}.yaml`);
  writeFileSync(file, text);
  return file;
};

// n's opening rate as exp(V/2): finite on -150..150 mV (3.7e30 1/ms at 150 mV), Infinity above 1419 mV
const HH = "sims/hh-squid-train.yaml";
const OVERFLOWING_N = 'channels.k-delayed.gates.n={power: 4, alpha: "0.01*exp(V/2)", beta: "0.125*exp(-(V+65)/80)"}';
// 10 A/cm^2 into 1 uF/cm^2: V rises 1 V per microsecond
const HUGE_STIMULUS = "stimulus=[{start: 1 ms, duration: 5 ms, amplitude: 1000000 uA/cm^2}]";

describe("a gate rate that overflows at run time is named, with where and what to do", () => {
  it("bdf: channels[1].gates.n.alpha, too large for dn/dt beyond 1.4 V (outside the load scan); no rtol advice", () => {
    const line = failed(["--set", OVERFLOWING_N, "--set", HUGE_STIMULUS, "--set", "run.duration=10ms"], HH, "hh-squid-train");
    expect(line).toMatch(
      /integration failed at t = 0\.00100\d+ s: channels\[1\]\.gates\.n\.alpha is [\d.]+e\+30\d 1\/ms at V = 14\d\d(\.\d+)? mV, t = 1\.00\d+ ms \(outside the -150\.\.150 mV checked at load\): so large that dn\/dt \(or its derivative\) overflows; bound it \(e\.g\. min\(\.\.\., 1e3\)\)/,
    );
    expect(line).not.toMatch(/rtol|became NaN/);
  });

  it("euler: the last good state is at 1939 mV, where alpha is Infinity", () => {
    const line = failed(["--set", OVERFLOWING_N, "--set", HUGE_STIMULUS, "--set", "run.duration=10ms", "--set", "run.method=euler", "--set", "run.dt=0.001ms"], HH, "hh-squid-train");
    expect(line).toMatch(/channels\[1\]\.gates\.n\.alpha is Infinity at V = 1939\.\d+ mV, t = 1\.002 ms \(outside the -150\.\.150 mV checked at load\): the formula overflows there; bound it/);
    expect(line).not.toMatch(/dt = .* too large/);
  });

  it("initial.voltage 2 V (allowed up to 10 V): Infinity at the very start", () => {
    const line = failed(["--set", OVERFLOWING_N, "--set", "initial.voltage=2V", "--set", "run.duration=10ms"], HH, "hh-squid-train");
    expect(line).toMatch(/integration failed at t = 0 s: channels\[1\]\.gates\.n\.alpha is Infinity at V = 2000 mV, t = 0 ms \(outside/);
  });

  it("a stochastic channel's open-rate (Langevin and exact): channels[0].open-rate", () => {
    for (const file of ["sims/k-noise-large.yaml", "sims/k-noise-small.yaml"]) {
      const name = file.replace(/^sims\/|\.yaml$/g, "");
      const line = failed(["--set", "channels.k-noisy.open-rate=0.3*exp(V/2)", "--set", "initial.voltage=1500mV", "--set", "run.duration=20ms"], file, name);
      expect(line, file).toMatch(/: channels\[0\]\.open-rate is Infinity at V = 1500 mV, t = 0 ms .*the formula overflows there/);
    }
  });
});

/** A K+ cell with one inf/tau gate whose tau formula is `tau`, then `tail` (initial state, clamp, run). */
const tauCell = (name: string, tau: string, tail: string) => `name: ${name}
temperature: 37 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 140 mM, outside: 5 mM }
channels:
  - name: k-slow
    ion: K
    conductance: 1 mS/cm^2
    gates:
      w: { power: 1, inf: "1/(1+exp(-(V+30)/10))", tau: "${tau}" }
${tail}`;

/** tau positive on -150..150 mV (so it loads), zero from 200 mV up. */
const TAU_ZERO = tauCell("tau-zero", "max(0, 5 - V/40)", "initial: { voltage: 300 mV }\nrun: { duration: 50 ms, record-every: 0.1 ms }\n");

/** tau = 5 - V/40 ms: positive on the load scan, -2.5 ms at the clamp's 300 mV. */
const TAU_NEGATIVE = tauCell("tau-negative", "5 - V/40", "clamp:\n  holding: -70 mV\n  steps:\n    - { at: 1 ms, to: 300 mV }\nrun: { duration: 20 ms, record-every: 0.1 ms }\n");

describe("an inf/tau gate whose tau has no meaning where the run goes (beyond the load scan)", () => {
  it("tau = 0 at the initial 300 mV: named, for bdf and for the steady solver (which crashed, exit 70)", () => {
    const file = write("tau-zero", TAU_ZERO);
    const tau = /channels\[0\]\.gates\.w\.tau is 0 ms at V = 300 mV(, t = 0 ms)? \(outside the -150\.\.150 mV checked at load\): a time constant must be positive .*keep it positive there \(e\.g\. max\(\.\.\., 0\.01\)\)/;
    const bdf = failed([], file, "tau-zero");
    expect(bdf).toMatch(/integration failed at t = 0 s: /);
    expect(bdf).toMatch(tau);
    const steady = failed(["--set", "run.method=steady"], file, "tau-zero");
    expect(steady).toMatch(/: no steady state found: channels\[0\]\.gates\.w\.tau is 0 ms at V = 300 mV \(outside/);
    expect(steady).toMatch(tau);
  });

  it("tau = -2.5 ms under a clamp step to 300 mV: the gate runs away (below zero), the tau is named (bdf, rk4)", () => {
    const file = write("tau-negative", TAU_NEGATIVE);
    for (const method of ["bdf", "rk4"]) {
      const line = failed(["--set", `run.method=${method}`, "--set", "run.dt=0.01ms"], file, "tau-negative");
      expect(line, method).toMatch(/integration failed at t = 0\.0010\d* s: channels\[0\]\.gates\.w\.tau is -2\.5 ms at V = 300 mV, t = 1\.0\d* ms \(outside the -150\.\.150 mV checked at load\): a time constant must be positive/);
      expect(line, method).not.toMatch(/state was refused|rtol|dt = /);
    }
  });
});

describe("a transporter flux formula that becomes NaN where a concentration takes it", () => {
  // ca-activated-k's Ca2+ handling plus an extrusion written for Ca_in above 50 nM; an electrode drains Ca2+ below that
  const sets = [
    "--set",
    'transporters=[{name: pmca, type: pmca}, {name: ncx, type: ncx}, {name: ca-out, stoichiometry: {Ca: 1}, kinetics: formula, flux: "2 * sqrt(Ca_in - 0.00005)"}]',
    "--set",
    "stimulus=[{name: drain, start: 10 ms, duration: 1 s, amplitude: -3 uA/cm^2, carried-by: Ca}]",
    "--set",
    "run.duration=2s",
  ];
  it("bdf, rk45, euler: transporters[2].flux is NaN at Ca_in just below 0.00005 mM (the pump before it in the list does not shift the index)", () => {
    for (const method of ["bdf", "rk45", "euler"]) {
      const line = failed([...sets, "--set", `run.method=${method}`, "--set", "run.dt=0.01ms"], "sims/ca-activated-k.yaml", "ca-activated-k");
      expect(line, method).toMatch(
        /integration failed at t = 0\.011\d* s: transporters\[2\]\.flux is NaN at V = -89\.\d+ mV, Ca_in = 0\.00004\d+ mM, t = 11\.1\d* ms: the formula is undefined there \(0\/0, the log or sqrt of a negative number, Infinity - Infinity\); make it defined there/,
      );
      expect(line, method).not.toMatch(/became NaN|rtol|dt = /);
    }
  });
});

/** A K+ channel that opens at t = 1 ms with a conductance euler and rk4 at dt = 10 us cannot step: every term stays finite. */
const BLOW_UP = `name: blow-up
temperature: 37 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 140 mM, outside: 5 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.5 mS/cm^2 }
  - name: k-big
    ion: K
    conductance: 1000 mS/cm^2
    gates:
      o: { power: 1, inf: "t < 1 ? 0 : 1", tau: "0.01" }
initial: { voltage: -60 mV }
run: { method: euler, dt: 0.01 ms, duration: 5 ms, record-every: 0.01 ms }
`;

/** An electrode pulls K+ out until it is gone (failure.test.ts's drain), next to a gated channel whose terms stay finite. */
const DRAIN = `name: drain
temperature: 37 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  K: { charge: 1, inside: 1 mM, outside: 5 mM }
  A: { charge: -1, inside: 1 mM, outside: 5 mM }
channels:
  - name: a-gated
    ion: A
    conductance: 0.1 mS/cm^2
    gates:
      g: { power: 1, alpha: "0.1*exp(V/50)", beta: "0.1" }
stimulus:
  - { start: 1 ms, duration: 1 s, amplitude: -200 uA/cm^2, carried-by: K }
initial: { voltage: -70 mV }
run: { duration: 2 s }
`;

describe("a genuine numerical blow-up (every term finite) keeps the rtol/dt advice", () => {
  it("euler and rk4 past their stability limit once the big channel opens: dt advice, no field named", () => {
    const file = write("blow-up", BLOW_UP);
    const euler = failed([], file, "blow-up");
    expect(euler).toMatch(/integration failed at t = 0\.00108 s: K_in went below zero \(-\d+\.\d+ mM\); dt = 0\.00001 s is too large for this fixed-step method: try a smaller dt or the stiff method bdf/);
    const rk4 = failed(["--set", "run.method=rk4"], file, "blow-up");
    expect(rk4).toMatch(/integration failed at t = 0\.00104\d* s: V became NaN mV; dt = 0\.00001 s is too large for this fixed-step method: try a smaller dt or the stiff method bdf/);
    for (const line of [euler, rk4]) expect(line).not.toMatch(/channels\[|gates\.|formula/);
  });

  it("bdf on an ion running out: the step size underflows, with today's words and rtol advice", () => {
    const line = failed([], write("drain", DRAIN), "drain");
    expect(line).toMatch(/integration failed at t = 0\.0814\d* s: step size underflow \(h = .* s\): K_in went below zero \(.* mM\); the model may have no valid continuation here \(e\.g\. an ion running out\); otherwise try a smaller rtol/);
  });
});
