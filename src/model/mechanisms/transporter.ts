import { FARADAY_C_PER_MOL as F } from "../../physics/constants.js";
import { naKPumpCurrent } from "../../physics/pump.js";
import { transporterDrivingForce } from "../../physics/transporter.js";
import type { Pump, RateFormula, Scenario, Transporter } from "../../scenario/types.js";
import { concentrationVariables, formulaProblem, pointAt, tooLarge, type Formula } from "./diagnosis.js";
import type { BuildContext, Emitter, Mechanism, MechanismKind, RateCell } from "./types.js";

/**
 * Transporters of any stoichiometry (physics.md "Transporters"): ν_k ions of k move OUT per cycle,
 * the cycle flux J (mol/(m²·s)) comes from the kinetics, and ion k carries the current z_k·F·ν_k·J.
 * As a Mechanism: the current is F·J and ion k carries it with coefficient ν_k·z_k (so an
 * electroneutral transporter moves ions while its carried currents sum to zero).
 * - thermodynamic: J = g·Δ/F, Δ = Σ ν_k·(z_k·V + (RT/F)·ln(c_in,k/c_out,k)), so F·J = g·Δ;
 * - formula: J = scale·f(V [mV], t [ms], celsius, X_in, X_out [mM]), f and its exact partials the
 *   closures validation compiled (kinetics.compiled, scenario/rateFormula.ts);
 * - na-k-atpase: J = J_max·(Na_in/(Na_in+K_Na))³·(K_out/(K_out+K_K))², the pump of physics.md
 *   (`pumps:` entries become this transporter, ν = Na +3, K −2).
 */

/** A `pumps:` entry as the transporter it is. */
export function pumpAsTransporter(p: Pump): Transporter {
  return { name: p.name, preset: "na-k-atpase", stoichiometry: { Na: 3, K: -2 }, kinetics: { kind: "na-k-atpase", maxFlux: p.maxCurrent / F, kNa: p.kNa, kK: p.kK }, ...(p.origin ? { origin: { path: p.origin.path, presetFlux: false } } : {}) };
}

interface Moved {
  readonly ion: number;
  readonly nu: number;
  readonly z: number;
  readonly cIn: number;
  readonly cOut: number;
}

/** Where a transporter's kinetics are found again in another scenario of the same structure (its rate cells read them). */
type KineticsOf = (scenario: Scenario) => Transporter["kinetics"];

/** `path`: where the scenario wrote it, when validation did not say (transporters[i], pumps[i]). */
function transporter(t: Transporter, cx: BuildContext, path: string, kineticsOf: KineticsOf): Mechanism {
  const moved: Moved[] = Object.entries(t.stoichiometry).map(([name, nu]) => {
    const ion = cx.ionIndex(name);
    if (ion < 0) throw new Error(`transporter "${t.name}": ion ${name} is not declared`);
    const z = cx.scenario.ions[ion]!.valence;
    return { ion, nu, z, cIn: cx.layout.cIn[ion]!, cOut: cx.layout.cOut[ion]! };
  });
  const carries = moved.map((m) => ({ ion: m.ion, coefficient: m.nu * m.z }));
  const base = { name: t.name, carries };
  const k = t.kinetics;
  const field = t.origin?.path ?? path;
  switch (k.kind) {
    case "thermodynamic": {
      const g = cx.rate(k.conductance, (s) => (kineticsOf(s) as typeof k).conductance);
      const kinetics = thermodynamic(g, moved, cx);
      return { ...base, ...kinetics, diagnose: diagnoseThermodynamic(`${field} (${t.name})`, moved, kinetics, cx) };
    }
    case "formula": {
      if (!k.compiled) throw new Error(`transporter "${t.name}": its flux has no compiled formula: a model is built from a validated scenario (scenario/validate.ts)`);
      const kinetics = formula(k.compiled, k.fluxScale, cx);
      // a preset's own formula (pmca) was not written by the user: say whose it is
      const flux = t.origin?.presetFlux ? `${field}.flux (the ${t.preset} preset's formula)` : `${field}.flux`;
      return { ...base, ...kinetics, diagnose: diagnoseFormula({ path: flux, role: "flux", reads: k.compiled.reads }, k.compiled, kinetics, cx) };
    }
    case "na-k-atpase":
      return { ...base, ...naKAtpase(k, cx, cx.rate(F * k.maxFlux, (s) => F * (kineticsOf(s) as typeof k).maxFlux)) };
  }
}

type Kinetics = Pick<Mechanism, "current" | "emitCurrent" | "emitPartials">;

/** A formula flux that is not finite where the run is, or so large that its current overflows. */
function diagnoseFormula(judged: Formula, rate: RateFormula, kinetics: Kinetics, cx: BuildContext): NonNullable<Mechanism["diagnose"]> {
  return (V, y, t) => {
    const point = pointAt(cx, V, y, t);
    const value = rate.value(point.vars);
    const wrong = formulaProblem(judged, value, point);
    if (wrong) return wrong;
    return Number.isFinite(kinetics.current(V, y, point.time)) ? undefined : tooLarge(judged, value, point, "its current");
  };
}

/** Thermodynamic kinetics take the logarithm of every concentration they move: one of them gone makes the flux infinite. */
function diagnoseThermodynamic(label: string, moved: readonly Moved[], kinetics: Kinetics, cx: BuildContext): NonNullable<Mechanism["diagnose"]> {
  return (V, y, t) => {
    const point = pointAt(cx, V, y, t);
    const current = kinetics.current(V, y, point.time);
    if (Number.isFinite(current)) return undefined;
    const reads = moved.flatMap((m) => concentrationVariables(cx, m.ion));
    const gone = reads.find((i) => !(point.vars[i]! > 0));
    if (gone === undefined) return undefined;
    return `${label} flux is ${current} ${point.where(reads)}: ${point.nameOf(gone)} is ${point.vars[gone]} mM, and thermodynamic kinetics take the logarithm of each concentration they move; the ion ran out (formula kinetics can slow to a stop without it)`;
  };
}

