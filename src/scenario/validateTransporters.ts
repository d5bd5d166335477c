import { ExpressionError } from "./expression.js";
import { compileRateFormula, withCompiled, withHidden } from "./rateFormula.js";
import { KINDS, parseQuantity, type QuantityKind } from "./quantity.js";
import { formatPath, type FieldReader } from "./reader.js";
import type { PathSegment } from "./source.js";
import { PMOL_PER_CM2_S, PRESET_NAMES, TRANSPORTER_PRESETS } from "./transporterPresets.js";
import type { Channel, FormulaKineticsText, Ion, Pump, RateFormula, StimulusPulse, Transporter, TransporterKinetics } from "./types.js";

/**
 * Reading and checking what issue 12 (ion homeostasis) adds to a scenario: `transporters:` (and
 * preset types under `pumps:`), `cell.water-permeability`, impermeant species of any charge, and
 * formulas that read concentrations (`Ca_in`, `K_out`, in mM). validate.ts calls readHomeostasis
 * once, after it has read the rest; every failure is a one-line ScenarioError naming the field.
 */

export const MAX_TRANSPORTERS = 64;

/** A molar flux per area, for `flux-unit`. */
const MOLAR_FLUX: QuantityKind = { si: "mol/(m^2*s)", what: "a flux per area", example: "2 pmol/(cm^2*s)" };

/** The concentration names formulas may read, in the order they follow V, t, celsius: X_in for each ion, then X_out. */
export function concentrationNames(ionNames: readonly string[]): string[] {
  return [...ionNames.map((n) => `${n}_in`), ...ionNames.map((n) => `${n}_out`)];
}

/** Whether a formula's text names any of the concentrations of these ions. */
export function readsConcentrations(text: string, ionNames: readonly string[]): boolean {
  const names = new Set(concentrationNames(ionNames));
  return (text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).some((w) => names.has(w));
}

/** `type:` values that name a transporter preset (so that `pumps:` can hold them too). */
export function isTransporterPresetType(type: unknown): boolean {
  return typeof type === "string" && type !== "na-k-atpase" && PRESET_NAMES.includes(type);
}

const TRANSPORTER_KEYS = ["name", "type", "kinetics", "stoichiometry", "conductance", "flux", "flux-unit"];

export interface HomeostasisParts {
  readonly transporters: readonly Transporter[];
  /** Osmotic water permeability P_f (m/s); 0 when the volume does not follow water. */
  readonly waterPermeability: number;
}

export interface ScenarioSoFar {
  readonly ions: readonly Ion[];
  readonly channels: readonly Channel[];
  readonly pumps: readonly Pump[];
  readonly stimulus: readonly StimulusPulse[];
  readonly constants: Readonly<Record<string, number>>;
  readonly temperature: number;
}

/** The hook validate.ts calls: reads transporters and water, and checks charges and formula names. */
export function readHomeostasis(r: FieldReader, top: Record<string, unknown>, s: ScenarioSoFar): HomeostasisParts {
  const parts = readHomeostasisParts(r, top, s);
  refuseStochasticConcentrationRates(r, s);
  return parts;
}

/** What readHomeostasis reads and checks (all but the stochastic channels' rates). */
export function readHomeostasisParts(r: FieldReader, top: Record<string, unknown>, s: ScenarioSoFar): HomeostasisParts {
  const ionNames = s.ions.map((i) => i.name);
  const concentrations = new Set(concentrationNames(ionNames));
  for (const name of Object.keys(s.constants)) {
    if (concentrations.has(name)) r.fail(["constants", name], `"${name}" is the name of a concentration formulas read; choose another name`);
  }
  const seen = new Set<string>();
  const fromList = r.list(["transporters"], top.transporters, MAX_TRANSPORTERS).map((item, i) => readTransporter(r, ["transporters", i], item, s, seen, `transporter-${i}`));
  // preset types under pumps: (pumps: [{ type: ncx }]) are transporters too; validate.ts reads the na-k-atpase ones
  const pumpItems = Array.isArray(top.pumps) ? (top.pumps as unknown[]) : [];
  const fromPumps = pumpItems.flatMap((item, i) =>
    item !== null && typeof item === "object" && isTransporterPresetType((item as Record<string, unknown>).type)
      ? [readTransporter(r, ["pumps", i], item, s, seen, `pump-${i}`)]
      : [],
  );
  for (const p of s.pumps) if (seen.has(p.name)) r.fail(["pumps"], `duplicate name "${p.name}" (a transporter has it too)`);
  const transporters = [...fromList, ...fromPumps];

  checkPermeantCharges(r, s, transporters);
  const cell = top.cell as Record<string, unknown>;
  const waterPermeability =
    cell["water-permeability"] === undefined ? 0 : r.quantity(["cell", "water-permeability"], cell["water-permeability"], KINDS.permeability, "non-negative");
  return { transporters, waterPermeability };
}

