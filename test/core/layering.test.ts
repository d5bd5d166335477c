import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The import direction between src/ folders (README, "Where things live"), strict: a file may import
 * from its own top-level folder or from a layer below its own, never from a layer above nor from
 * another folder of its own layer. Type-only imports count too. The order is what the code needs:
 * - solvers sits below scenario: scenario/validate.ts reads the solver registry for the method names;
 * - protocol (stimulus, clamp) sits between scenario (whose types it reads) and model (which it drives);
 * - verify sits with sweep and plot: it runs models and reads recordings, and cli imports it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["physics", "numerics", "errors.ts", "version.ts", "codeCache.ts", "clock.ts"],
  ["solvers"],
  ["scenario"],
  ["protocol"],
  ["model"],
  ["simulation"],
  ["recording"],
  ["sweep", "plot", "verify"],
  ["cli", "bench", "index.ts"],
];
const SRC = resolve("src");
const level = (top: string) => LAYERS.findIndex((l) => l.includes(top));
const topOf = (file: string) => relative(SRC, file).split("/")[0]!;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Every relative import or re-export of a file, resolved to a path under src/. */
export function importsOf(file: string, text = readFileSync(file, "utf8")): string[] {
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"/gms)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/import\(\s*"(\.[^"]+)"\s*\)/g)].map((m) => m[1]!));
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, ".ts"));
}

/** The wrong-way imports among `all` (file paths; `read` gives a file's text). */
export function violations(all: readonly string[], read: (file: string) => string = (f) => readFileSync(f, "utf8")): string[] {
  const out: string[] = [];
  for (const file of all) {
    const from = topOf(file);
    for (const target of importsOf(file, read(file))) {
      const to = topOf(target);
      if (to === from) continue;
      if (level(to) > level(from)) out.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${to} is above ${from})`);
      else if (level(to) === level(from)) out.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${to} is beside ${from}, in its layer)`);
    }
  }
  return out;
}

/** The violations of one made-up file at src/<path> with the given text. */
const violationsOf = (path: string, text: string) => violations([join(SRC, path)], () => text);

describe("layering", () => {
  const all = files(SRC);
  it("every top-level folder and file of src/ has a layer", () => {
    expect(readdirSync(SRC).filter((name) => level(name) < 0)).toEqual([]);
  });
  it("no folder imports from a layer above it or from a folder beside it", () => {
    expect(violations(all)).toEqual([]);
  });
  it("the check sees a wrong-way import (a model file importing simulation)", () => {
    const fake = join(SRC, "model", "fake.ts");
    const text = 'import { simulate } from "../simulation/simulate.js";\n';
    expect(importsOf(fake, text)).toEqual([join(SRC, "simulation", "simulate.ts")]);
    expect(violationsOf("model/fake.ts", text)).toEqual(["model/fake.ts imports simulation/simulate.ts (simulation is above model)"]);
  });
  it("scenario, solvers and protocol may not import the model, nor solvers the scenario", () => {
    const model = 'import type { MembraneModel } from "../model/membraneModel.js";\n';
    expect(violationsOf("scenario/fake.ts", model)).toEqual(["scenario/fake.ts imports model/membraneModel.ts (model is above scenario)"]);
    expect(violationsOf("solvers/implicit/fake.ts", model.replace("../", "../../"))).toEqual(["solvers/implicit/fake.ts imports model/membraneModel.ts (model is above solvers)"]);
    expect(violationsOf("protocol/fake.ts", model)).toHaveLength(1);
    expect(violationsOf("solvers/fake.ts", 'import type { Scenario } from "../scenario/types.js";\n')).toHaveLength(1);
    expect(violationsOf("scenario/fake.ts", 'export { Protocol } from "../protocol/protocol.js";\n')).toHaveLength(1);
    // and what the code needs stays allowed
    expect(violationsOf("scenario/fake.ts", 'import { METHOD_NAMES } from "../solvers/registry.js";\n')).toEqual([]);
    expect(violationsOf("model/fake.ts", 'import { Protocol } from "../protocol/protocol.js";\nimport type { Scenario } from "../scenario/types.js";\n')).toEqual([]);
  });
  it("folders of one layer may not import each other", () => {
    expect(violationsOf("plot/fake.ts", 'import { sweep } from "../sweep/api.js";\n')).toEqual(["plot/fake.ts imports sweep/api.ts (sweep is beside plot, in its layer)"]);
    expect(violationsOf("physics/fake.ts", 'const m = await import("../numerics/lu.js");\n')).toHaveLength(1);
  });
});
