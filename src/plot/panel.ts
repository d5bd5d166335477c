import { linearScale, logScale, symlogScale, type Scale } from "./scale.js";
import { DASHES, PALETTE, esc, pathData } from "./svg.js";

export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly dashed?: boolean;
  readonly marker?: boolean;
  /** Default: the palette's colour for the series' position. */
  readonly colour?: string;
  readonly strokeWidth?: number;
  readonly opacity?: number;
}

export interface PanelSpec {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xScale: "linear" | "log";
  readonly yScale: "linear" | "log" | "symlog";
  readonly series: readonly Series[];
  readonly xRange: [number, number];
}

function finiteRange(values: Iterable<number>, positiveOnly = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positiveOnly && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : positiveOnly ? [1, 10] : [0, 1];
}

export function makeScale(kind: "linear" | "log" | "symlog", values: Iterable<number>, p0: number, p1: number): Scale {
  if (kind === "log") {
    const [lo, hi] = finiteRange(values, true);
    return logScale(lo, hi, p0, p1);
  }
  const [lo, hi] = finiteRange(values);
  if (kind === "symlog") {
    // the linear core: a thousandth of the largest magnitude, so that ~3 decades show on each side
    const big = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return symlogScale(lo, hi, p0, p1, big / 1e3);
  }
  // a flat series (V held at -10 mV) varies only by round-off: widen it to ±5% (ticks, not noise)
  const mid = (lo + hi) / 2;
  if (hi - lo <= 1e-9 * Math.abs(mid)) {
    const half = Math.abs(mid) * 0.05 || 1;
    return linearScale(mid - half, mid + half, p0, p1);
  }
  return linearScale(lo, hi, p0, p1);
}

/** One plot panel: frame, grid, ticks with labels, axis titles with units, series and a legend. */
export function renderPanel(p: PanelSpec): string {
  const plotRight = p.left + p.width;
  const plotBottom = p.top + p.height;
  const xs = makeScale(p.xScale, p.xRange, p.left, plotRight);
  const ys = makeScale(p.yScale, p.series.flatMap((s) => s.y as number[]), plotBottom, p.top);
  const out: string[] = [];
  out.push(`<g class="panel" data-title="${esc(p.title)}">`);
  out.push(`<text x="${p.left}" y="${p.top - 8}" font-size="13" font-weight="bold">${esc(p.title)}</text>`);
  out.push(`<rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}" fill="none" stroke="#444"/>`);
  for (const t of spaced(ys.ticks(), ys.map, 16)) {
    const y = ys.map(t.value);
    if (y < p.top - 0.5 || y > plotBottom + 0.5) continue;
    out.push(`<line x1="${p.left}" x2="${plotRight}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${p.left - 6}" y="${(y + 4).toFixed(1)}" font-size="11" text-anchor="end">${esc(t.label)}</text>`);
  }
  for (const t of spaced(xs.ticks(), xs.map, 40)) {
    const x = xs.map(t.value);
    if (x < p.left - 0.5 || x > plotRight + 0.5) continue;
    out.push(`<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${p.top}" y2="${plotBottom}" stroke="#eee"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${plotBottom + 15}" font-size="11" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<text x="${(p.left + plotRight) / 2}" y="${plotBottom + 32}" font-size="12" text-anchor="middle" class="axis-label">${esc(p.xLabel)}</text>`);
  out.push(`<text transform="translate(${p.left - 48},${(p.top + plotBottom) / 2}) rotate(-90)" font-size="12" text-anchor="middle" class="axis-label">${esc(p.yLabel)}</text>`);
  out.push(`<clipPath id="clip-${p.top}"><rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}"/></clipPath>`);
  p.series.forEach((s, i) => {
    const color = s.colour ?? PALETTE[i % PALETTE.length]!;
    const dash = s.dashed ? DASHES[1 + (i % (DASHES.length - 1))]! : "";
    const px = s.x.map((v) => xs.map(v));
    const py = s.y.map((v) => (Number.isFinite(v) ? ys.map(v) : NaN));
    if (s.marker) {
      const marks = px.map((x, k) => (Number.isFinite(x) && Number.isFinite(py[k]!) ? `<circle cx="${x.toFixed(1)}" cy="${py[k]!.toFixed(1)}" r="2.5" fill="${color}"/>` : "")).join("");
      out.push(`<g data-series="${esc(s.label)}" clip-path="url(#clip-${p.top})">${marks}</g>`);
    } else {
      out.push(`<path data-series="${esc(s.label)}" d="${pathData(px, py)}" fill="none" stroke="${color}" stroke-width="${s.strokeWidth ?? 1.6}"${s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : ""}${dash ? ` stroke-dasharray="${dash}"` : ""} stroke-linejoin="round" stroke-linecap="round" clip-path="url(#clip-${p.top})"/>`);
    }
    const ly = p.top + 14 + i * 16;
    out.push(`<line x1="${plotRight + 12}" x2="${plotRight + 36}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="${Math.max(2, s.strokeWidth ?? 2)}"${s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : ""}${dash ? ` stroke-dasharray="${dash}"` : ""}/>`);
    out.push(`<text x="${plotRight + 42}" y="${ly}" font-size="11" class="legend">${esc(s.label)}</text>`);
  });
  out.push("</g>");
  return out.join("\n");
}

/**
 * Ticks far enough apart to read: 0 first (symlog's centre), then by decreasing magnitude, each
 * kept only if it is at least `minPixels` from every tick kept before (symlog's ±1 next to 0 went).
 */
export function spaced(ticks: { value: number; label: string }[], map: (v: number) => number, minPixels: number): { value: number; label: string }[] {
  const order = [...ticks].sort((a, b) => (a.value === 0 ? -1 : b.value === 0 ? 1 : Math.abs(b.value) - Math.abs(a.value)));
  const kept: { value: number; label: string }[] = [];
  for (const t of order) if (kept.every((k) => Math.abs(map(k.value) - map(t.value)) >= minPixels)) kept.push(t);
  return kept.sort((a, b) => a.value - b.value);
}

export function svgDocument(width: number, height: number, body: string, title: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">
<title>${esc(title)}</title>
<rect width="${width}" height="${height}" fill="#ffffff"/>
${body}
</svg>
`;
}
