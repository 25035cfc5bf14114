import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

// Everything is minted here, so tests need no openssl binary and no fixtures that expire.

export interface Issued {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

/** A subjectAltName entry: type 2 is a DNS name, type 7 an IP address. */
export type Alt = { type: 2; value: string } | { type: 7; ip: string };

/**
 * Mints a certificate valid from a minute ago for a day: a CA (`ca: true`),
 * or a leaf for server or client use, self-signed unless `issuer` is given.
 */
export function issue(cn: string, opts: { issuer?: Issued; ca?: boolean; usage?: 'server' | 'client'; alt?: Alt[] }): Issued {
  // forge delegates to Node's native RSA key generation when it is available.
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer((opts.issuer?.cert ?? cert).subject.attributes);
  const extensions: object[] = [{ name: 'basicConstraints', cA: opts.ca === true, critical: true }];
  if (opts.ca) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    extensions.push({ name: 'extKeyUsage', serverAuth: opts.usage === 'server', clientAuth: opts.usage === 'client' });
  }
  if (opts.alt) extensions.push({ name: 'subjectAltName', altNames: opts.alt });
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  cert.sign(opts.issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

/** PEM file paths of a throw-away PKI; `cleanup` removes the directory. */
export interface TestPki {
  dir: string;
  /** CA that signed both leaves: trust anchor for the client, client CA for the server. */
  ca: string;
  /** Server certificate with SANs DNS:localhost and IP:127.0.0.1, and its key. */
  serverCert: string;
  serverKey: string;
  /** Client certificate (extKeyUsage clientAuth), and its key. */
  clientCert: string;
  clientKey: string;
  cleanup: () => void;
}

/** Mints a CA, a loopback server certificate and a client certificate into a new temp dir as PEM files. */
export function writeTestPki(prefix = 'polysearch-pki-'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = (name: string, pem: string) => {
    const path = join(dir, name);
    writeFileSync(path, pem, { mode: 0o600 });
    return path;
  };
  const ca = issue('polysearch test CA', { ca: true });
  const server = issue('embedder', {
    issuer: ca,
    usage: 'server',
    alt: [
      { type: 2, value: 'localhost' },
      { type: 7, ip: '127.0.0.1' },
    ],
  });
  const client = issue('search', { issuer: ca, usage: 'client' });
  const pem = forge.pki.certificateToPem;
  const keyPem = forge.pki.privateKeyToPem;
  return {
    dir,
    ca: file('ca.pem', pem(ca.cert)),
    serverCert: file('server.pem', pem(server.cert)),
    serverKey: file('server-key.pem', keyPem(server.key)),
    clientCert: file('client.pem', pem(client.cert)),
    clientKey: file('client-key.pem', keyPem(client.key)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
