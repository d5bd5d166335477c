import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { Protocol } from "../../src/protocol/protocol.js";
import { MemoryRecorder } from "../../src/recording/types.js";
import { parseScenario } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/types.js";
import { simulate } from "../../src/simulation/simulate.js";
import { F } from "../helpers/run.js";

/**
 * The ramp's slope is a central difference of the command over t ± 1e-9·t, and t ± 1e-9·t rounds to
 * the ulp of t: good to about 1e-7 relative (6e-8 seen), so the line is within 1e-8 V over the ramp.
 */
const SLOPE_RELATIVE_TOLERANCE = 2e-7;
const LINE_TOLERANCE_V = 1e-8;

/**
 * SI numbers chosen to be exact in binary, so that edges and levels compare exactly:
 * a train of 3 pulses of 2 A/m² carried by Na, [0.25, 0.375], [0.75, 0.875], [1.25, 1.375] s;
 * a fourth Na pulse of 0.25 A/m² over [1.25, 1.3125] on top of the third (carried currents add up);
 * an uncarried −0.5 A/m² over [0.5, 1]; a clamp held at −80 mV, stepped to −40 mV at 0.125 s,
 * then a ramp from −100 mV to +20 mV over [1.5, 2] s (0.24 V/s), +20 mV after it.
 */
const HAND_WORKED = new Protocol(["K", "Na"], {
  stimulus: [
    { name: "train", start: 0.25, duration: 0.125, amplitude: 2, period: 0.5, count: 3, carriedBy: "Na" },
    { name: "hold", start: 0.5, duration: 0.5, amplitude: -0.5 },
    { name: "extra", start: 1.25, duration: 0.0625, amplitude: 0.25, carriedBy: "Na" },
  ],
  clamp: { holding: -0.08, steps: [{ at: 0.125, to: -0.04 }], ramp: { start: 1.5, duration: 0.5, from: -0.1, to: 0.02 } },
});

