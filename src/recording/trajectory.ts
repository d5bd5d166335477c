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

/** A writer of one trajectory row per state (SI state → the columns' units), allocation-free per row. */
export function trajectoryRow(model: MembraneModel, write: (row: Float64Array) => void): (t: number, state: Float64Array) => void {
  const n = model.ionCount;
  const L = model.layout;
  const perIon = new Float64Array(n);
  const clamped = model.clamp !== undefined;
  const markov = model.markov.populations;
  const fluxes = new Float64Array(model.transporterNames.length);
  const water = model.water;
  const finiteWater = water !== undefined && Number.isFinite(water.total);
  const extra = 4 + 4 * n + model.gates.count + markov.length + (clamped ? 1 : 0);
  const row = new Float64Array(trajectoryColumns(model).length);
  const forced = new Float64Array(model.size);
  const gatesAt = 4 + 4 * n;
  const openAt = gatesAt + model.gates.count;
  return (t, state) => {
    let y = state;
    if (clamped) {
      forced.set(state);
      forced[L.V] = model.voltageOf(t, state);
      y = forced;
    }
    const net = model.netCurrent(y, perIon);
    row[0] = t;
    row[1] = y[L.V]! * MV;
    row[2] = model.reversalPotential(y) * MV;
    row[3] = net * UA_PER_CM2;
    for (let k = 0; k < n; k++) {
      row[4 + 4 * k] = model.concentrationIn(k, y);
      row[5 + 4 * k] = model.concentrationOut(k, y);
      row[6 + 4 * k] = model.nernst(k, y) * MV;
      row[7 + 4 * k] = perIon[k]! * UA_PER_CM2;
    }
    for (let j = 0; j < model.gates.count; j++) row[gatesAt + j] = y[L.gates[j]!]!;
    markov.forEach((p, i) => {
      row[openAt + i] = p.openFraction;
    });
    // the clamp's current: all the membrane current (ionic and capacitive) it must supply, outward positive
    if (clamped) row[extra - 1] = (net + model.capacitance * model.clamp!.rate) * UA_PER_CM2;
    let c = extra;
    if (fluxes.length) {
      model.transporterFluxes(y, fluxes);
      for (let i = 0; i < fluxes.length; i++) row[c++] = fluxes[i]! * PMOL_PER_CM2_S;
    }
    if (water) {
      row[c++] = model.volumeInOf(y) * PL;
      if (finiteWater) row[c++] = model.volumeOutOf(y) * PL;
      const osm = model.osmolarities(y);
      row[c++] = osm.inside;
      row[c++] = osm.outside;
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

/** Rows go nowhere (sweeps keep only the end state); the rows are still computed, as for any recorder. */
export class NullRecorder extends RowRecorder {
  start(): void {}
  row(): void {}
  finish(): void {}
  abort(): void {}
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
