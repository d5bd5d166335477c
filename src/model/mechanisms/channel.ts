import type { Channel } from "../../scenario/types.js";
import { compiledOf, type GateSet } from "../gates.js";
import type { MarkovChannels } from "../markov.js";
import { concentrationVariables, formulaProblem, pointAt, tooLarge, type Formula } from "./diagnosis.js";
import { ghk } from "./ghk.js";
import { ohmic } from "./ohmic.js";
import type { BuildContext, CurrentCode, Emitter, Mechanism, MechanismKind, RateCell } from "./types.js";

/**
 * How a channel's current depends on V and the concentrations when all its gates are open (the
 * open fraction multiplies it). Ohmic and GHK are the two; a new one is a file like ohmic.ts and
 * a line in LAWS.
 */
export interface PermeationLaw {
  readonly kind: Channel["kind"];
  /** `index`: the channel's place in scenario.channels (where its rate cell reads its value again). */
  create(ch: Channel, valence: number, cx: BuildContext, index: number): PermeationInstance;
}

export interface PermeationInstance {
  /** g (S/m²) or P (m/s): the open fraction's partners in s = scale·open (a rate cell: rates.ts). */
  readonly scale: RateCell;
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
  const law = LAWS.find((l) => l.kind === ch.kind)!.create(ch, z, cx, c);
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
      const s = open ? `${e.rate(law.scale)} * ${open}` : e.rate(law.scale);
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
    diagnose: (V, y, when) => {
      const point = pointAt(cx, V, y, when);
      const t = point.time;
      const path = `channels[${c}]`;
      for (let i = 0; i < ch.gates.length; i++) {
        const g = ch.gates[i]!;
        const { first, second } = compiledOf(g, `${ch.name}.${g.name}`);
        const alphaBeta = g.form === "alpha-beta";
        // validation says where the formulas were written; a gate made otherwise (a test's) gets the usual path
        const origin = g.origin ?? { first: `${path}.gates.${g.name}.${alphaBeta ? "alpha" : "inf"}`, second: `${path}.gates.${g.name}.${alphaBeta ? "beta" : "tau"}` };
        const checkedMv = g.origin?.checkedMv;
        const judged: readonly [Formula, Formula] = [
          { path: origin.first, role: alphaBeta ? "rate" : "inf", reads: first.reads, ...(checkedMv ? { checkedMv } : {}) },
          { path: origin.second, role: alphaBeta ? "rate" : "tau", reads: second.reads, ...(checkedMv ? { checkedMv } : {}) },
        ];
        const a = first.value(point.vars);
        const b = second.value(point.vars);
        const wrong = formulaProblem(judged[0], a, point) ?? formulaProblem(judged[1], b, point);
        if (wrong) return wrong;
        if (exact) continue;
        // both formulas are fine there, and yet dx/dt (q·(α(1 − x) − βx) or q·(x∞ − x)/τ) or its
        // derivatives (the stiff method's Jacobian) may overflow
        const j = gates.start[c]! + i;
        const x = y[slotOf(j)]!;
        const overflows = !Number.isFinite(gates.rate(j, V, t, x, y)) || !Number.isFinite(gates.derivativeDx(j, V, t, y)) || !Number.isFinite(gates.derivativeDV(j, V, t, x, y));
        if (Number.isFinite(x) && overflows) {
          // the larger rate, or tau (so small that 1/tau overflows)
          const blamed = alphaBeta && Math.abs(a) >= Math.abs(b) ? 0 : 1;
          return tooLarge(judged[blamed], blamed === 0 ? a : b, point, `d${g.name}/dt (or its derivative)`);
        }
      }
      const current = law.current(gates.openFraction(c, y) * markov.factor[c]!, V, y[inSlot]!, y[outSlot]!);
      if (Number.isFinite(current) || ch.kind !== "ohmic") return undefined;
      // an ohmic channel's Nernst potential takes the logarithm of both concentrations
      const [vIn, vOut] = concentrationVariables(cx, k);
      const gone = !(y[inSlot]! > 0) ? vIn : !(y[outSlot]! > 0) ? vOut : -1;
      if (gone < 0) return undefined;
      return `${path} (${ch.name}) current is ${current} ${point.where([vIn, vOut])}: ${point.nameOf(gone)} is ${point.vars[gone]} mM, and the Nernst potential of an ohmic channel needs ${ch.ion} on both sides; the ion ran out (a ghk channel carries a current without it)`;
    },
  };
}

/** The registry entry: every channel of the scenario. */
export function channelKind(gates: GateSet, markov: MarkovChannels): MechanismKind {
  return { name: "channel", build: (cx) => cx.scenario.channels.map((ch, c) => channel(ch, c, cx, gates, markov)) };
}
