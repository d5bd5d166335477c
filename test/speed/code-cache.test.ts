import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadWithCodeCache } from "../../src/cli/codeCache.js";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A CommonJS bundle with a build id line, as scripts/bundle.mjs writes dist/ionflux-run.cjs. */
function bundle(dir: string, id: string, value: number): string {
  const file = join(dir, "b.cjs");
  // same length whatever the value (one digit): V8 itself would take the old cache for it
  writeFileSync(file, `// build ${id}\nmodule.exports.value = function () { return ${value}; };\n`);
  return file;
}

describe("loading the run bundle through V8's code cache", () => {
  it("writes a cache after the first load, reads it on the next, and never runs a stale one", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-cc-"));
    const cacheDir = join(dir, "cache");
    process.env.IONFLUX_CODE_CACHE_DIR = cacheDir;
    const first = loadWithCodeCache<{ value: () => number }>(bundle(dir, "aaaa", 1));
    expect(first.exports.value()).toBe(1);
    first.save();
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".cache"))).toHaveLength(1);
    const again = loadWithCodeCache<{ value: () => number }>(join(dir, "b.cjs"));
    expect(again.exports.value()).toBe(1);
    // a rebuilt bundle of the same length: its own build id, so the old bytecode is not used
    const rebuilt = loadWithCodeCache<{ value: () => number }>(bundle(dir, "bbbb", 2));
    expect(rebuilt.exports.value()).toBe(2);
  });

  it("IONFLUX_CODE_CACHE=0 neither reads nor writes a cache", () => {
    const dir = mkdtempSync(join(tmpdir(), "ionflux-cc-"));
    process.env.IONFLUX_CODE_CACHE_DIR = join(dir, "cache");
    process.env.IONFLUX_CODE_CACHE = "0";
    const b = loadWithCodeCache<{ value: () => number }>(bundle(dir, "cccc", 3));
    expect(b.exports.value()).toBe(3);
    b.save();
    expect(() => readdirSync(join(dir, "cache"))).toThrow();
  });
});
