import { AVOGADRO_PER_MOL } from "../physics/constants.js";
import { DEFAULT_METHOD, METHOD_NAMES, findMethod } from "../solvers/registry.js";
import { KINDS } from "./quantity.js";
import { FieldReader, formatPath } from "./reader.js";
import { recordedRowsBound } from "./recordBound.js";
import type { PathSegment, ScenarioSource } from "./source.js";
import { ExpressionError } from "./expression.js";
import { compileRateFormula, withCompiled, withHidden } from "./rateFormula.js";
import { isTransporterPresetType, readHomeostasis } from "./validateTransporters.js";
import type { Bath, Channel, ClampProtocol, FormulaClosure, Gate, Ion, Pump, RateFormula, RunSettings, Scenario, StimulusPulse, Stochastic, StopRule } from "./types.js";

/** How much a scenario may ask for, so that a typo cannot make a run take forever. */
export const SCENARIO_LIMITS = {
  maxIons: 32,
  maxChannels: 256,
  maxPumps: 16,
  maxPulses: 10_000,
  maxGatesPerChannel: 8,
  maxConstants: 1_000,
  /** Pulses after expanding trains. */
  maxExpandedPulses: 100_000,
  maxRecordedRows: 10_000_000,
  maxSteps: 1e9,
} as const;

/** Largest |initial.voltage| accepted (V). */
const MAX_ABS_VOLTAGE = 10;

/** Ion names whose columns would be ionflux's own (E_rev, I_net, I_clamp, vol_in, Osm_in) or read as them. */
const RESERVED_ION_NAMES: ReadonlySet<string> = new Set(["rev", "net", "clamp", "vol", "Osm", "V", "t", "celsius", "E_rev", "I_net", "I_clamp", "E", "I", "J"]);

/** `sweep` belongs to `ionflux sweep` (src/sweep/plan.ts) and is ignored by a single run. */
const TOP_KEYS = ["name", "description", "temperature", "cell", "bath", "ions", "constants", "channels", "pumps", "transporters", "stimulus", "initial", "run", "sweep", "clamp"];

/** The variables gate formulas see, in this order: V [mV], t [ms], celsius [degC]. */
export const GATE_VARIABLES = ["V", "t", "celsius"] as const;

