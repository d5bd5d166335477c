import type { Channel } from "../../scenario/types.js";
import type { GateSet } from "../gates.js";
import type { MarkovChannels } from "../markov.js";
import { ghk } from "./ghk.js";
import { ohmic } from "./ohmic.js";
import type { BuildContext, CurrentCode, Emitter, Mechanism, MechanismKind } from "./types.js";

/**
 * How a channel's current depends on V and the concentrations when all its gates are open (the
 * open fraction multiplies it). Ohmic and GHK are the two; a new one is a file like ohmic.ts and
 * a line in LAWS.
 */
export interface PermeationLaw {
  readonly kind: Channel["kind"];
  create(ch: Channel, valence: number, cx: BuildContext): PermeationInstance;
}

export interface PermeationInstance {
  /** g (S/m²) or P (m/s): the open fraction's partners in s = scale·open. */
  readonly scale: number;
  current(open: number, V: number, cin: number, cout: number): number;
  /** `open` is code ending in "* " (or empty): the open fraction's factors. */
  emitCurrent(e: Emitter, open: string, cin: string, cout: string): CurrentCode;
  /** With s = scale·open as code: ∂I/∂V, ∂I/∂c_in, ∂I/∂c_out, and the all-open current (for the gates' columns). */
  emitPartials(e: Emitter, s: string, cin: string, cout: string): { setup: string[]; dV: string; dIn: string; dOut: string; allOpen: string };
}

const LAWS: readonly PermeationLaw[] = [ohmic, ghk];

/**
 * An ion channel: open fraction × permeation law. The open fraction is Π x_j^p_j over its gates
 * (gates.ts: their kinetics are state equations of their own), times the open fraction of its
 * exact stochastic population (markov.ts) when it is simulated event by event.
 */
function channel(ch: Channel, c: number, cx: BuildContext, gates: GateSet, markov: MarkovChannels): Mechanism {
  const k = cx.ionIndex(ch.ion);
  const z = cx.scenario.ions[k]!.valence;
  if (z === 0) throw new Error(`channel "${ch.name}": ion ${ch.ion} has charge 0, and an uncharged species carries no current`);
  const law = LAWS.find((l) => l.kind === ch.kind)!.create(ch, z, cx);
  const inSlot = cx.layout.cIn[k]!;
  const outSlot = cx.layout.cOut[k]!;
  const exact = ch.stochastic?.noise === "exact";
  const gateIds: number[] = [];
  for (let j = gates.start[c]!; j < gates.end[c]!; j++) gateIds.push(j);
  const slotOf = (j: number) => cx.layout.gates[j]!;
  return {
    name: ch.name,
    carries: [{ ion: k, coefficient: 1 }],
    current: (V, y) => law.current(gates.openFraction(c, y) * markov.factor[c]!, V, y[inSlot]!, y[outSlot]!),
    emitCurrent: (e) => {
      // the open fraction as plain multiplications: x·x·x·h (no pow per step)
      const factors: string[] = [];
      for (const j of gateIds) for (let p = 0; p < gates.power[j]!; p++) factors.push(e.y(slotOf(j)));
      if (exact) factors.push(`${e.fn(markov.factor)}[${c}]`);
      return law.emitCurrent(e, factors.length ? `${factors.join(" * ")} * ` : "", e.y(inSlot), e.y(outSlot));
    },
    emitPartials: (e) => {
      const mo = exact ? ` * ${e.fn(markov.factor)}[${c}]` : "";
      const product = (d: number) =>
        `1${gateIds.map((i) => ` * ${i === d ? `(${gates.power[i]} * ${e.y(slotOf(i))} ** ${gates.power[i]! - 1})` : `${e.y(slotOf(i))} ** ${gates.power[i]}`}`).join("")}`;
      const open = gateIds.length || exact ? `(${product(-1)}${mo})` : "";
      const s = open ? `${e.p(law.scale)} * ${open}` : e.p(law.scale);
      const d = law.emitPartials(e, "s", e.y(inSlot), e.y(outSlot));
      const partials = [
        { slot: cx.layout.V, value: d.dV },
        { slot: inSlot, value: d.dIn },
        { slot: outSlot, value: d.dOut },
      ];
      const setup = [`const s = ${s};`, ...d.setup];
      if (gateIds.length) setup.push(`const allOpen = ${d.allOpen};`);
      for (const j of gateIds) partials.push({ slot: slotOf(j), value: `allOpen${mo} * (${product(j)})` });
      return { setup, partials };
    },
  };
}

/** The registry entry: every channel of the scenario. */
export function channelKind(gates: GateSet, markov: MarkovChannels): MechanismKind {
  return { name: "channel", build: (cx) => cx.scenario.channels.map((ch, c) => channel(ch, c, cx, gates, markov)) };
}
