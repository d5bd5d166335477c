/**
 * Numbers as text, exactly as `String(x)` writes them (ECMAScript's shortest round-trip form),
 * made without V8's number-string cache.
 *
 * `String(x)` (and `'' + x`, `${x}`, `x.toString()`) of a double stores the result in a cache
 * that the heap holds strongly until the next full collection: each fresh number's text outlives
 * two young-generation collections and is promoted, dead, to the old generation. A sweep's main
 * thread formats some 30,000 fresh numbers a second (W4 of benchmarks.md); its old generation
 * grew by about 1 MB/s of such strings between full collections, found by V8's sampling heap
 * profiler with objects collected by major GC kept. `JSON.stringify` writes a number's digits
 * straight into its output (no cache, no string per number; for a finite number its text is
 * `String(x)`'s by the standard: both are Number::toString), and is faster as well.
 */

/** `String(x)` of a finite number without the cache; a non-finite one is written as String does ("NaN", "Infinity"). */
export function numberText(x: number): string {
  return Number.isFinite(x) ? JSON.stringify(x) : String(x);
}

/** Finite numbers, comma-separated, each as `String(x)` writes it: one JSON.stringify for them all (a non-finite one comes out as JSON's `null`). */
export function finiteNumbersText(xs: readonly number[]): string {
  return JSON.stringify(xs).slice(1, -1);
}
