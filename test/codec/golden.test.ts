/**
 * Golden vectors: whole messages whose expected bytes are written out by hand, field by field,
 * from the layouts in DIALECTS.md / dialects.tsv (the jPOS packagers iso93ascii, iso87ascii,
 * iso93binary). Nothing here computes bytes with the codec: each part below is a literal.
 *
 * Bitmap bit values, for reading the bitmap comments: within each bitmap byte the lowest-numbered
 * field is the top bit, i.e. fields 8k+1 .. 8k+8 are 0x80 0x40 0x20 0x10 0x08 0x04 0x02 0x01.
 */
import t, { type Test } from 'tap';
import { dialect, type IsoMessage } from '../../src/codec/index.js';

type Part = string | number[];

/** ASCII text parts (latin1) and literal byte arrays, concatenated in order. */
function wire(...parts: Part[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}

/** Packs to exactly `expected`, and `expected` unpacks to exactly `message` (its wire form). */
function golden(t: Test, dialectName: string, message: IsoMessage, expected: Buffer): void {
  const d = dialect(dialectName);
  t.equal(d.pack(message).toString('hex'), expected.toString('hex'), 'pack gives the hand-written bytes');
  t.same(d.unpack(expected), message, 'unpack of the hand-written bytes gives the message');
}

// The PIN block used by several vectors: 8 bytes.
const PIN = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];

t.test('iso93ascii', async (t) => {
  t.test('1200 purchase request', async (t) => {
    const message: IsoMessage = {
      0: '1200',
      2: '5019123456789012',
      3: '000000',
      4: '000000012500',
      7: '0612143015',
      11: '123456',
      12: '250612143015',
      14: '2712',
      22: '510101511344',
      24: '200',
      26: '5411',
      32: '123456',
      35: '5019123456789012=2712101123456',
      37: '516312000001',
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '208',
      52: Buffer.from(PIN),
    };
    const expected = wire(
      '1200', // 0 MTI: 4 ASCII digits
      // 1 bitmap, primary only (no field > 64), 16 uppercase hex chars:
      //   byte 1 fields 1-8:   2 (0x40) 3 (0x20) 4 (0x10) 7 (0x02)  = 0x72
      //   byte 2 fields 9-16:  11 (0x20) 12 (0x10) 14 (0x04)        = 0x34
      //   byte 3 fields 17-24: 22 (0x04) 24 (0x01)                  = 0x05
      //   byte 4 fields 25-32: 26 (0x40) 32 (0x01)                  = 0x41
      //   byte 5 fields 33-40: 35 (0x20) 37 (0x08)                  = 0x28
      //   byte 6 fields 41-48: 41 (0x80) 42 (0x40)                  = 0xC0
      //   byte 7 fields 49-56: 49 (0x80) 52 (0x10)                  = 0x90
      //   byte 8 fields 57-64: none                                 = 0x00
      '7234054128C09000',
      '16',
      '5019123456789012', // 2 PAN: IFA_LLNUM/19, length 16 then the digits
      '000000', // 3 processing code: IFA_NUMERIC/6
      '000000012500', // 4 amount: IFA_NUMERIC/12
      '0612143015', // 7 transmission date-time MMDDhhmmss: IFA_NUMERIC/10
      '123456', // 11 STAN: IFA_NUMERIC/6
      '250612143015', // 12 local date-time YYMMDDhhmmss: IFA_NUMERIC/12 (12 digits in 93)
      '2712', // 14 expiry YYMM: IFA_NUMERIC/4
      '510101511344', // 22 POS data code: IF_CHAR/12
      '200', // 24 function code: IFA_NUMERIC/3
      '5411', // 26 card acceptor business code: IFA_NUMERIC/4
      '06',
      '123456', // 32 acquirer id: IFA_LLNUM/11, length 6 then the digits
      '30',
      '5019123456789012=2712101123456', // 35 track 2: IFA_LLCHAR/37, 16+1+4+3+6 = 30 chars
      '516312000001', // 37 RRN: IF_CHAR/12
      'TERM0001', // 41 terminal id: IF_CHAR/8
      'MERCHANT0000001', // 42 card acceptor id: IF_CHAR/15
      '208', // 49 currency: IF_CHAR/3
      '123456789ABCDEF0', // 52 PIN block: IFA_BINARY/8, 8 bytes as 16 uppercase hex chars
    );
    golden(t, 'iso93ascii', message, expected);
  });

  t.test('1804 network management (echo) with a secondary bitmap', async (t) => {
    const message: IsoMessage = {
      0: '1804',
      7: '0612143015',
      11: '000042',
      24: '831',
      93: '12345',
      100: '99887766',
    };
    const expected = wire(
      '1804', // 0 MTI
      // 1 bitmap, primary + secondary (fields 93 and 100 are > 64), 32 uppercase hex chars:
      //   byte 1 fields 1-8:     1 (0x80, secondary present) 7 (0x02) = 0x82
      //   byte 2 fields 9-16:    11 (0x20)                            = 0x20
      //   byte 3 fields 17-24:   24 (0x01)                            = 0x01
      //   bytes 4-8:             none                                 = 00 00 00 00 00
      //   bytes 9-11 (65-88):    none                                 = 00 00 00
      //   byte 12 fields 89-96:  93 (0x08)                            = 0x08
      //   byte 13 fields 97-104: 100 (0x10)                           = 0x10
      //   bytes 14-16:           none                                 = 00 00 00
      //   primary 82 20 01 00 00 00 00 00, secondary 00 00 00 08 10 00 00 00
      '8220010000000000',
      '0000000810000000',
      '0612143015', // 7 transmission date-time: IFA_NUMERIC/10
      '000042', // 11 STAN: IFA_NUMERIC/6
      '831', // 24 function code (echo test): IFA_NUMERIC/3
      '05',
      '12345', // 93 transaction destination institution id: IFA_LLNUM/11, length 5
      '08',
      '99887766', // 100 receiving institution id: IFA_LLNUM/11, length 8
    );
    golden(t, 'iso93ascii', message, expected);
  });
});

