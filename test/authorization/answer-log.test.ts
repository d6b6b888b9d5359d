import { Writable } from 'node:stream';
import t from 'tap';
import { logAnswer } from '../../src/authorization/answer-log.js';
import { createLogger } from '../../src/log/logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(
    level,
    new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as never), done()) }),
  );
  return { log, lines };
}

t.test('an answered card request is one compact info line, the card masked', async (t) => {
  const { log, lines } = capture('info');
  const request = { 0: '1100', 2: '5019000000000008', 4: '000000012550', 41: 'TERM0001' };
  logAnswer(log, 'iso93', { mti: '1100', terminalId: 'TERM0001', request, outcome: 'approved' }, '000');
  const track = { 0: '1200', 35: '5019000000000016=30121010000000000', 4: '000000000100' };
  logAnswer(log, 'iso93', { mti: '1200', terminalId: 'T2', request: track, outcome: 'wrongPin' }, '117');
  logAnswer(log, 'iso93', { mti: '1200', outcome: 'formatError', reason: 'field 4: not numeric' }, '904');
  t.match(lines[0], {
    level: 30,
    msg: 'approved',
    listener: 'iso93',
    mti: '1100',
    terminal: 'TERM0001',
    card: '501900******0008',
    amount: 12550,
    actionCode: '000',
  });
  t.match(lines[1], { msg: 'answered', card: '501900******0016', outcome: 'wrongPin', actionCode: '117', amount: 100 });
  t.match(lines[2], { msg: 'answered', outcome: 'formatError', reason: 'field 4: not numeric', actionCode: '904' });
  t.equal(lines[2]!.card, undefined, 'no card when the request had none');
  t.notMatch(JSON.stringify(lines), /\d{13,}/, 'no clear PAN');
});

t.test('network management is not logged, and nothing is built below info', async (t) => {
  const info = capture('info');
  logAnswer(info.log, 'iso93', { mti: '1804' }, '800');
  logAnswer(info.log, 'iso87', { mti: '0800' }, '00');
  t.equal(info.lines.length, 0);
  const warn = capture('warn');
  logAnswer(warn.log, 'iso93', { mti: '1100', outcome: 'approved' }, '000');
  t.equal(warn.lines.length, 0);
});