/** Raw YAML tree → a validated Scenario in SI numbers. `overridden` names the paths set with --set. */
export function validateScenario(source: ScenarioSource, tree: unknown, overridden: ReadonlySet<string> = new Set()): Scenario {
  const r = new FieldReader(source, overridden);
  const top = r.mapping([], tree, TOP_KEYS);
  const name = r.name(["name"], r.required(["name"], top.name, "a name for the output files, like squid-rest"));
  if (name === "sweep" || name.startsWith("sweep.") || name === "report") r.fail(["name"], `"${name}" is reserved: NAME.csv would be the sweep's table or the report's file; choose another name`);
  const description = top.description === undefined ? "" : r.string(["description"], top.description);
  const temperature = r.quantity(["temperature"], r.required(["temperature"], top.temperature, 'a temperature like "37 degC"'), KINDS.temperature, "positive");

  const cell = readCell(r, top.cell);
  const bath = readBath(r, top.bath);
  const ions = readIons(r, top.ions, bath);
  const ionNames = new Set(ions.map((i) => i.name));
  const constants = readConstants(r, top.constants);
  const channels = readChannels(r, top.channels, ionNames, constants, temperature);
  const pumps = readPumps(r, top.pumps, ions);
  const stimulus = readStimulus(r, top.stimulus, ionNames);
  const { transporters, waterPermeability } = readHomeostasis(r, top, { ions, channels, pumps, stimulus, constants, temperature });

  // an ohmic channel's reversal potential is a Nernst potential: it needs both concentrations, and
  // at least one ion of them in its compartment (below that E_X means nothing, and the stiff method's
  // Jacobian, ∝ 1/c, is beyond double precision: K_in = 1e-40 mM ended at 0 mV where rk45 gives 144)
  channels.forEach((ch) => {
    if (ch.kind !== "ohmic") return;
    const ion = ions.find((i) => i.name === ch.ion)!;
    for (const side of ["inside", "outside"] as const) {
      if (ion[side] === 0) {
        r.fail(["ions", ion.name, side], `must be greater than zero: channel "${ch.name}" is ohmic, and its Nernst potential needs both concentrations (use a GHK permeability instead)`);
      }
      const volume = side === "inside" ? cell.volume : bath.kind === "finite" ? bath.volume : Infinity;
      const oneIon = 1 / (AVOGADRO_PER_MOL * volume); // mol/m³ = mM
      if (ion[side] < oneIon) {
        r.fail(["ions", ion.name, side], `${ion[side]} mM is less than one ion in the ${side === "inside" ? "cell" : "bath"} (${oneIon.toPrecision(2)} mM in ${(volume * 1e15).toPrecision(3)} pL): channel "${ch.name}" is ohmic, and a Nernst potential of (less than) one ion means nothing; give at least that, or a GHK permeability`);
      }
    }
  });

  // under a clamp the holding potential is the initial voltage, so `initial` may be left out
  const initialTree = top.initial === undefined && top.clamp !== undefined ? {} : top.initial;
  const initial = r.mapping(["initial"], r.required(["initial"], initialTree, "a mapping with voltage"), ["voltage"]);
  const initialVoltage =
    initial.voltage === undefined && top.clamp !== undefined ? NaN : r.quantity(["initial", "voltage"], r.required(["initial", "voltage"], initial.voltage, 'a voltage like "-65 mV"'), KINDS.voltage);
  if (Math.abs(initialVoltage) > MAX_ABS_VOLTAGE) r.fail(["initial", "voltage"], `must be within -${MAX_ABS_VOLTAGE} V and ${MAX_ABS_VOLTAGE} V (a membrane breaks down near 1 V), got ${initialVoltage} V`);
  const run = readRun(r, top.run);
  const clamp = top.clamp === undefined ? undefined : readClamp(r, top.clamp, initialVoltage, top.initial !== undefined);
  if (run.method === "steady" && channels.some((c) => c.stochastic)) {
    r.fail(["run", "method"], "a steady state of stochastic channels exists only on average; use a time-stepped method (bdf) with stop.window");
  }
  if (clamp && run.stop) r.fail(["run", "stop"], "a stop rule on the net current means nothing under a voltage clamp; remove run.stop");
  if (run.method === "steady") {
    const timed = transporters.find((t) => t.kinetics.kind === "formula" && t.kinetics.compiled.readsT);
    if (timed) r.fail(["run", "method"], `transporter "${timed.name}" has a flux that reads t: a membrane driven in time has no steady state; use a time-stepped method (bdf)`);
  }
  return { name, description, source: source.file, temperature, cell: { ...cell, waterPermeability }, bath, ions, channels, pumps, transporters, stimulus, initialVoltage: clamp ? clamp.holding : initialVoltage, run, constants, ...(clamp ? { clamp } : {}) };
}

function readCell(r: FieldReader, value: unknown): Omit<Scenario["cell"], "waterPermeability"> {
  const cell = r.mapping(["cell"], r.required(["cell"], value, "a mapping with area and volume (or shape: sphere and radius)"), [
    "area",
    "volume",
    "shape",
    "radius",
    "capacitance",
    "water-permeability",
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
    if (RESERVED_ION_NAMES.has(name)) r.fail(path, `"${name}" is reserved: its columns (E_${name}, I_${name}, ${name}_in) would repeat or mimic ionflux's own (V, E_rev, I_net, I_clamp, vol_in, Osm_in) or a formula variable; choose another name`);
    const ion = r.mapping(path, spec, ["charge", "inside", "outside"]);
    // permeant species need a whole, non-zero charge: checked in readHomeostasis, once it is known which are permeant
    const valence = r.number([...path, "charge"], r.required([...path, "charge"], ion.charge, "the valence, like 1 or -1"), { min: -1000, max: 1000 });
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

function readConstants(r: FieldReader, value: unknown): Record<string, number> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) r.fail(["constants"], "expected a mapping of names to plain numbers");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > SCENARIO_LIMITS.maxConstants) r.fail(["constants"], `${entries.length} constants; at most ${SCENARIO_LIMITS.maxConstants} are allowed`);
  const out: Record<string, number> = {};
  for (const [name, v] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name) || (GATE_VARIABLES as readonly string[]).includes(name) || name === "pi" || name === "e") {
      r.fail(["constants", name], `a constant's name must be a letter followed by letters, digits or "_", and not V, t, celsius, pi or e`);
    }
    out[name] = r.number(["constants", name], v);
  }
  return out;
}

