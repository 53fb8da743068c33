/** The workflows this worker runs. */
export { caseWorkflow } from './case';
