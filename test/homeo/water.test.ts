import { describe, expect, it } from "vitest";
import { boyleVantHoffClamped, boyleVantHoffFinite, pumpLeakSteadyState } from "./closedForms.js";
import { driftsOf, runText } from "./helpers.js";

const V_TOL_MV = 1e-5;
const C_REL = 1e-6;
const MOLES_REL = 1e-12;
const CHARGE_REL = 1e-8;

/** A red-cell-like osmometer: no ion crosses, water does (sims/osmotic-shock.yaml's numbers). */
const OSMOMETER = `name: osmometer
temperature: 37 degC
cell: { area: 136 um^2, volume: 90 fL, water-permeability: 0.02 cm/s }
bath: { clamped: true }
ions:
  K:   { charge: 1,     inside: 140 mM,    outside: 5 mM }
  Na:  { charge: 1,     inside: 10 mM,     outside: 145 mM }
  Cl:  { charge: -1,    inside: 80 mM,     outside: 150 mM }
  Hb:  { charge: -0.85, inside: 82.353 mM, outside: 0 mM }
  sucrose: { charge: 0, inside: 0 mM,      outside: 112.35 mM }
initial: { voltage: -10 mV }
run: { method: bdf, duration: 60 s, rtol: 1e-10, atol: 1e-13, record-every: 1 s }
`;
const OSM_IN = 140 + 10 + 80 + 82.353;
const OSM_OUT = 5 + 145 + 150 + 112.35;
const VOL0 = 90e-18;

/** Volumes (m³) of a run's state, for the independent invariant check. */
const volumesOf = (run: ReturnType<typeof runText>) => (y: Float64Array): [number, number] => [run.model.volumeInOf(y), run.model.volumeOutOf(y)];

describe("Boyle–van 't Hoff: water moves until Osm_in = Osm_out", () => {
  for (const method of ["bdf", "steady"]) it(`clamped bath: vol_in = (moles inside)/Osm_out, concentrations scaled by vol_in(0)/vol_in (${method})`, () => {
    const run = runText(OSMOMETER, [`run.method=${method}`]);
    const want = boyleVantHoffClamped(OSM_IN * VOL0, OSM_OUT);
    const vol = run.model.volumeInOf(run.result.yEnd);
    expect(Math.abs(vol / want - 1)).toBeLessThan(C_REL);
    const k = run.model.ionNames.indexOf("K");
    expect(Math.abs(run.model.concentrationIn(k, run.result.yEnd) / ((140 * VOL0) / want) - 1)).toBeLessThan(C_REL);
    expect(Math.abs(run.V * 1e3 - -10)).toBeLessThan(V_TOL_MV);
    console.log(`BvH clamped (${method}): vol_in ${vol} m^3, closed form ${want}, rel. error ${(vol / want - 1).toExponential(2)}`);
  });

  for (const method of ["bdf", "steady"]) it(`finite bath: vol_in = total·N_in/(N_in + N_out); the bath loses what the cell gains (${method})`, () => {
    const run = runText(OSMOMETER.replace("bath: { clamped: true }", "bath: { volume: 200 fL }"), [`run.method=${method}`]);
    const want = boyleVantHoffFinite(OSM_IN * VOL0, OSM_OUT * 200e-18, 290e-18);
    const y = run.result.yEnd;
    const vol = run.model.volumeInOf(y);
    expect(Math.abs(vol / want - 1)).toBeLessThan(C_REL);
    expect(Math.abs(run.model.volumeOutOf(y) / (290e-18 - want) - 1)).toBeLessThan(C_REL);
    const s = run.model.ionNames.indexOf("sucrose");
    expect(Math.abs(run.model.concentrationOut(s, y) / ((112.35 * 200e-18) / (290e-18 - want)) - 1)).toBeLessThan(C_REL);
    const d = driftsOf(run, volumesOf(run));
    for (const drift of Object.values(d.moles)) expect(drift).toBeLessThan(MOLES_REL);
    console.log(`BvH finite (${method}): vol_in rel. error ${(vol / want - 1).toExponential(2)}`);
  });

  it("a cell with no solute inside loses all its water: a clear IntegrationError naming the volume", () => {
    const text = OSMOMETER.replace(/inside: [0-9.]+ mM/g, "inside: 0 mM").replace("Hb:  { charge: -0.85,", "Hb:  { charge: -1,");
    // a numerical failure is a result (the run up to its last good state, and why it stopped)
    const run = runText(text);
    expect(run.result.stopReason).toBe("failed");
    expect(run.result.failure).toMatch(/^integration failed at t = [0-9.e-]+ s: .*vol_in went to zero or below .*the cell lost all its water/);
    expect(run.result.failure).not.toContain("\n");
  });
});

