import type { MembraneModel } from "../model/membraneModel.js";
import type { TrajectorySink } from "../simulation/types.js";
import type { Column, Recorder } from "./types.js";
import { MV_PER_V as MV, PL_PER_M3 as PL, PMOL_PER_CM2_S_PER_MOL_PER_M2_S as PMOL_PER_CM2_S, UA_PER_CM2_PER_A_PER_M2 as UA_PER_CM2 } from "./units.js";

/** Trajectory columns in the units of scenario-format.md: t, V, E_rev, I_net, per ion c_in, c_out, E, I; gates; open fractions; I_clamp. */
export function trajectoryColumns(model: MembraneModel): Column[] {
  const cols: Column[] = [
    { name: "t", unit: "s" },
    { name: "V", unit: "mV" },
    { name: "E_rev", unit: "mV" },
    { name: "I_net", unit: "uA/cm^2" },
  ];
  for (const ion of model.ionNames) {
    cols.push({ name: `${ion}_in`, unit: "mM" }, { name: `${ion}_out`, unit: "mM" }, { name: `E_${ion}`, unit: "mV" }, { name: `I_${ion}`, unit: "uA/cm^2" });
  }
  for (const gate of model.gates.names) cols.push({ name: gate, unit: "1" });
  for (const p of model.markov.populations) cols.push({ name: `${model.scenario.channels[p.channel]!.name}.open`, unit: "1" });
  if (model.clamp) cols.push({ name: "I_clamp", unit: "uA/cm^2" });
  // appended, so that the columns of scenarios without them keep their places
  for (const name of model.transporterNames) cols.push({ name: `J_${name}`, unit: "pmol/(cm^2*s)" });
  if (model.water) {
    cols.push({ name: "vol_in", unit: "pL" });
    if (Number.isFinite(model.water.total)) cols.push({ name: "vol_out", unit: "pL" });
    cols.push({ name: "Osm_in", unit: "mM" }, { name: "Osm_out", unit: "mM" });
  }
  return cols;
}

/**
 * A writer of one trajectory row per state (SI state → the columns' units), allocation-free per row.
 * Every cell is placed by its column's name in trajectoryColumns, the one schema: no column
 * arithmetic to keep in step with it.
 */
export function trajectoryRow(model: MembraneModel, write: (row: Float64Array) => void): (t: number, state: Float64Array) => void {
  const n = model.ionCount;
  const L = model.layout;
  const perIon = new Float64Array(n);
  const clamped = model.clamp !== undefined;
  const markov = model.markov.populations;
  const fluxes = new Float64Array(model.transporterNames.length);
  const water = model.water;
  const finiteWater = water !== undefined && Number.isFinite(water.total);
  const columns = trajectoryColumns(model);
  const where = new Map(columns.map((c, i) => [c.name, i]));
  const at = (name: string): number => {
    const i = where.get(name);
    if (i === undefined) throw new Error(`no trajectory column ${name}`);
    return i;
  };
  const [iT, iV, iE, iNet] = [at("t"), at("V"), at("E_rev"), at("I_net")];
  const iIn = Int32Array.from(model.ionNames, (ion) => at(`${ion}_in`));
  const iOut = Int32Array.from(model.ionNames, (ion) => at(`${ion}_out`));
  const iNernst = Int32Array.from(model.ionNames, (ion) => at(`E_${ion}`));
  const iCurrent = Int32Array.from(model.ionNames, (ion) => at(`I_${ion}`));
  const iGate = Int32Array.from(model.gates.names, (g) => at(g));
  const iOpen = Int32Array.from(markov, (p) => at(`${model.scenario.channels[p.channel]!.name}.open`));
  const iClamp = clamped ? at("I_clamp") : -1;
  const iFlux = Int32Array.from(model.transporterNames, (name) => at(`J_${name}`));
  const [iVolIn, iVolOut, iOsmIn, iOsmOut] = water ? [at("vol_in"), finiteWater ? at("vol_out") : -1, at("Osm_in"), at("Osm_out")] : [-1, -1, -1, -1];
  const row = new Float64Array(columns.length);
  const forced = new Float64Array(model.size);
  return (t, state) => {
    let y = state;
    if (clamped) {
      forced.set(state);
      forced[L.V] = model.voltageOf(t, state);
      y = forced;
    }
    const net = model.netCurrent(y, perIon, t);
    row[iT] = t;
    row[iV] = y[L.V]! * MV;
    row[iE] = model.reversalPotential(y, t) * MV;
    row[iNet] = net * UA_PER_CM2;
    for (let k = 0; k < n; k++) {
      row[iIn[k]!] = model.concentrationIn(k, y);
      row[iOut[k]!] = model.concentrationOut(k, y);
      row[iNernst[k]!] = model.nernst(k, y) * MV;
      row[iCurrent[k]!] = perIon[k]! * UA_PER_CM2;
    }
    for (let j = 0; j < iGate.length; j++) row[iGate[j]!] = y[L.gates[j]!]!;
    for (let i = 0; i < iOpen.length; i++) row[iOpen[i]!] = markov[i]!.openFraction;
    // the clamp's current: all the membrane current (ionic and capacitive) it must supply, outward positive
    if (clamped) row[iClamp] = (net + model.capacitance * model.clamp!.rate) * UA_PER_CM2;
    if (fluxes.length) {
      model.transporterFluxes(y, fluxes, t);
      for (let i = 0; i < fluxes.length; i++) row[iFlux[i]!] = fluxes[i]! * PMOL_PER_CM2_S;
    }
    if (water) {
      row[iVolIn] = model.volumeInOf(y) * PL;
      if (finiteWater) row[iVolOut] = model.volumeOutOf(y) * PL;
      const osm = model.osmolarities(y);
      row[iOsmIn] = osm.inside;
      row[iOsmOut] = osm.outside;
    }
    write(row);
  };
}

/**
 * A Recorder of rows that is also the simulation's trajectory sink: it turns each sampled state
 * into a row of trajectoryColumns. Subclasses say where rows go (memory, a CSV file, nowhere).
 */
export abstract class RowRecorder implements Recorder, TrajectorySink {
  private writeRow: ((t: number, y: Float64Array) => void) | undefined;
  abstract start(columns: readonly Column[]): void;
  abstract row(values: Float64Array): void;
  abstract finish(): void;
  abstract abort(): void;

  begin(model: MembraneModel): void {
    this.start(trajectoryColumns(model));
    this.writeRow = trajectoryRow(model, (row) => this.row(row));
  }

  sample(t: number, y: Float64Array): void {
    this.writeRow!(t, y);
  }
}

/**
 * Rows go nowhere (sweeps keep only the end state, which simulate() reports itself): no row is
 * computed, since a row's E_rev is a root search over the currents (two rows cost a W1 run ~15%).
 */
export class NullRecorder extends RowRecorder {
  start(): void {}
  row(): void {}
  finish(): void {}
  abort(): void {}
  override begin(): void {}
  override sample(): void {}
}

/** Any Recorder of rows as a trajectory sink (for recorders that do not extend RowRecorder, e.g. wrappers). */
export function rowSink(recorder: Recorder): TrajectorySink {
  let writeRow: ((t: number, y: Float64Array) => void) | undefined;
  return {
    begin(model) {
      recorder.start(trajectoryColumns(model));
      writeRow = trajectoryRow(model, (row) => recorder.row(row));
    },
    sample: (t, y) => writeRow!(t, y),
    finish: () => recorder.finish(),
    abort: () => recorder.abort(),
  };
}