t.test('iso87ascii', async (t) => {
  t.test('0200 financial request', async (t) => {
    const message: IsoMessage = {
      0: '0200',
      2: '4571123456789019',
      3: '000000',
      4: '000000012500',
      7: '0612143015',
      11: '000001',
      12: '143015',
      13: '0612',
      22: '051',
      25: '00',
      28: 'D00000150',
      35: '4571123456789019=2712101123456',
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '208',
      52: Buffer.from(PIN),
    };
    const expected = wire(
      '0200', // 0 MTI
      // 1 bitmap, primary only:
      //   byte 1 fields 1-8:   2 (0x40) 3 (0x20) 4 (0x10) 7 (0x02)  = 0x72
      //   byte 2 fields 9-16:  11 (0x20) 12 (0x10) 13 (0x08)        = 0x38
      //   byte 3 fields 17-24: 22 (0x04)                            = 0x04
      //   byte 4 fields 25-32: 25 (0x80) 28 (0x10)                  = 0x90
      //   byte 5 fields 33-40: 35 (0x20)                            = 0x20
      //   byte 6 fields 41-48: 41 (0x80) 42 (0x40)                  = 0xC0
      //   byte 7 fields 49-56: 49 (0x80) 52 (0x10)                  = 0x90
      //   byte 8 fields 57-64: none                                 = 0x00
      '7238049020C09000',
      '16',
      '4571123456789019', // 2 PAN: IFA_LLNUM/19, length 16
      '000000', // 3 processing code: IFA_NUMERIC/6
      '000000012500', // 4 amount: IFA_NUMERIC/12
      '0612143015', // 7 transmission date-time: IFA_NUMERIC/10
      '000001', // 11 STAN: IFA_NUMERIC/6
      '143015', // 12 local time hhmmss: IFA_NUMERIC/6 (only 6 digits in 87)
      '0612', // 13 local date MMDD: IFA_NUMERIC/4
      '051', // 22 POS entry mode: IFA_NUMERIC/3
      '00', // 25 POS condition code: IFA_NUMERIC/2
      'D00000150', // 28 transaction fee: IFA_AMOUNT/9, 'D' then 8 digits
      '30',
      '4571123456789019=2712101123456', // 35 track 2: IFA_LLNUM/37 framing, 30 chars incl. '='
      'TERM0001', // 41 terminal id: IF_CHAR/8
      'MERCHANT0000001', // 42 card acceptor id: IF_CHAR/15
      '208', // 49 currency: IF_CHAR/3
      '123456789ABCDEF0', // 52 PIN block: IFA_BINARY/8 as 16 uppercase hex chars
    );
    golden(t, 'iso87ascii', message, expected);
  });

  t.test('0800 sign-on with a secondary bitmap', async (t) => {
    const message: IsoMessage = { 0: '0800', 7: '0612143015', 11: '000007', 70: '301' };
    const expected = wire(
      '0800', // 0 MTI
      // 1 bitmap, primary + secondary (field 70 > 64), 32 hex chars:
      //   byte 1 fields 1-8:   1 (0x80, secondary present) 7 (0x02) = 0x82
      //   byte 2 fields 9-16:  11 (0x20)                            = 0x20
      //   bytes 3-8:           none
      //   byte 9 fields 65-72: 70 (0x04)                            = 0x04
      //   bytes 10-16:         none
      '8220000000000000',
      '0400000000000000',
      '0612143015', // 7 transmission date-time: IFA_NUMERIC/10
      '000007', // 11 STAN: IFA_NUMERIC/6
      '301', // 70 network management information code: IFA_NUMERIC/3
    );
    golden(t, 'iso87ascii', message, expected);
  });
});

