/** Field 48's sub-elements in the masked views: the CVC (sub-element 02) hidden, the rest shown. */
import t from 'tap';
import { dialect, hiddenSubElements, loadDialect, maskSubElements } from '../../src/codec/index.js';
import { validateFieldSpec } from '../../src/codec/validate-spec.js';
import { shownMessage } from '../../src/trace/traffic-event.js';
import { renderMessage } from '../../src/trace/terminal-trace.js';

const F48 = '01006000123020039870300 1T'.replace(' ', '');

t.test('maskSubElements hides the values of the hidden tags only', async (t) => {
  t.equal(maskSubElements(F48, ['02']), '0100600012302003***03001T');
  t.same(hiddenSubElements(F48, ['02']), [[16, 19]]);
  t.equal(maskSubElements('02000', ['02']), '02000', 'an empty value hides nothing');
  t.equal(maskSubElements('0100600012302x', ['02']), '01006000123***', 'unreadable from there: hidden whole');
  t.equal(maskSubElements('02009123', ['02']), '********', 'a length past the end: hidden whole');
});

t.test('describe, the live traffic and the trace hex mask the CVC in every shipped dialect', async (t) => {
  for (const name of ['iso93ascii', 'iso87ascii', 'iso93binary']) {
    const d = dialect(name);
    const message = { 0: name === 'iso87ascii' ? '0200' : '1200', 11: '000001', 48: F48 };
    t.match(d.describe(message), /"0100600012302003\*\*\*03001T"/, `${name}: describe`);
    t.notMatch(d.describe(message, { clear: true }), /\*\*\*/, `${name}: clear shows it`);
    const bytes = d.pack(message);
    t.equal(
      shownMessage(d, bytes).fields.find((f) => f.n === 48)?.value,
      '0100600012302003***03001T',
      `${name}: traffic`,
    );
    const hex = renderMessage(d, bytes).hex;
    const shown = Buffer.from('02003').toString('hex').toUpperCase();
    t.ok(hex.includes(`${shown}******${Buffer.from('03001T').toString('hex').toUpperCase()}`), `${name}: hex`);
  }
});

t.test('a dialect spec: hiddenTags only with the subElements mask, 2-digit tags', async (t) => {
  const base = { name: 'x', kind: 'ans', length: 999, prefix: 'LLL', prefixEncoding: 'ascii', encoding: 'ascii' };
  t.ok(validateFieldSpec(48, { ...base, mask: 'subElements', hiddenTags: ['02'] }));
  t.throws(() => validateFieldSpec(48, { ...base, mask: 'hide', hiddenTags: ['02'] }), /hiddenTags go with/);
  t.throws(() => validateFieldSpec(48, { ...base, mask: 'subElements', hiddenTags: ['2'] }), /2-digit tags/);
  t.throws(() => validateFieldSpec(48, { ...base, mask: 'subElements', hiddenTags: '02' }), /2-digit tags/);
  t.throws(() => validateFieldSpec(48, { ...base, mask: 'secret' }), /subElements/);
  const custom = loadDialect({
    name: 'custom',
    mti: { encoding: 'ascii' },
    bitmap: { encoding: 'hex' },
    fields: { '11': { ...base, kind: 'numeric', length: 6, prefix: 'fixed' }, '48': { ...base, mask: 'subElements' } },
  });
  t.match(
    custom.describe({ 0: '1200', 11: '000001', 48: F48 }),
    /"01006000123020039870300/,
    'no hidden tags: all shown',
  );
});
