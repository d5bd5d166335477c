import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/errors.js";
import { parseScenarioSource } from "../../src/scenario/source.js";
import { FieldReader } from "../../src/scenario/reader.js";
import { parseScenario } from "../../src/scenario/load.js";
import { conductanceFromLogRate, TRANSPORTER_PRESETS } from "../../src/scenario/transporterPresets.js";
import { readHomeostasisParts } from "../../src/scenario/validateTransporters.js";
import { F, R } from "../helpers/run.js";

/** A neuron with the four ions the presets move; the transporters are added per test. */
const BASE = `name: homeo
temperature: 37 degC
cell: { area: 1000 um^2, volume: 2 pL }
bath: { clamped: true }
ions:
  Na: { charge: 1,  inside: 10 mM,  outside: 145 mM }
  K:  { charge: 1,  inside: 140 mM, outside: 4 mM }
  Cl: { charge: -1, inside: 8 mM,   outside: 120 mM }
  Ca: { charge: 2,  inside: 0.0001 mM, outside: 2 mM }
  A:  { charge: -0.85, inside: 160 mM, outside: 0 mM }
channels:
  - { name: k-leak, ion: K, conductance: 0.3 mS/cm^2 }
initial: { voltage: -70 mV }
run: { duration: 1 s }
`;

