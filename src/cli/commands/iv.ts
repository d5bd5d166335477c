import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { UsageError } from "../../errors.js";
import { MembraneModel } from "../../model/membraneModel.js";
import { findRootBracketed } from "../../numerics/roots.js";
import { ghkVoltage } from "../../physics/ghk.js";
import { transporterReversalPotential } from "../../physics/transporter.js";
import { writeFileAtomic } from "../../recording/atomicFile.js";
import { MemoryRecorder } from "../../recording/types.js";
import { loadScenarioFile } from "../../scenario/load.js";
import { parseOverride } from "../../scenario/overrides.js";
import { KINDS, parseQuantity } from "../../scenario/quantity.js";
import type { Scenario } from "../../scenario/types.js";
import { simulate } from "../../simulation/simulate.js";
import { fmt } from "../format.js";
import { checkOutDir } from "../outDir.js";

export interface IvOptions {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly step: string;
  readonly at?: string;
  readonly set: readonly string[];
  readonly out: string;
}

function quantity(text: string, kind: (typeof KINDS)[keyof typeof KINDS], flag: string): number {
  const q = parseQuantity(text, kind);
  if (!q.ok) throw new UsageError(`--${flag}: ${q.problem}`);
  return q.value;
}

/** Currents (A/m²) of one command voltage: total, per ion, per channel. */
interface Currents {
  total: number;
  ions: Float64Array;
  channels: Float64Array;
  /** Each transporter's (and pump's) net current F·J·Σν·z. */
  transporters: Float64Array;
}

/**
 * `ionflux iv FILE --from V --to V --step V [--at T]`: the experimenter's way to a reversal
 * potential. From the holding state (the clamp's holding potential, or the initial voltage, with
 * gates at their steady state there), each command voltage gives the instantaneous currents and,
 * with --at, the currents after a clamp step of that length. Writes NAME.iv.csv; reports every
 * zero crossing (bracketed in the table, refined by root finding) beside its prediction.
 */
