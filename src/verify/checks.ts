import { MembraneModel } from "../model/membraneModel.js";
import { findRootBracketed } from "../numerics/roots.js";
import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "../physics/constants.js";
import { MemoryRecorder } from "../recording/types.js";
import { parseScenario } from "../scenario/load.js";
import { parseOverride } from "../scenario/overrides.js";
import { simulate } from "../simulation/simulate.js";
import { METHODS, findMethod } from "../solvers/registry.js";

/** One line of `ionflux verify`: what a closed form says, what the simulator gives, and the bar. */
export interface CheckResult {
  readonly name: string;
  readonly expected: number;
  readonly obtained: number;
  readonly unit: string;
  readonly tolerance: number;
  readonly passed: boolean;
}

const cell = (extra: string) => `name: verify
temperature: 37 degC
cell: { shape: sphere, radius: 5 um, capacitance: 1 uF/cm^2 }
${extra}`;

function run(text: string, sets: string[] = []) {
  const scenario = parseScenario(text, "verify", sets.map(parseOverride));
  const model = new MembraneModel(scenario);
  const result = simulate(model, scenario.run, new MemoryRecorder());
  return { scenario, model, result, V: result.yEnd[model.layout.V]! };
}

const conc = (model: MembraneModel, y: Float64Array, ion: string) => {
  const k = model.ionNames.indexOf(ion);
  return { in: y[model.layout.cIn[k]!]!, out: y[model.layout.cOut[k]!]! };
};

const check = (name: string, expected: number, obtained: number, unit: string, tolerance: number): CheckResult => ({
  name,
  expected,
  obtained,
  unit,
  tolerance,
  passed: Math.abs(obtained - expected) <= tolerance,
});

/** Nernst with the capacitor's charge taken from the inside (one permeant ion, clamped bath). */
function nernstWithCapacitor(): CheckResult {
  const { scenario, model, V } = run(cell(`bath: { clamped: true }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  A: { charge: -1, inside: 140 mM, outside: 5 mM }
channels: [{ ion: K, conductance: 0.5 mS/cm^2 }]
initial: { voltage: 0 mV }
run: { duration: 1 s, stop: { net-current-below: 1e-7 uA/cm^2 } }`));
  const rtf = (R * scenario.temperature) / F;
  const q = scenario.cell.capacitance * model.area;
  const kin = (v: number) => 140 + (q * v) / (F * model.volumeIn);
  const expected = findRootBracketed((v) => v - rtf * Math.log(5 / kin(v)), -0.2, 0.1, 1e-15);
  return check("Nernst potential, capacitor charge from the inside", expected * 1e3, V * 1e3, "mV", 0.01);
}

/** The GHK voltage equation (three monovalent GHK channels). */
function ghkVoltage(): CheckResult {
  const { scenario, model, result, V } = run(`name: verify
temperature: 6.3 degC
cell: { shape: sphere, radius: 250 um }
bath: { clamped: true }
ions:
  K:  { charge: 1,  inside: 400 mM, outside: 20 mM }
  Na: { charge: 1,  inside: 50 mM,  outside: 440 mM }
  Cl: { charge: -1, inside: 52 mM,  outside: 560 mM }
channels:
  - { ion: K,  permeability: 1e-6 cm/s }
  - { ion: Na, permeability: 4e-8 cm/s }
  - { ion: Cl, permeability: 4.5e-7 cm/s }
initial: { voltage: -40 mV }
run: { duration: 10 s, stop: { net-current-below: 1e-4 uA/cm^2 } }`);
  const [k, na, cl] = ["K", "Na", "Cl"].map((x) => conc(model, result.yEnd, x)) as [{ in: number; out: number }, { in: number; out: number }, { in: number; out: number }];
  const expected = ((R * scenario.temperature) / F) * Math.log((1e-8 * k.out + 4e-10 * na.out + 4.5e-9 * cl.in) / (1e-8 * k.in + 4e-10 * na.in + 4.5e-9 * cl.out));
  return check("GHK voltage equation (squid axon, Hodgkin & Katz)", expected * 1e3, V * 1e3, "mV", 0.01);
}

