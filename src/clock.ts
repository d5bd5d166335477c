/**
 * A monotonic clock in milliseconds (arbitrary origin) from process.hrtime, which needs no
 * module: the `performance` global loads perf_hooks (about ten internal modules, about 1 ms of a
 * plain `ionflux run`'s start-up) on first use.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