describe("converged means the volume has settled too, not only the net current", () => {
  it("an osmometer (I_net = 0 throughout) converges when |d vol_in/dt|/vol_in falls to 1e-6 /s: at the time worked out from Boyle–van 't Hoff kinetics", () => {
    // dλ/dt = k·(S/λ − O), λ = vol_in/vol_in(0), k = A·P_f·v_w/vol_in(0), S = Osm_in(0), O = Osm_out
    // (clamped bath); the relative rate k·(S/λ − O)/λ reaches −r at λ* (a quadratic), and
    // t* = ∫₁^λ* λ dλ / (k·(S − O·λ)) = (1/k)·[−(λ* − 1)/O − (S/O²)·ln((S − O·λ*)/(S − O))]
    const k = (136e-12 * 2e-4 * 18.0e-6) / VOL0;
    const [S, O, r] = [OSM_IN, OSM_OUT, 1e-6];
    // k·(S − O·λ) = −r·λ² → r·λ² − k·O·λ + k·S = 0, the root near S/O (in the form without cancellation)
    const lambda = (2 * k * S) / (k * O + Math.sqrt((k * O) ** 2 - 4 * r * k * S));
    const gap = (-r * lambda * lambda) / k; // S − O·λ*, without subtracting two numbers near 312
    const tStar = (1 / k) * (-(lambda - 1) / O - (S / O ** 2) * Math.log(gap / (S - O)));
    const run = runText(OSMOMETER);
    expect(run.result.converged).toBe(true);
    // measured 1.9e-6: at λ* the volume is 6e-7 from its end, so the stiff method's cubic dense
    // output (state error ~1e-11 over a long step) moves the crossing by ~1e-5 s of t* = 7.1 s
    expect(Math.abs(run.result.tConverged! - tStar) / tStar).toBeLessThan(1e-5);
    // the same cell stopped before that is not converged, though its net current was zero all along
    const early = runText(OSMOMETER, [`run.duration=${0.8 * tStar} s`]);
    expect(Math.abs(early.result.netCurrentEnd)).toBeLessThan(1e-12);
    expect(early.result.converged).toBe(false);
    expect(early.result.water!.volumeRate).toBeLessThan(-r);
  });
});

/** A pump–leak cell with water, started away from its steady state (clamped bath). */
const PUMP_LEAK = `name: pump-leak-water
temperature: 37 degC
cell: { area: 1256.637 um^2, volume: 4.1888 pL, water-permeability: 1.5e-3 cm/s }
bath: { clamped: true }
ions:
  Na: { charge: 1,  inside: 20 mM,  outside: 145 mM }
  K:  { charge: 1,  inside: 127 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 6 mM,   outside: 120 mM }
  A:  { charge: -1, inside: 141 mM, outside: 29 mM }
channels:
  - { name: na-leak, ion: Na, conductance: 0.0029 mS/cm^2 }
  - { name: k-leak,  ion: K,  conductance: 0.048 mS/cm^2 }
  - { name: cl-leak, ion: Cl, conductance: 0.048 mS/cm^2 }
pumps:
  - { name: pump, type: na-k-atpase, max-current: 1.5 uA/cm^2, k-na: 10 mM, k-k: 1.5 mM }
initial: { voltage: -80 mV }
run: { method: bdf, duration: 100 h, rtol: 1e-10, atol: 1e-13, record-every: 1 h, max-steps: 100000 }
`;