/** The chord-conductance average of the Nernst potentials (ohmic leaks). */
function chordConductance(): CheckResult {
  const { scenario, model, result, V } = run(cell(`bath: { clamped: true }
ions:
  Na: { charge: 1,  inside: 12 mM,  outside: 145 mM }
  K:  { charge: 1,  inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 7 mM,   outside: 110 mM }
channels:
  - { ion: Na, conductance: 0.03 mS/cm^2 }
  - { ion: K,  conductance: 0.5 mS/cm^2 }
  - { ion: Cl, conductance: 0.1 mS/cm^2 }
initial: { voltage: -50 mV }
run: { duration: 1 s, stop: { net-current-below: 1e-4 uA/cm^2 } }`));
  const rtf = (R * scenario.temperature) / F;
  const e = (ion: string, z: number) => {
    const c = conc(model, result.yEnd, ion);
    return (rtf / z) * Math.log(c.out / c.in);
  };
  const expected = (0.3 * e("Na", 1) + 5 * e("K", 1) + 1 * e("Cl", -1)) / 6.3;
  return check("chord conductance (ohmic leaks)", expected * 1e3, V * 1e3, "mV", 0.01);
}

/** Donnan equilibrium with a finite bath and impermeant anions inside. */
function donnan(): CheckResult {
  const { scenario, model, V } = run(cell(`bath: { volume: 2 pL }
ions:
  K:  { charge: 1,  inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 10 mM,  outside: 150 mM }
  A:  { charge: -1, inside: 130 mM, outside: 0 mM }
  Na: { charge: 1,  inside: 0 mM,   outside: 146 mM }
channels:
  - { ion: K,  conductance: 0.3 mS/cm^2 }
  - { ion: Cl, conductance: 0.1 mS/cm^2 }
initial: { voltage: -70 mV }
run: { duration: 24 h, record-every: 24 h }`));
  const rtf = (R * scenario.temperature) / F;
  const vin = model.volumeIn;
  const vout = model.volumeOut;
  const q = scenario.cell.capacitance * model.area;
  const eK = (dK: number) => rtf * Math.log((4 - dK / vout) / (140 + dK / vin));
  const residual = (dK: number) => {
    const v = eK(dK);
    const dCl = dK - (q * (v - -0.07)) / F;
    return -rtf * Math.log((150 - dCl / vout) / (10 + dCl / vin)) - v;
  };
  // scan the admissible range for the sign change, then refine
  const lo = -140 * vin;
  const hi = 4 * vout;
  let expected = NaN;
  for (let i = 1; i < 2000; i++) {
    const a = lo + ((hi - lo) * (i - 0.5)) / 2000;
    const b = lo + ((hi - lo) * (i + 0.5)) / 2000;
    const ra = residual(a);
    const rb = residual(b);
    if (Number.isFinite(ra) && Number.isFinite(rb) && ra * rb < 0) expected = eK(findRootBracketed(residual, a, b, 1e-30));
  }
  return check("Donnan equilibrium (finite bath, capacitor)", expected * 1e3, V * 1e3, "mV", 0.01);
}

