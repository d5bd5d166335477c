import type { Scenario } from "../scenario/types.js";

/** A place in a validated Scenario: keys and list indices from its root. */
type Place = readonly (string | number)[];

/** One number a sweep point writes into the base scenario. */
interface LeafWrite {
  readonly place: Place;
  readonly value: number;
}

/**
 * The rate parameters of model/rates.ts, where validation puts them (`*`: any list index). A
 * mechanism reads exactly these through its rate cells, and validation checks each on its own
 * (its unit and sign: no check reads two of them together), so a point that changes only these
 * is the base scenario with numbers written in.
 */
const RATE_PLACES: readonly Place[] = [
  ["channels", "*", "conductance"],
  ["channels", "*", "permeability"],
  ["pumps", "*", "maxCurrent"],
  ["transporters", "*", "kinetics", "conductance"],
];

function isRatePlace(place: Place): boolean {
  return RATE_PLACES.some((p) => p.length === place.length && p.every((seg, i) => (seg === "*" ? typeof place[i] === "number" : seg === place[i])));
}

/**
 * Where two validated scenarios differ: the places of differing numbers, or null when they differ
 * otherwise (a text, a flag, a list's length, a function: anything but a number in place).
 */
export function numberDifferences(a: unknown, b: unknown, place: (string | number)[] = [], out: LeafWrite[] = []): LeafWrite[] | null {
  if (Object.is(a, b)) return out;
  if (typeof a === "number" && typeof b === "number") {
    out.push({ place: [...place], value: b });
    return out;
  }
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return null;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return null;
  if (ArrayBuffer.isView(a)) return null;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return null;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return null;
    place.push(Array.isArray(a) ? Number(key) : key);
    const r = numberDifferences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], place, out);
    place.pop();
    if (r === null) return null;
  }
  return out;
}

/** Whether field path `inner` is `outer` or lies inside it (`channels[0].conductance` in `channels[0]`). */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
}

/** `base` with `value` at `place`: copies along the path, shares the rest. */
function written(base: unknown, place: Place, value: number, depth = 0): unknown {
  if (depth === place.length) return value;
  const key = place[depth]!;
  if (Array.isArray(base)) {
    const copy = base.slice();
    copy[key as number] = written(base[key as number], place, value, depth + 1);
    return copy;
  }
  const from = base as Record<string, unknown>;
  return Object.assign(Object.create(Object.getPrototypeOf(from) as object | null) as Record<string, unknown>, from, { [key]: written(from[key as string], place, value, depth + 1) });
}

/**
 * The fast path of sweep points (issue 14, item 2): each `--set` text of an axis is validated once,
 * on its own over the base scenario, and compared with the base. When every set of a point only
 * changes rate parameters, the point's scenario is the base with those numbers written in, and its
 * model is the base model with them written into its compiled code (MembraneModel.writeRates):
 * no validation, no model build per point. Anything else (a method, an ion's concentration, a
 * formula, a stochastic channel, a set that fails validation) takes the full path, which also
 * gives its error message. Both paths give the same rows byte for byte
 * (test/sweep/rate-points.test.ts).
 */
export class RatePoints {
  /** Per set text: the numbers it writes, or null when it changes more than rate parameters. */
  private readonly writes = new Map<string, { readonly field: string; readonly writes: readonly LeafWrite[] } | null>();
  private baseScenario: Scenario | null | undefined;

  /**
   * `validate(sets)` validates the base scenario (with the sweep's own base sets) and `sets` over
   * it; `fieldOf(text)` is the canonical field path a set names (`channels[0].conductance`, the
   * same for `channels.k-leak.conductance`), by which two sets of one point are told apart.
   */
  constructor(
    private readonly validate: (sets: readonly string[]) => Scenario,
    private readonly fieldOf: (text: string) => string,
  ) {}

  /** The validated base scenario, or null when it cannot take the fast path (it fails, or has stochastic channels). */
  get base(): Scenario | null {
    if (this.baseScenario === undefined) {
      try {
        const s = this.validate([]);
        this.baseScenario = s.channels.some((c) => c.stochastic) ? null : s;
      } catch {
        this.baseScenario = null;
      }
    }
    return this.baseScenario;
  }

  private writesOf(text: string): { readonly field: string; readonly writes: readonly LeafWrite[] } | null {
    let w = this.writes.get(text);
    if (w === undefined) {
      w = null;
      try {
        const diff = numberDifferences(this.base, this.validate([text]));
        if (diff && diff.every((d) => isRatePlace(d.place))) w = { field: this.fieldOf(text), writes: diff };
      } catch {
        // the full path says what is wrong with it
      }
      if (this.writes.size >= 4096) this.writes.clear();
      this.writes.set(text, w);
    }
    return w;
  }

  /** The scenario of a point with these sets, by writing numbers into the base; undefined: take the full path. */
  scenario(sets: readonly string[]): Scenario | undefined {
    let s = this.base;
    if (s === null) return undefined;
    const fields: string[] = [];
    for (const text of sets) {
      const w = this.writesOf(text);
      if (w === null) return undefined;
      // two sets of one field (or one inside the other): the full path says which one wins
      if (fields.some((f) => within(f, w.field) || within(w.field, f))) return undefined;
      
      fields.push(w.field);
      for (const d of w.writes) s = written(s, d.place, d.value) as Scenario;
    }
    return s;
  }
}
