import t from 'tap';
import { readFileSync } from 'node:fs';
import { Dialect, SHIPPED_DIALECTS, dialect, loadDialect, saveDialect } from '../../src/codec/index.js';
import { ISO87_NAMES, dialectFromJpos, fieldFromJpos, parseLayoutTable } from '../../src/codec/jpos.js';
import { pack, unpack } from '../../src/codec/index.js';
import { randomMessage, rng } from '../support/random.js';

const layouts = parseLayoutTable(readFileSync(new URL('../fixtures/jpos-dialects.tsv', import.meta.url), 'utf8'));

t.test('each shipped dialect matches the public jPOS layout field for field', async (t) => {
  for (const name of SHIPPED_DIALECTS) {
    const layout = layouts.get(name)!;
    const d = dialect(name);
    t.equal(d.spec.mti.encoding, layout.cells[0]!.startsWith('IFB') ? 'bcd' : 'ascii', `${name} MTI`);
    t.equal(d.spec.bitmap.encoding, layout.cells[1]!.startsWith('IFB') ? 'binary' : 'hex', `${name} bitmap`);
    const differing: number[] = [];
    for (let n = 2; n <= 128; n++) {
      const { name: _expectedName, ...expected } = fieldFromJpos(layout.cells[n]!, n, '');
      const { name: _name, ...actual } = d.field(n)!;
      if (JSON.stringify(expected) !== JSON.stringify(actual)) differing.push(n);
    }
    t.same(differing, [], `${name}: fields 2-128 as in the layout`);
  }
});

t.test('regenerating from the layout table gives the shipped JSON files exactly', async (t) => {
  for (const name of SHIPPED_DIALECTS) {
    const column = layouts.get(name)!;
    const names = name === 'iso87ascii' ? { ...column.names, ...ISO87_NAMES } : column.names;
    const shipped = dialect(name).toJSON();
    const generated = dialectFromJpos({ name, description: shipped.description!, cells: column.cells, names });
    t.equal(JSON.stringify(generated), JSON.stringify(shipped), name);
  }
});

t.test('the module-level pack and unpack use iso93ascii unless told otherwise', async (t) => {
  const m = { 0: '1804', 11: '000001', 24: '831' };
  t.same(pack(m), dialect('iso93ascii').pack(m));
  t.same(unpack(pack(m)), m);
  t.same(unpack(pack(m, 'iso93binary'), 'iso93binary'), m);
});

t.test('the jPOS mapping reads the packager classes as DIALECTS.md defines them', async (t) => {
  t.match(fieldFromJpos('IFA_LLNUM/19', 2, 'PAN'), {
    kind: 'numeric',
    length: 19,
    prefix: 'LL',
    prefixEncoding: 'ascii',
    encoding: 'ascii',
    mask: 'pan',
  });
  t.match(fieldFromJpos('IFB_NUMERIC/3', 24, 'f'), {
    kind: 'numeric',
    prefix: 'fixed',
    encoding: 'bcd',
    nibblePad: 'right',
    padding: { side: 'left', char: '0' },
  });
  t.match(fieldFromJpos('IFA_BINARY/8', 52, 'PIN'), { kind: 'binary', encoding: 'hex', length: 8, mask: 'hide' });
  t.match(fieldFromJpos('IFB_LLLCHAR/999', 48, 'f'), {
    kind: 'ans',
    prefix: 'LLL',
    prefixEncoding: 'bcd',
    encoding: 'ascii',
  });
  t.match(fieldFromJpos('IFA_LLNUM/37', 35, 'Track 2'), { kind: 'track', mask: 'track' }, 'track 2 accepts separators');
  t.throws(() => fieldFromJpos('IFX_NOPE/3', 5, 'f'), { name: 'Iso8583Error' });
});

t.test('a dialect saves to JSON and loads back unchanged, packing the same bytes', async (t) => {
  const r = rng(7);
  for (const name of SHIPPED_DIALECTS) {
    const d = dialect(name);
    const copy = loadDialect(saveDialect(d));
    t.same(copy.toJSON(), d.toJSON(), `${name} spec`);
    const m = randomMessage(d, r);
    t.same(copy.pack(m), d.pack(m), `${name} bytes`);
  }
  t.ok(
    loadDialect(JSON.parse(saveDialect(dialect('iso87ascii')))) instanceof Dialect,
    'loads from a parsed object too',
  );
});

t.test('unknown dialect names are refused with the list of shipped ones', async (t) => {
  t.throws(() => dialect('iso2003xml'), {
    message: /unknown dialect "iso2003xml" \(shipped: iso93ascii, iso87ascii, iso93binary\)/,
  });
});

t.test('invalid specs are refused at load time, naming the field', async (t) => {
  const base = dialect('iso93ascii').toJSON();
  const withField = (n: number, patch: object): object => ({
    ...base,
    fields: { ...base.fields, [n]: { ...base.fields[String(n)]!, ...patch } },
  });
  const cases: [object, RegExp][] = [
    [withField(4, { kind: 'decimal' }), /^field 4: spec: kind must be one of/],
    [withField(4, { length: 0 }), /^field 4: spec: length must be a positive integer/],
    [withField(4, { encoding: 'hex' }), /^field 4: spec: the binary kind goes with binary or hex/],
    [withField(43, { encoding: 'bcd' }), /^field 43: spec: bcd encoding is for numeric and amount/],
    [withField(2, { length: 120 }), /^field 2: spec: length 120 does not fit a LL prefix/],
    [withField(2, { padding: { side: 'left', char: '0' } }), /^field 2: spec: padding is for fixed fields/],
    [withField(4, { padding: { side: 'left', char: 'x' } }), /^field 4: spec: padding.char is not valid for the kind/],
    [withField(4, { padding: { side: 'up', char: '0' } }), /^field 4: spec: padding.side must be left or right/],
    [withField(4, { padding: { side: 'left', char: '00' } }), /^field 4: spec: padding.char must be one character/],
    [
      withField(52, { padding: { side: 'left', char: '0' } }),
      /^field 52: spec: padding is for fixed fields|binary fields are not padded/,
    ],
    [withField(97, { padding: { side: 'right', char: '0' } }), /^field 97: spec: an amount is padded on the left/],
    [withField(97, { length: 1 }), /^field 97: spec: an amount needs a sign/],
    [withField(4, { nibblePad: 'middle' }), /^field 4: spec: nibblePad must be left or right/],
    [withField(4, { mask: 'blur' }), /^field 4: spec: mask must be pan, track, hide, subElements or icc/],
    [withField(4, { prefix: 'LLLLL' }), /^field 4: spec: prefix must be one of/],
    [withField(4, { prefixEncoding: 'ebcdic' }), /^field 4: spec: prefixEncoding must be/],
    [withField(4, { name: 4 }), /^field 4: spec: name must be a string/],
    [{ ...base, fields: { ...base.fields, 129: base.fields['2'] } }, /field key "129" is not a field number/],
    [{ ...base, fields: { ...base.fields, 7: 'n10' } }, /^field 7: spec: expected an object/],
    [{ ...base, mti: { encoding: 'ebcdic' } }, /mti.encoding must be ascii or bcd/],
    [{ ...base, bitmap: {} }, /bitmap.encoding must be hex or binary/],
    [{ ...base, name: '' }, /name must be a non-empty string/],
    [{ ...base, fields: [] }, /fields must be an object/],
    [[], /dialect: expected an object/],
  ];
  for (const [spec, message] of cases) t.throws(() => loadDialect(spec), { name: 'Iso8583Error', message });
});
