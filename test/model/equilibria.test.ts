import { describe, expect, it } from "vitest";
import { bisect, F, R, runScenario } from "../helpers/run.js";

/**
 * Every example in sims/ against its closed-form equilibrium, computed here from the formulas of
 * physics.md and independent of the model code. The bar: V_final within 0.01 mV.
 */
const EQUILIBRIUM_TOLERANCE_MV = 0.01;

describe("sims/ end states against their closed forms", () => {
  it("k-nernst: V = E_K of the final concentrations, with the capacitor's charge taken from the inside", () => {
    const { scenario, model, V_mV, conc, result } = runScenario("sims/k-nernst.yaml");
    const T = scenario.temperature;
    const k0 = scenario.ions.find((i) => i.name === "K")!;
    const q = scenario.cell.capacitance * model.area; // F
    // V = (RT/F) ln(K_out / K_in(V)),  K_in(V) = K_in0 + C_m A (V - V0) / (F vol_in)
    // (the charge identity of physics.md with one permeant ion: the K+ that charges the membrane leaves)
    const kin = (V: number) => k0.inside + (q * (V - scenario.initialVoltage)) / (F * model.volumeIn);
    const closed = bisect((V) => V - ((R * T) / F) * Math.log(k0.outside / kin(V)), -0.2, 0.1) * 1e3;
    expect(result.stopReason).toBe("net-current-below");
    expect(Math.abs(V_mV - closed)).toBeLessThan(EQUILIBRIUM_TOLERANCE_MV);
    // sharper: the stop rule leaves |V - E_K| <= I/g = 2e-7 mV; the capacitor's share is visible
    expect(Math.abs(V_mV - closed)).toBeLessThan(1e-5);
    const naive = ((R * T) / F) * Math.log(k0.outside / k0.inside) * 1e3;
    expect(Math.abs(naive - closed)).toBeGreaterThan(1e-3);
    expect(conc("K").in).toBeCloseTo(kin(closed / 1e3), 9);
  });

  it("squid-axon-ghk: V = the GHK voltage equation at the final concentrations", () => {
    const { scenario, V_mV, conc, result } = runScenario("sims/squid-axon-ghk.yaml");
    const P = Object.fromEntries(scenario.channels.map((c) => [c.ion, c.kind === "ghk" ? c.permeability : NaN]));
    const [k, na, cl] = [conc("K"), conc("Na"), conc("Cl")];
    const closed =
      ((R * scenario.temperature) / F) *
      Math.log((P.K! * k.out + P.Na! * na.out + P.Cl! * cl.in) / (P.K! * k.in + P.Na! * na.in + P.Cl! * cl.out)) *
      1e3;
    expect(result.stopReason).toBe("net-current-below");
    expect(Math.abs(V_mV - closed)).toBeLessThan(EQUILIBRIUM_TOLERANCE_MV);
    expect(closed).toBeCloseTo(-57.126, 2); // Hodgkin & Katz's ratios give about -57 mV at 6.3 degC
  });

  it("neuron-chord: V = the chord-conductance average of the Nernst potentials", () => {
    const { scenario, V_mV, conc, result } = runScenario("sims/neuron-chord.yaml");
    let num = 0;
    let den = 0;
    for (const ch of scenario.channels) {
      if (ch.kind !== "ohmic") throw new Error("expected ohmic channels");
      const ion = scenario.ions.find((i) => i.name === ch.ion)!;
      const c = conc(ch.ion);
      num += ch.conductance * ((R * scenario.temperature) / (ion.valence * F)) * Math.log(c.out / c.in);
      den += ch.conductance;
    }
    expect(result.stopReason).toBe("net-current-below");
    expect(Math.abs(V_mV - (num / den) * 1e3)).toBeLessThan(EQUILIBRIUM_TOLERANCE_MV);
  });

  it("donnan: E_K = E_Cl = V with K_in Cl_in = K_out Cl_out, moles and charge conserved", () => {
    const { scenario, model, V_mV } = runScenario("sims/donnan.yaml");
    const T = scenario.temperature;
    const ion = (n: string) => scenario.ions.find((i) => i.name === n)!;
    const [K, Cl] = [ion("K"), ion("Cl")];
    const vin = model.volumeIn;
    const vout = model.volumeOut;
    const q = scenario.cell.capacitance * model.area;
    // unknown: moles of K+ that entered (dK). Then V = E_K(dK); the capacitor fixes the Cl- moved:
    // C_m A (V - V0) = F (dK - dCl); and the residual is E_Cl(dCl) - V.
    const eK = (dK: number) => ((R * T) / F) * Math.log((K.outside - dK / vout) / (K.inside + dK / vin));
    const residual = (dK: number) => {
      const V = eK(dK);
      const dCl = dK - (q * (V - scenario.initialVoltage)) / F;
      const eCl = (-(R * T) / F) * Math.log((Cl.outside - dCl / vout) / (Cl.inside + dCl / vin));
      return eCl - V;
    };
    // scan the admissible range of dK for the (single) sign change, then bisect it
    const lo = -K.inside * vin;
    const hi = K.outside * vout;
    const grid = Array.from({ length: 2001 }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / 2001);
    const brackets = grid.slice(1).filter((x, i) => Number.isFinite(residual(x)) && Number.isFinite(residual(grid[i]!)) && residual(x) * residual(grid[i]!) < 0);
    expect(brackets).toHaveLength(1);
    const right = brackets[0]!;
    const closed = eK(bisect(residual, right - (hi - lo) / 2001, right)) * 1e3;
    expect(Math.abs(V_mV - closed)).toBeLessThan(EQUILIBRIUM_TOLERANCE_MV);
  });

  it("pump-leak-recovery: every ion's net flux is zero and V is none of the Nernst potentials", () => {
    const { scenario, model, V_mV } = runScenario("sims/pump-leak-recovery.yaml");
    const T = scenario.temperature;
    const rtf = (R * T) / F;
    const ion = (n: string) => scenario.ions.find((i) => i.name === n)!;
    const g = (n: string) => {
      const ch = scenario.channels.find((c) => c.ion === n)!;
      return ch.kind === "ohmic" ? ch.conductance : NaN;
    };
    const pump = scenario.pumps[0]!;
    const [Na, K, Cl] = [ion("Na"), ion("K"), ion("Cl")];
    const ip = (nai: number) => pump.maxCurrent * (nai / (nai + pump.kNa)) ** 3 * (K.outside / (K.outside + pump.kK)) ** 2;
    // for a given V: Na_in from g_Na (V - E_Na) + 3 I_p = 0 (monotone in Na_in), K_in from
    // g_K (V - E_K) - 2 I_p = 0, Cl_in from V = E_Cl; then V from the capacitor's charge.
    const state = (V: number) => {
      const nai = bisect((c) => g("Na") * (V - rtf * Math.log(Na.outside / c)) + 3 * ip(c), 1e-9, 1e4);
      const ki = K.outside * Math.exp((-V + (2 * ip(nai)) / g("K")) / rtf);
      const cli = Cl.outside * Math.exp(V / rtf);
      return { nai, ki, cli };
    };
    const charge = (V: number) => {
      const s = state(V);
      return (
        scenario.cell.capacitance * model.area * (V - scenario.initialVoltage) -
        F * model.volumeIn * (s.nai - Na.inside + (s.ki - K.inside) - (s.cli - Cl.inside))
      );
    };
    const Vss = bisect(charge, -0.12, -0.03);
    expect(Math.abs(V_mV - Vss * 1e3)).toBeLessThan(EQUILIBRIUM_TOLERANCE_MV);
    const s = state(Vss);
    for (const e of [rtf * Math.log(Na.outside / s.nai), rtf * Math.log(K.outside / s.ki)]) expect(Math.abs(e * 1e3 - V_mV)).toBeGreaterThan(1);
  });
});
