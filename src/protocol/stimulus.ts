import type { StimulusPulse } from "../scenario/types.js";

/**
 * The applied current I_app(t) (A/m², positive into the cell) as a sum of rectangular pulses.
 * It is piecewise constant: its edges are the driver's breakpoints, and within a smooth piece the
 * level is that of the piece's midpoint, so that a stage at the piece's end does not see the next level.
 */
export class Stimulus {
  /** Edges (pulse starts and ends), sorted. */
  readonly breakpoints: readonly number[];

  /** Every single pulse, trains expanded (pulse k of a train starts at start + k·period). */
  private readonly pulses: readonly StimulusPulse[];

  constructor(
    declared: readonly StimulusPulse[],
    private readonly ionIndex: (name: string) => number,
  ) {
    this.pulses = declared.flatMap((p) =>
      p.count === undefined ? [p] : Array.from({ length: p.count }, (_, k) => ({ ...p, start: p.start + k * p.period! })),
    );
    const pulses = this.pulses;
    this.breakpoints = [...new Set(pulses.flatMap((p) => [p.start, p.start + p.duration]))].sort((a, b) => a - b);
  }

  /** Writes each ion's carried applied current at t into perIon (A/m²); returns the total. */
  levelsAt(t: number, perIon: Float64Array): number {
    perIon.fill(0);
    let sum = 0;
    for (const p of this.pulses) {
      if (t >= p.start && t < p.start + p.duration) {
        sum += p.amplitude;
        if (p.carriedBy !== undefined) perIon[this.ionIndex(p.carriedBy)]! += p.amplitude;
      }
    }
    return sum;
  }

  /**
   * ∫₀ᵗ I_app dt (C/m²): of the pulses no ion carries (ion = -1), or of those ion `ion` carries.
   */
  chargeDelivered(t: number, ion: number): number {
    let q = 0;
    for (const p of this.pulses) {
      const carried = p.carriedBy === undefined ? -1 : this.ionIndex(p.carriedBy);
      if (carried !== ion) continue;
      const overlap = Math.min(t, p.start + p.duration) - p.start;
      if (overlap > 0) q += p.amplitude * overlap;
    }
    return q;
  }
}
