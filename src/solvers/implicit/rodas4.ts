import { DenseLu } from "../../numerics/lu.js";
import { finiteDifferenceJacobian } from "../../numerics/jacobian.js";
import { scaledErrorNorm } from "../errorNorm.js";
import { newStats, type Method, type OdeProblem, type StepControl, type Stepper, type Vector } from "../types.js";

/**
 * RODAS4 (Hairer & Wanner, Solving ODEs II, §VI.4; the coefficients of their code RODAS):
 * a 6-stage, L-stable, stiffly accurate Rosenbrock method of order 4 with an embedded order-3
 * estimate and a stiffly accurate 3rd-order dense output. Written in the transformed variables
 * u_i = Σ_j γ_ij k_j, so that each stage solves (I/(hγ) − J)·u_i = f(y + Σ a_ij u_j) + Σ (c_ij/h)·u_j.
 * For a problem that is not autonomous (problem.autonomous === false: f depends on t within a
 * smooth piece) each stage's right-hand side gains h·γ_i·∂f/∂t, with γ_i = Σ_j γ_ij (Hairer &
 * Wanner's D_i), ∂f/∂t by a forward difference (δ = √ε·max(|t|, h): relative to the step, so that
 * near t = 0 the difference does not drown in round-off); without it the method drops to order 1
 * in t (a flux of t lost 3e-8 V where rk45 kept 1e-10). Autonomous problems skip it.
 */
const GAMMA = 0.25;
const C2 = 0.386, C3 = 0.21, C4 = 0.63;
// γ_i = Σ_j γ_ij (stages 5 and 6: 0)
const D1 = 0.25, D2 = -0.1043, D3 = 0.1035, D4 = -0.0362;
const A21 = 1.544;
const A31 = 0.9466785280815826, A32 = 0.2557011698983284;
const A41 = 3.314825187068521, A42 = 2.896124015972201, A43 = 0.9986419139977817;
const A51 = 1.221224509226641, A52 = 6.019134481288629, A53 = 12.53708332932087, A54 = -0.687886036105895;
const C21 = -5.6688;
const C31 = -2.430093356833875, C32 = -0.2063599157091915;
const C41 = -0.1073529058151375, C42 = -9.594562251023355, C43 = -20.47028614809616;
const C51 = 7.496443313967647, C52 = -10.24680431464352, C53 = -33.99990352819905, C54 = 11.7089089320616;
const C61 = 8.083246795921522, C62 = -7.981132988064893, C63 = -31.52159432874371, C64 = 16.31930543123136;
const C65 = -6.058818238834054;
const H21 = 10.12623508344586, H22 = -7.487995877610167, H23 = -34.80091861555747, H24 = -7.992771707568823;
const H25 = 1.025137723295662;
const H31 = -0.6762803392801253, H32 = 6.087714651680015, H33 = 16.43084320892478, H34 = 24.76722511418386;
const H35 = -6.594389125716872;

class Rodas4Stepper implements Stepper {
  readonly stats = newStats();
  private readonly n: number;
  private readonly jac: Float64Array;
  private readonly matrix: Float64Array;
  private readonly lu: DenseLu;
  private readonly f0: Vector;
  private readonly fwork: Vector;
  private readonly ystage: Vector;
  private readonly u: Vector[];
  private f0Valid = false;
  /** The Jacobian belongs to (jacT, jacY): reused when a rejected step is retried from there. */
  private jacValid = false;
  // dense output of the last accepted step: y(θ) = (1−θ)y0 + θ(y1 + (1−θ)(d1 + θ·d2))
  private readonly y0Acc: Vector;
  private readonly y1Acc: Vector;
  private readonly d1: Vector;
  private readonly d2: Vector;
  private readonly d1Try: Vector;
  private readonly d2Try: Vector;
  private readonly yTryStart: Vector;
  private readonly yTryEnd: Vector;
  private readonly fEndTry: Vector;
  /** ∂f/∂t at the step's start (non-autonomous problems only). */
  private readonly dfdt: Vector;
  private readonly timed: boolean;

  constructor(
    private readonly problem: OdeProblem,
    private readonly control: StepControl,
  ) {
    const n = (this.n = problem.size);
    this.jac = new Float64Array(n * n);
    this.matrix = new Float64Array(n * n);
    this.lu = new DenseLu(n);
    const v = () => new Float64Array(n);
    this.f0 = v();
    this.fwork = v();
    this.ystage = v();
    this.u = Array.from({ length: 6 }, v);
    this.y0Acc = v();
    this.y1Acc = v();
    this.d1 = v();
    this.d2 = v();
    this.d1Try = v();
    this.d2Try = v();
    this.yTryStart = v();
    this.yTryEnd = v();
    this.fEndTry = v();
    this.dfdt = v();
    this.timed = problem.autonomous === false;
  }

  private rhs(t: number, y: Vector, out: Vector): void {
    this.problem.rhs(t, y, out);
    this.stats.rhsEvaluations++;
  }

  private solveStage(out: Vector): void {
    this.lu.solve(this.matrix, out);
  }