describe("the pump–leak steady state with water (Tosteson & Hoffman 1960)", () => {
  for (const method of ["bdf", "steady"]) it(`every net flux and the water flux vanish at the state solved independently (Newton in the test), with ${method}`, () => {
    const run = runText(PUMP_LEAK, [`run.method=${method}`]);
    expect(run.result.converged).toBe(true);
    const want = pumpLeakSteadyState({
      T: 310.15,
      gNa: 0.029,
      gK: 0.48,
      gCl: 0.48,
      pumpMaxCurrent: 0.015,
      kNa: 10,
      kK: 1.5,
      out: { Na: 145, K: 4, Cl: 120, osm: 298 },
      zA: -1,
      Cm: 0.01,
      area: 1256.637e-12,
      initial: { V: -0.08, Na: 20, K: 127, Cl: 6, A: 141, vol: 4.1888e-15 },
    });
    const m = run.model;
    const y = run.result.yEnd;
    const got = { V: run.V, Na: m.concentrationIn(0, y), K: m.concentrationIn(1, y), Cl: m.concentrationIn(2, y), A: m.concentrationIn(3, y), vol: m.volumeInOf(y) };
    expect(Math.abs(got.V - want.V) * 1e3).toBeLessThan(V_TOL_MV);
    for (const key of ["Na", "K", "Cl", "A", "vol"] as const) expect(Math.abs(got[key] / want[key] - 1)).toBeLessThan(C_REL);
    // V is none of the Nernst potentials, and the cell is not at the Donnan volume
    // (Cl⁻, moved by nothing but its leak, sits at its Nernst potential)
    for (let k = 0; k < 2; k++) expect(Math.abs(m.nernst(k, y) - got.V)).toBeGreaterThan(1e-3);
    console.log(
      `pump-leak with water (${method}): V error ${((got.V - want.V) * 1e3).toExponential(2)} mV, rel. errors`,
      (["Na", "K", "Cl", "A", "vol"] as const).map((k) => `${k} ${(got[k] / want[k] - 1).toExponential(2)}`).join(", "),
    );
    const d = driftsOf(run, volumesOf(run));
    expect(d.chargeRelative).toBeLessThan(CHARGE_REL);
  });

  it("without the pump there is no pumped steady state: the cell swells, and is still swelling after 10 h", () => {
    const run = runText(PUMP_LEAK, ["pumps.pump.max-current=0 uA/cm^2", "run.duration=10 h"]);
    const vol = run.recorder.rows.map((r) => r);
    expect(vol.length).toBeGreaterThan(5);
    const y = run.result.yEnd;
    expect(run.model.volumeInOf(y)).toBeGreaterThan(1.2 * 4.1888e-15);
    // still swelling at the end: water keeps flowing in
    const osm = run.model.osmolarities(y);
    expect(osm.inside - osm.outside).toBeGreaterThan(0);
  });
});

const METHODS: [string, string[]][] = [
  ["bdf", []],
  ["rk45", ["run.rtol=1e-9"]],
  ["rk4", ["run.duration=0.05 s", "run.dt=20 us", "run.record-every=10 ms"]],
  ["euler", ["run.duration=0.05 s", "run.dt=5 us", "run.record-every=10 ms"]],
];

describe("with water, the invariants hold on every method (moles with the volumes of the moment)", () => {
  const cases: [string, string][] = [
    ["osmometer, finite bath", OSMOMETER.replace("bath: { clamped: true }", "bath: { volume: 200 fL }").replace("duration: 60 s", "duration: 5 s")],
    ["pump-leak with water, finite bath", PUMP_LEAK.replace("bath: { clamped: true }", "bath: { volume: 20 pL }").replace("duration: 100 h", "duration: 600 s")],
  ];
  for (const [label, text] of cases) {
    for (const [method, sets] of METHODS) {
      it(`${label} with ${method}: moles ${MOLES_REL}, total volume exact, charge ${CHARGE_REL}`, () => {
        const run = runText(text, [`run.method=${method}`, ...sets]);
        const d = driftsOf(run, volumesOf(run));
        for (const drift of Object.values(d.moles)) expect(drift).toBeLessThan(MOLES_REL);
        expect(d.chargeRelative).toBeLessThan(CHARGE_REL);
        const y0 = run.model.y0;
        const y = run.result.yEnd;
        const total0 = run.model.volumeInOf(y0) + run.model.volumeOutOf(y0);
        expect(Math.abs(run.model.volumeInOf(y) + run.model.volumeOutOf(y) - total0) / total0).toBeLessThan(1e-15);
        // and water did move
        expect(Math.abs(run.model.volumeInOf(y) / run.model.volumeInOf(y0) - 1)).toBeGreaterThan(1e-9);
      });
    }
  }
});
