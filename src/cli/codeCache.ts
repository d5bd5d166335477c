/** The V8 code-cache loader lives in src/codeCache.ts (a leaf, so that sweep workers may use it too). */
export { loadWithCodeCache } from "../codeCache.js";
