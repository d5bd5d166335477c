/**
 * Error types of ionflux. Every error a user can provoke is a SimulatorError whose message is one
 * line that names where the problem is (file, line, field path) and what was expected.
 */
export class SimulatorError extends Error {
  /** Process exit status the CLI uses for this error. */
  readonly exitCode: number = 1;
}

/** Bad scenario input: names the file, the line (when known) and the field path. */
export class ScenarioError extends SimulatorError {
  constructor(
    readonly file: string,
    readonly fieldPath: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${fieldPath ? `${fieldPath}: ` : ""}${detail}`);
    this.name = "ScenarioError";
  }
}

/** Bad command-line usage (unknown flag, malformed --set). */
export class UsageError extends SimulatorError {
  override readonly exitCode = 2;
  /** `suggestHelp` false: the command line was right, what it points at is not (merge's shards); --help would not help. */
  constructor(
    message: string,
    readonly suggestHelp = true,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** The integrator could not go on (step size underflow, non-finite state, negative concentration). */
export class IntegrationError extends SimulatorError {
  /** The last accepted state and its time, where the run's good part ends (when known). */
  lastGood?: { t: number; y: Float64Array };

  constructor(
    readonly t: number,
    readonly reason: string,
  ) {
    super(`integration failed at t = ${t} s: ${reason}`);
    this.name = "IntegrationError";
  }
}
