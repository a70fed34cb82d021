import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { pollFiles } from './poll.ts';

/**
 * Serving certificates: a self-signed CA and serving certificate for clusters without
 * cert-manager (`--tls-self-signed DIR`), and reloading the files a cert-manager Secret mount
 * rotates (`--tls-cert/--tls-key`).
 */

export interface TlsMaterial {
  cert: string;
  key: string;
}

export interface SelfSigned extends TlsMaterial {
  ca: string;
  /** base64 of the CA certificate PEM: a ValidatingWebhookConfiguration's clientConfig.caBundle. */
  caBundle: string;
  /** False when valid files in DIR were reused. */
  created: boolean;
}

export interface SelfSignedOptions {
  /** The Service's name and namespace: the certificate names NAME.NS.svc and NAME.NS.svc.cluster.local. */
  service: string;
  namespace: string;
  now?: Date;
  /** Days the certificates are valid. Default 365. */
  days?: number;
  /** Reuse files only while they stay valid this much longer. Default 30 days. */
  renewBeforeDays?: number;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export function serviceDnsNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service, 'localhost'];
}
const IPS = ['127.0.0.1', '::1'];

async function pemKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}

async function reusable(dir: string, names: string[], notAfter: number): Promise<SelfSigned | undefined> {
  let ca: string; let cert: string; let key: string;
  try {
    [ca, cert, key] = await Promise.all(['ca.crt', 'tls.crt', 'tls.key'].map((f) => readFile(join(dir, f), 'utf8'))) as [string, string, string];
  } catch {
    return undefined;
  }
  try {
    const caCert = new X509Certificate(ca);
    const leaf = new X509Certificate(cert);
    const valid = (c: X509Certificate): boolean => Date.parse(c.validTo) > notAfter && Date.parse(c.validFrom) <= Date.now();
    if (!valid(caCert) || !valid(leaf) || !leaf.verify(caCert.publicKey) || !leaf.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (!names.every((n) => leaf.checkHost(n, { wildcards: false }) !== undefined) || !IPS.every((ip) => leaf.checkIP(ip) !== undefined)) return undefined;
    return { ca, cert, key, caBundle: Buffer.from(ca).toString('base64'), created: false };
  } catch {
    return undefined;
  }
}

/**
 * Create (or reuse, while valid and naming the service) DIR/ca.crt, DIR/tls.crt and DIR/tls.key.
 * The CA's private key is never written: when the serving certificate is due, both are made anew
 * and the new caBundle must be put into the ValidatingWebhookConfiguration.
 */
export async function selfSignedTls(dir: string, options: SelfSignedOptions): Promise<SelfSigned> {
  const now = options.now ?? new Date();
  const names = serviceDnsNames(options.service, options.namespace);
  const existing = await reusable(dir, names, now.getTime() + (options.renewBeforeDays ?? 30) * DAY);
  if (existing) return existing;

  // Loaded only here: x509 and the reflect polyfill its dependency injection needs are large.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const notBefore = new Date(now.getTime() - 5 * 60_000); // clock skew between nodes
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * DAY);
  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${options.service}.${options.namespace} webhook CA, O=portcullis`,
    notBefore, notAfter, signingAlgorithm: ALG, keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0]}`, issuer: caCert.subject, notBefore, notAfter, signingAlgorithm: ALG,
    publicKey: leafKeys.publicKey, signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([...names.map((value) => ({ type: 'dns' as const, value })), ...IPS.map((value) => ({ type: 'ip' as const, value }))]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
    ],
  });
  const out = { ca: caCert.toString('pem') + '\n', cert: leaf.toString('pem') + '\n', key: await pemKey(leafKeys.privateKey) };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The key first and the CA last: a reader that sees the new ca.crt sees a complete set.
  await writeAtomic(join(dir, 'tls.key'), out.key, 0o600);
  await writeAtomic(join(dir, 'tls.crt'), out.cert, 0o644);
  await writeAtomic(join(dir, 'ca.crt'), out.ca, 0o644);
  return { ...out, caBundle: Buffer.from(out.ca).toString('base64'), created: true };
}

/** Read and check a certificate and key pair; throws when they do not belong together. */
export async function readTls(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  createSecureContext({ cert, key }); // throws on a mismatched or unreadable pair
  return { cert, key };
}

export interface TlsWatch {
  stop(): void;
}

/**
 * Watch the certificate and key files and call `apply` with the new pair once both changed files
 * form a valid pair. A half-rotated pair (new certificate, old key) is skipped and picked up at
 * the next poll.
 */
export function watchTls(
  certFile: string, keyFile: string, apply: (m: TlsMaterial) => void,
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): TlsWatch {
  return pollFiles([certFile, keyFile], async () => apply(await readTls(certFile, keyFile)), { ...options, retryOnError: true });
}