function errorOf(text: string): string {
  try {
    parseScenario(text, "cell.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("expected a ScenarioError");
}

/** The parts readHomeostasis reads, without the refusal of what the model does not simulate yet. */
function read(extra: string) {
  const text = BASE + extra;
  const source = parseScenarioSource(text, "cell.yaml");
  const s = parseScenario(BASE, "cell.yaml");
  const top = source.tree as Record<string, unknown>;
  return readHomeostasisParts(new FieldReader(source), top, { ...s, temperature: s.temperature });
}

describe("transporters: bad input is one line naming the file and the field", () => {
  const cases: [string, string, RegExp][] = [
    ["stoichiometry on an undeclared ion", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { Mg: 1 }, conductance: 1 mS/cm^2 }\n", /^cell\.yaml:\d+: transporters\[0\]\.stoichiometry\.Mg: undeclared ion "Mg"/],
    ["a fractional stoichiometry", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { K: 0.5 }, conductance: 1 mS/cm^2 }\n", /transporters\[0\]\.stoichiometry\.K: expected a whole number/],
    ["a zero stoichiometry", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { K: 0 }, conductance: 1 mS/cm^2 }\n", /transporters\[0\]\.stoichiometry\.K: must not be zero/],
    ["a flux formula of unknown names", "transporters:\n  - { name: x, kinetics: formula, stoichiometry: { Ca: 1 }, flux: \"2 * Mg_in / (Mg_in + 1)\" }\n", /transporters\[0\]\.flux: unknown name 'Mg_in' \(allowed: V, t, celsius, Na_in, K_in, Cl_in, Ca_in, A_in, Na_out/],
    ["an unknown kinetics", "transporters:\n  - { name: x, kinetics: linear, stoichiometry: { K: 1 }, conductance: 1 mS/cm^2 }\n", /transporters\[0\]\.kinetics: expected thermodynamic or formula, got "linear"/],
    ["thermodynamic without a conductance", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { K: 1 } }\n", /transporters\[0\]\.conductance: missing/],
    ["a negative conductance", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { K: 1 }, conductance: -1 mS/cm^2 }\n", /transporters\[0\]\.conductance: must not be negative/],
    ["a flux with thermodynamic kinetics", "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { K: 1 }, conductance: 1 mS/cm^2, flux: \"1\" }\n", /transporters\[0\]\.flux: only for kinetics: formula/],
    ["a flux unit that is not a flux", "transporters:\n  - { name: x, kinetics: formula, stoichiometry: { Ca: 1 }, flux: \"1\", flux-unit: uA/cm^2 }\n", /transporters\[0\]\.flux-unit: expected a unit of flux per area/],
    ["an unknown preset", "transporters:\n  - { name: x, type: nhe1 }\n", /transporters\[0\]\.type: unknown transporter type "nhe1"; known: nkcc1, kcc2, ncx, pmca, na-k-atpase/],
    ["a preset with its own stoichiometry", "transporters:\n  - { name: x, type: kcc2, stoichiometry: { K: 2, Cl: 2 } }\n", /transporters\[0\]\.stoichiometry: type kcc2 fixes the stoichiometry/],
    ["duplicate names", "transporters:\n  - { name: x, type: kcc2 }\n  - { name: x, type: nkcc1 }\n", /transporters\[1\]\.name: duplicate name "x"/],
    ["a negative water permeability", "", /cell\.water-permeability: must not be negative/],
    ["a constant named like a concentration", "constants: { K_in: 3 }\n", /constants\.K_in: "K_in" is the name of a concentration/],
    ["an unknown key", "transporters:\n  - { name: x, type: kcc2, rate: 3 }\n", /transporters\[0\]\.rate: unknown field/],
  ];
  for (const [what, extra, message] of cases) {
    it(what, () => {
      const text = what === "a negative water permeability" ? BASE.replace("volume: 2 pL }", "volume: 2 pL, water-permeability: -0.001 cm/s }") : BASE + extra;
      const m = errorOf(text);
      expect(m).toMatch(message);
      expect(m).not.toContain("\n");
    });
  }

  it("a zero or fractional charge on a permeant species is refused, on an impermeant one accepted", () => {
    expect(errorOf(BASE.replace("K:  { charge: 1,", "K:  { charge: 0.5,"))).toMatch(/^cell\.yaml:\d+: ions\.K\.charge: expected a whole number from -4 to 4: channel "k-leak" carries it/);
    expect(errorOf(BASE.replace("K:  { charge: 1,", "K:  { charge: 0,"))).toMatch(/ions\.K\.charge: must not be zero: channel "k-leak" carries it/);
    expect(errorOf(BASE.replace("channels:", "stimulus: [{ start: 0 s, duration: 1 ms, amplitude: 1 uA/cm^2, carried-by: A }]\nchannels:"))).toMatch(/ions\.A\.charge: expected a whole number .* stimulus "pulse-0" is carried by it/);
    expect(errorOf(BASE + "transporters:\n  - { name: x, kinetics: thermodynamic, stoichiometry: { A: 1 }, conductance: 1 mS/cm^2 }\n")).toMatch(/ions\.A\.charge: .*transporter "x" moves it/);
    // the fractional impermeant of BASE is accepted as it is
    expect(parseScenario(BASE, "cell.yaml").ions.find((i) => i.name === "A")!.valence).toBe(-0.85);
  });

  it("a preset needs its ions with their charges", () => {
    expect(errorOf(BASE.replace("  Ca: { charge: 2,  inside: 0.0001 mM, outside: 2 mM }\n", "") + "transporters: [{ name: x, type: ncx }]\n")).toMatch(/transporters\[0\]\.type: type ncx moves Na, Ca: declare an ion named Ca/);
    expect(errorOf(BASE.replace("Ca: { charge: 2,", "Ca: { charge: 1,") + "transporters: [{ name: x, type: pmca }]\n")).toMatch(/ions\.Ca\.charge: must be 2 for the pmca transporter "x", got 1/);
  });

  it("a gate formula may read concentrations; unknown names are refused", () => {
    const gate = (f: string) => BASE.replace("  - { name: k-leak, ion: K, conductance: 0.3 mS/cm^2 }", `  - { name: k-ca, ion: K, conductance: 5 mS/cm^2, gates: { q: { power: 1, inf: "${f}", tau: "2" } } }`);
    expect(errorOf(gate("Ca_in/(Ca_in + Kd)"))).toMatch(/channels\[0\]\.gates\.q\.inf: unknown name 'Kd'/);
    expect(errorOf(gate("Cai/(Cai + 0.0005)"))).toMatch(/unknown name 'Cai' \(allowed: V, t, celsius, Na_in, K_in, Cl_in, Ca_in/);
  });
});

describe("transporters are read into SI numbers", () => {
  it("thermodynamic, formula with its flux unit, and presets with their literature rates", () => {
    const { transporters } = read(`transporters:
  - { name: nkcc, kinetics: thermodynamic, stoichiometry: { Na: -1, K: -1, Cl: -2 }, conductance: 0.01 mS/cm^2 }
  - { name: pmca-own, kinetics: formula, stoichiometry: { Ca: 1 }, flux: "2 * Ca_in / (Ca_in + 0.0003)", flux-unit: nmol/(m^2*s) }
  - { name: pm, kinetics: formula, stoichiometry: { Ca: 1 }, flux: "1" }
  - { name: k2, type: kcc2 }
  - { name: ex, type: ncx, conductance: 0.1 mS/cm^2 }
  - { name: ca-pump, type: pmca }
pumps:
  - { name: nk2, type: nkcc1 }
`);
    expect(transporters.map((t) => t.name)).toEqual(["nkcc", "pmca-own", "pm", "k2", "ex", "ca-pump", "nk2"]);
    expect(transporters[0]).toEqual({ name: "nkcc", stoichiometry: { Na: -1, K: -1, Cl: -2 }, kinetics: { kind: "thermodynamic", conductance: 0.1 } });
    expect(transporters[1]!.kinetics).toEqual({ kind: "formula", flux: "2 * Ca_in / (Ca_in + 0.0003)", fluxScale: 1e-9 });
    // the default flux unit is the CSV column's, pmol/(cm^2*s) = 1e-8 mol/(m^2*s)
    expect(transporters[2]!.kinetics).toMatchObject({ fluxScale: 1e-8 });
    // KCC2: J = U·ln(K_in Cl_in/(K_out Cl_out)) with U = 1.49e-7 mol/(m²·s) is J = g·Δ/F, Δ = (RT/F)·ln(...)
    const T = 310.15;
    const g = (1.49e-7 * F * F) / (R * T);
    expect(transporters[3]).toMatchObject({ preset: "kcc2", stoichiometry: { K: 1, Cl: 1 } });
    expect((transporters[3]!.kinetics as { conductance: number }).conductance).toBeCloseTo(g, 10);
    expect(conductanceFromLogRate(1.49e-7, T)).toBeCloseTo(0.5379, 4); // S/m², by hand: 1.49e-7·96485.33²/(8.3145·310.15)
    expect(transporters[4]).toMatchObject({ preset: "ncx", stoichiometry: { Na: -3, Ca: 1 }, kinetics: { kind: "thermodynamic", conductance: 1 } });
    expect(transporters[5]).toMatchObject({ preset: "pmca", stoichiometry: { Ca: 1 }, kinetics: { kind: "formula", fluxScale: 1e-8 } });
    expect(transporters[6]).toMatchObject({ preset: "nkcc1", stoichiometry: { Na: -1, K: -1, Cl: -2 } });
    expect(Object.keys(TRANSPORTER_PRESETS).sort()).toEqual(["kcc2", "na-k-atpase", "ncx", "nkcc1", "pmca"]);
  });

  it("the PMCA preset's maximal flux is Luo-Rudy's 1.15 uA/uF over 2F", () => {
    expect((1.15e-2 / (2 * F)) / 1e-8).toBeCloseTo(5.96, 2);
    expect((TRANSPORTER_PRESETS.pmca!.kinetics(310) as { flux: string }).flux).toContain("5.96");
  });

  it("water permeability in SI", () => {
    const text = BASE.replace("volume: 2 pL }", "volume: 2 pL, water-permeability: 0.0015 dm/s }");
    const source = parseScenarioSource(text, "cell.yaml");
    const s = parseScenario(BASE, "cell.yaml");
    expect(readHomeostasisParts(new FieldReader(source), source.tree as Record<string, unknown>, s).waterPermeability).toBeCloseTo(1.5e-4, 15);
  });
});
