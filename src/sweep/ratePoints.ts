import { KINDS, parseQuantityOnce, type QuantityKind } from "../scenario/quantity.js";
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
const RATE_PLACES: readonly { readonly place: Place; readonly kind: QuantityKind }[] = [
  { place: ["channels", "*", "conductance"], kind: KINDS.conductancePerArea },
  { place: ["channels", "*", "permeability"], kind: KINDS.permeability },
  { place: ["pumps", "*", "maxCurrent"], kind: KINDS.currentDensity },
  { place: ["transporters", "*", "kinetics", "conductance"], kind: KINDS.conductancePerArea },
];

/**
 * The field paths of rate parameters as a set names them (canonical: list items by index). Only a
 * set of such a field takes the fast path: a set of anything else, even one that validates to the
 * same numbers (a channel's `name`, a whole `pumps` list in another order), may change what the
 * next set of the point names, or what validation keeps hidden (a preset's origin, for messages).
 */
const RATE_FIELD = /^(?:channels\[\d+\]\.(?:conductance|permeability)|pumps\[\d+\]\.max-current|transporters\[\d+\]\.conductance)$/;

function ratePlace(place: Place): (typeof RATE_PLACES)[number] | undefined {
  return RATE_PLACES.find((r) => r.place.length === place.length && r.place.every((seg, i) => (seg === "*" ? typeof place[i] === "number" : seg === place[i])));
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

/**
 * `node` with `value` at `place`: copies along the path (each object once per point: those in
 * `fresh` are this point's own copies, written in place), shares the rest.
 */
function written(node: unknown, place: Place, value: number, fresh: Set<object>, depth = 0): unknown {
  if (depth === place.length) return value;
  const key = place[depth]!;
  const copy = (fresh.has(node as object) ? node : copyOf(node as object)) as Record<string | number, unknown>;
  fresh.add(copy);
  copy[key] = written(copy[key], place, value, fresh, depth + 1);
  return copy;
}

const { propertyIsEnumerable } = Object.prototype;

/**
 * A shallow copy with every own property, hidden ones too (validation keeps where a preset came
 * from as a hidden `origin`, and compiled formulas as hidden closures), and the same prototype.
 * A plain object is spread and its few hidden properties defined again: copying it through
 * Object.getOwnPropertyDescriptors, as before, was 8% of a W2 run (18 µs of 2 writes).
 */
function copyOf(from: object): object {
  if (Array.isArray(from)) return from.slice();
  if (Object.getPrototypeOf(from) !== Object.prototype) return Object.create(Object.getPrototypeOf(from) as object | null, Object.getOwnPropertyDescriptors(from)) as object;
  const copy = { ...from };
  for (const key of Object.getOwnPropertyNames(from)) if (!propertyIsEnumerable.call(from, key)) Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(from, key)!);
  for (const key of Object.getOwnPropertySymbols(from)) if (!propertyIsEnumerable.call(from, key)) Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(from, key)!);
  return copy;
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
  /**
   * Fields seen to land on one rate place: another value of the same field (a sample's values are
   * all new) is that place's quantity, parsed and sign-checked as validation reads it (its unit and
   * "non-negative"), without validating the scenario again.
   */
  private readonly templates = new Map<string, { readonly place: Place; readonly kind: QuantityKind }>();
  private baseScenario: Scenario | null | undefined;

  /**
   * `validate(sets)` validates the base scenario (with the sweep's own base sets) and `sets` over
   * it; `fieldOf(text)` is the canonical field path a set names (`channels[0].conductance`, the
   * same for `channels.k-leak.conductance`), by which two sets of one point are told apart, and
   * `valueOf(text)` its value as the override reads it (a string like "0.3 mS/cm^2", a number...).
   */
  constructor(
    private readonly validate: (sets: readonly string[]) => Scenario,
    private readonly fieldOf: (text: string) => string,
    private readonly valueOf: (text: string) => unknown,
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
    const known = this.writes.get(text);
    if (known !== undefined) return known;
    const w = this.learn(text);
    // kept only what validation taught (a few texts per field): a template's reading is cheaper to
    // redo than to keep, and a sample's values never come again (a map of them would fill the
    // old generation with entries that are never read)
    if (w.validated) {
      if (this.writes.size >= 4096) this.writes.clear();
      this.writes.set(text, w.result);
    }
    return w.result;
  }

  /** What a set of a rate field writes: by its field's template, or by validating it once over the base. */
  private learn(text: string): { readonly result: { readonly field: string; readonly writes: readonly LeafWrite[] } | null; readonly validated: boolean } {
    let field: string;
    let value: unknown;
    try {
      field = this.fieldOf(text);
      if (!RATE_FIELD.test(field)) return { result: null, validated: false };
      value = this.valueOf(text);
    } catch {
      return { result: null, validated: false }; // the full path says what is wrong with it
    }
    const template = this.templates.get(field);
    if (template) {
      // what validation does with it: FieldReader.quantity(path, value, kind, "non-negative"),
      // uncached (a template reads the values validation has not seen: a sample's, each once)
      const q = typeof value === "string" ? parseQuantityOnce(value, template.kind) : undefined;
      return { result: q?.ok && !(q.value < 0) ? { field, writes: [{ place: template.place, value: q.value }] } : null, validated: false };
    }
    let diff: ReturnType<typeof numberDifferences>;
    try {
      diff = numberDifferences(this.base, this.validate([text]));
    } catch {
      return { result: null, validated: true }; // the full path says what is wrong with it
    }
    if (diff === null || diff.length > 1) return { result: null, validated: true };
    if (diff.length === 0) return { result: { field, writes: diff }, validated: true }; // the base value again
    const rate = ratePlace(diff[0]!.place);
    if (rate === undefined) return { result: null, validated: true };
    // a plain value: the field's other values go the same way
    if (typeof value === "string") this.templates.set(field, { place: diff[0]!.place, kind: rate.kind });
    return { result: { field, writes: diff }, validated: true };
  }

  /** The scenario of a point with these sets, by writing numbers into the base; undefined: take the full path. */
  scenario(sets: readonly string[]): Scenario | undefined {
    let s = this.base;
    if (s === null) return undefined;
    const fields = new Set<string>();
    const fresh = new Set<object>();
    for (const text of sets) {
      const w = this.writesOf(text);
      if (w === null) return undefined;
      // two sets of one field: the full path says which one wins
      if (fields.has(w.field)) return undefined;
      fields.add(w.field);
      for (const d of w.writes) s = written(s, d.place, d.value, fresh) as Scenario;
    }
    return s;
  }
}
