/**
 * Which Temporal errors are transient (503 with Retry-After) and which are not, with errors built the
 * way the SDK delivers them: gRPC service errors, bare or inside the client's ServiceError.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { translateTemporalError } from '../api/gateway';
import { problemFromError, UnavailableError } from '../api/problems';

function grpcError(code: number, details: string, detailTypes: string[] = []): Error & { code: number; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  // google.rpc.Status carries each detail as an Any, whose type URL is readable in the bytes.
  for (const type of detailTypes) metadata.add('grpc-status-details-bin', Buffer.from(`\u0008\u0009\u0012\u0000\u001a\u0040type.googleapis.com/temporal.api.errordetails.v1.${type}`));
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

const translated = (err: unknown) => translateTemporalError(err, 'case-2026-AAAAAAAAA1');

describe('Transient conditions', () => {
  test.each([
    ['UNAVAILABLE', grpcError(status.UNAVAILABLE, 'No connection established')],
    ['DEADLINE_EXCEEDED', grpcError(status.DEADLINE_EXCEEDED, 'Deadline exceeded')],
    ['RESOURCE_EXHAUSTED (busy workflow)', grpcError(status.RESOURCE_EXHAUSTED, 'Workflow is busy.', ['ResourceExhaustedFailure'])],
    ['ABORTED', grpcError(status.ABORTED, 'Concurrent update, please retry')],
    ['FAILED_PRECONDITION with WorkflowNotReadyFailure', grpcError(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.', ['WorkflowNotReadyFailure'])],
    ['FAILED_PRECONDITION whose message says the workflow task is failing', grpcError(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.')],
    ['FAILED_PRECONDITION: workflow task in failed state', grpcError(status.FAILED_PRECONDITION, 'Cannot query workflow: workflow task in failed state.')],
  ])('When Temporal answers %s, then it is unavailable (503, Retry-After), bare or wrapped by the client', (_name, err) => {
    for (const e of [err, new ServiceError('Workflow Update failed', { cause: err })]) {
      const t = translated(e);
      expect(t).toBeInstanceOf(UnavailableError);
      const problem = problemFromError(t);
      expect(problem?.status).toBe(503);
      expect(problem?.extra.headers?.['retry-after']).toMatch(/^\d+$/);
    }
  });

  test('When an Update call times out in the client, then it is unavailable', () => {
    expect(translated(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'))).toBeInstanceOf(UnavailableError);
  });
});

describe('Permanent conditions', () => {
  test.each([
    ['FAILED_PRECONDITION: namespace not active', grpcError(status.FAILED_PRECONDITION, 'Namespace default is not active in cluster active.', ['NamespaceNotActiveFailure'])],
    ['FAILED_PRECONDITION: update disabled', grpcError(status.FAILED_PRECONDITION, 'Workflow Update is disabled on this namespace.')],
    ['INVALID_ARGUMENT', grpcError(status.INVALID_ARGUMENT, 'search attribute CaseStage is not defined')],
    ['PERMISSION_DENIED', grpcError(status.PERMISSION_DENIED, 'Request unauthorized.')],
    ['INTERNAL', grpcError(status.INTERNAL, 'something broke')],
  ])('When Temporal answers %s, then it is not made transient (it stays a 500)', (_name, err) => {
    const t = translated(new ServiceError('Workflow Update failed', { cause: err }));
    expect(t).not.toBeInstanceOf(UnavailableError);
    expect(problemFromError(t)).toBeUndefined();
  });
});
