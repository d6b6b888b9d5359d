/** --idle: opening connections in batches and reading the target's RSS, against a local stand-in server. */
import { once } from 'node:events';
import { createServer as createHttp } from 'node:http';
import { type Socket, createServer } from 'node:net';
import t from 'tap';
import { openConnectionsFromMetrics, runIdle } from '../../bench/load/idle.js';

const TOKEN = 'bench-operator-token-0001';
const METRICS =
  '# HELP switch_open_connections Terminal connections open\n# TYPE switch_open_connections gauge\nswitch_open_connections{listener="bench"} 120\nswitch_open_connections{listener="other"} 3\nswitch_open_connectionsX 9\n';

t.test('the open-connection gauge from Prometheus text', async (t) => {
  t.equal(openConnectionsFromMetrics(METRICS), 123);
  t.equal(openConnectionsFromMetrics('switch_open_connections 7\n'), 7);
  t.equal(openConnectionsFromMetrics('something_else 1\n'), null);
});

async function listen(server: { listen(port: number, host: string): unknown; address(): unknown }): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server as never, 'listening');
  return (server.address() as { port: number }).port;
}

t.test('opens every connection in batches, reports RSS before and after, then closes them', async (t) => {
  const accepted: Socket[] = [];
  const tcp = createServer((s) => accepted.push(s));
  // As the switch: metrics only with the operator token.
  const http = createHttp((req, res) =>
    req.headers.authorization === `Bearer ${TOKEN}` ? res.end(METRICS) : res.writeHead(401).end(),
  );
  const [port, adminPort] = [await listen(tcp), await listen(http)];
  t.teardown(() => {
    tcp.close();
    http.close();
  });
  const lines: string[] = [];
  const r = await runIdle({
    pid: process.pid,
    port,
    adminPort,
    adminToken: TOKEN,
    connections: 25,
    batch: 10,
    log: (l) => lines.push(l),
    settleMs: 10,
  });
  t.match(r, { connections: 25, opened: 25, switchOpenConnections: 123, closedBySwitch: 0 });
  t.equal(accepted.length, 25);
  t.equal(lines.length, 3, 'one line per batch');
  t.match(lines[2], /^\[idle\] 25 connections open, switch RSS [\d.]+ MiB/);
  t.ok(r.rssBeforeMiB! > 0 && r.rssAfterMiB! > 0);
  t.type(r.kibPerConnection, 'number');
  await new Promise((r) => setTimeout(r, 100));
  t.ok(
    accepted.every((s) => s.destroyed || s.readableEnded),
    'closed at the end',
  );
});

t.test('connections the server drops are counted; unreadable metrics and RSS are n/a', async (t) => {
  const tcp = createServer((s) => setTimeout(() => s.destroy(), 50));
  const port = await listen(tcp);
  const http = createHttp((req) => req.socket.destroy());
  const adminPort = await listen(http);
  t.teardown(() => {
    tcp.close();
    http.close();
  });
  const r = await runIdle({
    pid: 2 ** 30,
    port,
    adminPort,
    adminToken: TOKEN,
    connections: 4,
    batch: 4,
    log: () => undefined,
    settleMs: 300,
  });
  t.match(r, {
    opened: 4,
    closedBySwitch: 4,
    switchOpenConnections: null,
    rssBeforeMiB: null,
    rssAfterMiB: null,
    kibPerConnection: null,
  });
  const none = await runIdle({
    pid: process.pid,
    port,
    adminPort: undefined,
    adminToken: undefined,
    connections: 1,
    batch: 1,
    log: () => undefined,
    settleMs: 10,
  });
  t.equal(none.switchOpenConnections, null);
});

t.test('a refused connection fails the run', async (t) => {
  const tcp = createServer();
  const port = await listen(tcp);
  await new Promise((r) => tcp.close(r));
  await t.rejects(
    runIdle({
      pid: process.pid,
      port,
      adminPort: undefined,
      adminToken: undefined,
      connections: 2,
      batch: 2,
      log: () => undefined,
      settleMs: 10,
    }),
    /ECONNREFUSED/,
  );
});