/** The voltages where a gate formula's sign and range are checked at load: -150..150 mV, 1 mV apart. */
const RANGE_SCAN_MV = { from: -150, to: 150 } as const;

const GATE_KEYS = ["power", "alpha", "beta", "inf", "tau", "q10", "q10-reference"];

function readGates(r: FieldReader, path: PathSegment[], value: unknown, constants: Readonly<Record<string, number>>, temperature: number, ions: readonly string[]): Gate[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value)) r.fail(path, "expected a mapping of gate names to { power, alpha, beta } or { power, inf, tau }");
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > SCENARIO_LIMITS.maxGatesPerChannel) r.fail(path, `${entries.length} gates; at most ${SCENARIO_LIMITS.maxGatesPerChannel}`);
  return entries.map(([name, spec]) => {
    const g: PathSegment[] = [...path, name];
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)) r.fail(g, "a gate name must be a letter followed by letters, digits or \"_\"");
    const gate = r.mapping(g, spec, GATE_KEYS);
    const power = r.number([...g, "power"], r.required([...g, "power"], gate.power, "the gate's power, like 3"), { integer: true, min: 1, max: 8 });
    const alphaBeta = gate.alpha !== undefined || gate.beta !== undefined;
    const infTau = gate.inf !== undefined || gate.tau !== undefined;
    if (alphaBeta === infTau) r.fail(g, "give either alpha and beta (rates in 1/ms) or inf and tau (tau in ms)");
    const [k1, k2] = alphaBeta ? ["alpha", "beta"] : ["inf", "tau"];
    const formula = (key: string): { text: string; rate: RateFormula } => {
      const text = r.required([...g, key], gate[key], `a formula of V [mV], like "0.1*(V+40)/(1-exp(-(V+40)/10))"`);
      const t = typeof text === "number" ? String(text) : r.string([...g, key], text, "a formula");
      return { text: t, rate: checkedRate(r, [...g, key], t, key, constants, ions, temperature) };
    };
    const q10 = gate.q10 === undefined ? 1 : r.number([...g, "q10"], gate.q10, { exclusiveMin: 0, max: 100 });
    const q10Reference = gate["q10-reference"] === undefined ? temperature : r.quantity([...g, "q10-reference"], gate["q10-reference"], KINDS.temperature, "positive");
    if (gate.q10 !== undefined && gate["q10-reference"] === undefined) r.fail([...g, "q10-reference"], 'missing; a q10 needs the temperature its rates were measured at, like "6.3 degC"');
    const first = formula(k1!);
    const second = formula(k2!);
    const gateObject = withCompiled(
      { name, power, form: alphaBeta ? ("alpha-beta" as const) : ("inf-tau" as const), first: first.text, second: second.text, q10, q10Reference },
      { first: first.rate, second: second.rate },
    );
    return withHidden(gateObject, "origin", { first: formatPath([...g, k1!]), second: formatPath([...g, k2!]), checkedMv: RANGE_SCAN_MV });
  });
}


/**
 * A gate formula compiled once, to the closures the model evaluates (rateFormula.ts), after
 * checking that it compiles (whitelist, names, no pole) and has a meaning over RANGE_SCAN_MV;
 * a one-line ScenarioError at `path` otherwise.
 */
function checkedRate(r: FieldReader, path: PathSegment[], text: string, key: string, constants: Readonly<Record<string, number>>, ions: readonly string[], temperature: number): RateFormula {
  let rate: RateFormula;
  try {
    rate = compileRateFormula(text, constants, ions);
  } catch (e) {
    if (e instanceof ExpressionError) r.fail(path, e.message);
    throw e;
  }
  const problem = checkRange(rate.value, key, ions.length, temperature);
  if (problem) r.fail(path, problem);
  return rate;
}

