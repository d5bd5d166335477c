import { DEFAULT_METHOD, METHOD_NAMES, findMethod } from "../solvers/registry.js";
import { KINDS } from "./quantity.js";
import { FieldReader } from "./reader.js";
import type { PathSegment, ScenarioSource } from "./source.js";
import type { Bath, Channel, Ion, Pump, RunSettings, Scenario, StimulusPulse, StopRule } from "./types.js";

/** How much a scenario may ask for, so that a typo cannot make a run take forever. */
export const SCENARIO_LIMITS = {
  maxIons: 32,
  maxChannels: 256,
  maxPumps: 16,
  maxPulses: 10_000,
  maxRecordedRows: 10_000_000,
  maxSteps: 1e9,
} as const;

/** `sweep` belongs to `ionflux sweep` (src/sweep/plan.ts) and is ignored by a single run. */
const TOP_KEYS = ["name", "description", "temperature", "cell", "bath", "ions", "channels", "pumps", "stimulus", "initial", "run", "sweep"];

/** Raw YAML tree → a validated Scenario in SI numbers. `overridden` names the paths set with --set. */
export function validateScenario(source: ScenarioSource, tree: unknown, overridden: ReadonlySet<string> = new Set()): Scenario {
  const r = new FieldReader(source, overridden);
  const top = r.mapping([], tree, TOP_KEYS);
  const name = r.name(["name"], r.required(["name"], top.name, "a name for the output files, like squid-rest"));
  const description = top.description === undefined ? "" : r.string(["description"], top.description);
  const temperature = r.quantity(["temperature"], r.required(["temperature"], top.temperature, 'a temperature like "37 degC"'), KINDS.temperature, "positive");

  const cell = readCell(r, top.cell);
  const bath = readBath(r, top.bath);
  const ions = readIons(r, top.ions, bath);
  const ionNames = new Set(ions.map((i) => i.name));
  const channels = readChannels(r, top.channels, ionNames);
  const pumps = readPumps(r, top.pumps, ions);
  const stimulus = readStimulus(r, top.stimulus, ionNames);

  // an ohmic channel's reversal potential is a Nernst potential: it needs both concentrations
  channels.forEach((ch) => {
    if (ch.kind !== "ohmic") return;
    const ion = ions.find((i) => i.name === ch.ion)!;
    for (const side of ["inside", "outside"] as const) {
      if (ion[side] === 0) {
        r.fail(["ions", ion.name, side], `must be greater than zero: channel "${ch.name}" is ohmic, and its Nernst potential needs both concentrations (use a GHK permeability instead)`);
      }
    }
  });

  const initial = r.mapping(["initial"], r.required(["initial"], top.initial, "a mapping with voltage"), ["voltage"]);
  const initialVoltage = r.quantity(["initial", "voltage"], r.required(["initial", "voltage"], initial.voltage, 'a voltage like "-65 mV"'), KINDS.voltage);
  const run = readRun(r, top.run);
  return { name, description, source: source.file, temperature, cell, bath, ions, channels, pumps, stimulus, initialVoltage, run };
}

function readCell(r: FieldReader, value: unknown): Scenario["cell"] {
  const cell = r.mapping(["cell"], r.required(["cell"], value, "a mapping with area and volume (or shape: sphere and radius)"), [
    "area",
    "volume",
    "shape",
    "radius",
    "capacitance",
  ]);
  const capacitance =
    cell.capacitance === undefined ? 0.01 : r.quantity(["cell", "capacitance"], cell.capacitance, KINDS.specificCapacitance, "positive");
  if (cell.shape !== undefined) {
    if (cell.shape !== "sphere") r.fail(["cell", "shape"], `expected "sphere", got ${JSON.stringify(cell.shape)}`);
    for (const k of ["area", "volume"] as const) {
      if (cell[k] !== undefined) r.fail(["cell", k], `give either shape: sphere with a radius, or area and volume, not both`);
    }
    const radius = r.quantity(["cell", "radius"], r.required(["cell", "radius"], cell.radius, 'a radius like "10 um"'), KINDS.length, "positive");
    return { area: 4 * Math.PI * radius * radius, volume: (4 / 3) * Math.PI * radius ** 3, capacitance };
  }
  if (cell.radius !== undefined) r.fail(["cell", "radius"], "a radius needs shape: sphere");
  const area = r.quantity(["cell", "area"], r.required(["cell", "area"], cell.area, 'an area like "1000 um^2" (or shape: sphere and radius)'), KINDS.area, "positive");
  const volume = r.quantity(["cell", "volume"], r.required(["cell", "volume"], cell.volume, 'a volume like "2 pL"'), KINDS.volume, "positive");
  return { area, volume, capacitance };
}

