// The ES module entry of the bundled CLI (dist/ionflux.mjs, built by esbuild with code splitting;
// bin/ionflux.js reaches it through dist/launch.cjs for every command line but a plain run). A plain
// `ionflux run` loads only what the run needs (dist/ionflux-run.cjs, through V8's code cache);
// every other command line loads the full CLI (yargs).
import "./epipe.js"; // first: a closed pipe ends the process quietly (status 0)
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadWithCodeCache } from "./codeCache.js";
import { plainRun } from "./plainRun.js";
import type { runOnly as RunOnly } from "./runOnly.js";

const argv = process.argv.slice(2);
const plain = plainRun(argv);
if (plain) {
  const bundle = fileURLToPath(new URL("./ionflux-run.cjs", import.meta.url));
  const cached = existsSync(bundle) ? loadWithCodeCache<{ runOnly: typeof RunOnly }>(bundle) : null;
  const runOnly = cached ? cached.exports.runOnly : (await import("./runOnly.js")).runOnly;
  process.exitCode = runOnly(plain);
  cached?.save();
} else {
  process.exitCode = await (await import("./main.js")).main(argv);
}
