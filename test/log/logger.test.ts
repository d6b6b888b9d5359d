import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger, logFormat } from '../../src/log/logger.js';

t.test('card data and secrets are redacted wherever a careless log call puts them', async (t) => {
  const lines: string[] = [];
  const log = createLogger(
    'info',
    new Writable({ write: (c: Buffer, _e, done) => (lines.push(c.toString()), done()) }),
  );
  log.info(
    {
      pan: '5019000000000012',
      card: { track2: '5019000000000012=2812', pin: '1234' },
      message: { 2: '5019000000000012', 52: 'ABCDEF', 4: '000000012500' },
      token: 'secret-token',
    },
    'oops',
  );
  const line = lines.join('');
  t.notMatch(line, '5019000000000012');
  t.notMatch(line, '1234"');
  t.notMatch(line, 'ABCDEF');
  t.notMatch(line, 'secret-token');
  t.match(line, '"4":"000000012500"', 'other fields stay');
  t.match(JSON.parse(line), {
    pan: '[redacted]',
    card: { track2: '[redacted]', pin: '[redacted]' },
    msg: 'oops',
    service: 'switch',
  });
});

t.test('readable lines on a terminal, JSON elsewhere; LOG_FORMAT decides when set', async (t) => {
  t.equal(logFormat({}, true), 'pretty');
  t.equal(logFormat({}, false), 'json');
  t.equal(logFormat({ LOG_FORMAT: 'json' }, true), 'json');
  t.equal(logFormat({ LOG_FORMAT: 'pretty' }, false), 'pretty');
  t.equal(logFormat({ LOG_FORMAT: 'xml' }, false), 'json', 'an unknown format is ignored');
});
