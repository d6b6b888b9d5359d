/**
 * Conversion to DKK (src/currency/conversion.ts): the rate kept exactly, the rounding rule, the
 * refusals; and the Lua that converts partial completions and reversals (src/card/scripts/convert.lua)
 * gives the same øre as the TypeScript for every amount a posting can hold.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { MAX_AMOUNT, RATE_SCALE, convert, rateOf, toDkk } from '../../src/currency/conversion.js';
import { testRedis } from '../support/redis.js';
import { randomInt } from 'node:crypto';

const CONFIG = {
  '978': { code: 'EUR', exponent: 2, rate: '7.46' },
  '392': { code: 'JPY', exponent: 0, rate: '0.045' },
  '048': { code: 'BHD', exponent: 3, rate: '18.234567' },
};

t.test('a rate is kept as millionths of a DKK, with no float in between', async (t) => {
  t.equal(rateOf('7.4603'), 7_460_300);
  t.equal(rateOf('0.045'), 45_000);
  t.equal(rateOf('1'), RATE_SCALE);
  t.equal(rateOf('9999.999999'), 9_999_999_999);
  t.equal(rateOf('0.000001'), 1);
});

t.test('minor units to øre, rounded half up', async (t) => {
  t.equal(toDkk(1676, 7_460_000, 2), 12_503, '€16.76 at 7.46: 125.0296 DKK');
  t.equal(toDkk(1000, 45_000, 0), 4500, '¥1000 at 0.045: 45.00 DKK');
  t.equal(toDkk(1, 500_000, 2), 1, '€0.01 at 0.50: half an øre rounds up');
  t.equal(toDkk(1, 499_999, 2), 0, 'just under half an øre rounds down');
  t.equal(toDkk(1234, 18_234_567, 3), 2250, 'BHD 1.234 at 18.234567: 22.501454 DKK');
  t.equal(toDkk(999_999_999_999, RATE_SCALE, 2), 999_999_999_999, 'DKK at rate 1 is itself');
  // Beyond 2^53 in between: 10^12 × 10^10.
  t.equal(toDkk(999_999_999_999, 9_999_999_999, 3), 999_999_999_899_000);
});

t.test('convert: DKK as it is, a configured currency converted, others refused', async (t) => {
  t.same(convert(12_500, '208', CONFIG), {
    amount: 12_500,
    originalAmount: 12_500,
    originalCurrency: '208',
    rate: RATE_SCALE,
    originalExponent: 2,
  });
  t.same(convert(1676, '978', CONFIG), {
    amount: 12_503,
    originalAmount: 1676,
    originalCurrency: '978',
    rate: 7_460_000,
    originalExponent: 2,
  });
  t.equal(convert(100, '840', CONFIG), 'currencyNotAccepted');
  t.equal(convert(100, 'EUR', CONFIG), 'currencyNotAccepted', 'a letter code is no numeric code');
  t.equal(convert(100, 'toString', CONFIG), 'currencyNotAccepted', 'no inherited property passes');
  t.equal(convert(999_999_999_999, '048', CONFIG), 'amountTooLarge', 'the DKK amount would not fit 12 digits');
  t.type(convert(MAX_AMOUNT, '208', CONFIG), 'object');
});

t.test('the Lua conversion gives the same øre as the TypeScript', async (t) => {
  const { redis } = await testRedis(t);
  const lua =
    readFileSync(new URL('../../src/card/scripts/convert.lua', import.meta.url), 'utf8') +
    "\nlocal out = {}\nfor i = 1, #ARGV, 3 do out[#out + 1] = string.format('%.0f', toDkk(tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))) end\nreturn out";
  const cases: [number, number, number][] = [
    [1, 500_000, 2],
    [1, 499_999, 2],
    [999_999_999_999, RATE_SCALE, 2],
    [999_999, 999_999, 2],
    [1_000_000, 1_000_000, 3],
    [123_456_789_012, 7_460_300, 2],
    [99_999_999_999, 9_999_999_999, 3],
  ];
  // Random amounts and rates whose DKK amount fits a posting (what completions and reversals convert).
  while (cases.length < 3000) {
    const exponent = [0, 2, 3][randomInt(0, 3)]!;
    const amount = randomInt(1, 2 ** 40) % 10 ** randomInt(1, 13) || 1;
    const rate = randomInt(1, 2 ** 40) % 10 ** randomInt(1, 11) || 1;
    if (toDkk(amount, rate, exponent) <= MAX_AMOUNT) cases.push([amount, rate, exponent]);
  }
  const got = (await redis.eval(lua, 0, ...cases.flat().map(String))) as string[];
  const want = cases.map(([a, r, e]) => String(toDkk(a, r, e)));
  const differing = cases.filter((_, i) => got[i] !== want[i]);
  t.same(differing, [], `${cases.length} conversions agree`);
});