function readTransporter(r: FieldReader, path: PathSegment[], item: unknown, s: ScenarioSoFar, seen: Set<string>, fallbackName: string): Transporter {
  const t = r.mapping(path, item, TRANSPORTER_KEYS);
  const name = t.name === undefined ? fallbackName : r.name([...path, "name"], t.name);
  if (seen.has(name)) r.fail([...path, "name"], `duplicate name "${name}"`);
  seen.add(name);
  const ionNames = s.ions.map((i) => i.name);

  let preset: (typeof TRANSPORTER_PRESETS)[string] | undefined;
  let presetName: string | undefined;
  if (t.type !== undefined) {
    presetName = r.string([...path, "type"], t.type, "a preset name");
    preset = Object.prototype.hasOwnProperty.call(TRANSPORTER_PRESETS, presetName) ? TRANSPORTER_PRESETS[presetName] : undefined;
    if (!preset) r.fail([...path, "type"], `unknown transporter type "${presetName}"; known: ${PRESET_NAMES.join(", ")}`);
    if (t.stoichiometry !== undefined) r.fail([...path, "stoichiometry"], `type ${presetName} fixes the stoichiometry (${JSON.stringify(preset.stoichiometry)}); remove it, or drop type to give your own`);
    for (const [ion, z] of Object.entries(preset.valences)) {
      const declared = s.ions.find((x) => x.name === ion);
      if (!declared) r.fail([...path, "type"], `type ${presetName} moves ${Object.keys(preset.stoichiometry).join(", ")}: declare an ion named ${ion} under ions`);
      if (declared.valence !== z) r.fail(["ions", ion, "charge"], `must be ${z} for the ${presetName} transporter "${name}", got ${declared.valence}`);
    }
  }

  const stoichiometry = preset ? { ...preset.stoichiometry } : readStoichiometry(r, [...path, "stoichiometry"], t.stoichiometry, ionNames);
  const presetKinetics = preset?.kinetics(s.temperature);
  let kind: string;
  if (t.kinetics !== undefined) kind = r.string([...path, "kinetics"], t.kinetics, "thermodynamic or formula");
  else if (presetKinetics) kind = presetKinetics.kind === "na-k-atpase" ? "formula" : presetKinetics.kind;
  else kind = r.string([...path, "kinetics"], r.required([...path, "kinetics"], t.kinetics, "thermodynamic (J = g*Delta/F, with a conductance) or formula (a flux formula)"));
  if (kind !== "thermodynamic" && kind !== "formula") r.fail([...path, "kinetics"], `expected thermodynamic or formula, got "${kind}"`);

  let kinetics: TransporterKinetics;
  let presetFlux = false;
  if (kind === "thermodynamic") {
    for (const key of ["flux", "flux-unit"]) if (t[key] !== undefined) r.fail([...path, key], "only for kinetics: formula; thermodynamic kinetics take a conductance");
    if (t.conductance !== undefined) {
      kinetics = { kind: "thermodynamic", conductance: r.quantity([...path, "conductance"], t.conductance, KINDS.conductancePerArea, "non-negative") };
    } else if (presetKinetics?.kind === "thermodynamic") {
      kinetics = presetKinetics;
    } else {
      r.fail([...path, "conductance"], 'missing; thermodynamic kinetics J = g*Delta/F need a conductance like "0.01 mS/cm^2"');
    }
  } else {
    if (t.conductance !== undefined) r.fail([...path, "conductance"], "only for kinetics: thermodynamic; formula kinetics take a flux formula");
    if (t.flux === undefined && presetKinetics && presetKinetics.kind !== "thermodynamic" && t["flux-unit"] === undefined) {
      // a preset's own formula (pmca) is known to compile; it is compiled here, once, like a user's
      kinetics = presetKinetics.kind === "formula" ? compiledKinetics(presetKinetics, compileRateFormula(presetKinetics.flux, s.constants, ionNames)) : presetKinetics;
      presetFlux = presetKinetics.kind === "formula";
    } else {
      const text = r.required([...path, "flux"], t.flux, 'a formula of V [mV], X_in / X_out [mM], t [ms] and celsius, like "2 * Ca_in / (Ca_in + 0.0003)"');
      const flux = typeof text === "number" ? String(text) : r.string([...path, "flux"], text, "a formula");
      const compiled = compileFlux(flux, s.constants, ionNames);
      if (typeof compiled === "string") r.fail([...path, "flux"], compiled);
      kinetics = compiledKinetics({ kind: "formula", flux, fluxScale: readFluxUnit(r, [...path, "flux-unit"], t["flux-unit"]) }, compiled);
    }
  }
  return withHidden({ name, ...(presetName ? { preset: presetName } : {}), stoichiometry, kinetics }, "origin", { path: formatPath(path), presetFlux });
}

