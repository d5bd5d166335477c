import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { loadScenarioFile, parseScenario } from "../../src/scenario/load.js";
import { withCompiled } from "../../src/scenario/rateFormula.js";
import type { FormulaClosure, Gate, Scenario, Transporter } from "../../src/scenario/types.js";

/**
 * Issue 11, item 6: formulas are compiled to closures inside scenario/ (once, by validation) and
 * the model receives functions, not text. A Scenario carries each formula's text (its JSON and the
 * summary's scenario_si show that) and, not enumerable, its compiled closures: the model evaluates
 * those, so replacing a closure changes the model while the text stays.
 */

const TEXT = `name: closures
temperature: 20 degC
cell: { shape: sphere, radius: 5 um }
bath: { clamped: true }
ions:
  Na: { charge: 1, inside: 12 mM, outside: 145 mM }
  K: { charge: 1, inside: 140 mM, outside: 4 mM }
  Ca: { charge: 2, inside: 0.0002 mM, outside: 2 mM }
  A: { charge: -1, inside: 152.0004 mM, outside: 153 mM }
channels:
  - name: kd
    ion: K
    conductance: 3 mS/cm^2
    gates:
      n: { power: 4, alpha: "0.01*(V+55)/(1-exp(-(V+55)/10))", beta: "0.125*exp(-(V+65)/80)" }
  - name: sk
    ion: K
    conductance: 0.5 mS/cm^2
    gates:
      q: { power: 1, inf: "Ca_in^4 / (Ca_in^4 + 0.0005^4)", tau: "5" }
  - { name: na-leak, ion: Na, conductance: 0.01 mS/cm^2 }
  - { name: ca-leak, ion: Ca, permeability: 1e-7 cm/s }
  - { name: st, ion: K, conductance: 0.1 mS/cm^2, stochastic: true, count: 50, open-rate: "0.3*exp(V/50)", close-rate: "0.7" }
transporters:
  - { name: pm, kinetics: formula, stoichiometry: { Ca: 1 }, flux: "2 * Ca_in / (Ca_in + 0.0005) * exp(V/100)" }
  - { name: pmca, type: pmca }
initial: { voltage: -60 mV }
run: { duration: 10 ms }
`;

const load = () => parseScenario(TEXT, "closures.yaml");

/** The scenario with channel c's gate g given other closures (its text and everything else as they were). */
function withGate(s: Scenario, c: number, g: number, compiled: Gate["compiled"]): Scenario {
  const channels = s.channels.map((ch, i) => (i !== c ? ch : { ...ch, gates: ch.gates.map((gate, j) => (j !== g ? gate : withCompiled({ ...gate }, compiled))) }));
  return { ...s, channels };
}

function withFlux(s: Scenario, name: string, value: (original: FormulaClosure) => FormulaClosure): Scenario {
  const transporters = s.transporters.map((t): Transporter => {
    if (t.name !== name || t.kinetics.kind !== "formula") return t;
    const k = t.kinetics;
    return { ...t, kinetics: withCompiled({ kind: k.kind, flux: k.flux, fluxScale: k.fluxScale }, { ...k.compiled, value: value(k.compiled.value) }) };
  });
  return { ...s, transporters };
}

const y0Of = (m: MembraneModel) => Float64Array.from(m.y0);
/** The right-hand side at state y (the generic one, or the generated code). */
const rhsOf = (m: MembraneModel, y: Float64Array, compiled: boolean) => {
  const dydt = new Float64Array(m.size);
  (compiled ? m.compiledRhs : m.rhs)(0, Float64Array.from(y), dydt);
  return dydt;
};

