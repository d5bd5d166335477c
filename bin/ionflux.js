#!/usr/bin/env node
// Thin launcher: the CLI is one esbuild bundle in dist/ (built by `npm ci` through the prepare
// script), so that start-up does not pay for resolving hundreds of module files.
import "../dist/ionflux.mjs";