function readBath(r: FieldReader, value: unknown): Bath {
  const bath = r.mapping(["bath"], r.required(["bath"], value, "a mapping with a volume, or clamped: true"), ["volume", "clamped"]);
  if (bath.clamped !== undefined && typeof bath.clamped !== "boolean") r.fail(["bath", "clamped"], `expected true or false, got ${JSON.stringify(bath.clamped)}`);
  if (bath.clamped === true) {
    if (bath.volume !== undefined) r.fail(["bath", "volume"], "a clamped bath is an infinite reservoir: give a volume or clamped: true, not both");
    return { kind: "clamped" };
  }
  const volume = r.quantity(["bath", "volume"], r.required(["bath", "volume"], bath.volume, 'a volume like "8 pL", or clamped: true'), KINDS.volume, "positive");
  return { kind: "finite", volume };
}

function readIons(r: FieldReader, value: unknown, _bath: Bath): Ion[] {
  const raw = r.required(["ions"], value, "a mapping of ion names to { charge, inside, outside }");
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) r.fail(["ions"], "expected a mapping of ion names to { charge, inside, outside }");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) r.fail(["ions"], "declare at least one ion");
  if (entries.length > 32) r.fail(["ions"], `${entries.length} ions; at most 32 are allowed`);
  return entries.map(([name, spec]) => {
    const path: PathSegment[] = ["ions", name];
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)) r.fail(path, `an ion name must be a letter followed by letters, digits or "_" (it names CSV columns), got "${name}"`);
    const ion = r.mapping(path, spec, ["charge", "inside", "outside"]);
    const valence = r.number([...path, "charge"], r.required([...path, "charge"], ion.charge, "the valence, like 1 or -1"), { integer: true, min: -4, max: 4 });
    if (valence === 0) r.fail([...path, "charge"], "must not be zero: an uncharged species carries no current");
    const inside = r.quantity([...path, "inside"], r.required([...path, "inside"], ion.inside, 'a concentration like "140 mM"'), KINDS.concentration, "non-negative");
    const outside = r.quantity([...path, "outside"], r.required([...path, "outside"], ion.outside, 'a concentration like "4 mM"'), KINDS.concentration, "non-negative");
    return { name, valence, inside, outside };
  });
}

function uniqueName(r: FieldReader, path: PathSegment[], seen: Set<string>, name: string): string {
  if (seen.has(name)) r.fail(path, `duplicate name "${name}"`);
  seen.add(name);
  return name;
}

function declaredIon(r: FieldReader, path: PathSegment[], value: unknown, ions: ReadonlySet<string>): string {
  const ion = r.string(path, r.required(path, value, "the name of an ion declared under ions"), "an ion name");
  if (!ions.has(ion)) r.fail(path, `undeclared ion "${ion}"; declared: ${[...ions].join(", ")}`);
  return ion;
}

function readChannels(r: FieldReader, value: unknown, ions: ReadonlySet<string>): Channel[] {
  const seen = new Set<string>();
  return r.list(["channels"], value, SCENARIO_LIMITS.maxChannels).map((item, i) => {
    const path: PathSegment[] = ["channels", i];
    const ch = r.mapping(path, item, ["name", "ion", "conductance", "permeability", "gates"]);
    const name = uniqueName(r, [...path, "name"], seen, ch.name === undefined ? `channel-${i}` : r.name([...path, "name"], ch.name));
    const ion = declaredIon(r, [...path, "ion"], ch.ion, ions);
    if (ch.gates !== undefined) r.fail([...path, "gates"], "gated channels are not supported by this version yet; use a constant conductance or permeability");
    if ((ch.conductance === undefined) === (ch.permeability === undefined)) {
      r.fail(path, 'give exactly one of conductance (ohmic, like "0.3 mS/cm^2") or permeability (GHK, like "1e-6 cm/s")');
    }
    if (ch.conductance !== undefined) {
      return { name, ion, kind: "ohmic" as const, conductance: r.quantity([...path, "conductance"], ch.conductance, KINDS.conductancePerArea, "non-negative") };
    }
    return { name, ion, kind: "ghk" as const, permeability: r.quantity([...path, "permeability"], ch.permeability, KINDS.permeability, "non-negative") };
  });
}

function readPumps(r: FieldReader, value: unknown, ions: readonly Ion[]): Pump[] {
  const seen = new Set<string>();
  return r.list(["pumps"], value, SCENARIO_LIMITS.maxPumps).map((item, i) => {
    const path: PathSegment[] = ["pumps", i];
    const p = r.mapping(path, item, ["name", "type", "max-current", "k-na", "k-k"]);
    const name = uniqueName(r, [...path, "name"], seen, p.name === undefined ? `pump-${i}` : r.name([...path, "name"], p.name));
    const type = p.type === undefined ? "na-k-atpase" : r.string([...path, "type"], p.type);
    if (type !== "na-k-atpase") r.fail([...path, "type"], `unknown pump type "${type}"; known: na-k-atpase`);
    for (const ionName of ["Na", "K"]) {
      const ion = ions.find((x) => x.name === ionName);
      if (!ion || ion.valence !== 1) r.fail(path, `the na-k-atpase pump needs an ion named ${ionName} with charge 1 under ions`);
    }
    return {
      name,
      type: "na-k-atpase" as const,
      maxCurrent: r.quantity([...path, "max-current"], r.required([...path, "max-current"], p["max-current"], 'the maximal pump current F·J_max, like "0.5 uA/cm^2"'), KINDS.currentDensity, "non-negative"),
      kNa: p["k-na"] === undefined ? 10 : r.quantity([...path, "k-na"], p["k-na"], KINDS.concentration, "positive"),
      kK: p["k-k"] === undefined ? 1.5 : r.quantity([...path, "k-k"], p["k-k"], KINDS.concentration, "positive"),
    };
  });
}

