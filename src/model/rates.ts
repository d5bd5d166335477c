import type { Scenario } from "../scenario/types.js";
import type { RateCell } from "./mechanisms/types.js";

/**
 * Rate parameters: the numbers a sweep varies most (a channel's conductance or permeability, a
 * transporter's conductance, the pump's maximal current) change no part of a model's structure,
 * only magnitudes. Each mechanism takes such a number through a cell (BuildContext.rate) and
 * passes it to its code through Emitter.rate, so that the model can later be given another
 * scenario of the same structure by writing numbers: every cell from its `read`, every slot of
 * the compiled parameter arrays from its cell (MembraneModel.writeRates). The slot's `derive` is
 * the mechanism's own arithmetic on the value, so a written model rounds as a newly built one.
 */
export interface RateEntry {
  readonly cell: RateCell;
  readonly read: (scenario: Scenario) => number;
}

/** One slot of a compiled function's parameter array that holds derive(cell.value). */
export interface RateSlot {
  readonly index: number;
  readonly cell: RateCell;
  readonly derive: ((value: number) => number) | undefined;
}

/** A compiled function's parameter array (shared with the function) and its slots made from rates. */
export interface ParameterArray {
  readonly params: Float64Array;
  readonly slots: readonly RateSlot[];
}

/** The cells of one model's mechanisms, as the build context hands them out. */
export class RateTable {
  readonly entries: RateEntry[] = [];
  add(value: number, read: (scenario: Scenario) => number): RateCell {
    const cell = { value };
    this.entries.push({ cell, read });
    return cell;
  }

  /** Reads every cell from `scenario`, then writes every slot of `arrays` from its cell. */
  write(scenario: Scenario, arrays: readonly ParameterArray[]): void {
    for (const e of this.entries) e.cell.value = e.read(scenario);
    for (const a of arrays) for (const s of a.slots) a.params[s.index] = s.derive ? s.derive(s.cell.value) : s.cell.value;
  }
}
