/**
 * Nothing a client sends can crash the switch: seeded random and mutated frames over real TCP
 * (garbage, flipped bits, lying field length prefixes, truncated bodies, trailing bytes, frame
 * headers above the maximum). Each whole frame gets an answer or the connection is closed;
 * afterwards the switch still serves.
 */
import t from 'tap';
import { connect } from 'node:net';
import { encodeFrame } from '../../src/transport/framing.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { bytes, int, rng } from '../support/random.js';
import { pinBlock } from '../support/cards.js';

const FRAMES = 3000;

t.test(`${FRAMES} hostile frames over TCP: answered or closed, never a crash`, async (t) => {
  const s = await startSwitch(t, { listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, framing: { header: 'binary2', maxFrameSize: 2048 } }] });
  const port = s.port('iso93');
  const framing = { header: 'binary2' as const, tpdu: false, maxFrameSize: 2048 };
  const probe = await TestTerminal.open(port);
  const good = probe.dialect.pack(purchase93({ 2: '5019000000000016', 52: pinBlock('1234', '5019000000000016'), 11: '000001' }));
  const r = rng(4242);
  const mutate = (kind: number): Buffer => {
    const b = Buffer.from(good);
    switch (kind) {
      case 0: return bytes(r, int(r, 1, 400)); // garbage body
      case 1: for (let i = int(r, 1, 6); i > 0; i--) b[int(r, 0, b.length - 1)]! ^= 1 << int(r, 0, 7); return b; // flipped bits
      case 2: b.write(String(int(r, 0, 99)).padStart(2, '0'), 20, 'latin1'); return b; // field 2's LL prefix lies
      case 3: return b.subarray(0, int(r, 1, b.length - 1)); // truncated
      default: return Buffer.concat([b, bytes(r, int(r, 1, 30))]); // trailing bytes
    }
  };
  let answers = 0;
  let closes = 0;
  let silent = 0;
  let socket: ReturnType<typeof connect> | undefined;
  let onData: (() => void) | undefined;
  let onClose: (() => void) | undefined;
  const open = async (): Promise<void> => {
    const c = connect(port, '127.0.0.1');
    c.on('error', () => {});
    c.on('data', () => onData?.());
    c.on('close', () => onClose?.());
    await new Promise<void>((resolve) => c.once('connect', () => resolve()));
    socket = c;
  };
  // One frame at a time: each must be answered or its connection closed, never left in silence.
  for (let i = 0; i < FRAMES; i++) {
    if (socket === undefined || socket.destroyed) await open();
    // A header above the maximum loses the framing (closed at once); everything else is a whole frame.
    const hostile = r() < 0.03 ? Buffer.from([0xff, 0xff]) : encodeFrame(framing, mutate(int(r, 0, 4)));
    const outcome = await new Promise<'answer' | 'close' | 'silence'>((resolve) => {
      const timer = setTimeout(() => resolve('silence'), 2000);
      onData = () => (clearTimeout(timer), resolve('answer'));
      onClose = () => (clearTimeout(timer), resolve('close'));
      socket!.write(hostile);
    });
    if (outcome === 'answer') answers++;
    else if (outcome === 'close') closes++;
    else {
      silent++;
      socket!.destroy();
    }
  }
  // A header promising more than follows: the switch waits for the rest (the idle timeout ends it);
  // meanwhile other terminals are served.
  if (socket === undefined || socket.destroyed) await open();
  socket!.write(Buffer.from([0x00, 0x40, 0x31, 0x32]));
  t.equal((await probe.send({ 0: '1804', 7: '1121101530', 24: '831' }))[39], '800', 'a half-sent frame holds up no one else');
  socket?.destroy();
  t.equal(silent, 0, 'no frame was left without an answer or a close');
  t.equal(answers + closes, FRAMES, `every frame accounted for (${answers} answered, ${closes} closed)`);
  t.ok(answers > FRAMES / 4 && closes > FRAMES / 10, 'both outcomes occurred: the mutations reach the decoder and the framing');
  const after = await probe.send(purchase93({ 2: '5019000000000016', 52: pinBlock('1234', '5019000000000016') }));
  t.equal(after[39], '000', 'and still serves a well-behaved terminal afterwards');
  probe.close();
  const metrics = await (await fetch(`${s.adminUrl}/metrics`)).text();
  t.match(metrics, /switch_decode_errors_total\{listener="iso93",kind="message"\} [1-9]/, 'undecodable messages were counted');
});
