/** Human-readable numbers for terminal lines (files always carry full precision). */
export function fmt(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  return Number(x.toPrecision(digits)).toString();
}

/** A duration in the most readable unit. */
export function fmtTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return "n/a";
  const a = Math.abs(seconds);
  if (a >= 3600) return `${fmt(seconds / 3600, 4)} h`;
  if (a >= 60) return `${fmt(seconds / 60, 4)} min`;
  if (a >= 1) return `${fmt(seconds, 4)} s`;
  if (a >= 1e-3) return `${fmt(seconds * 1e3, 4)} ms`;
  return `${fmt(seconds * 1e6, 4)} us`;
}
