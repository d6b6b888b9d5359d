/** What a request says, read without a network: field 48's sub-elements and the channel. */
import t from 'tap';
import { FIELD_48, lastCompletedStanOf, subElementsOf } from '../../src/messages/transaction-data.js';
import { channelOf } from '../../src/messages/channel.js';

t.test('field 48: sub-elements of tag, length and value', async (t) => {
  t.equal(subElementsOf({ 0: '1200' }), undefined, 'absent');
  const two = subElementsOf({ 48: '01006000123' + '02003123' });
  t.same(two instanceof Map ? [...two] : two, [
    ['01', '000123'],
    ['02', '123'],
  ]);
  const empty = subElementsOf({ 48: '' });
  t.same(empty instanceof Map ? [...empty] : empty, [], 'empty field: no sub-elements');
  const first = subElementsOf({ 48: '020011020012' });
  t.equal(first instanceof Map ? first.get('02') : first, '1', 'a tag given twice keeps its first value');
  t.equal(subElementsOf({ 48: '01006000123x' }), 'unreadable', 'a partial sub-element after a good one');
  t.equal(subElementsOf({ 48: '0100' }), 'unreadable', 'a header cut short');
  t.equal(subElementsOf({ 48: 'A1003abc' }), 'unreadable', 'a tag that is not digits');
  t.equal(subElementsOf({ 48: '01009000123' }), 'unreadable', 'a length past the end');
  t.equal(FIELD_48.cvc, '02');
});

t.test('field 48 sub-element 01: the last completed STAN of an old terminal', async (t) => {
  t.equal(lastCompletedStanOf({ 48: '02003123' + '01006000042' }), '000042', 'after another sub-element');
  t.equal(lastCompletedStanOf({ 48: '0100512345' }), undefined, 'not six digits');
  t.equal(lastCompletedStanOf({ 48: '02003123' }), undefined, 'none');
  t.equal(lastCompletedStanOf({ 48: '01006000042xx' }), undefined, 'unreadable');
  t.equal(lastCompletedStanOf({}), undefined, 'no field 48');
});

t.test('the channel: cash, remote, unattended, attended', async (t) => {
  // 1993 field 22: position 4 operating environment, 5 cardholder presence, 7 card data input mode.
  const pos93 = (env: string, presence: string, input: string): string => `510${env}${presence}1${input}10101`;
  t.equal(channelOf({ 3: '010000' }, 'iso93', undefined), 'atm', 'processing code 01: cash');
  t.equal(channelOf({ 3: '000000' }, 'iso93', 'atm'), 'atm', 'an ATM in the key file');
  t.equal(
    channelOf({ 3: '000000', 22: '600550S00000' }, 'iso93', 'atm'),
    'internet',
    'a remote request says so, whatever the key file calls the terminal',
  );
  t.equal(channelOf({ 3: '000000', 22: pos93('1', '0', '5') }, 'iso93', undefined), 'attended');
  t.equal(channelOf({ 3: '000000', 22: pos93('2', '0', '5') }, 'iso93', undefined), 'unattended');
  t.equal(channelOf({ 3: '000000', 22: pos93('1', '0', '5') }, 'iso93', 'fuel'), 'unattended', 'a fuel pump');
  t.equal(channelOf({ 3: '000000', 22: pos93('1', '0', '5') }, 'iso93', 'ticket'), 'unattended', 'a ticket machine');
  t.equal(channelOf({ 3: '000000', 22: pos93('5', '2', '1') }, 'iso93', undefined), 'mailOrder');
  t.equal(channelOf({ 3: '000000', 22: pos93('5', '3', '1') }, 'iso93', undefined), 'phoneOrder');
  t.equal(channelOf({ 3: '000000', 22: pos93('5', '5', 'S') }, 'iso93', undefined), 'internet');
  t.equal(channelOf({ 3: '000000', 22: pos93('5', '4', '1') }, 'iso93', undefined), 'internet', 'a standing order');
  t.equal(channelOf({ 3: '000000', 22: pos93('5', '1', 'S') }, 'iso93', undefined), 'internet', 'input mode S');
  t.equal(channelOf({ 3: '000000' }, 'iso93', undefined), 'attended', 'no field 22');
  // 1987: field 25, POS condition code, and entry mode 81.
  t.equal(channelOf({ 3: '000000', 22: '051', 25: '59' }, 'iso87', undefined), 'internet');
  t.equal(channelOf({ 3: '000000', 22: '011', 25: '08' }, 'iso87', undefined), 'mailOrder');
  t.equal(channelOf({ 3: '000000', 22: '812' }, 'iso87', undefined), 'internet', 'entry mode 81');
  t.equal(channelOf({ 3: '000000', 22: '051', 25: '00' }, 'iso87', undefined), 'attended');
  t.equal(channelOf({ 3: '000000' }, 'iso87', 'dkt1'), 'attended');
});
