/**
 * X.509 certificates for TLS listeners where no real PKI is at hand: a certificate authority, and
 * server and client certificates it signs. The sandbox makes its test CA with this
 * (src/startup/sandbox-tls.ts), and tests make theirs, so no key or certificate is committed.
 *
 * ECDSA P-256 keys with SHA-256 signatures: what every TLS 1.2 and 1.3 stack accepts, and generated
 * in milliseconds (an RSA key takes far longer). @peculiar/x509 builds the certificates in pure
 * JavaScript over WebCrypto (no openssl binary); it needs a Reflect metadata polyfill (tsyringe),
 * imported first. Keys leave as PKCS#8 PEM, certificates as PEM: what node:tls reads.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

const subtle = webcrypto.subtle;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A certificate and its private key, both PEM. */
export interface KeyAndCertificate {
  certificate: string;
  /** PKCS#8; keep it to its owner (mode 0600 on disk). */
  key: string;
}

export interface Validity {
  /**
   * The moment the certificate is made (the caller's clock). It is valid from an hour before, so
   * that a peer whose clock is a little behind still accepts it.
   */
  now: Date;
  /** How long it is valid from `now`. */
  days: number;
}

export interface CertificateRequest extends Validity {
  /** The subject's common name: a terminal id for a client certificate, a host name for a server's. */
  commonName: string;
  /** serverAuth or clientAuth in the extended key usage. */
  usage: 'server' | 'client';
  /** Subject alternative names: host names and IP addresses (a server certificate's, checked by clients). */
  altNames?: string[];
}

/** A certificate authority: its self-signed certificate and key, to sign server and client certificates. */
export async function createCertificateAuthority(commonName: string, validity: Validity): Promise<KeyAndCertificate> {
  const keys = await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName),
    ...period(validity),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      // A CA that signs end-entity certificates only (path length 0).
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificate: certificate.toString('pem'), key: await pemOfPrivateKey(keys.privateKey) };
}

/** A server or client certificate for a new key, signed by `ca`. */
export async function issueCertificate(ca: KeyAndCertificate, request: CertificateRequest): Promise<KeyAndCertificate> {
  const caCertificate = new x509.X509Certificate(ca.certificate);
  const caKey = await subtle.importKey('pkcs8', derOfPem(ca.key), KEY_ALGORITHM, false, ['sign']);
  const keys = await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const usage = request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([usage], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(caCertificate, false),
  ];
  const altNames = request.altNames ?? [];
  if (altNames.length > 0)
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        altNames.map((name) => ({ type: isIP(name) === 0 ? ('dns' as const) : ('ip' as const), value: name })),
        false,
      ),
    );
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(request.commonName),
    issuer: caCertificate.subject,
    ...period(request),
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { certificate: certificate.toString('pem'), key: await pemOfPrivateKey(keys.privateKey) };
}

function period({ now, days }: Validity): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - HOUR_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/** CN=<name>, with the characters a distinguished name's string form gives a meaning escaped (RFC 4514). */
function distinguishedName(commonName: string): string {
  return `CN=${commonName.replace(/[\\,+"<>;=#]/g, (c) => `\\${c}`)}`;
}

/** A random positive serial number of 16 bytes (RFC 5280: at most 20 octets, unpredictable). */
function serialNumber(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function pemOfPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function derOfPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