/**
 * null when a gate formula has a meaning everywhere in RANGE_SCAN_MV (t = 0, the scenario's
 * temperature, concentrations 1.37 mM): a rate (alpha, beta, open-rate, close-rate) finite and
 * not negative, a time constant (tau) finite and positive, a steady state (inf) within 0..1.
 * Else the reason, with the first voltage where it fails (a negative tau ran backwards in time).
 */
function checkRange(fn: FormulaClosure, key: string, ionCount: number, temperature: number): string | null {
  const vars = new Float64Array(3 + 2 * ionCount).fill(1.37);
  vars[1] = 0;
  vars[2] = temperature - 273.15;
  for (let v = RANGE_SCAN_MV.from; v <= RANGE_SCAN_MV.to; v++) {
    vars[0] = v;
    const x = fn(vars);
    const at = `at V = ${v} mV`;
    if (!Number.isFinite(x)) return `not a finite number ${at} (${x}); a gate formula must be defined from ${RANGE_SCAN_MV.from} to ${RANGE_SCAN_MV.to} mV`;
    if (key === "tau" && !(x > 0)) return `a time constant must be positive, got ${x} ms ${at}`;
    if (key === "inf" && !(x >= 0 && x <= 1)) return `a steady-state open fraction must be within 0..1, got ${x} ${at}`;
    if (key !== "tau" && key !== "inf" && x < 0) return `a rate must not be negative, got ${x} 1/ms ${at}`;
  }
  return null;
}

function readChannels(r: FieldReader, value: unknown, ions: ReadonlySet<string>, constants: Readonly<Record<string, number>>, temperature: number): Channel[] {
  const seen = new Set<string>();
  return r.list(["channels"], value, SCENARIO_LIMITS.maxChannels).map((item, i) => {
    const path: PathSegment[] = ["channels", i];
    const ch = r.mapping(path, item, ["name", "ion", "conductance", "permeability", "gates", "count", "stochastic", "noise", "open-rate", "close-rate"]);
    const name = uniqueName(r, [...path, "name"], seen, ch.name === undefined ? `channel-${i}` : r.name([...path, "name"], ch.name));
    const ion = declaredIon(r, [...path, "ion"], ch.ion, ions);
    let gates = readGates(r, [...path, "gates"], ch.gates, constants, temperature, [...ions]);
    let stochastic: Stochastic | undefined;
    if (ch.stochastic !== undefined && typeof ch.stochastic !== "boolean") r.fail([...path, "stochastic"], `expected true or false, got ${JSON.stringify(ch.stochastic)}`);
    if (ch.stochastic === true) {
      const count = r.number([...path, "count"], r.required([...path, "count"], ch.count, "the number of channels, like 300"), { integer: true, min: 1, max: 1e9 });
      const noise = ch.noise === undefined ? "exact" : r.string([...path, "noise"], ch.noise);
      if (noise !== "exact" && noise !== "langevin") r.fail([...path, "noise"], `expected exact or langevin, got "${noise}"`);
      if (noise === "exact" && count > 1e6) r.fail([...path, "count"], `${count} channels simulated event by event would take very long; use noise: langevin`);
      stochastic = { count, noise };
      if (gates.length === 0) {
        // a channel without gates opens and closes as one two-state gate
        // over V, t and celsius only: a stochastic channel's rates read no concentrations
        const rate = (key: string): { text: string; rate: RateFormula } => {
          const v = r.required([...path, key], ch[key], "a rate in 1/ms (a formula of V allowed), like 0.5");
          const t = typeof v === "number" ? String(v) : r.string([...path, key], v, "a rate formula");
          return { text: t, rate: checkedRate(r, [...path, key], t, key, constants, [], temperature) };
        };
        const open = rate("open-rate");
        const close = rate("close-rate");
        const gate = withCompiled({ name: "o", power: 1, form: "alpha-beta" as const, first: open.text, second: close.text, q10: 1, q10Reference: temperature }, { first: open.rate, second: close.rate });
        gates = [withHidden(gate, "origin", { first: formatPath([...path, "open-rate"]), second: formatPath([...path, "close-rate"]), checkedMv: RANGE_SCAN_MV })];
      } else if (ch["open-rate"] !== undefined || ch["close-rate"] !== undefined) {
        r.fail(path, "open-rate and close-rate are for a channel without gates; this one has gates");
      }
    } else {
      for (const key of ["count", "noise", "open-rate", "close-rate"]) if (ch[key] !== undefined) r.fail([...path, key], "only for a stochastic channel (stochastic: true)");
    }
    if ((ch.conductance === undefined) === (ch.permeability === undefined)) {
      r.fail(path, 'give exactly one of conductance (ohmic, like "0.3 mS/cm^2") or permeability (GHK, like "1e-6 cm/s")');
    }
    const extra = stochastic ? { stochastic } : {};
    if (ch.conductance !== undefined) {
      return { name, ion, kind: "ohmic" as const, conductance: r.quantity([...path, "conductance"], ch.conductance, KINDS.conductancePerArea, "non-negative"), gates, ...extra };
    }
    return { name, ion, kind: "ghk" as const, permeability: r.quantity([...path, "permeability"], ch.permeability, KINDS.permeability, "non-negative"), gates, ...extra };
  });
}

