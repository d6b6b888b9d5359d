/**
 * The runner's clients against servers that misbehave: an admin API answering something that is
 * not JSON, a switch that hangs up, sends a frame it cannot read, or loses framing.
 */
import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { type Socket, createServer } from 'node:net';
import { dialect } from '../../src/codec/index.js';
import { encodeFrame } from '../../src/transport/framing.js';
import { AdminClient, AdminError, reasonOf } from '../../terminals/scenario/admin-client.js';
import { resend, retransmission } from '../../terminals/scenario/resend.js';

t.test('admin client: an answer that is not JSON is an error naming what came; must() refuses non-2xx', async (t) => {
  const server = createHttpServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 502, { 'content-type': 'text/plain' });
    res.end(req.url === '/ok' ? '{"fine":true}' : 'Bad Gateway from a proxy');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const client = new AdminClient(base, {});
  t.same(
    await client.call('GET', '/ok', 'vendor'),
    { status: 200, body: { fine: true } },
    "no token: no Authorization header, and the base URL's slash dropped",
  );
  const bad = await client.call('GET', '/x', 'issuer');
  t.same(bad, { status: 502, body: { error: 'not JSON: Bad Gateway from a proxy' } });
  await t.rejects(
    client.must('POST', '/x', 'issuer', { a: 1 }),
    new AdminError('POST /x: 502 not JSON: Bad Gateway from a proxy', 502),
  );
  t.equal(
    reasonOf({
      status: 400,
      body: {
        error: 'invalid request body',
        problems: [
          { path: '/a', message: 'is not allowed' },
          { path: '/b', message: 'is required' },
        ],
      },
    }),
    'invalid request body: /a is not allowed; /b is required',
  );
  t.equal(reasonOf({ status: 500, body: { odd: 1 } }), '{"odd":1}');
});

t.test("admin client: each role's token; an issuer's notices on a card from a time", async (t) => {
  const seen: { url: string; auth: string | undefined }[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ notices: [{ id: 'n1', type: 'blockLifted' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new AdminClient(base, { issuer: 'i-token', vendor: 'v-token', blockService: 'b-token' });
  await client.call('POST', '/block-reports', 'blockService', {});
  await client.call('GET', '/faults', 'vendor');
  t.same(await client.notices('c0ffee', Date.parse('2026-11-21T09:00:00.250Z')), [{ id: 'n1', type: 'blockLifted' }]);
  await client.notices('c0ffee');
  t.same(seen, [
    { url: '/block-reports', auth: 'Bearer b-token' },
    { url: '/faults', auth: 'Bearer v-token' },
    { url: '/notices?card=c0ffee&since=2026-11-21T09%3A00%3A00.250Z&limit=1000', auth: 'Bearer i-token' },
    { url: '/notices?card=c0ffee&since=1970-01-01T00%3A00%3A00.000Z&limit=1000', auth: 'Bearer i-token' },
  ]);
});

t.test(
  'resend: no answer when the switch hangs up, sends what cannot be read, or loses framing; the answer otherwise',
  async (t) => {
    const d = dialect('iso93ascii');
    const framing = { header: 'binary2' as const, tpdu: false, maxFrameSize: 8192 };
    const behaviours: ((s: Socket, request: Buffer) => void)[] = [
      (s) => s.destroy(),
      (s) =>
        s.write(
          Buffer.concat([
            encodeFrame(framing, Buffer.alloc(0)),
            encodeFrame(framing, Buffer.from('garbage')),
            encodeFrame(framing, d.pack({ 0: '1210', 11: '000999', 39: '000' })),
          ]),
        ),
      (s) => s.write(Buffer.from([0xff, 0xff, 0x00])),
      (s) => s.write(encodeFrame(framing, d.pack({ 0: '1210', 11: '000001', 39: '000', 38: '123456' }))),
    ];
    let which = 0;
    const server = createServer((s) => s.once('data', (chunk: Buffer) => behaviours[which]!(s, chunk)));
    server.on('error', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const target = {
      host: '127.0.0.1',
      port: (server.address() as { port: number }).port,
      dialect: d,
      header: 'binary2' as const,
      timeoutMs: 500,
    };
    const request = retransmission(
      {
        0: '1200',
        2: '5019000000000016',
        3: '000000',
        4: '000000000100',
        11: '000001',
        12: '261121101530',
        41: 'T1',
        49: '208',
      },
      { repeat: true, set: { 4: '000000000200' } },
      new Date('2026-11-21T10:15:30Z'),
    );
    t.same(
      [request[0], request[4], request[7]],
      ['1201', '000000000200', '1121101530'],
      'the repeat MTI, the field changed, a new transmission time',
    );
    const at = new Date();
    for (const what of ['hung up', 'an unreadable frame, a keep-alive and an answer to another STAN', 'framing lost']) {
      const e = await resend(target, request, at);
      t.same([e.timedOut, e.response], [true, undefined], what);
      which++;
    }
    const ok = await resend(target, request, at);
    t.same([ok.timedOut, ok.response?.[38], ok.at], [false, '123456', at]);
    t.equal(retransmission({ 0: '1200', 11: '1' }, {}, at)[0], '1200', 'not a repeat: the MTI as it was');
  },
);
