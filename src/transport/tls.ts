/**
 * TLS on a listener (node:tls): the server's options, what a client certificate proves, and the
 * handshake failures counted. Everything after the handshake (framing, limits, keep-alives) is the
 * plain listener's: a TLSSocket is a Socket to TerminalConnection.
 *
 * Client certificates are checked here, not by OpenSSL's rejectUnauthorized: Node closes a
 * connection it rejects that way without telling the server (no event), so such failures could not
 * be counted. The server asks for a certificate and accepts the handshake whatever came; a
 * connection whose certificate is missing (where required), untrusted, expired or nameless is then
 * closed before it is served, and counted once. The client sees the connection close (under TLS 1.3
 * right after its handshake completed, since it sends its certificate last).
 */
import { readFile } from 'node:fs/promises';
import type { SecureContextOptions, TLSSocket, TlsOptions as NodeTlsOptions } from 'node:tls';
import { ListenError } from './listen.js';

export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export const CLIENT_CERTIFICATE_MODES = ['off', 'optional', 'required'] as const;
export type ClientCertificates = (typeof CLIENT_CERTIFICATE_MODES)[number];

/** A listener's TLS settings (config listeners[].tls; src/config/tls-schema.ts says what each means). */
export interface TlsSettings {
  /** PEM files: paths relative to the working directory. */
  certificate: string;
  key: string;
  minVersion?: TlsVersion;
  clientCertificates?: ClientCertificates;
  clientCa?: string;
}

/** Who the peer proved to be. */
export interface Peer {
  /**
   * The subject CN of the client certificate the handshake verified; absent on plain TCP and on a
   * TLS connection without a client certificate (clientCertificates 'off' or 'optional').
   */
  readonly certificateName?: string;
}

export const NO_PEER: Peer = Object.freeze({});

/**
 * Why a TLS connection was not served (the metric's `reason` label: a few known values).
 * no_certificate: none sent where required; certificate_untrusted: not signed by clientCa (or
 * otherwise invalid); certificate_expired: expired or not yet valid; certificate_without_name: no
 * single subject CN; timeout: no finished handshake within the first-frame timeout; handshake:
 * anything else (an old TLS version, no common cipher, plain bytes sent to a TLS port).
 */
export type HandshakeFailure =
  | 'no_certificate'
  | 'certificate_untrusted'
  | 'certificate_expired'
  | 'certificate_without_name'
  | 'timeout'
  | 'handshake';

/** node:tls's server options that do not need the files (those come later: secureContextOf). */
export function serverOptions(settings: TlsSettings, handshakeTimeoutMs: number): NodeTlsOptions {
  return {
    requestCert: (settings.clientCertificates ?? 'off') !== 'off',
    // See the header: the verdict on the client's certificate is checkPeer's.
    rejectUnauthorized: false,
    handshakeTimeout: handshakeTimeoutMs,
    minVersion: settings.minVersion ?? 'TLSv1.2',
  };
}

/**
 * The certificate, key and client CA read from their files. An unreadable file is a ListenError
 * naming the listener, the setting and the path (never the content: a key file's bytes stay out).
 */
export async function secureContextOf(settings: TlsSettings, what: string): Promise<SecureContextOptions> {
  const read = async (path: string, setting: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ListenError(
        `${what}: cannot read tls.${setting} ${path}: ${code === 'ENOENT' ? 'no such file' : String(code)}`,
      );
    }
  };
  const mode = settings.clientCertificates ?? 'off';
  if (mode !== 'off' && settings.clientCa === undefined)
    throw new ListenError(`${what}: tls.clientCertificates '${mode}' needs tls.clientCa`);
  const options: SecureContextOptions = {
    cert: await read(settings.certificate, 'certificate'),
    key: await read(settings.key, 'key'),
    minVersion: settings.minVersion ?? 'TLSv1.2',
  };
  if (mode !== 'off') options.ca = await read(settings.clientCa!, 'clientCa');
  return options;
}

/**
 * After the handshake: the peer's identity, or why it is not served. `detail` is OpenSSL's
 * verification code (e.g. CERT_HAS_EXPIRED), for the log.
 */
export function checkPeer(
  socket: TLSSocket,
  mode: ClientCertificates,
): { peer: Peer } | { failure: HandshakeFailure; detail: string } {
  if (mode === 'off') return { peer: NO_PEER };
  const certificate = socket.getPeerCertificate();
  const sent = certificate !== null && Object.keys(certificate).length > 0;
  if (!sent)
    return mode === 'required' ? { failure: 'no_certificate', detail: 'no client certificate' } : { peer: NO_PEER };
  if (!socket.authorized) {
    const detail = String(socket.authorizationError);
    const dated = detail === 'CERT_HAS_EXPIRED' || detail === 'CERT_NOT_YET_VALID';
    return { failure: dated ? 'certificate_expired' : 'certificate_untrusted', detail };
  }
  const name: unknown = certificate.subject?.CN;
  // Several CNs (node gives an array) name no one terminal.
  if (typeof name !== 'string' || name === '')
    return { failure: 'certificate_without_name', detail: 'no single subject CN' };
  return { peer: { certificateName: name } };
}

/** What a 'tlsClientError' was (the handshake itself failed). */
export function clientErrorKind(e: NodeJS.ErrnoException): HandshakeFailure {
  return e.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'timeout' : 'handshake';
}
