#!/usr/bin/env node
// Thin launcher (CommonJS: bin/package.json says so). The CLI is bundled into dist/ by esbuild
// (built by `npm ci` through the prepare script); dist/launch.cjs starts a plain `ionflux run`
// without the ES module loader and imports the full CLI (dist/ionflux.mjs) for anything else.
require("../dist/launch.cjs");