  attempt(t: number, y: Vector, h: number, dy: Vector): number {
    const n = this.n;
    const { u, ystage, fwork, jac, matrix } = this;
    if (!this.f0Valid) {
      this.rhs(t, y, this.f0);
      this.f0Valid = true;
    }
    if (!this.jacValid) {
      if (this.problem.jacobian) this.problem.jacobian(t, y, jac);
      else {
        finiteDifferenceJacobian(this.problem.rhs, t, y, this.f0, jac, fwork);
        this.stats.rhsEvaluations += n;
      }
      this.stats.jacobianEvaluations++;
      this.jacValid = true;
    }
    const fac = 1 / (h * GAMMA);
    for (let k = 0; k < n * n; k++) matrix[k] = -jac[k]!;
    for (let i = 0; i < n; i++) matrix[i * n + i]! += fac;
    this.stats.luDecompositions++;
    if (!this.lu.factor(matrix)) return Infinity; // singular iteration matrix: retry smaller

    const u1 = u[0]!, u2 = u[1]!, u3 = u[2]!, u4 = u[3]!, u5 = u[4]!, u6 = u[5]!;
    const ih = 1 / h;
    const ft = this.dfdt;
    if (this.timed) {
      const delta = Math.sqrt(2.220446049250313e-16) * Math.max(Math.abs(t), h);
      this.rhs(t + delta, y, ft);
      for (let i = 0; i < n; i++) ft[i] = (ft[i]! - this.f0[i]!) / delta;
    }
    const timed = this.timed;
    // stage 1
    u1.set(this.f0);
    if (timed) for (let i = 0; i < n; i++) u1[i]! += h * D1 * ft[i]!;
    this.solveStage(u1);
    // stage 2
    for (let i = 0; i < n; i++) ystage[i] = y[i]! + A21 * u1[i]!;
    this.rhs(t + C2 * h, ystage, fwork);
    for (let i = 0; i < n; i++) u2[i] = fwork[i]! + ih * C21 * u1[i]!;
    if (timed) for (let i = 0; i < n; i++) u2[i]! += h * D2 * ft[i]!;
    this.solveStage(u2);
    // stage 3
    for (let i = 0; i < n; i++) ystage[i] = y[i]! + A31 * u1[i]! + A32 * u2[i]!;
    this.rhs(t + C3 * h, ystage, fwork);
    for (let i = 0; i < n; i++) u3[i] = fwork[i]! + ih * (C31 * u1[i]! + C32 * u2[i]!);
    if (timed) for (let i = 0; i < n; i++) u3[i]! += h * D3 * ft[i]!;
    this.solveStage(u3);
    // stage 4
    for (let i = 0; i < n; i++) ystage[i] = y[i]! + A41 * u1[i]! + A42 * u2[i]! + A43 * u3[i]!;
    this.rhs(t + C4 * h, ystage, fwork);
    for (let i = 0; i < n; i++) u4[i] = fwork[i]! + ih * (C41 * u1[i]! + C42 * u2[i]! + C43 * u3[i]!);
    if (timed) for (let i = 0; i < n; i++) u4[i]! += h * D4 * ft[i]!;
    this.solveStage(u4);
    // stage 5
    for (let i = 0; i < n; i++) ystage[i] = y[i]! + A51 * u1[i]! + A52 * u2[i]! + A53 * u3[i]! + A54 * u4[i]!;
    this.rhs(t + h, ystage, fwork);
    for (let i = 0; i < n; i++) u5[i] = fwork[i]! + ih * (C51 * u1[i]! + C52 * u2[i]! + C53 * u3[i]! + C54 * u4[i]!);
    this.solveStage(u5);
    // stage 6 (stiffly accurate: the stage values are the embedded solution)
    for (let i = 0; i < n; i++) ystage[i] += u5[i]!;
    this.rhs(t + h, ystage, fwork);
    for (let i = 0; i < n; i++) {
      u6[i] = fwork[i]! + ih * (C61 * u1[i]! + C62 * u2[i]! + C63 * u3[i]! + C64 * u4[i]! + C65 * u5[i]!);
    }
    this.solveStage(u6);
    for (let i = 0; i < n; i++) {
      dy[i] = A51 * u1[i]! + A52 * u2[i]! + A53 * u3[i]! + A54 * u4[i]! + u5[i]! + u6[i]!;
      this.yTryEnd[i] = y[i]! + dy[i]!;
    }

    for (let i = 0; i < n; i++) {
      this.d1Try[i] = H21 * u1[i]! + H22 * u2[i]! + H23 * u3[i]! + H24 * u4[i]! + H25 * u5[i]!;
      this.d2Try[i] = H31 * u1[i]! + H32 * u2[i]! + H33 * u3[i]! + H34 * u4[i]! + H35 * u5[i]!;
    }
    this.yTryStart.set(y);
    this.tryEnd = t + h;
    return scaledErrorNorm(u6, y, this.yTryEnd, this.control.rtol, this.control.atol);
  }

  private tryEnd = 0;

  accept(): void {
    this.stats.steps++;
    this.y0Acc.set(this.yTryStart);
    this.y1Acc.set(this.yTryEnd);
    this.d1.set(this.d1Try);
    this.d2.set(this.d2Try);
    // f and J at the new point start the next step
    this.rhs(this.tryEnd, this.yTryEnd, this.fEndTry);
    this.f0.set(this.fEndTry);
    this.f0Valid = true;
    this.jacValid = false;
  }

  reset(): void {
    this.f0Valid = false;
    this.jacValid = false;
  }

  get endDerivative(): Vector {
    return this.f0;
  }

  interpolate(theta: number, out: Vector): void {
    const s1 = 1 - theta;
    for (let i = 0; i < this.n; i++) {
      out[i] = s1 * this.y0Acc[i]! + theta * (this.y1Acc[i]! + s1 * (this.d1[i]! + theta * this.d2[i]!));
    }
  }
}

export const rodas4: Method = {
  name: "rodas4",
  description:
    "stiff: RODAS4, an L-stable Rosenbrock method of order 4(3) with the model's analytic Jacobian",
  order: 4,
  errorOrder: 3,
  adaptive: true,
  stiff: true,
  createStepper: (problem: OdeProblem, control: StepControl) => new Rodas4Stepper(problem, control),
};
