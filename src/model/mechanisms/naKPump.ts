import { naKPumpCurrent } from "../../physics/pump.js";
import type { BuildContext, Mechanism, MechanismKind } from "./types.js";

/**
 * The Na⁺/K⁺-ATPase of physics.md: I = F·J_max·(Na_in/(Na_in+K_Na))³·(K_out/(K_out+K_K))²,
 * 3 Na⁺ out and 2 K⁺ in per cycle.
 */
function pump(p: { name: string; maxCurrent: number; kNa: number; kK: number }, cx: BuildContext): Mechanism {
  const na = cx.ionIndex("Na");
  const k = cx.ionIndex("K");
  const naIn = cx.layout.cIn[na]!;
  const kOut = cx.layout.cOut[k]!;
  return {
    name: p.name,
    carries: [
      { ion: na, coefficient: 3 },
      { ion: k, coefficient: -2 },
    ],
    current: (_V, y) => naKPumpCurrent(p.maxCurrent, y[naIn]!, y[kOut]!, p.kNa, p.kK),
    emitCurrent: (e) => ({
      setup: [`const a = ${e.y(naIn)} / (${e.y(naIn)} + ${e.p(p.kNa)});`, `const b = ${e.y(kOut)} / (${e.y(kOut)} + ${e.p(p.kK)});`],
      current: `${e.p(p.maxCurrent)} * a * a * a * b * b`,
    }),
    emitPartials: (e) => {
      const na = e.y(naIn);
      const ko = e.y(kOut);
      const kna = e.p(p.kNa);
      const kk = e.p(p.kK);
      const max = e.p(p.maxCurrent);
      return {
        setup: [`const a = ${na} / (${na} + ${kna});`, `const b = ${ko} / (${ko} + ${kk});`],
        partials: [
          { slot: naIn, value: `(${max} * 3 * a * a * b * b * ${kna}) / ((${na} + ${kna}) * (${na} + ${kna}))` },
          { slot: kOut, value: `(${max} * a * a * a * 2 * b * ${kk}) / ((${ko} + ${kk}) * (${ko} + ${kk}))` },
        ],
      };
    },
  };
}

export const naKPumpKind: MechanismKind = {
  name: "na-k-atpase",
  build: (cx) => cx.scenario.pumps.filter((p) => p.type === "na-k-atpase").map((p) => pump(p, cx)),
};
