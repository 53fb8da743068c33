/**
 * Errors of the notification system. Temporal reports an activity error under its class name; the
 * worker lists `notifyNonRetryableErrorTypes` as non-retryable. A delivery that can never succeed
 * (a mailbox refused with 5xx, an invalid address, a webhook answering 4xx) is not an error at all:
 * it is recorded as failed_permanent, supervisors are told, and the activity returns.
 */

/** Some delivery failed in a way a later attempt may fix (network, 5xx, SMTP 4xx); retried with backoff. */
export class NotificationDeliveryError extends Error {
  override name = 'NotificationDeliveryError';
}

/** The notification itself is unusable (unknown template, empty key, key reused for another notification). */
export class InvalidNotification extends Error {
  override name = 'InvalidNotification';
}

/** Error types the worker must not retry. */
export const notifyNonRetryableErrorTypes = ['InvalidNotification'] as const;
