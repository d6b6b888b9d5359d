/**
 * The baseline's echo server: reads frames and writes each one straight back, nothing else.
 * Run as its own process (like the switch) so it has a core to itself; the same connections,
 * framing and request sizes against it show what this machine's TCP and the generator can do,
 * and the switch's throughput is reported as a share of it.
 *
 *   node dist/bench/load/echo-server.js --header binary2|ascii4|bcd2 [--host 127.0.0.1] [--port 0]
 *
 * Prints one JSON line with its port, then runs until SIGTERM/SIGINT.
 */
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { FrameReader, type LengthHeader, encodeFrame } from '../../src/transport/framing.js';

const { values } = parseArgs({
  options: {
    header: { type: 'string', default: 'binary2' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});
const framing = { header: values.header as LengthHeader, tpdu: false, maxFrameSize: 65535 };
if (!['binary2', 'ascii4', 'bcd2'].includes(framing.header))
  throw new Error(`--header ${framing.header}: binary2, ascii4 or bcd2`);
if (framing.header !== 'binary2') framing.maxFrameSize = 9999;

const server = createServer({ noDelay: true }, (socket) => {
  const reader = new FrameReader(framing);
  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = reader.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    // One write for all the frames of a chunk, as a server answering in a batch would.
    socket.cork();
    for (const f of frames) socket.write(encodeFrame(framing, f.body));
    socket.uncork();
  });
  socket.on('error', () => undefined);
});
server.maxConnections = 100_000;
server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: (server.address() as { port: number }).port })}\n`);
});
const stop = (): void => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
