/** The workflows this worker runs. */
export { caseWorkflow } from './case';
export { periodicReportWorkflow, reportScheduleWorkflow } from './report';