export function ivCommand(opts: IvOptions, print: (line: string) => void): void {
  checkOutDir(opts.out, "iv");
  const from = quantity(opts.from, KINDS.voltage, "from");
  const to = quantity(opts.to, KINDS.voltage, "to");
  const step = quantity(opts.step, KINDS.voltage, "step");
  if (!(step > 0)) throw new UsageError("--step must be positive");
  if (!(to > from)) throw new UsageError("--to must be above --from");
  const count = Math.round((to - from) / step) + 1;
  if (count > 10_001) throw new UsageError(`${count} command voltages; at most 10001`);
  const at = opts.at === undefined ? undefined : quantity(opts.at, KINDS.time, "at");
  if (at !== undefined && !(at > 0)) throw new UsageError("--at must be positive");

  const { scenario } = loadScenarioFile(opts.file, opts.set.map(parseOverride));
  const model = new MembraneModel(scenario);
  model.setSegment(0);
  const holdingState = model.y0;
  const n = model.ionCount;
  const channelCount = scenario.channels.length;
  // transporters (pumps first) are mechanisms after the channels: their currents F·J·Σν·z get columns too
  const transporterNames = model.transporterNames;
  const transporterCurrents = (m: MembraneModel, V: number, y: Float64Array, t = 0) => {
    const view = m.concentrationView(y);
    return Float64Array.from(m.mechanisms.slice(channelCount), (mech) => mech.current(V, view, t) * mech.carries.reduce((q, c) => q + c.coefficient, 0));
  };

  const instant = (V: number): Currents => {
    const ions = new Float64Array(n);
    const channels = new Float64Array(channelCount);
    const total = model.ionicCurrents(V, holdingState, ions);
    model.channelCurrents(V, holdingState, channels);
    return { total, ions, channels, transporters: transporterCurrents(model, V, holdingState) };
  };
  const afterStep = (V: number): Currents => {
    const { stop: _noStopRuleUnderClamp, ...run } = scenario.run;
    const stepped: Scenario = {
      ...scenario,
      clamp: { holding: scenario.clamp?.holding ?? scenario.initialVoltage, steps: [{ at: 0, to: V }] },
      run: { ...run, duration: at!, recordEvery: at! },
      stimulus: [],
    };
    const m = new MembraneModel(stepped);
    const r = simulate(m, stepped.run, new MemoryRecorder());
    const y = Float64Array.from(r.yEnd);
    y[m.layout.V] = V;
    const ions = new Float64Array(n);
    const channels = new Float64Array(channelCount);
    const total = m.ionicCurrents(V, y, ions, at!);
    m.channelCurrents(V, y, channels);
    return { total, ions, channels, transporters: transporterCurrents(m, V, y, at!) };
  };

  const voltages = Array.from({ length: count }, (_, i) => (i === count - 1 ? to : from + i * step));
  const tableInstant = voltages.map(instant);
  const tableAt = at === undefined ? undefined : voltages.map(afterStep);

  const UA = 1e2;
  const atLabel = at === undefined ? "" : `at_${fmt(at * 1e3, 6)}ms`;
  const columns = (suffix: string) => [
    `I_total_${suffix} [uA/cm^2]`,
    ...model.ionNames.map((x) => `I_${x}_${suffix} [uA/cm^2]`),
    ...scenario.channels.map((c) => `I_${c.name}_${suffix} [uA/cm^2]`),
    ...transporterNames.map((name) => `I_${name}_${suffix} [uA/cm^2]`),
  ];
  const header = ["V_command [mV]", ...columns("instant"), ...(tableAt ? columns(atLabel) : [])];
  const cells = (c: Currents) => [c.total * UA, ...Array.from(c.ions, (x) => x * UA), ...Array.from(c.channels, (x) => x * UA), ...Array.from(c.transporters, (x) => x * UA)];
  const rows = voltages.map((V, i) => [V * 1e3, ...cells(tableInstant[i]!), ...(tableAt ? cells(tableAt[i]!) : [])]);
  const path = join(opts.out, `${scenario.name}.iv.csv`);

  // zero crossings: bracketed by the table, refined on the function itself
  const y = holdingState;
  const reversals: Record<string, unknown>[] = [];
  const crossings = (label: string, pick: (c: Currents) => number, table: Currents[], fn: (V: number) => Currents, predicted: { value: number; by: string } | null) => {
    for (let i = 1; i < voltages.length; i++) {
      const a = pick(table[i - 1]!);
      const b = pick(table[i]!);
      if ((a === 0 && b !== 0) || a * b < 0) {
        const root = a === 0 ? voltages[i - 1]! : findRootBracketed((V) => pick(fn(V)), voltages[i - 1]!, voltages[i]!, 1e-12, 100);
        const entry: Record<string, unknown> = { current: label, "E_rev [mV]": root * 1e3 };
        let line = `  ${label}: reverses at ${fmt(root * 1e3, 8)} mV`;
        if (predicted && Number.isFinite(predicted.value)) {
          entry[`predicted [mV]`] = predicted.value * 1e3;
          entry.prediction = predicted.by;
          entry["difference [mV]"] = (root - predicted.value) * 1e3;
          line += ` (${predicted.by}: ${fmt(predicted.value * 1e3, 8)} mV, difference ${fmt((root - predicted.value) * 1e3, 2)} mV)`;
        }
        reversals.push(entry);
        print(line);
      }
    }
  };
  print(`${scenario.name}: I-V from ${fmt(from * 1e3)} to ${fmt(to * 1e3)} mV in ${count} steps -> ${path}`);
  crossings("total, instantaneous", (c) => c.total, tableInstant, instant, totalPrediction(scenario, model, y));
  // ions that no channel carries have no current to reverse
  const carried = (k: number) => scenario.channels.some((c) => c.ion === model.ionNames[k]);
  model.ionNames.forEach((ion, k) => {
    if (!carried(k)) return;
    const e = model.nernst(k, y);
    crossings(`${ion}, instantaneous`, (c) => c.ions[k]!, tableInstant, instant, { value: e, by: `Nernst E_${ion}` });
  });
  // each electrogenic transporter reverses where its driving force vanishes: V = Σ ν·z·E / Σ ν·z (NCX: 3·E_Na − 2·E_Ca)
  transporterNames.forEach((name, i) => {
    const spec = scenario.transporters.find((t) => t.name === name);
    const prediction = spec && spec.kinetics.kind === "thermodynamic" ? transporterReversal(spec.stoichiometry, model, y) : null;
    crossings(`${name}, instantaneous`, (c) => c.transporters[i]!, tableInstant, instant, prediction);
  });
  if (tableAt) {
    crossings(`total, ${atLabel.replace("_", " ")}`, (c) => c.total, tableAt, afterStep, null);
    model.ionNames.forEach((ion, k) => carried(k) && crossings(`${ion}, ${atLabel.replace("_", " ")}`, (c) => c.ions[k]!, tableAt, afterStep, null));
  }
  writeFileAtomic(path, stringify([header, ...rows], { record_delimiter: "unix" }));
  writeFileAtomic(join(opts.out, `${scenario.name}.iv.summary.json`), `${JSON.stringify({ name: scenario.name, "holding [mV]": (scenario.clamp?.holding ?? scenario.initialVoltage) * 1e3, ...(at !== undefined ? { "at [s]": at } : {}), reversals }, null, 2)}\n`);
}