describe("formulas reach the model as closures, compiled once by validation", () => {
  it("each gate formula and formula flux carries its closures; the Scenario's JSON is its text only", () => {
    const s = load();
    for (const ch of s.channels) {
      for (const g of ch.gates) {
        for (const f of [g.compiled.first, g.compiled.second]) {
          expect(typeof f.value).toBe("function");
          expect(typeof f.dV).toBe("function");
        }
        expect(Object.keys(g)).not.toContain("compiled");
      }
    }
    const formulas = s.transporters.filter((t) => t.kinetics.kind === "formula");
    expect(formulas.map((t) => t.name)).toEqual(["pm", "pmca"]);
    for (const t of formulas) if (t.kinetics.kind === "formula") expect(typeof t.kinetics.compiled.value).toBe("function");
    const json = JSON.stringify(s);
    expect(json).not.toContain("compiled");
    expect(JSON.parse(json)).toEqual(s);
    expect(JSON.parse(json).channels[0].gates[0]).toEqual({ name: "n", power: 4, form: "alpha-beta", first: "0.01*(V+55)/(1-exp(-(V+55)/10))", second: "0.125*exp(-(V+65)/80)", q10: 1, q10Reference: 293.15 });
  });

  it("the closures are what the formulas compute, with the removable singularity at V = -55 mV replaced by its limit", () => {
    const n = load().channels[0]!.gates[0]!.compiled.first;
    const vars = Float64Array.of(-30, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0);
    expect(n.value(vars)).toBeCloseTo((0.01 * 25) / (1 - Math.exp(-2.5)), 14);
    vars[0] = -55;
    expect(n.value(vars)).toBeCloseTo(0.1, 12);
    expect(n.readsV).toBe(true);
    expect(n.reads).toEqual([]);
  });

  it("every sims/*.yaml: gates and formula fluxes carry closures, and none reaches JSON", () => {
    const files = readdirSync("sims").filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const { scenario } = loadScenarioFile(join("sims", f));
      const json = JSON.stringify(scenario);
      expect(json, f).not.toContain('"compiled"');
      for (const g of scenario.channels.flatMap((c) => c.gates)) expect(typeof g.compiled.first.value, f).toBe("function");
      for (const t of scenario.transporters) if (t.kinetics.kind === "formula") expect(typeof t.kinetics.compiled.value, f).toBe("function");
    }
  });

  it("a gate's closure replaced by another function changes the model's rates, right-hand sides and Jacobian; its text stays", () => {
    const s = load();
    const n = s.channels[0]!.gates[0]!;
    const alpha = n.compiled.first.value;
    const s3 = withGate(s, 0, 0, { first: { ...n.compiled.first, value: (v) => 3 * alpha(v) }, second: n.compiled.second });
    expect(s3.channels[0]!.gates[0]!.first).toBe(n.first);
    expect(JSON.stringify(s3)).toBe(JSON.stringify(s));
    const m = new MembraneModel(s);
    const m3 = new MembraneModel(s3);
    const j = m.gates.names.indexOf("kd.n");
    const V = -0.03;
    const y = y0Of(m);
    // alpha-beta: dn/dt = q(α(1 − n) − βn); at n = 0 it is qα, so tripling α adds 2qα(1 − n)
    const qAlpha = m.gates.rate(j, V, 0, 0, y);
    for (const x of [0, 0.3, 0.9]) {
      expect(m3.gates.rate(j, V, 0, x, y)).toBeCloseTo(m.gates.rate(j, V, 0, x, y) + 2 * qAlpha * (1 - x), 9);
    }
    expect(m3.gates.steadyState(j, V, 0, y)).toBeGreaterThan(m.gates.steadyState(j, V, 0, y));
    // the initial state starts the gate at its steady state, which the closure sets too
    expect(m3.y0[m3.layout.gates[j]!]).toBeGreaterThan(m.y0[m.layout.gates[j]!]!);
    // at one state, both right-hand sides (the generic one and the generated code) call the closures: only the gate's entry moves
    const slot = m.layout.gates[j]!;
    for (const compiled of [false, true]) {
      const a = rhsOf(m, y, compiled);
      const b = rhsOf(m3, y, compiled);
      expect(b[slot]).not.toBe(a[slot]);
      expect(Array.from(b).filter((_, i) => i !== slot)).toEqual(Array.from(a).filter((_, i) => i !== slot));
    }
    const J = new Float64Array(m.size * m.size);
    const J3 = new Float64Array(m.size * m.size);
    m.jacobian(0, y0Of(m), J);
    m3.jacobian(0, y0Of(m), J3);
    // ∂(dn/dt)/∂n = −q(α + β)
    expect(J3[slot * m.size + slot]).not.toBe(J[slot * m.size + slot]);
  });

  it("a replaced partial derivative reaches the Jacobian (the Ca-gated gate's ∂inf/∂Ca_in)", () => {
    const s = load();
    const q = s.channels[1]!.gates[0]!;
    expect(q.compiled.first.reads.length).toBe(1);
    const d = q.compiled.first.partials[0]!;
    const s2 = withGate(s, 1, 0, { first: { ...q.compiled.first, partials: [(v) => d(v) + 1] }, second: q.compiled.second });
    const m = new MembraneModel(s);
    const m2 = new MembraneModel(s2);
    const J = new Float64Array(m.size * m.size);
    const J2 = new Float64Array(m.size * m.size);
    m.jacobian(0, y0Of(m), J);
    m2.jacobian(0, y0Of(m), J2);
    const row = m.layout.gates[m.gates.names.indexOf("sk.q")]!;
    const col = m.layout.cIn[m.ionNames.indexOf("Ca")]!;
    expect(J2[row * m.size + col]).not.toBe(J[row * m.size + col]);
    const changed = Array.from(J2).flatMap((x, i) => (x !== J[i] ? [i] : []));
    expect(changed).toEqual([row * m.size + col]);
  });

  it("a transporter's flux closure replaced by twice itself doubles its current; its text stays", () => {
    const s = load();
    const s2 = withFlux(s, "pm", (f) => (v) => 2 * f(v));
    const pm = s2.transporters.find((t) => t.name === "pm")!;
    expect(pm.kinetics.kind === "formula" && pm.kinetics.flux).toBe("2 * Ca_in / (Ca_in + 0.0005) * exp(V/100)");
    expect(JSON.stringify(s2)).toBe(JSON.stringify(s));
    const current = (m: MembraneModel) => m.mechanisms.find((x) => x.name === "pm")!.current(-0.06, m.concentrationView(y0Of(m)));
    const m = new MembraneModel(s);
    const m2 = new MembraneModel(s2);
    expect(current(m)).not.toBe(0);
    expect(current(m2)).toBe(2 * current(m));
    expect(m2.mechanisms.find((x) => x.name === "pmca")!.current(-0.06, m2.concentrationView(y0Of(m2)))).toBe(
      m.mechanisms.find((x) => x.name === "pmca")!.current(-0.06, m.concentrationView(y0Of(m))),
    );
  });

  it("an exact stochastic channel's opening closure replaced by twice itself doubles its propensity", () => {
    const s = load();
    const o = s.channels[4]!.gates[0]!;
    expect(s.channels[4]!.stochastic?.noise).toBe("exact");
    const open = o.compiled.first.value;
    const s2 = withGate(s, 4, 0, { first: { ...o.compiled.first, value: (v) => 2 * open(v) }, second: o.compiled.second });
    const closedRate = (m: MembraneModel) => {
      const p = m.markov.populations[0]!;
      p.counts.fill(0);
      p.counts[0] = 50; // all closed: the propensity is N·α
      return m.markov.totalRate(-0.04, 0);
    };
    const a = closedRate(new MembraneModel(s));
    expect(a).toBeCloseTo(50 * 1e3 * 0.3 * Math.exp(-40 / 50), 9);
    expect(closedRate(new MembraneModel(s2))).toBe(2 * a);
  });

  it("a gate copied by spreading has no closures, and the model says so instead of compiling its text", () => {
    const s = load();
    const bare = { ...s, channels: s.channels.map((ch, i) => (i === 0 ? { ...ch, gates: ch.gates.map((g) => ({ ...g })) } : ch)) };
    expect(() => new MembraneModel(bare)).toThrow(/gate kd\.n has no compiled formulas/);
  });

  it("the runs of a sweep compile each formula once: validating again gives the same closures", () => {
    const a = load();
    const b = load();
    expect(b.channels[0]!.gates[0]!.compiled.first).toBe(a.channels[0]!.gates[0]!.compiled.first);
    expect(b.channels[1]!.gates[0]!.compiled.first).toBe(a.channels[1]!.gates[0]!.compiled.first);
    const flux = (s: Scenario) => s.transporters.map((t) => (t.kinetics.kind === "formula" ? t.kinetics.compiled : undefined));
    flux(a).forEach((f, i) => expect(flux(b)[i]).toBe(f));
  });

  it("src/model/ imports nothing but types from src/scenario/", () => {
    const SRC = resolve("src");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
      });
    const model = files(join(SRC, "model"));
    expect(model.length).toBeGreaterThan(5);
    const valueImports: string[] = [];
    let typeImports = 0;
    for (const file of model) {
      const text = readFileSync(file, "utf8");
      const statements = [...text.matchAll(/^\s*(import|export)\s([^;]*?)\sfrom\s+"(\.[^"]+)"/gms)].map((m) => ({ statement: m[0].trim(), spec: m[3]! }));
      statements.push(...[...text.matchAll(/import\(\s*"(\.[^"]+)"\s*\)/g)].map((m) => ({ statement: m[0], spec: m[1]! })));
      for (const { statement, spec } of statements) {
        const target = relative(SRC, resolve(dirname(file), spec));
        if (!target.startsWith("scenario/")) continue;
        // `import { type X }` keeps a runtime import of the module (verbatimModuleSyntax): only `import type` counts
        if (/^(import|export)\s+type\s/.test(statement)) typeImports++;
        else valueImports.push(`${relative(SRC, file)}: ${statement.replace(/\s+/g, " ")}`);
      }
    }
    expect(valueImports).toEqual([]);
    expect(typeImports).toBeGreaterThan(3);
  });
});
