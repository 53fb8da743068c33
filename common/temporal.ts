/**
 * How every process reaches Temporal. Address, namespace, TLS, API key and profiles come from the
 * SDK's environment-configuration conventions (TEMPORAL_ADDRESS, TEMPORAL_PROFILE, a TOML config
 * file...), so a cluster or Temporal Cloud needs no code change.
 */
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import type { Config } from './config';

export interface TemporalTarget {
  address: string;
  namespace: string;
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/** Resolves the server to talk to; `fallbackAddress` is the embedded dev server when none is configured. */
export function temporalTarget(config: Config, fallbackAddress?: string): TemporalTarget {
  const overrides: Record<string, string> = {};
  if (!config.temporalAddress && fallbackAddress) overrides.TEMPORAL_ADDRESS = fallbackAddress;
  const env = { ...process.env, ...overrides } as Record<string, string>;
  const loaded = loadClientConnectConfig({ overrideEnvVars: env });
  const address = loaded.connectionOptions.address ?? fallbackAddress ?? `127.0.0.1:${config.devServerPort}`;
  return {
    address,
    namespace: loaded.namespace ?? config.temporalNamespace,
    connectionOptions: { ...loaded.connectionOptions, address },
  };
}

export interface ClientOptions {
  /** The payload codecs (encryption, see codec.ts); the same ones the worker uses. */
  payloadCodecs?: PayloadCodec[];
}

/** A client for the API and scripts: one connection, opened once and reused. */
export async function connectClient(target: TemporalTarget, options: ClientOptions = {}): Promise<Client> {
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  const connection = await Connection.connect({ address, tls, apiKey, metadata });
  return new Client({ connection, namespace: target.namespace, dataConverter: { payloadCodecs: options.payloadCodecs ?? [] } });
}

/** A native connection for the worker. */
export function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(target.connectionOptions);
}
