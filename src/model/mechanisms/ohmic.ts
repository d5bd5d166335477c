import { nernstPotential } from "../../physics/nernst.js";
import type { PermeationLaw } from "./channel.js";

/** An ohmic channel: I = open·g·(V − E_k), E_k the Nernst potential (physics.md). */
export const ohmic: PermeationLaw = {
  kind: "ohmic",
  create: (ch, z, cx, c) => {
    if (ch.kind !== "ohmic") throw new Error("not an ohmic channel");
    const g = cx.rate(ch.conductance, (s) => (s.channels[c] as typeof ch).conductance);
    const T = cx.scenario.temperature;
    const vt = cx.thermalVoltage;
    return {
      scale: g,
      current: (open, V, cin, cout) => open * g.value * (V - nernstPotential(z, cin, cout, T)),
      emitCurrent: (e, open, cin, cout) => ({ current: `${open}${e.rate(g)} * (V - ${e.p(vt / z)} * Math.log(${cout} / ${cin}))` }),
      emitPartials: (e, s, cin, cout) => ({
        setup: [],
        dV: s,
        dIn: `(${s} * ${e.p(vt)}) / (${e.p(z)} * ${cin})`,
        dOut: `-((${s} * ${e.p(vt)}) / (${e.p(z)} * ${cout}))`,
        allOpen: `${e.rate(g)} * (V - (${e.p(vt)} / ${e.p(z)}) * Math.log(${cout} / ${cin}))`,
      }),
    };
  },
};
