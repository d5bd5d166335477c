import { SimulatorError } from "../errors.js";
import type { ClampProtocol, Scenario, StimulusPulse } from "../scenario/types.js";
import { ClampCommand, ClampPiece } from "./clamp.js";
import { Stimulus } from "./stimulus.js";

/** What an experiment does to the cell: applied-current pulses and, optionally, a voltage clamp. */
export interface ProtocolSettings {
  readonly stimulus: readonly StimulusPulse[];
  readonly clamp?: ClampProtocol | undefined;
}

/**
 * The protocol, apart from the model (as Myokit keeps Protocol apart from Model): the applied
 * current and the clamp command as functions of time, their breakpoints, and the levels of each
 * smooth piece between them. Its per-ion levels are indexed as `ionNames` (the model checks that
 * they are its own). Read-only: a model keeps the present piece in its own ProtocolPiece, so one
 * protocol can drive several models, and a model can run under a protocol other than its scenario's.
 */
export class Protocol {
  readonly stimulus: Stimulus;
  /** The voltage clamp, when there is one: V then follows its command. */
  readonly clamp: ClampCommand | undefined;
  /** Where the applied current or the command has a corner (the driver lands on each): the stimulus's, then the clamp's. */
  readonly breakpoints: readonly number[];
  /** Whether the command has a ramp: within it V(t) is not constant, so the equations depend on t. */
  readonly hasRamp: boolean;
  /** The ions some pulse carries (an electrode moves them even with no channel). */
  readonly carriedIons: ReadonlySet<string>;

  constructor(
    readonly ionNames: readonly string[],
    settings: ProtocolSettings,
  ) {
    for (const p of settings.stimulus) {
      if (p.carriedBy !== undefined && !ionNames.includes(p.carriedBy)) {
        throw new SimulatorError(`the stimulus "${p.name}" is carried by ${p.carriedBy}, which is not one of the ions (${ionNames.join(", ")})`);
      }
    }
    this.stimulus = new Stimulus(settings.stimulus, (name) => ionNames.indexOf(name));
    this.clamp = settings.clamp ? new ClampCommand(settings.clamp) : undefined;
    this.breakpoints = this.clamp ? [...this.stimulus.breakpoints, ...this.clamp.breakpoints] : this.stimulus.breakpoints;
    this.hasRamp = settings.clamp?.ramp !== undefined;
    this.carriedIons = new Set(settings.stimulus.flatMap((p) => (p.carriedBy === undefined ? [] : [p.carriedBy])));
  }

  /** The scenario's own protocol: its `stimulus` and `clamp`. */
  static fromScenario(scenario: Scenario): Protocol {
    return new Protocol(
      scenario.ions.map((i) => i.name),
      scenario,
    );
  }

  /** A work record for one model's present piece (levels and clamp line). */
  newPiece(): ProtocolPiece {
    return new ProtocolPiece(this.ionNames.length, this.clamp !== undefined);
  }

  /**
   * Fixes `piece` to the smooth piece containing t (starting at segmentStart): the applied current
   * at t, total and per ion (so that a stage at the piece's end does not see the next level), and
   * the clamp command's line.
   */
  enterPiece(t: number, segmentStart: number, piece: ProtocolPiece): void {
    if (this.clamp) this.clamp.enterPiece(t, segmentStart, piece.clamp!);
    piece.levels[0] = this.stimulus.levelsAt(t, piece.perIon);
  }

  /** ∫₀ᵗ I_app dt (C/m²): of the pulses no ion carries (ion = -1), or of those ion `ion` carries. */
  chargeDelivered(t: number, ion: number): number {
    return this.stimulus.chargeDelivered(t, ion);
  }
}

/** A model's present smooth piece of its protocol: what the right-hand side reads. */
export class ProtocolPiece {
  /** [I_app total, I_app per ion...] (A/m², into the cell), shared with the compiled code. */
  readonly levels: Float64Array;
  /** The per-ion part of levels (a view). */
  readonly perIon: Float64Array;
  /** The clamp command's line, when the protocol has a clamp. */
  readonly clamp: ClampPiece | undefined;

  constructor(ionCount: number, clamped: boolean) {
    this.levels = new Float64Array(ionCount + 1);
    this.perIon = this.levels.subarray(1);
    this.clamp = clamped ? new ClampPiece() : undefined;
  }

  /** The total applied current of the piece (A/m²). */
  get appliedTotal(): number {
    return this.levels[0]!;
  }
}
