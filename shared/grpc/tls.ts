import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';

/** PEM file paths for a TLS server; clientCaPath turns on mutual TLS. */
export interface ServerTlsFiles {
  certPath: string;
  keyPath: string;
  /** CA bundle that signed the client certificates the server accepts. */
  clientCaPath?: string;
}

/** PEM contents, for callers (and tests) that already hold the bytes. */
export interface ServerTlsPem {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/** PEM file paths for a TLS client. certPath/keyPath present a client certificate (mTLS). */
export interface ClientTlsFiles {
  /** CA that signed the server's certificate. */
  caPath: string;
  certPath?: string;
  keyPath?: string;
  /**
   * Name to verify the server certificate against, when the dialled address
   * is not in its SANs (e.g. a headless-service pod IP, or a tunnel).
   */
  serverNameOverride?: string;
}

export interface ClientTlsPem {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  serverNameOverride?: string;
}

/** Credentials plus the channel options they need; pass both to the client constructor. */
export interface ClientTls {
  credentials: grpc.ChannelCredentials;
  options: grpc.ChannelOptions;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function serverCredentialsFromPem(pem: ServerTlsPem): grpc.ServerCredentials {
  const pair = { cert_chain: pem.cert, private_key: pem.key };
  if (!pem.clientCa) return grpc.ServerCredentials.createSsl(null, [pair], false);
  // grpc-js only verifies client certificates when the third argument is true;
  // with a CA but false it would accept clients that present nothing.
  return grpc.ServerCredentials.createSsl(pem.clientCa, [pair], true);
}

/** Reads a server's PEM files, with a message naming the file that cannot be read (also used by HTTPS servers). */
export function readServerTlsFiles(files: ServerTlsFiles): ServerTlsPem {
  return {
    cert: readPem(files.certPath, 'TLS certificate'),
    key: readPem(files.keyPath, 'TLS key'),
    clientCa: files.clientCaPath ? readPem(files.clientCaPath, 'TLS client CA') : undefined,
  };
}

export function serverCredentials(files: ServerTlsFiles): grpc.ServerCredentials {
  return serverCredentialsFromPem(readServerTlsFiles(files));
}

export function clientTlsFromPem(pem: ClientTlsPem): ClientTls {
  if ((pem.cert === undefined) !== (pem.key === undefined)) {
    throw new Error('a client certificate and its key must be given together');
  }
  const credentials = grpc.credentials.createSsl(pem.ca, pem.key ?? null, pem.cert ?? null);
  const options: grpc.ChannelOptions = {};
  if (pem.serverNameOverride) {
    options['grpc.ssl_target_name_override'] = pem.serverNameOverride;
    // Keeps :authority consistent with the name the certificate is checked against.
    options['grpc.default_authority'] = pem.serverNameOverride;
  }
  return { credentials, options };
}

export function clientTls(files: ClientTlsFiles): ClientTls {
  if ((files.certPath === undefined) !== (files.keyPath === undefined)) {
    throw new Error('a client certificate and its key must be given together');
  }
  return clientTlsFromPem({
    ca: readPem(files.caPath, 'TLS CA'),
    cert: files.certPath ? readPem(files.certPath, 'TLS client certificate') : undefined,
    key: files.keyPath ? readPem(files.keyPath, 'TLS client key') : undefined,
    serverNameOverride: files.serverNameOverride,
  });
}
