/** The notification system's public surface. */
export { createNotifier, messageIdFor, type MailMessage, type MailTransport, type NotificationSystem, type NotifierOptions } from './notifier';
export { verifyWebhookSignature, signWebhook, webhookHeaders, type WebhookHeaders, type WebhookVerification } from './webhook';
export { renderTemplate, templates, notificationTemplates, type Rendered, type TemplateCatalog, type TemplateName } from './templates';
export { deliveryTargets, type Audience, type DeliveryTargets } from './recipients';
export { InvalidNotification, NotificationDeliveryError, notifyNonRetryableErrorTypes } from './errors';