t.test('iso93binary', async (t) => {
  t.test('1100 authorization request with odd PAN, BCD fields and a secondary bitmap', async (t) => {
    const icc = [
      0x9f,
      0x02,
      0x06,
      0x00,
      0x00,
      0x00,
      0x01,
      0x25,
      0x00, // 9F02 amount authorised
      0x5f,
      0x2a,
      0x02,
      0x02,
      0x08, // 5F2A transaction currency code
      0x95,
      0x05,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // 95 TVR
    ]; // 9 + 5 + 7 = 21 bytes
    const message: IsoMessage = {
      0: '1100',
      2: '6271234567890123456',
      3: '000000',
      4: '000000012500',
      11: '123456',
      14: '2712',
      22: '510101511344',
      24: '100',
      35: '6271234567890123456=2712101',
      41: 'TERM0001',
      49: '208',
      52: Buffer.from(PIN),
      55: Buffer.from(icc),
      97: 'C0000000000012500',
    };
    const expected = wire(
      [0x11, 0x00], // 0 MTI: IFB_NUMERIC/4, 2 bytes BCD
      // 1 bitmap: IFB_BITMAP, 16 raw bytes (field 97 > 64):
      //   byte 1 fields 1-8:     1 (0x80) 2 (0x40) 3 (0x20) 4 (0x10)  = 0xF0
      //   byte 2 fields 9-16:    11 (0x20) 14 (0x04)                  = 0x24
      //   byte 3 fields 17-24:   22 (0x04) 24 (0x01)                  = 0x05
      //   byte 4 fields 25-32:   none                                 = 0x00
      //   byte 5 fields 33-40:   35 (0x20)                            = 0x20
      //   byte 6 fields 41-48:   41 (0x80)                            = 0x80
      //   byte 7 fields 49-56:   49 (0x80) 52 (0x10) 55 (0x02)        = 0x92
      //   byte 8 fields 57-64:   none                                 = 0x00
      //   bytes 9-12 (65-96):    none
      //   byte 13 fields 97-104: 97 (0x80)                            = 0x80
      //   bytes 14-16:           none
      [0xf0, 0x24, 0x05, 0x00, 0x20, 0x80, 0x92, 0x00],
      [0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00],
      // 2 PAN: IFB_LLNUM/19, 1 byte BCD count 19, then 19 digits in 10 bytes, 0 filler nibble on the right
      [0x19],
      [0x62, 0x71, 0x23, 0x45, 0x67, 0x89, 0x01, 0x23, 0x45, 0x60],
      [0x00, 0x00, 0x00], // 3 processing code: IFB_NUMERIC/6, 3 bytes
      [0x00, 0x00, 0x00, 0x01, 0x25, 0x00], // 4 amount: IFB_NUMERIC/12, 6 bytes
      [0x12, 0x34, 0x56], // 11 STAN: IFB_NUMERIC/6
      [0x27, 0x12], // 14 expiry: IFB_NUMERIC/4
      '510101511344', // 22 POS data code: IF_CHAR/12, ASCII
      [0x10, 0x00], // 24 function code '100': IFB_NUMERIC/3, odd -> 2 bytes, filler nibble on the right
      // 35 track 2: IFB_LLCHAR/37, 1 byte BCD length 27 (19+1+4+3), then ASCII
      [0x27],
      '6271234567890123456=2712101',
      'TERM0001', // 41 terminal id: IF_CHAR/8
      '208', // 49 currency: IF_CHAR/3
      PIN, // 52 PIN block: IFB_BINARY/8, 8 raw bytes
      [0x00, 0x21],
      icc, // 55 ICC data: IFB_LLLBINARY/255, 2 bytes BCD count 021, then the 21 bytes
      // 97 net reconciliation amount: IFB_AMOUNT/17, 'C' as ASCII then 16 digits BCD in 8 bytes
      'C',
      [0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x25, 0x00],
    );
    golden(t, 'iso93binary', message, expected);
  });

  t.test('1100 with a 15-digit PAN, odd LLNUM and a 3-digit LLL length', async (t) => {
    const icc = Array.from({ length: 123 }, () => 0x5a); // 123 bytes of 0x5A
    const message: IsoMessage = {
      0: '1100',
      2: '377012345678901',
      3: '003000',
      4: '000000099999',
      7: '0612143015',
      11: '000001',
      32: '1234567',
      55: Buffer.from(icc),
    };
    const expected = wire(
      [0x11, 0x00], // 0 MTI BCD
      // 1 bitmap, 8 raw bytes (no field > 64):
      //   byte 1 fields 1-8:   2 (0x40) 3 (0x20) 4 (0x10) 7 (0x02) = 0x72
      //   byte 2 fields 9-16:  11 (0x20)                           = 0x20
      //   byte 3 fields 17-24: none                                = 0x00
      //   byte 4 fields 25-32: 32 (0x01)                           = 0x01
      //   bytes 5-6:           none
      //   byte 7 fields 49-56: 55 (0x02)                           = 0x02
      //   byte 8:              none
      [0x72, 0x20, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00],
      // 2 PAN: IFB_LLNUM/19, count 15 (0x15), 15 digits in 8 bytes, last byte '1' + filler 0
      [0x15],
      [0x37, 0x70, 0x12, 0x34, 0x56, 0x78, 0x90, 0x10],
      [0x00, 0x30, 0x00], // 3 processing code '003000': IFB_NUMERIC/6
      [0x00, 0x00, 0x00, 0x09, 0x99, 0x99], // 4 amount: IFB_NUMERIC/12
      [0x06, 0x12, 0x14, 0x30, 0x15], // 7 transmission date-time: IFB_NUMERIC/10, 5 bytes
      [0x00, 0x00, 0x01], // 11 STAN: IFB_NUMERIC/6
      [0x07],
      [0x12, 0x34, 0x56, 0x70], // 32 acquirer id: IFB_LLNUM/11, count 7, 4 bytes, filler on the right
      [0x01, 0x23],
      icc, // 55 ICC data: IFB_LLLBINARY/255, 2 bytes BCD count 0123, then 123 bytes
    );
    golden(t, 'iso93binary', message, expected);
  });

  t.test('1804 network management with a secondary bitmap', async (t) => {
    const message: IsoMessage = {
      0: '1804',
      7: '0612143015',
      11: '000042',
      24: '831',
      93: '12345',
      100: '1234567890',
    };
    const expected = wire(
      [0x18, 0x04], // 0 MTI BCD
      // 1 bitmap, 16 raw bytes:
      //   byte 1: 1 (0x80) 7 (0x02) = 0x82; byte 2: 11 (0x20); byte 3: 24 (0x01)
      //   byte 12 fields 89-96: 93 (0x08); byte 13 fields 97-104: 100 (0x10)
      [0x82, 0x20, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
      [0x00, 0x00, 0x00, 0x08, 0x10, 0x00, 0x00, 0x00],
      [0x06, 0x12, 0x14, 0x30, 0x15], // 7 transmission date-time: IFB_NUMERIC/10
      [0x00, 0x00, 0x42], // 11 STAN: IFB_NUMERIC/6
      [0x83, 0x10], // 24 function code '831': IFB_NUMERIC/3, filler nibble on the right
      [0x05],
      [0x12, 0x34, 0x50], // 93: IFB_LLNUM/11, count 5, 3 bytes, filler on the right
      [0x10],
      [0x12, 0x34, 0x56, 0x78, 0x90], // 100: IFB_LLNUM/11, count 10 (BCD 0x10), 5 bytes
    );
    golden(t, 'iso93binary', message, expected);
  });
});

t.test('short values in fixed fields are padded on pack', async (t) => {
  t.test('iso93ascii', async (t) => {
    const short: IsoMessage = { 0: '1200', 3: '0', 4: '12500', 41: 'T1', 42: 'SHOP' };
    const wireForm: IsoMessage = { 0: '1200', 3: '000000', 4: '000000012500', 41: 'T1      ', 42: 'SHOP           ' };
    const expected = wire(
      '1200', // 0 MTI
      // 1 bitmap: byte 1: 3 (0x20) 4 (0x10) = 0x30; byte 6: 41 (0x80) 42 (0x40) = 0xC0
      '3000000000C00000',
      '000000', // 3 '0' left-padded with '0' to 6 digits
      '000000012500', // 4 '12500' left-padded with '0' to 12 digits
      'T1      ', // 41 'T1' right-padded with 6 spaces to 8 chars
      'SHOP           ', // 42 'SHOP' right-padded with 11 spaces to 15 chars
    );
    const d = dialect('iso93ascii');
    t.equal(d.pack(short).toString('hex'), expected.toString('hex'), 'short values pack padded');
    golden(t, 'iso93ascii', wireForm, expected);
  });

  t.test('iso93binary', async (t) => {
    const short: IsoMessage = { 0: '1100', 4: '12500', 24: '1', 41: 'T1' };
    const wireForm: IsoMessage = { 0: '1100', 4: '000000012500', 24: '001', 41: 'T1      ' };
    const expected = wire(
      [0x11, 0x00], // 0 MTI BCD
      // 1 bitmap: byte 1: 4 (0x10); byte 3: 24 (0x01); byte 6: 41 (0x80)
      [0x10, 0x00, 0x01, 0x00, 0x00, 0x80, 0x00, 0x00],
      [0x00, 0x00, 0x00, 0x01, 0x25, 0x00], // 4 '12500' -> '000000012500' -> 6 bytes BCD
      [0x00, 0x10], // 24 '1' -> '001' -> BCD with filler nibble on the right
      'T1      ', // 41 'T1' right-padded with spaces to 8
    );
    const d = dialect('iso93binary');
    t.equal(d.pack(short).toString('hex'), expected.toString('hex'), 'short values pack padded');
    golden(t, 'iso93binary', wireForm, expected);
  });
});
