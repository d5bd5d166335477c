import { describe, expect, it } from "vitest";
import { ghkCurrentDensity, ghkPhi, ghkPhiDerivative, ghkVoltage } from "../../src/physics/ghk.js";
import { nernstPotential } from "../../src/physics/nernst.js";
import { naKPumpCurrent } from "../../src/physics/pump.js";

// Worked by hand (CODATA 2018): RT/F at 310.15 K = 8.314462618 * 310.15 / 96485.33212 = 0.0267266591 V.
const RT_F_37C = 0.026726659112967562;

describe("Nernst potential", () => {
  it("K+ 140 mM in, 4 mM out, 37 degC: 26.7267 mV * ln(4/140) = -95.0226 mV", () => {
    expect(nernstPotential(1, 140, 4, 310.15) * 1e3).toBeCloseTo(-95.0225756673776, 10);
  });
  it("Cl- (z = -1) 10 mM in, 120 mM out: -26.7267 mV * ln(12) = -66.4133 mV", () => {
    expect(nernstPotential(-1, 10, 120, 310.15) * 1e3).toBeCloseTo(-66.41325295643016, 10);
  });
  it("Ca2+ (z = 2) 100 nM in, 2 mM out: 13.3633 mV * ln(20000) = +132.34 mV", () => {
    expect(nernstPotential(2, 1e-4, 2, 310.15) * 1e3).toBeCloseTo(132.34356792307526, 9);
  });
  it("is zero with equal concentrations and changes sign with the gradient", () => {
    expect(nernstPotential(1, 50, 50, 300)).toBe(0);
    expect(nernstPotential(1, 10, 100, 300)).toBeCloseTo(-nernstPotential(1, 100, 10, 300), 15);
  });
});

describe("GHK current", () => {
  it("matches the textbook formula at V = -50 mV (P = 1e-8 m/s, 140/4 mM, 37 degC)", () => {
    // P z^2 F^2 V/(RT) (c_in - c_out e^-u)/(1 - e^-u), evaluated directly: 0.0374669008 A/m^2
    expect(ghkCurrentDensity(1e-8, 1, -0.05, 140, 4, 310.15)).toBeCloseTo(0.037466900846479315, 13);
  });
  it("at V = 0 equals its limit P z F (c_in - c_out) exactly, and is smooth through it", () => {
    const limit = 1e-8 * 96485.33212 * (140 - 4);
    expect(ghkCurrentDensity(1e-8, 1, 0, 140, 4, 310.15)).toBe(limit);
    // slope at 0 from the series: dI/dV = P F (F/RT)(c_in + c_out)/2
    const slope = (1e-8 * 96485.33212 * (140 + 4)) / 2 / RT_F_37C;
    for (const v of [1e-15, 1e-12, 1e-9, 1e-6]) {
      for (const s of [v, -v]) {
        const expected = limit + slope * s;
        expect(Math.abs(ghkCurrentDensity(1e-8, 1, s, 140, 4, 310.15) - expected)).toBeLessThan(1e-14 * limit + Math.abs(slope * s) * 1e-3);
      }
    }
  });
  it("phi(u) = u/(1-e^-u) and its derivative agree with a central difference on both sides of the series switch", () => {
    for (const u of [-30, -2, -0.02, -0.011, -0.009, -1e-5, 0, 1e-5, 0.009, 0.011, 0.5, 20]) {
      // the definition, with expm1 so that the reference itself keeps its digits near 0
      const direct = u === 0 ? 1 : u / -Math.expm1(-u);
      expect(ghkPhi(u)).toBeCloseTo(direct, 12);
      const h = 1e-5;
      const fd = (ghkPhi(u + h) - ghkPhi(u - h)) / (2 * h);
      expect(ghkPhiDerivative(u)).toBeCloseTo(fd, 8);
    }
  });
  it("the GHK voltage equation gives the squid axon's resting potential (Hodgkin & Katz 1949 ratios)", () => {
    // 6.3 degC, P_K:P_Na:P_Cl = 1:0.04:0.45, K 400/20, Na 50/440, Cl 52/560 mM:
    // (RT/F) ln((20 + 0.04*440 + 0.45*52)/(400 + 0.04*50 + 0.45*560)) = -57.126 mV
    const v = ghkVoltage(
      [
        [1, 400, 20],
        [0.04, 50, 440],
      ],
      [[0.45, 52, 560]],
      279.45,
    );
    expect(v * 1e3).toBeCloseTo(-57.12608150449044, 9);
    // and it is where the GHK currents sum to zero
    const total =
      ghkCurrentDensity(1, 1, v, 400, 20, 279.45) + ghkCurrentDensity(0.04, 1, v, 50, 440, 279.45) + ghkCurrentDensity(0.45, -1, v, 52, 560, 279.45);
    expect(Math.abs(total)).toBeLessThan(1e-9);
  });
});

describe("Na/K pump", () => {
  it("is half-saturating cubed/squared: Na_in = K_Na, K_out = K_K gives F J_max / 32", () => {
    expect(naKPumpCurrent(0.005, 10, 1.5, 10, 1.5)).toBeCloseTo(0.005 / 32, 15);
  });
});
