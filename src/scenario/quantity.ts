import { createRequire } from "node:module";
import type { MathJsInstance, Unit } from "mathjs";
import { UNIT_TABLE } from "./unitTable.generated.js";

/**
 * Units at the edge: "140 mM" becomes 140 (mol/m³). The unit spellings scenarios use most are
 * looked up in a table that mathjs itself generated at build time (scripts/build-unit-table.mjs);
 * anything else goes to a private mathjs instance, loaded only then (importing mathjs costs
 * 0.3–1.5 s, more than a whole run). This is the only module that touches mathjs; every number
 * past it is a plain SI number.
 */

/** What a field must be: its SI unit and a phrase for messages. */
export interface QuantityKind {
  readonly si: string;
  readonly what: string;
  readonly example: string;
}

export const KINDS = {
  concentration: { si: "mol/m^3", what: "a concentration", example: "140 mM" },
  voltage: { si: "V", what: "a voltage", example: "-65 mV" },
  time: { si: "s", what: "a time", example: "10 ms" },
  temperature: { si: "K", what: "a temperature", example: "37 degC" },
  area: { si: "m^2", what: "an area", example: "1000 um^2" },
  volume: { si: "m^3", what: "a volume", example: "2 pL" },
  length: { si: "m", what: "a length", example: "10 um" },
  specificCapacitance: { si: "F/m^2", what: "a capacitance per area", example: "1 uF/cm^2" },
  conductancePerArea: { si: "S/m^2", what: "a conductance per area", example: "0.3 mS/cm^2" },
  permeability: { si: "m/s", what: "a permeability (a speed)", example: "1e-6 cm/s" },
  currentDensity: { si: "A/m^2", what: "a current per area", example: "0.5 uA/cm^2" },
} as const satisfies Record<string, QuantityKind>;

let instance: MathJsInstance | undefined;
const siUnits = new Map<string, Unit>();

function math(): MathJsInstance {
  if (!instance) {
    const { all, create } = createRequire(import.meta.url)("mathjs") as typeof import("mathjs");
    instance = create(all);
    instance.createUnit("M", { definition: "1 mol/L", prefixes: "short", aliases: ["molar"] });
  }
  return instance;
}

function siUnit(si: string): Unit {
  let u = siUnits.get(si);
  if (!u) {
    u = math().unit(`1 ${si}`);
    siUnits.set(si, u);
  }
  return u;
}

/** 15 significant digits: drops the float noise of unit factors (10 us → 9.999999999999999e-6). */
function clean(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(15)) : x;
}

export type QuantityResult = { ok: true; value: number } | { ok: false; problem: string };

/**
 * Parses "value unit" and converts it to the kind's SI unit. Temperatures go to kelvin here, once,
 * so that no degC offset is ever dropped inside a formula (ecosystem notes §2, pitfall 2).
 */
export function parseQuantity(text: string, kind: QuantityKind): QuantityResult {
  // a sweep validates its scenario again at every point: the same texts, so their results are kept
  const key = `${kind.si}\u0000${kind.what}\u0000${kind.example}\u0000${text}`;
  let result = PARSED.get(key);
  if (result === undefined) {
    result = Object.freeze(parseUncached(text, kind));
    if (PARSED.size >= 4096) PARSED.clear();
    PARSED.set(key, result);
  }
  return result;
}

/** Results of parseQuantity by kind and text (bounded; results are frozen, so sharing them is safe). */
const PARSED = new Map<string, QuantityResult>();

/**
 * parseQuantity without its cache, for a text read once: a sweep sample's values are all new, and
 * each one kept in the cache (of 4,096, cleared when full) outlived two young collections and was
 * promoted dead (13 kB per MB allocated on W1's LHS points, by --trace-gc-nvp; 0.01 uncached).
 */
export function parseQuantityOnce(text: string, kind: QuantityKind): QuantityResult {
  return parseUncached(text, kind);
}

function parseUncached(text: string, kind: QuantityKind): QuantityResult {
  const normalised = normaliseUnits(text);
  if (normalised === "") return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got an empty string` };
  const fast = NUMBER_AND_UNIT.exec(normalised);
  const entry = fast ? UNIT_TABLE[fast[2]!.replace(/\s+/g, "")] : undefined;
  if (fast && entry) {
    if (entry.si !== kind.si) return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got "${text}"` };
    const value = clean(Number(fast[1]) * entry.factor + entry.offset);
    if (!Number.isFinite(value)) return { ok: false, problem: `expected a finite ${kind.what.replace(/^an? /, "")}, got "${text}"` };
    return { ok: true, value };
  }
  return parseWithMathjs(text, normalised, kind);
}

/** "value unit" with a plain decimal number: the shape the unit table can answer. */
const NUMBER_AND_UNIT = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z][A-Za-z0-9/^ ]*)$/;

/** The general path: any unit mathjs knows, with its own messages. */
export function parseWithMathjs(text: string, normalised: string, kind: QuantityKind): QuantityResult {
  let unit: Unit;
  try {
    unit = math().unit(normalised);
  } catch (e) {
    return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got "${text}" (${(e as Error).message})` };
  }
  if (unit.units.length === 0) {
    return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got "${text}" (no unit)` };
  }
  if (!unit.equalBase(siUnit(kind.si))) {
    return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got "${text}"` };
  }
  const value = clean(unit.toNumber(kind.si));
  if (!Number.isFinite(value)) return { ok: false, problem: `expected a finite ${kind.what.replace(/^an? /, "")}, got "${text}"` };
  return { ok: true, value };
}

/** The spellings users type that mathjs does not know: µ and μ for micro, °C and ℃ for degC, °F. */
export function normaliseUnits(text: string): string {
  return text
    .replace(/[\u00B5\u03BC]/g, "u")
    .replace(/\u2103|\u00B0\s*C\b/g, "degC")
    .replace(/\u2109|\u00B0\s*F\b/g, "degF")
    .trim();
}

/** "300 K" in degC (26.85), "4 uM" in mM: a value converted to another unit, null if it cannot be. */
export function convertQuantity(text: string, unit: string): number | null {
  try {
    const value = math().unit(normaliseUnits(text)).toNumber(normaliseUnits(unit));
    return Number.isFinite(value) ? clean(value) : null;
  } catch {
    return null;
  }
}