/** F·J = g·Δ: linear in V and in the logarithms of the concentrations. */
function thermodynamic(g: RateCell, moved: readonly Moved[], cx: BuildContext): Kinetics {
  const T = cx.scenario.temperature;
  const vt = cx.thermalVoltage;
  const nu = moved.map((m) => m.nu);
  const z = moved.map((m) => m.z);
  const charge = moved.reduce((s, m) => s + m.nu * m.z, 0);
  const cin = new Float64Array(moved.length);
  const cout = new Float64Array(moved.length);
  return {
    current: (V, y) => {
      moved.forEach((m, i) => {
        cin[i] = y[m.cIn]!;
        cout[i] = y[m.cOut]!;
      });
      return g.value * transporterDrivingForce(nu, z, cin, cout, V, T);
    },
    // the operations of physics/transporter.ts in its order, so that both forms round alike
    emitCurrent: (e) => ({
      current: `${e.rate(g)} * (${moved.map((m) => `${e.p(m.nu)} * (${e.p(m.z)} * V + ${e.p(vt)} * Math.log(${e.y(m.cIn)} / ${e.y(m.cOut)}))`).join(" + ")})`,
    }),
    emitPartials: (e) => {
      const partials = moved.flatMap((m) => [
        { slot: m.cIn, value: `${e.rate(g, (x) => x * vt * m.nu)} / ${e.y(m.cIn)}` },
        { slot: m.cOut, value: `-${e.rate(g, (x) => x * vt * m.nu)} / ${e.y(m.cOut)}` },
      ]);
      if (charge !== 0) partials.unshift({ slot: cx.layout.V, value: e.rate(g, (x) => x * charge) });
      return { partials };
    },
  };
}

/** F·J = F·scale·f(...), f a user's rate law compiled (by validation) with its partial derivatives. */
function formula(rate: RateFormula, scale: number, cx: BuildContext): Kinetics {
  const n = cx.scenario.ions.length;
  const slotOf = (variable: number) => (variable < 3 + n ? cx.layout.cIn[variable - 3]! : cx.layout.cOut[variable - 3 - n]!);
  const reads = rate.reads.map((v) => ({ variable: v, slot: slotOf(v) }));
  const vars = new Float64Array(3 + 2 * n);
  vars[2] = cx.scenario.temperature - 273.15;
  const fill = (V: number, t: number, y: Float64Array) => {
    vars[0] = V * 1e3;
    vars[1] = t * 1e3;
    for (let i = 0; i < reads.length; i++) vars[reads[i]!.variable] = y[reads[i]!.slot]!;
    return vars;
  };
  const FS = F * scale;
  const current = (V: number, t: number, y: Float64Array) => FS * rate.value(fill(V, t, y));
  const partial = rate.partials.map((d) => (V: number, t: number, y: Float64Array) => FS * d(fill(V, t, y)));
  const dV = (V: number, t: number, y: Float64Array) => FS * 1e3 * rate.dV(fill(V, t, y));
  const readsV = rate.readsV;
  // generated code calls the closures with (V, t, y): y is the state array itself, not copied
  const call = (e: Emitter, f: (V: number, t: number, y: Float64Array) => number) => `${e.fn(f as unknown as (...a: number[]) => number)}(V, t, y)`;
  return {
    current: (V, y, t = 0) => current(V, t, y),
    emitCurrent: (e) => ({ current: call(e, current) }),
    emitPartials: (e) => ({
      partials: [...(readsV ? [{ slot: cx.layout.V, value: call(e, dV) }] : []), ...reads.map((r, i) => ({ slot: r.slot, value: call(e, partial[i]!) }))],
    }),
  };
}

/** The saturating Na/K pump: F·J = F·J_max·a³·b², a = Na_in/(Na_in+K_Na), b = K_out/(K_out+K_K); maxCurrent holds F·J_max. */
function naKAtpase(k: { maxFlux: number; kNa: number; kK: number }, cx: BuildContext, maxCurrent: RateCell): Kinetics {
  const naIn = cx.layout.cIn[cx.ionIndex("Na")]!;
  const kOut = cx.layout.cOut[cx.ionIndex("K")]!;
  return {
    current: (_V, y) => naKPumpCurrent(maxCurrent.value, y[naIn]!, y[kOut]!, k.kNa, k.kK),
    emitCurrent: (e) => ({
      setup: [`const a = ${e.y(naIn)} / (${e.y(naIn)} + ${e.p(k.kNa)});`, `const b = ${e.y(kOut)} / (${e.y(kOut)} + ${e.p(k.kK)});`],
      current: `${e.rate(maxCurrent)} * a * a * a * b * b`,
    }),
    emitPartials: (e) => {
      const na = e.y(naIn);
      const ko = e.y(kOut);
      const kna = e.p(k.kNa);
      const kk = e.p(k.kK);
      const max = e.rate(maxCurrent);
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

/** The registry entry: the scenario's pumps (as Na/K transporters), then its transporters. */
export const transporterKind: MechanismKind = {
  name: "transporter",
  build: (cx) => [
    ...cx.scenario.pumps.map((p, i) => transporter(pumpAsTransporter(p), cx, `pumps[${i}]`, (s) => pumpAsTransporter(s.pumps[i]!).kinetics)),
    ...cx.scenario.transporters.map((t, i) => transporter(t, cx, `transporters[${i}]`, (s) => s.transporters[i]!.kinetics)),
  ],
};
