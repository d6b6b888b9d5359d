/**
 * Binding a port, with the one error an operator most often meets said in one line: the port is
 * taken (another switch, a second `npm start`). The ISO 8583 listeners and the admin server bind
 * through it; src/main.ts prints a ListenError's message and exits 1 instead of a stack trace.
 */
import type { Server } from 'node:net';

export class ListenError extends Error {
  override name = 'ListenError';
}

/** Listens on host:port; `what` names the listener in the error (e.g. `listener iso93`, `admin API`). */
export function listen(server: Server, port: number, host: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(listenError(e, port, host, what));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

function listenError(e: NodeJS.ErrnoException, port: number, host: string, what: string): ListenError {
  const where = `${host}:${port}`;
  if (e.code === 'EADDRINUSE')
    return new ListenError(
      `${what}: port ${port} is already in use on ${host} (another switch?): stop what holds it, ` +
        'or choose other ports (SWITCH_PORT, ADMIN_PORT, or the config file)',
    );
  if (e.code === 'EACCES') return new ListenError(`${what}: not allowed to listen on ${where} (a port below 1024?)`);
  if (e.code === 'EADDRNOTAVAIL') return new ListenError(`${what}: ${host} is not an address of this machine`);
  return new ListenError(`${what}: cannot listen on ${where}: ${e.message}`);
}