/** A transporter's reversal (physics/transporter.ts) and its formula in Nernst potentials ("3·E_Na − 2·E_Ca"); null if electroneutral. */
function transporterReversal(stoichiometry: Readonly<Record<string, number>>, model: MembraneModel, y: Float64Array): { value: number; by: string } | null {
  const entries = Object.entries(stoichiometry);
  const ks = entries.map(([ion]) => model.ionNames.indexOf(ion));
  const nu = entries.map(([, n]) => n);
  const z = ks.map((k) => model.valence[k]!);
  const value = transporterReversalPotential(nu, z, ks.map((k) => model.concentrationIn(k, y)), ks.map((k) => model.concentrationOut(k, y)), model.temperature);
  if (Number.isNaN(value)) return null;
  // V_rev = Σ (ν_k·z_k / Σ ν·z)·E_k: the weights of the Nernst potentials, for the printed formula
  const charge = nu.reduce((q, n, i) => q + n * z[i]!, 0);
  const by = entries
    .map(([ion], i) => {
      const c = (nu[i]! * z[i]!) / charge;
      const size = Math.abs(c) === 1 ? "" : `${fmt(Math.abs(c), 6)}·`;
      return `${c < 0 ? (i === 0 ? "−" : " − ") : i === 0 ? "" : " + "}${size}E_${ion}`;
    })
    .join("");
  return { value, by };
}

/** The closed form of the total reversal potential where one applies: chord conductance (all
 * ohmic), the GHK voltage equation (all monovalent GHK); otherwise the model's own root. */
function totalPrediction(scenario: Scenario, model: MembraneModel, y: Float64Array): { value: number; by: string } | null {
  if (scenario.pumps.length > 0 || scenario.transporters.length > 0) return { value: model.reversalPotential(y), by: "root of the net current" };
  const n = model.ionCount;
  const idx = (ion: string) => model.ionNames.indexOf(ion);
  const open = scenario.channels.map((_, c) => model.gates.openFraction(c, y));
  if (scenario.channels.every((c) => c.kind === "ohmic")) {
    let num = 0;
    let den = 0;
    scenario.channels.forEach((c, i) => {
      if (c.kind !== "ohmic") return;
      const k = idx(c.ion);
      const g = c.conductance * open[i]!;
      num += g * model.nernst(k, y);
      den += g;
    });
    return { value: num / den, by: "chord conductance" };
  }
  if (scenario.channels.every((c) => c.kind === "ghk" && Math.abs(model.valence[idx(c.ion)]!) === 1)) {
    const terms = scenario.channels.map((c, i) => {
      const k = idx(c.ion);
      return { positive: model.valence[k]! > 0, term: [c.kind === "ghk" ? c.permeability * open[i]! : 0, y[model.layout.cIn[k]!]!, y[model.layout.cOut[k]!]!] as const };
    });
    const value = ghkVoltage(terms.filter((t) => t.positive).map((t) => t.term), terms.filter((t) => !t.positive).map((t) => t.term), scenario.temperature);
    return { value, by: "GHK voltage equation" };
  }
  return { value: model.reversalPotential(y), by: "root of the net current" };
}
