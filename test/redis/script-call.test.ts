/**
 * The script command (src/redis/script-call.ts) as it is written to a connection: EVAL with the
 * Lua on a connection that has not had it, EVALSHA after; a command written as EVAL and written
 * again (a cluster redirection) to a connection that has the script goes as EVALSHA; the
 * arguments are the caller's list, unchanged but for the first.
 */
import t from 'tap';
import { ScriptCommand, type SentScript } from '../../src/redis/script-call.js';

const script: SentScript = { lua: 'return ARGV[1]', sha: 'f'.repeat(40), loadedOn: new WeakSet() };
const text = (w: string | Buffer): string => (typeof w === 'string' ? w : w.toString('latin1'));

t.test('EVAL once per connection, then EVALSHA; a redirected EVAL goes as EVALSHA where the script is', async (t) => {
  const a = {};
  const b = {};
  const first = new ScriptCommand(script, [script.sha, '0', 'x']);
  t.equal(text(first.toWritable(a)), '*4\r\n$4\r\neval\r\n$14\r\nreturn ARGV[1]\r\n$1\r\n0\r\n$1\r\nx\r\n');
  const second = new ScriptCommand(script, [script.sha, '0', 'y']);
  t.equal(text(second.toWritable(a)), `*4\r\n$7\r\nevalsha\r\n$40\r\n${script.sha}\r\n$1\r\n0\r\n$1\r\ny\r\n`);
  t.match(
    text(first.toWritable(b)),
    /^\*4\r\n\$4\r\neval\r\n\$14\r\nreturn ARGV/,
    'to another connection: the Lua again',
  );
  t.equal(
    text(first.toWritable(a)),
    `*4\r\n$7\r\nevalsha\r\n$40\r\n${script.sha}\r\n$1\r\n0\r\n$1\r\nx\r\n`,
    'written again where the script is: EVALSHA',
  );
  t.equal(first.socket, a, 'the connection it was last written to');
});