function readPumps(r: FieldReader, value: unknown, ions: readonly Ion[]): Pump[] {
  const seen = new Set<string>();
  return r.list(["pumps"], value, SCENARIO_LIMITS.maxPumps).flatMap((item, i) => {
    const path: PathSegment[] = ["pumps", i];
    if (item !== null && typeof item === "object" && isTransporterPresetType((item as Record<string, unknown>).type)) return []; // read by readHomeostasis
    const p = r.mapping(path, item, ["name", "type", "max-current", "k-na", "k-k"]);
    const name = uniqueName(r, [...path, "name"], seen, p.name === undefined ? `pump-${i}` : r.name([...path, "name"], p.name));
    const type = p.type === undefined ? "na-k-atpase" : r.string([...path, "type"], p.type);
    if (type !== "na-k-atpase") r.fail([...path, "type"], `unknown pump type "${type}"; known: na-k-atpase, nkcc1, kcc2, ncx, pmca`);
    for (const ionName of ["Na", "K"]) {
      const ion = ions.find((x) => x.name === ionName);
      if (!ion || ion.valence !== 1) r.fail(path, `the na-k-atpase pump needs an ion named ${ionName} with charge 1 under ions`);
    }
    return [withHidden({
      name,
      type: "na-k-atpase" as const,
      maxCurrent: r.quantity([...path, "max-current"], r.required([...path, "max-current"], p["max-current"], 'the maximal pump current F·J_max, like "0.5 uA/cm^2"'), KINDS.currentDensity, "non-negative"),
      kNa: p["k-na"] === undefined ? 10 : r.quantity([...path, "k-na"], p["k-na"], KINDS.concentration, "positive"),
      kK: p["k-k"] === undefined ? 1.5 : r.quantity([...path, "k-k"], p["k-k"], KINDS.concentration, "positive"),
    }, "origin", { path: formatPath(path) })];
  });
}

