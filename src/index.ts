/**
 * ionflux as a library (`import { … } from "ionflux"`): load a scenario, build its model,
 * simulate it into an in-memory (or CSV) recorder, run sweeps, and the physics formulas.
 * Numbers inside are SI (V, s, mol/m³ = mM, m, F/m², S/m², A/m², m/s); recorders receive rows in
 * the units of their columns (mV, mM, uA/cm², s), as the CSV holds them. docs/physics.md and
 * docs/scenario-format.md describe the model and the scenario format.
 */
export { loadScenarioFile, parseScenario } from "./scenario/load.js";
export { parseOverride, type Override } from "./scenario/overrides.js";
export type { Scenario, RunSettings, Ion, Channel, Pump, StimulusPulse, Bath } from "./scenario/types.js";
export { MembraneModel } from "./model/membraneModel.js";
export { simulate, type RunResult, type RunReport, type TrajectorySink } from "./simulation/simulate.js";
export { trajectoryColumns, rowSink, RowRecorder } from "./recording/trajectory.js";
export { MemoryRecorder, type Column, type Recorder } from "./recording/types.js";
export { CsvFileRecorder } from "./recording/csv.js";
export { buildSummary } from "./recording/summary.js";
export { sweep, type SweepOptions, type SweepRow } from "./sweep/api.js";
export type { SweepRunResult } from "./sweep/runOne.js";
export { nernstPotential } from "./physics/nernst.js";
export { ghkCurrentDensity, ghkPhi, ghkVoltage } from "./physics/ghk.js";
export { naKPumpCurrent } from "./physics/pump.js";
export { thermodynamicCycleFlux, transporterCurrent, transporterDrivingForce, transporterReversalPotential, WATER_MOLAR_VOLUME, waterInflow } from "./physics/transporter.js";
export { CODATA_YEAR, FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOL_K } from "./physics/constants.js";
export { IntegrationError, ScenarioError, SimulatorError, UsageError } from "./errors.js";
export { IONFLUX_VERSION } from "./version.js";
