import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { ScenarioError, SimulatorError } from "../../src/errors.js";
import { MembraneModel } from "../../src/model/membraneModel.js";
import { parseScenario } from "../../src/scenario/load.js";

/**
 * Property: whatever text arrives, the loader gives a valid scenario (whose model evaluates to
 * finite numbers at its initial state) or a one-line ScenarioError: never another exception,
 * a hang, or a multi-line message. 10^4 cases per run, from the sims/ files mutated.
 */
const SEEDS = readdirSync("sims").filter((f) => f.endsWith(".yaml")).map((f) => parse(readFileSync(`sims/${f}`, "utf8")) as Record<string, unknown>);

type Tree = unknown;
const paths = (t: Tree, prefix: (string | number)[] = []): (string | number)[][] => {
  if (t === null || typeof t !== "object") return [prefix];
  const entries = Array.isArray(t) ? t.map((v, i) => [i, v] as const) : Object.entries(t as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
};
const setAt = (t: Tree, path: (string | number)[], value: unknown): Tree => {
  if (path.length === 0) return value;
  const copy: any = Array.isArray(t) ? [...t] : { ...(t as object) };
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), value);
  return copy;
};
const dropAt = (t: Tree, path: (string | number)[]): Tree => {
  if (path.length === 0) return undefined;
  if (path.length === 1) {
    if (Array.isArray(t)) return t.filter((_, i) => i !== path[0]);
    const { [path[0]!]: _, ...rest } = t as Record<string, unknown>;
    return rest;
  }
  const copy: any = Array.isArray(t) ? [...t] : { ...(t as object) };
  copy[path[0]!] = dropAt(copy[path[0]!], path.slice(1));
  return copy;
};

const weirdValue = fc.oneof(
  fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 1e-320, "NaN mM", "Infinity mV", "1e999 mM", "-0 mV", "", " ", "mM", "1 mM mM"),
  fc.constantFrom("140 mV", "1 uF/cm^2", "3 mS/cm^2", "10 us", "37 degC", "-300 degC", "2 µM", "2 μm", "1 parsec", "1e-4 cm/s", "0.5 uA/cm^2"),
  fc.constantFrom("exp(", "V*", "import(1)", "constructor", "__proto__", "this", "(V+40)/(1-exp(-(V+40)/10))", "1/(V+1)", "x".repeat(3000)),
  fc.constantFrom(null, true, false, [], {}, [[[[1]]]], { a: { b: { c: 1 } } }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.integer(), { maxLength: 300 }),
);

const mutated = fc
  .record({ seed: fc.integer({ min: 0, max: SEEDS.length - 1 }), ops: fc.array(fc.tuple(fc.nat(), fc.constantFrom("set", "drop", "dup"), weirdValue), { minLength: 1, maxLength: 4 }) })
  .map(({ seed, ops }) => {
    let tree: Tree = SEEDS[seed];
    for (const [pick, op, value] of ops) {
      const all = paths(tree);
      const path = all[pick % all.length]!;
      if (op === "drop") tree = dropAt(tree, path);
      else if (op === "dup" && path.length > 0) tree = setAt(tree, [...path.slice(0, -1), `${String(path.at(-1))}x`], value);
      else tree = setAt(tree, path, value);
    }
    return tree;
  });

function outcome(text: string): "valid" | "refused" {
  try {
    const scenario = parseScenario(text, "fuzz.yaml");
    // a valid scenario must give a model whose right-hand side is computable at its start
    const model = new MembraneModel(scenario);
    const d = new Float64Array(model.size);
    model.compiledRhs(0, model.y0, d);
    // finite: the initial state and every derivative there (the claim this test makes)
    const bad = [...model.y0, ...d].findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`valid scenario with a non-finite ${bad < model.y0.length ? `y0[${bad}]` : `dy/dt[${bad - model.y0.length}]`}\n--- scenario ---\n${text.slice(0, 2000)}`);
    return "valid";
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof SimulatorError) {
      expect(e.message).not.toContain("\n");
      expect(e.message.startsWith("fuzz.yaml")).toBe(true);
      return "refused";
    }
    throw new Error(`uncaught ${(e as Error).name}: ${(e as Error).message}\n--- scenario ---\n${text.slice(0, 2000)}`);
  }
}

describe("property: hostile scenarios give a valid model or a one-line ScenarioError", () => {
  it("10,000 mutated sims/ scenarios", () => {
    const seen = { valid: 0, refused: 0 };
    fc.assert(
      fc.property(mutated, (tree) => {
        const text = tree === undefined ? "" : stringify(tree);
        seen[outcome(text)]++;
      }),
      { numRuns: 10_000, seed: 20261125 },
    );
    // both outcomes occur: the generator is not just breaking everything
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(1000);
  }, 300_000);

  it("raw text: random bytes, odd Unicode and broken YAML", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: "binary", maxLength: 200 }), fc.constantFrom("a: &a [*a]", "{", "- - -", "name: [", "\u0000\u0001", `a: ${"[".repeat(200)}`)), (text) => {
        outcome(text);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
