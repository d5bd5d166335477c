// Bundles the CLI into dist/: one file to parse instead of hundreds to resolve, which is most of a
// short run's start-up.
// - dist/ionflux.mjs (src/cli/bin.ts) with code splitting: the full CLI (yargs, every command) is
//   a chunk loaded only for command lines other than a plain `ionflux run`;
// - dist/ionflux-run.cjs: everything a plain run needs, as one CommonJS script that
//   src/codeCache.ts loads through V8's code cache (dist/ionflux-run.cjs.*.cache, made here
//   by one run of W1, for the Node that builds);
// - dist/sweep-worker.mjs: a sweep worker's start-up is paid once per thread per sweep: it loads
//   dist/sweep-worker.cjs through the code cache too (made here by a small sweep).
// The chunks sit beside the entries (src/sweep/pool.ts finds the worker relative to its chunk).
// mathjs stays outside: it is loaded only for unit spellings that the generated unit table does
// not know (src/scenario/quantity.ts).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

// seedrandom, loaded as CommonJS, runs `require("crypto")` as it starts, for auto-seeding only;
// ionflux always gives it a seed, and node:crypto costs a plain run 5-8 ms of start-up (about
// twenty internal modules): in the bundles that require gets an empty module
const seedrandomWithoutNodeCrypto = {
  name: "seedrandom-without-node-crypto",
  setup(b) {
    b.onResolve({ filter: /^crypto$/ }, (args) => (/[\\/]seedrandom[\\/]/.test(args.importer) ? { path: "crypto", namespace: "seedrandom-no-crypto" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "seedrandom-no-crypto" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};
const common = {
  plugins: [seedrandomWithoutNodeCrypto],
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["mathjs", "@resvg/resvg-js"],
  minify: process.env.IONFLUX_NO_MINIFY ? false : true,
  logLevel: "warning",
};
if (existsSync("dist")) for (const f of readdirSync("dist", { withFileTypes: true })) if (f.isFile() && /^chunk-|^ionflux-run\.cjs|^sweep-worker\.cjs/.test(f.name)) rmSync(`dist/${f.name}`);
await build({
  ...common,
  entryPoints: { ionflux: "src/cli/bin.ts", "sweep-worker": "src/sweep/worker.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunk-[hash]",
  splitting: true,
  format: "esm",
  // some dependencies ship CommonJS that calls require(): give the ESM bundle one
  banner: { js: "import { createRequire as __ionfluxRequire } from 'node:module'; const require = __ionfluxRequire(import.meta.url);" },
});
// dist/launch.cjs (src/cli/launch.ts): the CommonJS first module of bin/ionflux.js, which starts a
// plain run without Node's ES module loader and imports dist/ionflux.mjs for everything else
await build({ ...common, entryPoints: ["src/cli/launch.ts"], outfile: "dist/launch.cjs", format: "cjs" });
for (const [entry, outfile] of [["src/cli/runOnly.ts", "dist/ionflux-run.cjs"], ["src/sweep/workerMain.ts", "dist/sweep-worker.cjs"]]) {
  const cjs = await build({ ...common, entryPoints: [entry], format: "cjs", write: false, define: { "import.meta.url": "__ionfluxUrl" } });
  const code = cjs.outputFiles[0].text;
  // the build id keys the code cache: V8 itself checks only the source's length
  writeFileSync(outfile, `// build ${createHash("sha256").update(code).digest("hex").slice(0, 16)}\n${code}`);
}
// one run and one small sweep (one worker) write the code caches of this Node into dist/
const out = mkdtempSync(join(tmpdir(), "ionflux-bundle-"));
const env = { ...process.env, IONFLUX_CODE_CACHE_DIR: "dist" };
execFileSync(process.execPath, ["bin/ionflux.js", "run", "sims/bench/w1-run-down.yaml", "--out", out], { env, stdio: "ignore" });
execFileSync(process.execPath, ["bin/ionflux.js", "sweep", "sims/bench/w1-run-down.yaml", "--vary", "pumps.pump.max-current=0.1 uA/cm^2:2 uA/cm^2:50", "--jobs", "2", "--progress", "never", "--out", out], { env, stdio: "ignore" });
rmSync(out, { recursive: true, force: true });
