import seedrandom from "seedrandom";
import { SimulatorError } from "../errors.js";
import { FARADAY_C_PER_MOL as F, GAS_CONSTANT_J_PER_MOL_K as R } from "../physics/constants.js";
import { WATER_MOLAR_VOLUME } from "../physics/transporter.js";
import type { Protocol } from "../protocol/protocol.js";
import type { Scenario } from "../scenario/types.js";
import type { MembraneConstants } from "./assemble.js";
import { GateSet } from "./gates.js";
import { StateLayout } from "./layout.js";
import { MarkovChannels, PropensityBlock } from "./markov.js";
import { mechanismKinds } from "./mechanisms/registry.js";
import type { Mechanism, StateBlock } from "./mechanisms/types.js";
import { RateTable } from "./rates.js";

/** A membrane's structure, made once from its scenario: what the model and its observables are built on. */
export interface MembraneStructure {
  readonly scenario: Scenario;
  readonly layout: StateLayout;
  readonly ionNames: readonly string[];
  readonly valence: Float64Array;
  readonly area: number;
  readonly volumeIn: number;
  /** Bath volume (m³), Infinity when clamped. */
  readonly volumeOut: number;
  readonly capacitance: number;
  readonly temperature: number;
  readonly gates: GateSet;
  readonly markov: MarkovChannels;
  /** Every current of the membrane: channels, pumps (the registry's kinds, in order). */
  readonly mechanisms: readonly Mechanism[];
  /** The channels among them, in the scenario's order. */
  readonly channels: readonly Mechanism[];
  /** Ions some mechanism carries across the membrane. */
  readonly permeantIons: ReadonlySet<number>;
  /** The state's blocks beyond V and the ions: gates, and the propensity of exact stochastic channels. */
  readonly blocks: readonly StateBlock[];
  readonly constants: MembraneConstants;
  /** The initial state: the scenario's voltage and concentrations, gates at their steady state there. */
  readonly y0: Float64Array;
  /** The mechanisms' rate parameters (rates.ts): what a scenario of the same structure may change by numbers alone. */
  readonly rates: RateTable;
  /** Whether other models of the same scenario object share it (then nothing in it may be written). */
  readonly shared: boolean;
  /** Whether a state keeps every slot but V non-negative (concentrations, gates, the propensity). */
  readonly isAdmissible: (y: Float64Array) => boolean;
}

function admissibleIn(slots: Int32Array): (y: Float64Array) => boolean {
  return (y) => {
    for (let k = 0; k < slots.length; k++) if (!(y[slots[k]!]! >= 0)) return false;
    return true;
  };
}

/**
 * Structures by scenario object and the ions the protocol carries: a validated scenario is
 * immutable, so models built again from the same one (the bench's repeated runs, a library's loop
 * over protocols, iv) share one structure. Not for exact stochastic channels (their populations
 * change during a run) nor for models whose rates will be written.
 */
const SHARED = new WeakMap<Scenario, { carried: string; structure: MembraneStructure }>();

/** buildMembrane, or the structure an earlier model of the same scenario object built (see SHARED). */
export function sharedMembrane(scenario: Scenario, protocol: Protocol): MembraneStructure {
  const carried = [...protocol.carriedIons].sort().join(",");
  const hit = SHARED.get(scenario);
  if (hit && hit.carried === carried) return hit.structure;
  const structure = buildMembrane(scenario, protocol);
  if (structure.markov.count > 0) return structure;
  const frozen = { ...structure, shared: true };
  SHARED.set(scenario, { carried, structure: frozen });
  return frozen;
}

/**
 * Builds the membrane of a scenario over its state layout, from the registry's mechanisms. The
 * protocol enters only through the ions its pulses carry (their concentrations move even when no
 * mechanism carries them). Draws the initial states of channels simulated event by event from
 * their equilibrium, each with its own stream seeded by the run's seed.
 */
export function buildMembrane(scenario: Scenario, protocol: Protocol): MembraneStructure {
  const ionNames = scenario.ions.map((i) => i.name);
  const gates = new GateSet(scenario);
  const markov = new MarkovChannels(scenario);
  const waterMoves = scenario.cell.waterPermeability > 0;
  const layout = StateLayout.membrane(ionNames, gates.names, markov.count > 0, waterMoves);
  gates.place(layout.gates, layout.V, Int32Array.from([...layout.cIn, ...layout.cOut]));
  const valence = Float64Array.from(scenario.ions, (i) => i.valence);
  const area = scenario.cell.area;
  const volumeIn = scenario.cell.volume;
  const volumeOut = scenario.bath.kind === "finite" ? scenario.bath.volume : Infinity;
  const index = (name: string) => ionNames.indexOf(name);
  const rates = new RateTable();
  const context = { scenario, layout, ionIndex: index, thermalVoltage: (R * scenario.temperature) / F, rate: (value: number, read: (s: Scenario) => number) => rates.add(value, read) };
  let mechanisms: readonly Mechanism[];
  try {
    mechanisms = mechanismKinds(gates, markov).flatMap((kind) => kind.build(context));
  } catch (e) {
    throw new SimulatorError(`${scenario.source}: ${(e as Error).message}`);
  }
  const permeantIons = new Set(mechanisms.flatMap((m) => m.carries.map((c) => c.ion)));
  const blocks = layout.propensity >= 0 ? [gates, new PropensityBlock(markov, layout.propensity, layout.V)] : [gates];
  const constants: MembraneConstants = {
    capacitance: scenario.cell.capacitance,
    inFactor: Float64Array.from(valence, (z) => area / (z * F * volumeIn)),
    outFactor: Float64Array.from(valence, (z) => (Number.isFinite(volumeOut) ? area / (z * F * volumeOut) : 0)),
    moves: Uint8Array.from(ionNames, (name, k) => (permeantIons.has(k) || protocol.carriedIons.has(name) ? 1 : 0)),
    ...(waterMoves
      ? {
          water: {
            slot: layout.volumeIn,
            coefficient: (area * scenario.cell.waterPermeability * WATER_MOLAR_VOLUME) / volumeIn,
            volumeIn0: volumeIn,
            volumeOut0: volumeOut,
            total: volumeIn + volumeOut,
          },
        }
      : {}),
  };
  const y0 = new Float64Array(layout.size);
  y0[layout.V] = scenario.initialVoltage;
  if (constants.water) y0[constants.water.slot] = 1;
  scenario.ions.forEach((ion, k) => {
    y0[layout.cIn[k]!] = ion.inside;
    y0[layout.cOut[k]!] = ion.outside;
  });
  // gates start at their steady state for the initial voltage; so do the channels simulated
  // event by event, each drawn from that equilibrium with its own seeded stream
  for (let j = 0; j < gates.count; j++) y0[layout.gates[j]!] = gates.steadyState(j, scenario.initialVoltage, 0, y0);
  if (markov.count > 0) markov.equilibrate(scenario.initialVoltage, seedrandom(`ionflux:initial:${scenario.run.seed}`));
  return {
    scenario,
    layout,
    ionNames,
    valence,
    area,
    volumeIn,
    volumeOut,
    capacitance: scenario.cell.capacitance,
    temperature: scenario.temperature,
    gates,
    markov,
    mechanisms,
    channels: mechanisms.slice(0, scenario.channels.length),
    permeantIons,
    blocks,
    constants,
    y0,
    rates,
    shared: false,
    isAdmissible: admissibleIn(layout.nonNegative),
  };
}
