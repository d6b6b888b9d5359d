/** The config schema of a listener's TLS (listeners[].tls; schema.ts, src/transport/tls.ts). */
import { object } from './schema-object.js';
import { CLIENT_CERTIFICATE_MODES, TLS_VERSIONS } from '../transport/tls.js';

const file = { type: 'string', minLength: 1 } as const;

/**
 * TLS on a listener: the framing, limits and keep-alives are the same as on plain TCP, inside TLS.
 * Files are PEM, read when the listener starts (a path relative to the working directory).
 */
export const TLS_SCHEMA = object(
  {
    certificate: {
      ...file,
      description: "The server's certificate (PEM), followed by any intermediate CA certificates.",
    },
    key: { ...file, description: "The server certificate's private key (PEM, unencrypted): keep it mode 0600." },
    minVersion: {
      enum: [...TLS_VERSIONS],
      description: "The oldest TLS version accepted: 'TLSv1.2' (the default) or 'TLSv1.3'.",
    },
    clientCertificates: {
      enum: [...CLIENT_CERTIFICATE_MODES],
      description:
        "'off' (the default): none asked for. 'optional': asked for; a terminal may connect without one, but one " +
        "that is sent must be valid and signed by clientCa. 'required': a connection without a valid one is " +
        'closed. With a certificate, its subject CN is the terminal id: a request whose field 41 names another ' +
        'terminal is refused (security violation: 122 / 63; docs/PROTOCOL.md).',
    },
    clientCa: {
      ...file,
      description:
        "The CA certificate(s) (PEM) that sign terminals' client certificates; needed unless clientCertificates is 'off'.",
    },
  },
  ['certificate', 'key'],
);
