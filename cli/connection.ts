import type { ClientOptions } from '../shared/client/index.js';

/** Options every command takes, with the environment variables that set them. */
export const CONNECTION_OPTIONS = {
  address: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-server-name': { type: 'string' },
  'deadline-ms': { type: 'string' },
} as const;

export const DEFAULT_ADDRESS = 'localhost:50052';

export type ConnectionValues = Partial<Record<keyof typeof CONNECTION_OPTIONS, string>>;

/** Flags win over the environment (POLYSEARCH_ADDRESS, POLYSEARCH_TLS_CA, …). */
export function clientOptions(values: ConnectionValues, env: NodeJS.ProcessEnv, deadlineMs: number): ClientOptions {
  const pick = (flag: keyof ConnectionValues, variable: string) => values[flag] ?? (env[variable] || undefined);
  const ca = pick('tls-ca', 'POLYSEARCH_TLS_CA');
  const cert = pick('tls-cert', 'POLYSEARCH_TLS_CERT');
  const key = pick('tls-key', 'POLYSEARCH_TLS_KEY');
  const serverName = pick('tls-server-name', 'POLYSEARCH_TLS_SERVER_NAME');
  if ((cert || key || serverName) && !ca) throw new Error('--tls-cert, --tls-key and --tls-server-name need --tls-ca (the CA of the server certificate)');
  if (Boolean(cert) !== Boolean(key)) throw new Error('--tls-cert and --tls-key go together');
  return {
    address: pick('address', 'POLYSEARCH_ADDRESS') ?? DEFAULT_ADDRESS,
    tls: ca ? { caPath: ca, certPath: cert, keyPath: key, serverNameOverride: serverName } : undefined,
    defaultDeadlineMs: deadlineMs,
  };
}