/** The pump-leak steady state (Keener & Sneyd ch. 2): every ion's net flux zero. */
function pumpLeak(): CheckResult {
  const { scenario, model, V } = run(cell(`bath: { clamped: true }
ions:
  Na: { charge: 1,  inside: 30 mM,  outside: 145 mM }
  K:  { charge: 1,  inside: 125 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 10 mM,  outside: 120 mM }
  A:  { charge: -1, inside: 145 mM, outside: 29 mM }
channels:
  - { ion: Na, conductance: 0.02 mS/cm^2 }
  - { ion: K,  conductance: 0.3 mS/cm^2 }
  - { ion: Cl, conductance: 0.05 mS/cm^2 }
pumps: [{ type: na-k-atpase, max-current: 1.5 uA/cm^2 }]
initial: { voltage: -70 mV }
run: { duration: 10 h, record-every: 10 h }`));
  const rtf = (R * scenario.temperature) / F;
  const ip = (na: number) => 0.015 * (na / (na + 10)) ** 3 * (4 / 5.5) ** 2;
  const state = (v: number) => {
    const na = findRootBracketed((c) => 0.2 * (v - rtf * Math.log(145 / c)) + 3 * ip(c), 1e-9, 1e4, 1e-14);
    return { na, k: 4 * Math.exp((-v + (2 * ip(na)) / 3) / rtf), cl: 120 * Math.exp(v / rtf) };
  };
  const charge = (v: number) => {
    const s = state(v);
    return scenario.cell.capacitance * model.area * (v + 0.07) - F * model.volumeIn * (s.na - 30 + (s.k - 125) - (s.cl - 10));
  };
  const expected = findRootBracketed(charge, -0.12, -0.03, 1e-15);
  return check("pump-leak steady state (Keener & Sneyd)", expected * 1e3, V * 1e3, "mV", 0.01);
}

/** Each integrator's order: slope of log(error) over log(h) on y' = [[-0.5, -2], [2, -0.5]]·y. */
function orders(): CheckResult[] {
  const problem = {
    size: 2,
    t0: 0,
    t1: 2,
    y0: Float64Array.of(1, 0),
    breakpoints: [],
    rhs: (_t: number, y: Float64Array, d: Float64Array) => {
      d[0] = -0.5 * y[0]! - 2 * y[1]!;
      d[1] = 2 * y[0]! - 0.5 * y[1]!;
    },
    jacobian: (_t: number, _y: Float64Array, J: Float64Array) => J.set([-0.5, -2, 2, -0.5]),
  };
  const exact = [Math.exp(-1) * Math.cos(4), Math.exp(-1) * Math.sin(4)];
  return METHODS.map((m) => {
    const ns = m.order >= 4 ? [16, 32, 64, 128] : [40, 80, 160, 320];
    const errors = ns.map((n) => {
      const h = 2 / n;
      const s = m.createStepper(problem, { rtol: 1, atol: 1, dt: h, hMin: 0, hMax: Infinity, maxSteps: 1e9 });
      const y = Float64Array.of(1, 0);
      const d = new Float64Array(2);
      for (let k = 0; k < n; k++) {
        s.attempt(k * h, y, h, d);
        s.accept();
        y[0]! += d[0]!;
        y[1]! += d[1]!;
      }
      return Math.hypot(y[0]! - exact[0]!, y[1]! - exact[1]!);
    });
    const xs = ns.map((n) => Math.log(2 / n));
    const ys = errors.map(Math.log);
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    const slope = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    return check(`order of ${m.name}`, m.order, slope, "", 0.3);
  });
}

/** Fixed-step RK4 at a small step against the adaptive methods at a tight tolerance (HH-free cell). */
function fixedVsAdaptive(): CheckResult[] {
  const text = cell(`bath: { volume: 2 pL }
ions:
  Na: { charge: 1,  inside: 25 mM, outside: 145 mM }
  K:  { charge: 1,  inside: 130 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 10 mM, outside: 120 mM }
channels:
  - { ion: Na, conductance: 0.02 mS/cm^2 }
  - { ion: K,  conductance: 0.3 mS/cm^2 }
  - { ion: Cl, conductance: 0.05 mS/cm^2 }
pumps: [{ type: na-k-atpase, max-current: 0.5 uA/cm^2 }]
initial: { voltage: -65 mV }
run: { duration: 2 s, record-every: 2 s, dt: 20 us }`);
  const rk4 = run(text, ["run.method=rk4"]).V;
  return ["rk45", "bdf"].map((m) => check(`fixed-step rk4 vs adaptive ${findMethod(m)!.name}`, rk4 * 1e3, run(text, [`run.method=${m}`, "run.rtol=1e-10", "run.atol=1e-13"]).V * 1e3, "mV", 1e-6));
}

export function runChecks(): CheckResult[] {
  return [nernstWithCapacitor(), ghkVoltage(), chordConductance(), donnan(), pumpLeak(), ...orders(), ...fixedVsAdaptive()];
}

