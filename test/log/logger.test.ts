import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger.js';

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
