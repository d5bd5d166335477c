// Bundles the CLI into dist/ionflux.mjs: one file to parse instead of hundreds to resolve, which
// is most of a short run's start-up. mathjs stays outside: it is loaded only for unit spellings
// that the generated unit table does not know (src/scenario/quantity.ts).
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["mathjs", "@resvg/resvg-js"],
  // some dependencies ship CommonJS that calls require(): give the ESM bundle one
  banner: { js: "import { createRequire as __ionfluxRequire } from 'node:module'; const require = __ionfluxRequire(import.meta.url);" },
  minify: process.env.IONFLUX_NO_MINIFY ? false : true,
  logLevel: "warning",
};
await build({ ...common, entryPoints: ["src/cli/bin.ts"], outfile: "dist/ionflux.mjs" });
// sweep workers load one file too: a worker's start-up is paid once per thread per sweep
await build({ ...common, entryPoints: ["src/sweep/worker.ts"], outfile: "dist/sweep-worker.mjs" });
