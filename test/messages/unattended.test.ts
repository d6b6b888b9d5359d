/** Unattended machines without cardholder verification: what the request says (src/messages/unattended.ts). */
import t from 'tap';
import { takesPin, unverifiedUnattended, verificationAt } from '../../src/messages/unattended.js';

t.test('without a PIN at an unattended machine the holder is not verified', async (t) => {
  t.equal(verificationAt('unattended', 'signature'), 'none', 'no clerk compares a signature');
  t.equal(verificationAt('unattended', 'unknown'), 'none', 'a 1987 entry mode cannot say it');
  t.equal(verificationAt('unattended', 'pinOnline'), 'pinOnline');
  t.equal(verificationAt('unattended', 'contactlessNoPin'), 'contactlessNoPin');
  t.equal(verificationAt('attended', 'signature'), 'signature', 'at a till the clerk compares it');
  t.equal(verificationAt('attended', 'unknown'), 'unknown');
});

t.test('whether the machine could take a PIN: field 22', async (t) => {
  t.equal(takesPin({ 22: '510201500004' }, 'iso93'), true, 'PIN capture capability 4 digits');
  t.equal(takesPin({ 22: '51020150000C' }, 'iso93'), true, '12 digits');
  t.equal(takesPin({ 22: '500201500040' }, 'iso93'), false, 'none');
  t.equal(takesPin({ 22: '510201500001' }, 'iso93'), false, 'unknown');
  t.equal(takesPin({ 22: '5102015' }, 'iso93'), false, 'too short: unknown');
  t.equal(takesPin({}, 'iso93'), false, 'no field 22');
  t.equal(takesPin({ 22: '051' }, 'iso87'), true);
  t.equal(takesPin({ 22: '052' }, 'iso87'), false);
  t.equal(takesPin({ 22: '050' }, 'iso87'), false, 'unknown');
});

t.test('only an unattended purchase without verification is held to the limit', async (t) => {
  const pos = { 22: '510201500004' };
  t.equal(unverifiedUnattended('purchase', { channel: 'unattended', verification: 'none' }, pos, 'iso93'), 'pinPad');
  t.equal(
    unverifiedUnattended('purchase', { channel: 'unattended', verification: 'none' }, { 22: '052' }, 'iso87'),
    'noPinPad',
  );
  t.equal(unverifiedUnattended('refund', { channel: 'unattended', verification: 'none' }, pos, 'iso93'), undefined);
  t.equal(unverifiedUnattended('purchase', { channel: 'attended', verification: 'none' }, pos, 'iso93'), undefined);
  t.equal(
    unverifiedUnattended('purchase', { channel: 'unattended', verification: 'pinOffline' }, pos, 'iso93'),
    undefined,
  );
});
