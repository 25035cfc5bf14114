import * as grpc from '@grpc/grpc-js';
import { clientTls, clientTlsFromPem, type ClientTlsFiles, type ClientTlsPem } from '../grpc/tls.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/** How to reach one polysearch service. */
export interface ClientOptions {
  /** `host:port`, or `dns:///name:port` to balance over every address the name resolves to. */
  address: string;
  /**
   * Unset: plain text. PEM file paths or contents: TLS against that CA; with
   * a client certificate and key as well: mTLS.
   */
  tls?: ClientTlsFiles | ClientTlsPem;
  /** Budget of a call, retries included, when the call sets none. Default 10 s. */
  defaultDeadlineMs?: number;
  /** Overrides parts of DEFAULT_RETRY_POLICY for every call. */
  retry?: Partial<RetryPolicy>;
  /** Extra grpc-js channel options (they win over ours). */
  channelOptions?: grpc.ChannelOptions;
}

/** Per-call options. */
export interface CallOptions {
  /** Budget of this call, retries and backoff included, in ms. */
  deadlineMs?: number;
  /** Overrides parts of the client's retry policy; `false` makes one attempt only. */
  retry?: Partial<RetryPolicy> | false;
  /** Aborting cancels the call in flight (status CANCELLED) or the wait before a retry. */
  signal?: AbortSignal;
  /** Request metadata (headers). */
  metadata?: Record<string, string>;
}

export const DEFAULT_DEADLINE_MS = 10_000;

export interface Channel {
  address: string;
  credentials: grpc.ChannelCredentials;
  channelOptions: grpc.ChannelOptions;
  defaultDeadlineMs: number;
  retry: RetryPolicy;
}

export function resolveChannel(options: ClientOptions): Channel {
  let credentials = grpc.credentials.createInsecure();
  let tlsOptions: grpc.ChannelOptions = {};
  if (options.tls) {
    const tls = 'caPath' in options.tls ? clientTls(options.tls) : clientTlsFromPem(options.tls);
    credentials = tls.credentials;
    tlsOptions = tls.options;
  }
  return {
    address: options.address,
    credentials,
    channelOptions: {
      // Per-call balancing across a dns:/// name's addresses (a headless Service).
      'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
      ...tlsOptions,
      ...options.channelOptions,
    },
    defaultDeadlineMs: options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
  };
}
