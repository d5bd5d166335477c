import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The import direction between src/ folders (README, "Map of the code"): a folder may import from
 * its own layer or the layers below it, never from a layer above. Type-only imports count too.
 * scenario/ sits with model/ and solvers/ (the model reads the Scenario type).
 */
const LAYERS: readonly (readonly string[])[] = [
  ["physics", "numerics", "errors.ts", "version.ts", "codeCache.ts"],
  ["solvers", "protocol", "model", "scenario"],
  ["simulation"],
  ["recording"],
  ["sweep", "plot"],
  ["cli", "verify", "bench", "index.ts"],
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

export function violations(all: readonly string[]): string[] {
  const out: string[] = [];
  for (const file of all) {
    const from = topOf(file);
    for (const target of importsOf(file)) {
      const to = topOf(target);
      if (level(to) > level(from)) out.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${to} is above ${from})`);
    }
  }
  return out;
}

describe("layering", () => {
  const all = files(SRC);
  it("every top-level folder and file of src/ has a layer", () => {
    expect(readdirSync(SRC).filter((name) => level(name) < 0)).toEqual([]);
  });
  it("no folder imports from a layer above it", () => {
    expect(violations(all)).toEqual([]);
  });
  it("the check sees a wrong-way import (a model file importing simulation)", () => {
    const fake = join(SRC, "model", "fake.ts");
    const text = 'import { simulate } from "../simulation/simulate.js";\n';
    expect(importsOf(fake, text)).toEqual([join(SRC, "simulation", "simulate.ts")]);
    expect(level(topOf(importsOf(fake, text)[0]!)) > level("model")).toBe(true);
  });
});
