// A sweep worker's entry (dist/sweep-worker.mjs). Built, it loads its code (dist/sweep-worker.cjs)
// through V8's code cache, as a plain `ionflux run` does: every worker of every sweep is a fresh
// isolate that would otherwise parse and compile it all again.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadWithCodeCache } from "../codeCache.js";
import type { serveSweep as Serve } from "./workerMain.js";

const bundle = fileURLToPath(new URL("./sweep-worker.cjs", import.meta.url));
if (existsSync(bundle)) {
  const cached = loadWithCodeCache<{ serveSweep: typeof Serve }>(bundle);
  cached.exports.serveSweep(() => cached.save());
} else {
  (await import("./workerMain.js")).serveSweep(() => {});
}