function readStimulus(r: FieldReader, value: unknown, ions: ReadonlySet<string>): StimulusPulse[] {
  const seen = new Set<string>();
  return r.list(["stimulus"], value, SCENARIO_LIMITS.maxPulses).map((item, i) => {
    const path: PathSegment[] = ["stimulus", i];
    const s = r.mapping(path, item, ["name", "start", "duration", "amplitude", "carried-by"]);
    const name = uniqueName(r, [...path, "name"], seen, s.name === undefined ? `pulse-${i}` : r.name([...path, "name"], s.name));
    const pulse: StimulusPulse = {
      name,
      start: r.quantity([...path, "start"], r.required([...path, "start"], s.start, 'a time like "10 ms"'), KINDS.time, "non-negative"),
      duration: r.quantity([...path, "duration"], r.required([...path, "duration"], s.duration, 'a time like "1 ms"'), KINDS.time, "positive"),
      amplitude: r.quantity([...path, "amplitude"], r.required([...path, "amplitude"], s.amplitude, 'a current per area like "20 uA/cm^2"'), KINDS.currentDensity),
    };
    return s["carried-by"] === undefined ? pulse : { ...pulse, carriedBy: declaredIon(r, [...path, "carried-by"], s["carried-by"], ions) };
  });
}

function readRun(r: FieldReader, value: unknown): RunSettings {
  const run = r.mapping(["run"], r.required(["run"], value, "a mapping with at least duration"), [
    "method",
    "duration",
    "dt",
    "rtol",
    "atol",
    "stop",
    "record-every",
    "seed",
    "max-steps",
  ]);
  const method = run.method === undefined ? DEFAULT_METHOD : r.string(["run", "method"], run.method, "a method name");
  const steady = method === "steady";
  if (!steady && !findMethod(method)) r.fail(["run", "method"], `unknown method "${method}"; known: ${[...METHOD_NAMES, "steady"].join(", ")}`);
  // a steady-state solve has no time course: duration is then optional
  const duration =
    steady && run.duration === undefined
      ? 1
      : r.quantity(["run", "duration"], r.required(["run", "duration"], run.duration, 'the longest simulated time, like "100 s"'), KINDS.time, "positive");
  const dt = run.dt === undefined ? 1e-5 : r.quantity(["run", "dt"], run.dt, KINDS.time, "positive");
  const rtol = run.rtol === undefined ? 1e-6 : r.number(["run", "rtol"], run.rtol, { exclusiveMin: 0, max: 0.1 });
  const atol = run.atol === undefined ? 1e-9 : r.number(["run", "atol"], run.atol, { exclusiveMin: 0 });
  const recordEvery = run["record-every"] === undefined ? duration / 1000 : r.quantity(["run", "record-every"], run["record-every"], KINDS.time, "positive");
  const seed = run.seed === undefined ? 1 : r.number(["run", "seed"], run.seed, { integer: true, min: 0 });
  const maxSteps = run["max-steps"] === undefined ? 1e8 : r.number(["run", "max-steps"], run["max-steps"], { integer: true, min: 1, max: SCENARIO_LIMITS.maxSteps });
  const rows = duration / recordEvery;
  if (rows > SCENARIO_LIMITS.maxRecordedRows) {
    r.fail(["run", "record-every"], `duration / record-every = ${rows.toExponential(2)} rows; at most ${SCENARIO_LIMITS.maxRecordedRows} are allowed: record less often`);
  }
  if (!steady && !findMethod(method)!.adaptive && duration / dt > maxSteps) {
    r.fail(["run", "dt"], `duration / dt = ${(duration / dt).toExponential(2)} fixed steps exceeds max-steps (${maxSteps}); use a larger dt or the stiff method bdf`);
  }
  let stop: StopRule | undefined;
  if (run.stop !== undefined) {
    const s = r.mapping(["run", "stop"], run.stop, ["net-current-below", "hold"]);
    stop = {
      netCurrentBelow: r.quantity(["run", "stop", "net-current-below"], r.required(["run", "stop", "net-current-below"], s["net-current-below"], 'a current per area like "1e-4 uA/cm^2"'), KINDS.currentDensity, "positive"),
      hold: s.hold === undefined ? 0 : r.quantity(["run", "stop", "hold"], s.hold, KINDS.time, "non-negative"),
    };
  }
  return { method, duration, dt, rtol, atol, recordEvery, seed, maxSteps, ...(stop ? { stop } : {}) };
}
