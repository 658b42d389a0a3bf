/**
 * A local stand-in for RunComfy's Model API serving Seedream 4.5 Edit Sequential: same routes,
 * shapes, states and errors, placeholder frames marked SIMULATED, switchable latency and faults.
 */
export { startSimulator, type SimulatorHandle, type SimulatorOptions } from './start-simulator';
export { zFault, type Fault, type FaultMatch, type FaultPhase, type RetryAfterForm, type SimRoute, type UnknownStatus } from './faults';
export { simFaults, type FileFailure } from './fault-builders';
export { CHAOS_KINDS, zChaos, type ChaosConfig, type ChaosEvent, type ChaosKind } from './chaos';
export type { HeldReply } from './holds';
export { submitInputHash, type SubmitRecord, type SubmitReply } from './submit-log';
export { connectSimulator, type SimulatorRemote } from './remote-control';
export { CATALOG_PRICE_USD, DEFAULT_SETTINGS, zSimulatorSettingsPatch, type SimulatorSettings, type SimulatorSettingsPatch } from './settings';
export type { SimulatorCounts } from './control';
export type { SimJob, JobPhase } from './jobs';
export { simulatedImageCount } from './jobs';
export { INVALID_INPUT_ERROR_CODE } from './validate-input';