/** Each smooth piece [a, b]: applied current [total, K, Na] (A/m²), the command at a and its left limit at b (V), its slope (V/s). */
const PIECES: readonly { a: number; b: number; levels: number[]; va: number; vb: number; slope: number }[] = [
  { a: 0, b: 0.125, levels: [0, 0, 0], va: -0.08, vb: -0.08, slope: 0 },
  { a: 0.125, b: 0.25, levels: [0, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 0.25, b: 0.375, levels: [2, 0, 2], va: -0.04, vb: -0.04, slope: 0 },
  { a: 0.375, b: 0.5, levels: [0, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 0.5, b: 0.75, levels: [-0.5, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 0.75, b: 0.875, levels: [1.5, 0, 2], va: -0.04, vb: -0.04, slope: 0 },
  { a: 0.875, b: 1, levels: [-0.5, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 1, b: 1.25, levels: [0, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 1.25, b: 1.3125, levels: [2.25, 0, 2.25], va: -0.04, vb: -0.04, slope: 0 },
  { a: 1.3125, b: 1.375, levels: [2, 0, 2], va: -0.04, vb: -0.04, slope: 0 },
  { a: 1.375, b: 1.5, levels: [0, 0, 0], va: -0.04, vb: -0.04, slope: 0 },
  { a: 1.5, b: 2, levels: [0, 0, 0], va: -0.1, vb: 0.02, slope: 0.24 },
  { a: 2, b: 2.5, levels: [0, 0, 0], va: 0.02, vb: 0.02, slope: 0 },
];

describe("Protocol: breakpoints and levels of a pulse train and a clamp ramp, worked by hand", () => {
  it("owns the breakpoints: the stimulus's edges, then the clamp's corners", () => {
    expect(HAND_WORKED.stimulus.breakpoints).toEqual([0.25, 0.375, 0.5, 0.75, 0.875, 1, 1.25, 1.3125, 1.375]);
    expect(HAND_WORKED.clamp!.breakpoints).toEqual([0.125, 1.5, 2]);
    expect(HAND_WORKED.breakpoints).toEqual([0.25, 0.375, 0.5, 0.75, 0.875, 1, 1.25, 1.3125, 1.375, 0.125, 1.5, 2]);
    // the pieces the driver makes of them are the table's
    const edges = [...new Set(HAND_WORKED.breakpoints)].sort((x, y) => x - y);
    expect(edges).toEqual(PIECES.slice(1).map((p) => p.a));
  });

  it("gives each piece its applied current (total and per ion) and the clamp's line", () => {
    const piece = HAND_WORKED.newPiece();
    for (const p of PIECES) {
      HAND_WORKED.enterPiece(0.5 * (p.a + p.b), p.a, piece); // as the model's beginSegment does
      expect([...piece.levels], `levels on [${p.a}, ${p.b}]`).toEqual(p.levels);
      expect(piece.appliedTotal).toBe(p.levels[0]);
      const clamp = piece.clamp!;
      if (p.slope === 0) {
        expect(clamp.rate, `slope on [${p.a}, ${p.b}]`).toBe(0);
        expect(clamp.inSegment(p.a)).toBe(p.va);
        expect(clamp.inSegment(p.b)).toBe(p.vb);
      } else {
        expect(Math.abs(clamp.rate - p.slope)).toBeLessThan(SLOPE_RELATIVE_TOLERANCE * p.slope);
        expect(Math.abs(clamp.inSegment(p.a) - p.va)).toBeLessThan(LINE_TOLERANCE_V);
        expect(Math.abs(clamp.inSegment(p.b) - p.vb)).toBeLessThan(LINE_TOLERANCE_V);
        expect(Math.abs(clamp.inSegment(1.75) - -0.04)).toBeLessThan(LINE_TOLERANCE_V);
      }
    }
  });

  it("delivers charge per carrier: 3·2·0.125 + 0.25·0.0625 C/m² by Na, −0.25 uncarried, none by K", () => {
    expect(HAND_WORKED.chargeDelivered(Infinity, 1)).toBe(0.765625);
    expect(HAND_WORKED.chargeDelivered(Infinity, -1)).toBe(-0.25);
    expect(HAND_WORKED.chargeDelivered(Infinity, 0)).toBe(0);
    // at 0.8 s: the first pulse whole, 0.05 s of the second
    expect(HAND_WORKED.chargeDelivered(0.8, 1)).toBeCloseTo(0.25 + 2 * 0.05, 15);
    expect([...HAND_WORKED.carriedIons]).toEqual(["Na"]);
  });

  it("refuses a pulse carried by an ion it does not index", () => {
    expect(() => new Protocol(["K"], { stimulus: [{ name: "p", start: 0, duration: 1, amplitude: 1, carriedBy: "Na" }] })).toThrow(/carried by Na, which is not one of the ions \(K\)/);
  });
});

/** A cell whose K has no channel: only an electrode that carries K moves it. */
const CELL = `
name: cell
temperature: 20 degC
cell: { area: 1000 um^2, volume: 1 pL }
bath: { volume: 4 pL }
ions:
  K: { charge: 1, inside: 140 mM, outside: 5 mM }
  Na: { charge: 1, inside: 10 mM, outside: 145 mM }
  A: { charge: -1, inside: 150 mM, outside: 150 mM }
channels:
  - { ion: Na, conductance: 0.05 mS/cm^2 }
initial: { voltage: -70 mV }
run: { method: bdf, duration: 10 ms, record-every: 0.25 ms }
`;
const TRAIN = "stimulus:\n  - { name: train, start: 1 ms, duration: 0.5 ms, amplitude: 10 uA/cm^2, period: 2 ms, count: 3, carried-by: K }\n";
const CLAMP = "clamp:\n  holding: -70 mV\n  steps: [ { at: 2 ms, to: -20 mV } ]\n  ramp: { start: 5 ms, duration: 3 ms, from: -90 mV, to: 0 mV }\n";
const scenario = (text: string): Scenario => parseScenario(text, "inline.yaml");

function run(model: MembraneModel) {
  const recorder = new MemoryRecorder();
  const result = simulate(model, model.scenario.run, recorder);
  return { recorder, result };
}

describe("a model takes its protocol", () => {
  it("by default the scenario's; problem() takes its breakpoints from it", () => {
    const model = new MembraneModel(scenario(CELL + TRAIN + CLAMP));
    expect(model.protocol.breakpoints).toEqual([1e-3, 1.5e-3, 3e-3, 3.5e-3, 5e-3, 5.5e-3, 2e-3, 5e-3, 8e-3]);
    expect(model.problem(0.01).breakpoints).toBe(model.protocol.breakpoints);
  });

  it("runs under another scenario's stimulus exactly as that scenario does, K carried included", () => {
    const plain = scenario(CELL);
    const stimulated = scenario(CELL + TRAIN);
    const alone = run(new MembraneModel(plain)); // and leaves its generated code for `plain` behind
    const under = run(new MembraneModel(plain, Protocol.fromScenario(stimulated)));
    const reference = run(new MembraneModel(stimulated));
    expect(under.recorder.rows).toEqual(reference.recorder.rows);
    expect(under.result.yEnd).toEqual(reference.result.yEnd);
    // 3 pulses of 0.1 A/m² for 0.5 ms over 1000 µm² into 1 pL, all K
    const delivered = (3 * 0.1 * 0.5e-3 * 1e-9) / (F * 1e-15);
    expect(Math.abs(under.result.yEnd[1]! - 140 - delivered)).toBeLessThan(1e-12);
    expect(alone.result.yEnd[1]).toBe(140);
  });

  it("runs under another scenario's clamp (steps and a ramp) exactly as that scenario does", () => {
    const clamped = scenario(CELL + CLAMP);
    const under = new MembraneModel(scenario(CELL), Protocol.fromScenario(clamped));
    expect(under.clamp).toBeDefined();
    const a = run(under);
    const b = run(new MembraneModel(clamped));
    expect(a.recorder.columns.map((c) => c.name)).toContain("I_clamp");
    expect(a.recorder.rows).toEqual(b.recorder.rows);
    const t = a.recorder.series("t");
    const v = a.recorder.series("V");
    expect(v[t.findIndex((x) => Math.abs(x - 6.5e-3) < 1e-12)]).toBeCloseTo(-45, 6); // on the ramp, mV
  });

  it("two models share one protocol object: each keeps its own piece, and each runs as with its own protocol", () => {
    const stimulated = scenario(CELL + TRAIN);
    const other = scenario(CELL.replace("0.05 mS/cm^2", "0.2 mS/cm^2") + TRAIN);
    const shared = Protocol.fromScenario(stimulated);
    const a = new MembraneModel(stimulated, shared);
    const b = new MembraneModel(other, shared);
    expect(a.protocol).toBe(b.protocol);
    const perIon = new Float64Array(3);
    a.setSegment(1.25e-3); // in the first pulse
    b.setSegment(0.5e-3); // before it
    expect(a.netCurrent(a.y0, perIon) - a.ionicCurrents(a.y0[0]!, a.y0, perIon)).toBe(-0.1);
    expect(b.netCurrent(b.y0, perIon) - b.ionicCurrents(b.y0[0]!, b.y0, perIon)).toBe(0);
    expect(run(a).recorder.rows).toEqual(run(new MembraneModel(stimulated)).recorder.rows);
    expect(run(b).recorder.rows).toEqual(run(new MembraneModel(other)).recorder.rows);
  });

  it("refuses a protocol made for other ions, or a clamp under a stop rule", () => {
    const plain = scenario(CELL);
    expect(() => new MembraneModel(plain, new Protocol(["Na", "K", "A"], { stimulus: [] }))).toThrow(/made for the ions Na, K, A, the model has K, Na, A/);
    const stopping = scenario(CELL.replace("record-every: 0.25 ms", "record-every: 0.25 ms, stop: { net-current-below: 1 uA/cm^2 }"));
    expect(() => new MembraneModel(stopping, Protocol.fromScenario(scenario(CELL + CLAMP)))).toThrow(/stop rule/);
  });
});
