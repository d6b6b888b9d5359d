import t from 'tap';
import {
  FrameReader,
  FramingError,
  type FramingSpec,
  LENGTH_HEADERS,
  encodeFrame,
  headerSize,
  replyTpdu,
} from '../../src/transport/framing.js';
import { bytes, int, rng } from '../support/random.js';

const spec = (header: FramingSpec['header'], tpdu = false, maxFrameSize = 8192): FramingSpec => ({
  header,
  tpdu,
  maxFrameSize,
});
const body = Buffer.from('1804...hello', 'latin1');

t.test('each length header writes the length of what follows', async (t) => {
  t.equal(encodeFrame(spec('binary2'), body).subarray(0, 2).toString('hex'), '000c');
  t.equal(encodeFrame(spec('ascii4'), body).subarray(0, 4).toString('latin1'), '0012');
  t.equal(encodeFrame(spec('bcd2'), body).subarray(0, 2).toString('hex'), '0012');
  const tpdu = Buffer.from('6000010002', 'hex');
  const framed = encodeFrame(spec('binary2', true), body, tpdu);
  t.equal(framed.subarray(0, 7).toString('hex'), '00116000010002', 'the header counts the TPDU');
});

t.test('a frame reader reads back what was written, for every header, with and without TPDU', async (t) => {
  for (const header of LENGTH_HEADERS) {
    for (const tpdu of [false, true]) {
      const s = spec(header, tpdu);
      const tp = tpdu ? Buffer.from('6000010002', 'hex') : undefined;
      const frames = new FrameReader(s).push(encodeFrame(s, body, tp));
      t.equal(frames.length, 1, `${header} tpdu=${tpdu}`);
      t.same(frames[0]!.body, body);
      t.same(frames[0]!.tpdu, tp);
    }
  }
});

t.test('the reply TPDU swaps destination and source', async (t) => {
  t.equal(replyTpdu(Buffer.from('6000110022', 'hex')).toString('hex'), '6000220011');
});

t.test('zero-length frames are keep-alives', async (t) => {
  const reader = new FrameReader(spec('binary2', true));
  const frames = reader.push(Buffer.from('0000', 'hex'));
  t.equal(frames.length, 1);
  t.equal(frames[0]!.body.length, 0);
  t.equal(frames[0]!.tpdu, undefined);
});

t.test('a declared length above the maximum is a framing error, before the body arrives', async (t) => {
  const reader = new FrameReader(spec('binary2', false, 100));
  t.throws(() => reader.push(Buffer.from('0065', 'hex')), new FramingError('declared length 101 exceeds max 100'));
  t.throws(() => new FrameReader(spec('ascii4')).push(Buffer.from('12x4', 'latin1')), {
    name: 'FramingError',
    reason: 'length header is not a number',
  });
  t.throws(() => new FrameReader(spec('bcd2')).push(Buffer.from('0a00', 'hex')), { name: 'FramingError' });
  t.throws(() => new FrameReader(spec('binary2', true)).push(Buffer.from('0003aabbcc', 'hex')), {
    name: 'FramingError',
    message: 'framing: frame of 3 bytes is shorter than its TPDU',
  });
  t.throws(() => encodeFrame(spec('binary2', false, 10), Buffer.alloc(11)), { name: 'FramingError' });
  t.throws(() => encodeFrame(spec('binary2', true), body), {
    name: 'FramingError',
    message: 'framing: a 5-byte TPDU is required',
  });
});

t.test('a partial frame waits for the rest', async (t) => {
  const s = spec('ascii4');
  const frame = encodeFrame(s, body);
  const reader = new FrameReader(s);
  t.same(reader.push(frame.subarray(0, 3)), []);
  t.same(reader.push(frame.subarray(3, 10)), []);
  t.equal(reader.buffered, 10);
  const frames = reader.push(frame.subarray(10));
  t.same(
    frames.map((f) => f.body),
    [body],
  );
  t.equal(reader.buffered, 0);
});

t.test('random chunking: frames split over many chunks and many frames in one chunk', async (t) => {
  for (const header of LENGTH_HEADERS) {
    for (const tpdu of [false, true]) {
      const r = rng(header.length * 31 + (tpdu ? 7 : 0));
      const s = spec(header, tpdu, 9999);
      const tp = tpdu ? Buffer.from('6000010002', 'hex') : undefined;
      const bodies = Array.from({ length: 2000 }, () => bytes(r, int(r, 0, 300)));
      const stream = Buffer.concat(bodies.map((b) => encodeFrame(s, b, b.length > 0 ? tp : undefined)));
      const reader = new FrameReader(s);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        // Mostly small chunks (down to single bytes), sometimes chunks holding many frames.
        const size = r() < 0.8 ? int(r, 1, 40) : int(r, 100, 5000);
        for (const f of reader.push(stream.subarray(at, at + size))) got.push(f.body);
        at += size;
      }
      const mismatches = bodies.filter((b, i) => got[i] === undefined || !b.equals(got[i]!)).length;
      t.equal(got.length, bodies.length, `${header} tpdu=${tpdu}: every frame came out`);
      t.equal(mismatches, 0, `${header} tpdu=${tpdu}: every frame came out unchanged`);
      t.equal(reader.buffered, 0);
    }
  }
});

t.test('header sizes', async (t) => {
  t.same(LENGTH_HEADERS.map(headerSize), [2, 4, 2]);
});
