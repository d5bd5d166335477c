/**
 * A delay in milliseconds from the environment variable `name` (the tests' knobs:
 * IONFLUX_PROGRESS_AFTER_MS, IONFLUX_CHECKPOINT_MS, IONFLUX_SWEEP_GRACE_MS): a finite number >= 0,
 * else `fallback` (an unset, empty or malformed value does not turn into NaN or a negative delay).
 */
export function envMilliseconds(name: string, fallback: number): number {
  const text = process.env[name];
  const value = text === undefined || text.trim() === "" ? NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