function readStoichiometry(r: FieldReader, path: PathSegment[], value: unknown, ionNames: readonly string[]): Record<string, number> {
  const raw = r.required(path, value, "a mapping of ion names to the number moved out per cycle (negative: in), like { K: 1, Cl: 1 }");
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) r.fail(path, "expected a mapping of ion names to the number moved out per cycle, like { K: 1, Cl: 1 }");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) r.fail(path, "empty: a transporter moves at least one ion");
  const out: Record<string, number> = {};
  for (const [ion, n] of entries) {
    if (!ionNames.includes(ion)) r.fail([...path, ion], `undeclared ion "${ion}"; declared: ${ionNames.join(", ")}`);
    const v = r.number([...path, ion], n, { integer: true, min: -10, max: 10 });
    if (v === 0) r.fail([...path, ion], "must not be zero (leave the ion out instead)");
    out[ion] = v;
  }
  return out;
}

/** The factor from the formula's value in `flux-unit` to mol/(m²·s). Default pmol/(cm^2*s), the unit of the CSV column. */
function readFluxUnit(r: FieldReader, path: PathSegment[], value: unknown): number {
  if (value === undefined) return PMOL_PER_CM2_S;
  const unit = r.string(path, value, 'a unit of flux per area, like "pmol/(cm^2*s)"');
  const parsed = parseQuantity(`1 ${unit}`, MOLAR_FLUX);
  if (!parsed.ok || !(parsed.value > 0)) r.fail(path, `expected a unit of flux per area like "pmol/(cm^2*s)" or "mol/(m^2*s)", got "${unit}"`);
  return parsed.value;
}

/** A rate formula compiled over V, t, celsius, the concentrations and the constants (rateFormula.ts); else the reason it does not compile. */
export function compileFlux(text: string, constants: Readonly<Record<string, number>>, ionNames: readonly string[]): RateFormula | string {
  try {
    return compileRateFormula(text, constants, ionNames);
  } catch (e) {
    if (e instanceof ExpressionError) return e.message;
    throw e;
  }
}

/** Formula kinetics with their compiled flux attached (not enumerable: the Scenario's JSON keeps the text only). */
function compiledKinetics(text: FormulaKineticsText, rate: RateFormula): TransporterKinetics {
  return withCompiled({ kind: text.kind, flux: text.flux, fluxScale: text.fluxScale }, rate);
}

/**
 * Only permeant species need an integer, non-zero charge (physics.md "Water and cell volume");
 * an impermeant one (a protein's mean valence, a neutral osmolyte) may have any charge.
 */
function checkPermeantCharges(r: FieldReader, s: ScenarioSoFar, transporters: readonly Transporter[]): void {
  const why = new Map<string, string>();
  for (const c of s.channels) if (!why.has(c.ion)) why.set(c.ion, `channel "${c.name}" carries it`);
  if (s.pumps.length) for (const ion of ["Na", "K"]) if (!why.has(ion)) why.set(ion, `pump "${s.pumps[0]!.name}" moves it`);
  for (const t of transporters) for (const ion of Object.keys(t.stoichiometry)) if (!why.has(ion)) why.set(ion, `transporter "${t.name}" moves it`);
  for (const p of s.stimulus) if (p.carriedBy && !why.has(p.carriedBy)) why.set(p.carriedBy, `stimulus "${p.name}" is carried by it`);
  for (const ion of s.ions) {
    const reason = why.get(ion.name);
    if (reason === undefined) continue;
    if (ion.valence === 0) r.fail(["ions", ion.name, "charge"], `must not be zero: ${reason} (only an impermeant species may be uncharged)`);
    if (!Number.isInteger(ion.valence) || Math.abs(ion.valence) > 4) {
      r.fail(["ions", ion.name, "charge"], `expected a whole number from -4 to 4: ${reason} (only an impermeant species may have a fractional charge), got ${ion.valence}`);
    }
  }
}

/** Channels simulated stochastically have rates of V, t and celsius only (their kinetics are tabulated per V). */
function refuseStochasticConcentrationRates(r: FieldReader, s: ScenarioSoFar): void {
  const ionNames = s.ions.map((i) => i.name);
  s.channels.forEach((c, i) => {
    if (!c.stochastic) return;
    for (const g of c.gates) {
      if (readsConcentrations(g.first, ionNames) || readsConcentrations(g.second, ionNames)) {
        r.fail(["channels", i], "a stochastic channel's rates may read V, t and celsius only, not concentrations");
      }
    }
  });
}
