// The CLI's first module (dist/launch.cjs, required by bin/ionflux.js). It is CommonJS so that a
// plain `ionflux run` starts without Node's ES module loader: the run's own code is one CommonJS
// script (dist/ionflux-run.cjs) loaded through V8's code cache; every other command line imports
// the full CLI (dist/ionflux.mjs, yargs).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadWithCodeCache } from "./codeCache.js";
import { plainRun } from "./plainRun.js";
import type { runOnly as RunOnly } from "./runOnly.js";

declare const __dirname: string;

const argv = process.argv.slice(2);
const plain = plainRun(argv);
const bundle = join(__dirname, "ionflux-run.cjs");
if (plain && existsSync(bundle)) {
  const cached = loadWithCodeCache<{ runOnly: typeof RunOnly }>(bundle);
  process.exitCode = cached.exports.runOnly(plain);
  cached.save();
} else {
  // the ES module entry serves everything else (and a plain run when the bundle is missing); it
  // imports epipe.js first (a plain run writes its lines without Node's streams: lineWriter.ts)
  void import(pathToFileURL(join(__dirname, "ionflux.mjs")).href);
}
