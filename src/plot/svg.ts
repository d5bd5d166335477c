/** Okabe & Ito's palette: distinguishable with any common colour-vision deficiency and in grey. */
export const PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442"];
export const DASHES = ["", "6 3", "2 2", "8 3 2 3", "1 3"];

/**
 * One colour per ion, the same in every panel of a figure: Okabe & Ito's colours without black
 * (black is V and I_net) and with yellow last (faint on white), then Paul Tol's muted scheme, so
 * that no two of the first 14 ions share a colour (the HH cell's Na and Mg no longer both black).
 */
const ION_COLOURS = ["#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#882255", "#44AA99", "#999933", "#AA4499", "#332288", "#661100", "#6699CC", "#F0E442"];
export const ionColour = (i: number) => ION_COLOURS[i % ION_COLOURS.length]!;

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A polyline path of the finite points (a gap where a value is missing). A point alone between
 * gaps (a sweep value whose neighbours failed) is a zero-length segment, which a round line cap
 * draws as a dot.
 */
export function pathData(xs: readonly number[], ys: readonly number[]): string {
  let d = "";
  let points = 0; // in the present piece
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (points === 1) d += "l0 0";
      points = 0;
      continue;
    }
    d += `${points > 0 ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
    points++;
  }
  if (points === 1) d += "l0 0";
  return d;
}
