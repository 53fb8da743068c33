/** Keeps the Temporal SDK's own logs to errors in tests; expected warnings (injected activity failures) stay out of the output. */
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger(process.env.TEST_SDK_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