function readStimulus(r: FieldReader, value: unknown, ions: ReadonlySet<string>): StimulusPulse[] {
  const seen = new Set<string>();
  let expanded = 0;
  return r.list(["stimulus"], value, SCENARIO_LIMITS.maxPulses).map((item, i) => {
    const path: PathSegment[] = ["stimulus", i];
    const s = r.mapping(path, item, ["name", "start", "duration", "amplitude", "carried-by", "period", "count"]);
    const name = uniqueName(r, [...path, "name"], seen, s.name === undefined ? `pulse-${i}` : r.name([...path, "name"], s.name));
    const pulse: StimulusPulse = {
      name,
      start: r.quantity([...path, "start"], r.required([...path, "start"], s.start, 'a time like "10 ms"'), KINDS.time, "non-negative"),
      duration: r.quantity([...path, "duration"], r.required([...path, "duration"], s.duration, 'a time like "1 ms"'), KINDS.time, "positive"),
      amplitude: r.quantity([...path, "amplitude"], r.required([...path, "amplitude"], s.amplitude, 'a current per area like "20 uA/cm^2"'), KINDS.currentDensity),
    };
    let train: { period: number; count: number } | undefined;
    if (s.period !== undefined || s.count !== undefined) {
      const count = r.number([...path, "count"], r.required([...path, "count"], s.count, "the number of pulses in the train"), { integer: true, min: 1, max: SCENARIO_LIMITS.maxExpandedPulses });
      const period = count === 1 && s.period === undefined ? pulse.duration : r.quantity([...path, "period"], r.required([...path, "period"], s.period, "the time from one pulse's start to the next, like 20 ms"), KINDS.time, "positive");
      if (period < pulse.duration) r.fail([...path, "period"], `shorter than the pulse (${pulse.duration} s): pulses of one train would overlap`);
      expanded += count;
      train = { period, count };
    } else expanded += 1;
    if (expanded > SCENARIO_LIMITS.maxExpandedPulses) r.fail(path, `more than ${SCENARIO_LIMITS.maxExpandedPulses} pulses in all; use fewer or longer pulses`);
    const carried = s["carried-by"] === undefined ? {} : { carriedBy: declaredIon(r, [...path, "carried-by"], s["carried-by"], ions) };
    return { ...pulse, ...carried, ...(train ?? {}) };
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
    "record",
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
  const recordLog = readRecord(r, run.record, { duration, dt, everyGiven: run["record-every"] !== undefined });
  // record: log alone gives only the log-spaced rows (and the final one); record-every adds its rows
  const defaultEvery = recordLog && run.record !== undefined ? duration : duration / 1000;
  const recordEvery = run["record-every"] === undefined ? defaultEvery : r.quantity(["run", "record-every"], run["record-every"], KINDS.time, "positive");
  const seed = run.seed === undefined ? 1 : r.number(["run", "seed"], run.seed, { integer: true, min: 0 });
  const maxSteps = run["max-steps"] === undefined ? 1e8 : r.number(["run", "max-steps"], run["max-steps"], { integer: true, min: 1, max: SCENARIO_LIMITS.maxSteps });
  const rows = duration / recordEvery;
  if (rows > SCENARIO_LIMITS.maxRecordedRows) {
    r.fail(["run", "record-every"], `duration / record-every = ${rows.toExponential(2)} rows; at most ${SCENARIO_LIMITS.maxRecordedRows} are allowed: record less often`);
  }
  if (recordLog && recordedRowsBound({ duration, recordEvery, recordLog }) > SCENARIO_LIMITS.maxRecordedRows) {
    r.fail(["run", "record"], `${recordedRowsBound({ duration, recordEvery, recordLog }).toExponential(2)} rows; at most ${SCENARIO_LIMITS.maxRecordedRows} are allowed: fewer per decade`);
  }
  if (!steady && !findMethod(method)!.adaptive && duration / dt > maxSteps) {
    r.fail(["run", "dt"], `duration / dt = ${(duration / dt).toExponential(2)} fixed steps exceeds max-steps (${maxSteps}); use a larger dt or the stiff method bdf`);
  }
  let stop: StopRule | undefined;
  if (run.stop !== undefined) {
    const s = r.mapping(["run", "stop"], run.stop, ["net-current-below", "hold", "window"]);
    stop = {
      ...(s.window !== undefined ? { window: r.quantity(["run", "stop", "window"], s.window, KINDS.time, "positive") } : {}),
      netCurrentBelow: r.quantity(["run", "stop", "net-current-below"], r.required(["run", "stop", "net-current-below"], s["net-current-below"], 'a current per area like "1e-4 uA/cm^2"'), KINDS.currentDensity, "positive"),
      hold: s.hold === undefined ? 0 : r.quantity(["run", "stop", "hold"], s.hold, KINDS.time, "non-negative"),
    };
  }
  return { method, duration, dt, rtol, atol, recordEvery, ...(recordLog ? { recordLog } : {}), seed, maxSteps, ...(stop ? { stop } : {}) };
}

/** Rows per decade of log recording, and the span from which a run gets them by default. */
export const LOG_RECORDING = { perDecade: 20, defaultFromDecades: 7 } as const;

/**
 * `run.record`: `linear` (rows every record-every only), `log` (log-spaced rows, 20 per decade from
 * dt), or `{ spacing: log, per-decade: N, from: T }`. Without it and without record-every, a run
 * spanning seven decades or more (duration ≥ 10⁷·dt: hours of run-down stepped from microseconds)
 * gets log rows as well as its duration/1000 ones (all of which stay; a record-every the user
 * wrote is left to mean exactly its rows, for tables read by position), so that its figure shows the approach to E_rev in the first
 * milliseconds as well as the drift over hours.
 */
function readRecord(r: FieldReader, value: unknown, run: { duration: number; dt: number; everyGiven: boolean }): { first: number; perDecade: number } | undefined {
  const fallback = { first: run.dt, perDecade: LOG_RECORDING.perDecade };
  if (value === undefined) return !run.everyGiven && run.duration >= 10 ** LOG_RECORDING.defaultFromDecades * run.dt ? fallback : undefined;
  if (value === "linear") return undefined;
  if (value === "log") return fallback;
  if (typeof value === "string") r.fail(["run", "record"], `expected linear, log or { spacing: log, per-decade: N, from: T }, got "${value}"`);
  const m = r.mapping(["run", "record"], value, ["spacing", "per-decade", "from"]);
  const spacing = m.spacing === undefined ? "log" : r.string(["run", "record", "spacing"], m.spacing);
  if (spacing === "linear") return undefined;
  if (spacing !== "log") r.fail(["run", "record", "spacing"], `expected log or linear, got "${spacing}"`);
  const perDecade = m["per-decade"] === undefined ? LOG_RECORDING.perDecade : r.number(["run", "record", "per-decade"], m["per-decade"], { integer: true, min: 1, max: 10_000 });
  const first = m.from === undefined ? run.dt : r.quantity(["run", "record", "from"], m.from, KINDS.time, "positive");
  if (!(first < run.duration)) r.fail(["run", "record", "from"], `must come before the end of the run (${run.duration} s)`);
  return { first, perDecade };
}

function readClamp(r: FieldReader, value: unknown, initialVoltage: number, hasInitial: boolean): ClampProtocol {
  const c = r.mapping(["clamp"], value, ["holding", "steps", "ramp"]);
  const holding = r.quantity(["clamp", "holding"], r.required(["clamp", "holding"], c.holding, 'the holding potential, like "-65 mV"'), KINDS.voltage);
  if (hasInitial && Number.isFinite(initialVoltage) && initialVoltage !== holding) {
    r.fail(["initial", "voltage"], "under a clamp V starts at the holding potential; remove initial.voltage or make it equal to clamp.holding");
  }
  let last = -Infinity;
  const steps = r.list(["clamp", "steps"], c.steps, 10_000).map((item, i) => {
    const s = r.mapping(["clamp", "steps", i], item, ["at", "to"]);
    const at = r.quantity(["clamp", "steps", i, "at"], r.required(["clamp", "steps", i, "at"], s.at, 'a time like "10 ms"'), KINDS.time, "non-negative");
    if (at <= last) r.fail(["clamp", "steps", i, "at"], "steps must come in increasing time");
    last = at;
    return { at, to: r.quantity(["clamp", "steps", i, "to"], r.required(["clamp", "steps", i, "to"], s.to, 'a voltage like "0 mV"'), KINDS.voltage) };
  });
  let ramp: ClampProtocol["ramp"];
  if (c.ramp !== undefined) {
    const m = r.mapping(["clamp", "ramp"], c.ramp, ["start", "duration", "from", "to"]);
    ramp = {
      start: r.quantity(["clamp", "ramp", "start"], r.required(["clamp", "ramp", "start"], m.start, 'a time like "10 ms"'), KINDS.time, "non-negative"),
      duration: r.quantity(["clamp", "ramp", "duration"], r.required(["clamp", "ramp", "duration"], m.duration, 'a time like "100 ms"'), KINDS.time, "positive"),
      from: r.quantity(["clamp", "ramp", "from"], r.required(["clamp", "ramp", "from"], m.from, 'a voltage like "-100 mV"'), KINDS.voltage),
      to: r.quantity(["clamp", "ramp", "to"], r.required(["clamp", "ramp", "to"], m.to, 'a voltage like "60 mV"'), KINDS.voltage),
    };
    if (steps.length && steps.some((s) => s.at > ramp!.start)) r.fail(["clamp", "ramp"], "steps after the ramp's start would fight the ramp; put the ramp after the steps");
  }
  return { holding, steps, ...(ramp ? { ramp } : {}) };
}
