import { all, create, type MathJsInstance, type Unit } from "mathjs";

/**
 * Units at the edge: a private mathjs instance turns "140 mM" into 140 (mol/m³). This is the only
 * module that touches mathjs; every number past it is a plain SI number.
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
  const normalised = text.replace(/[\u00B5\u03BC]/g, "u").trim();
  if (normalised === "") return { ok: false, problem: `expected ${kind.what} like "${kind.example}", got an empty string` };
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
