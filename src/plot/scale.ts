/** A mapping from data to pixels, with its ticks. */
export interface Scale {
  readonly kind: "linear" | "log" | "symlog";
  map(v: number): number;
  ticks(): { value: number; label: string }[];
}

const fmt = (v: number) => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  return Number(v.toPrecision(4)).toString();
};

/**
 * A linear tick's label with the digits its step needs, so that neighbours never print alike
 * (15000 and 20000 are "1.5e4" and "2e4", 298.1 and 298.15 stay apart).
 */
export function linearTickLabel(v: number, step: number): string {
  if (v === 0 || Math.abs(v) < step / 1e6) return "0";
  const a = Math.abs(v);
  const stepDigit = Math.floor(Math.log10(step));
  if (a >= 1e4 || a < 1e-3) {
    const mantissa = Math.max(0, Math.floor(Math.log10(a)) - stepDigit);
    return Number(v.toExponential(Math.min(mantissa, 15))).toExponential().replace("e+", "e");
  }
  return Number(v.toFixed(Math.min(Math.max(0, -stepDigit), 15))).toString();
}

/** "Nice" linear ticks (1, 2, 5 × 10^k steps). */
export function linearScale(lo: number, hi: number, p0: number, p1: number): Scale {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const a = Math.floor(lo / step) * step;
  const b = Math.ceil(hi / step) * step;
  return {
    kind: "linear",
    map: (v) => p0 + ((v - a) / (b - a)) * (p1 - p0),
    ticks: () => {
      const out = [];
      for (let v = a; v <= b + step / 2; v += step) out.push({ value: v, label: linearTickLabel(v, step) });
      return out;
    },
  };
}

/** Decades (positive data only). */
export function logScale(lo: number, hi: number, p0: number, p1: number): Scale {
  const a = Math.floor(Math.log10(lo));
  let b = Math.ceil(Math.log10(hi));
  if (b === a) b = a + 1;
  const every = Math.max(1, Math.ceil((b - a) / 8));
  return {
    kind: "log",
    map: (v) => p0 + ((Math.log10(Math.max(v, 10 ** (a - 3))) - a) / (b - a)) * (p1 - p0),
    ticks: () => {
      const out = [];
      for (let e = a; e <= b; e += every) out.push({ value: 10 ** e, label: fmt(10 ** e) });
      return out;
    },
  };
}

/**
 * Symmetric log: linear within ±c, logarithmic beyond (sign(v)·log10(1 + |v|/c)), so that a current
 * approaching zero from either side stays visible over many decades.
 */
export function symlogScale(lo: number, hi: number, p0: number, p1: number, c: number): Scale {
  const f = (v: number) => Math.sign(v) * Math.log10(1 + Math.abs(v) / c);
  const fa = Math.min(f(lo), -f(c));
  const fb = Math.max(f(hi), f(c));
  return {
    kind: "symlog",
    map: (v) => p0 + ((f(v) - fa) / (fb - fa)) * (p1 - p0),
    ticks: () => {
      const out = [{ value: 0, label: "0" }];
      const top = Math.max(Math.abs(lo), Math.abs(hi));
      for (let e = Math.ceil(Math.log10(c)); 10 ** e <= top * 1.0001; e++) {
        if (10 ** e <= hi) out.push({ value: 10 ** e, label: fmt(10 ** e) });
        if (-(10 ** e) >= lo) out.push({ value: -(10 ** e), label: fmt(-(10 ** e)) });
      }
      return out;
    },
  };
}
