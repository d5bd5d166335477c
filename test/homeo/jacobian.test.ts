import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { parseScenario } from "../../src/scenario/load.js";
import { centralDifferences } from "../helpers/jacobian.js";

/** Transporters of every kinetics and a gate that reads Ca_in, in a finite bath. */
const TEXT = `name: jacobian
temperature: 37 degC
cell: { area: 1000 um^2, volume: 2 pL }
bath: { volume: 8 pL }
constants: { Kd: 0.0005 }
ions:
  Na: { charge: 1, inside: 12 mM, outside: 145 mM }
  K: { charge: 1, inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 8 mM, outside: 120 mM }
  Ca: { charge: 2, inside: 0.0002 mM, outside: 2 mM }
  A: { charge: -0.85, inside: 170 mM, outside: 33 mM }
  sucrose: { charge: 0, inside: 0 mM, outside: 10 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.05 mS/cm^2 }
  - { name: ca-leak, ion: Ca, permeability: 3e-7 cm/s }
  - name: sk
    ion: K
    conductance: 0.5 mS/cm^2
    gates: { q: { power: 2, inf: "Ca_in^4/(Ca_in^4 + Kd^4)", tau: "5 + 100*Ca_in" } }
  - name: kca-ab
    ion: K
    conductance: 0.3 mS/cm^2
    gates: { w: { power: 1, alpha: "0.5*Ca_in/(Ca_in + Kd)*exp(V/30)", beta: "0.1*K_out/4" } }
pumps:
  - { name: pump, max-current: 1.5 uA/cm^2 }
transporters:
  - { name: nkcc1, type: nkcc1 }
  - { name: kcc2, type: kcc2 }
  - { name: ncx, type: ncx }
  - { name: pmca, type: pmca }
  - { name: sat, kinetics: formula, stoichiometry: { Na: 1, Cl: 1 }, flux: "0.5 * Na_in / (Na_in + 20) * exp(V/50) - 0.01 * Cl_out / 120" }
initial: { voltage: -70 mV }
run: { duration: 1 s }
`;

const VARIANTS: [string, string][] = [
  ["finite bath, no water", TEXT],
  ["finite bath, water moves", TEXT.replace("volume: 2 pL }", "volume: 2 pL, water-permeability: 0.01 cm/s }")],
  ["clamped bath, water moves", TEXT.replace("volume: 2 pL }", "volume: 2 pL, water-permeability: 0.01 cm/s }").replace("bath: { volume: 8 pL }", "bath: { clamped: true }")],
];

describe("the exact Jacobian with transporters, concentration-dependent gates and water", () => {
  for (const [label, text] of VARIANTS) it(`matches central differences of the right-hand side at several states (${label})`, () => {
    const model = new MembraneModel(parseScenario(text, "j.yaml"));
    const n = model.size;
    for (const shift of [0, 1, 2]) {
      const y = Float64Array.from(model.y0, (v, i) => {
        const kind = model.layout.slots[i]!.kind;
        if (kind === "voltage") return v + 0.013 * shift;
        if (kind === "gate") return 0.2 + 0.25 * shift;
        if (kind === "volume") return 1 + 0.07 * shift;
        return v === 0 ? 0.5 * shift : v * (1 + 0.1 * shift * Math.sin(i));
      });
      const analytic = new Float64Array(n * n);
      model.jacobian(0, y, analytic);
      const d = centralDifferences(model, y);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const numeric = d.numeric[i * n + j]!;
          const a = analytic[i * n + j]!;
          // central differences: truncation ~h² and round-off ~ε|f|/h
          expect(Math.abs(a - numeric), `∂f[${model.layout.slots[i]!.name}]/∂${model.layout.slots[j]!.name}`).toBeLessThanOrEqual(
            1e-6 * Math.abs(numeric) + (1e-14 * d.fAbs[i * n + j]!) / d.h[j]! + 1e-300,
          );
        }
      }
    }
  });

  for (const [label, text] of VARIANTS) it(`the compiled right-hand side equals the generic one (${label})`, () => {
    const model = new MembraneModel(parseScenario(text, "j.yaml"));
    const a = new Float64Array(model.size);
    const b = new Float64Array(model.size);
    for (let trial = 0; trial < 20; trial++) {
      const y = Float64Array.from(model.y0, (v, i) => (i === model.layout.V ? -0.1 + 0.01 * trial : model.layout.slots[i]!.kind === "volume" ? 0.8 + 0.02 * trial : v * (0.7 + 0.03 * trial)));
      model.rhs(0.1, y, a);
      model.compiledRhs(0.1, y, b);
      for (let i = 0; i < model.size; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-13 * Math.abs(a[i]!) + 1e-300);
    }
  });
});
