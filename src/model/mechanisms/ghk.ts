import { FARADAY_C_PER_MOL as F } from "../../physics/constants.js";
import { ghkCurrentDensity } from "../../physics/ghk.js";
import type { PermeationLaw } from "./channel.js";

/** A GHK channel: I = open·P·z·F·(c_in·φ(u) − c_out·φ(−u)), u = zFV/(RT) (physics.md). */
export const ghk: PermeationLaw = {
  kind: "ghk",
  create: (ch, z, cx, c) => {
    if (ch.kind !== "ghk") throw new Error("not a GHK channel");
    const P = cx.rate(ch.permeability, (s) => (s.channels[c] as typeof ch).permeability);
    const T = cx.scenario.temperature;
    const vt = cx.thermalVoltage;
    return {
      scale: P,
      current: (open, V, cin, cout) => open * ghkCurrentDensity(P.value, z, V, cin, cout, T),
      emitCurrent: (e, open, cin, cout) => ({
        setup: [`const u = ${e.p(z / vt)} * V;`],
        current: `${open}${e.rate(P, (x) => x * z * F)} * (${cin} * phi(u) - ${cout} * phi(-u))`,
      }),
      emitPartials: (e, s, cin, cout) => ({
        setup: [`const u = (${e.p(z)} * V) / ${e.p(vt)};`, `const zF = ${e.p(z)} * ${e.p(F)};`],
        dV: `${s} * zF * (${e.p(z)} / ${e.p(vt)}) * (${cin} * dphi(u) + ${cout} * dphi(-u))`,
        dIn: `${s} * zF * phi(u)`,
        dOut: `-(${s} * zF * phi(-u))`,
        allOpen: `${e.rate(P)} * zF * (${cin} * phi(u) - ${cout} * phi(-u))`,
      }),
    };
  },
};
