import type { ConnectionLimits, SwitchConfig } from './types.js';

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 20_000,
  maxInFlight: 64,
  idleTimeoutMs: 300_000,
  // A terminal writes a frame in one go; 10 s covers a slow GPRS link many times over.
  frameTimeoutMs: 10_000,
  // Time to send a sign-on, a request or a keep-alive after connecting.
  firstFrameTimeoutMs: 30_000,
  tcpKeepAliveMs: 60_000,
};

export const DEFAULT_CONFIG: SwitchConfig = {
  listeners: [
    {
      name: 'iso93',
      host: '0.0.0.0',
      port: 8583,
      dialect: 'iso93ascii',
      framing: { header: 'binary2', tpdu: false, maxFrameSize: 8192 },
      connections: DEFAULT_CONNECTION_LIMITS,
      mac: 'off',
      pinBlock: 'fixed8',
    },
  ],
  // No tokens: the issuer and block-service API is closed until tokens are configured.
  admin: { host: '0.0.0.0', port: 8080, tokens: {} },
  redis: { keyPrefix: 'sw:', commandTimeoutMs: 1000 },
  shutdownTimeoutMs: 10_000,
  processes: 1,
  trace: { perTerminal: 50 },
  log: { level: 'info' },
  register: {
    // "test-register-secret-do-not-use": documented in config/README.md; replace it outside tests.
    secret: Buffer.from('test-register-secret-do-not-use').toString('hex'),
    reservationLapseDays: 14,
    // No product with a reservation lifetime of its own: every card's reservations lapse after 14 days.
    products: {},
    // Published test keys (pyemv's test vectors; docs/SECURITY.md §6): the test cards' products.
    // Replace them outside tests: with them anyone can make a cryptogram the switch accepts.
    issuerMasterKeys: {
      // smi: the issuer scripts' MAC keys (docs/SECURITY.md §2), pyemv's published IMK-SMI test keys.
      dankort: { ac: '0123456789ABCDEFFEDCBA9876543210', smi: 'FEDCBA98765432100123456789ABCDEF' },
      'visa-dankort': { ac: '89ABCDEF0123456776543210FEDCBA98', smi: 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' },
    },
    // PSD2's strong customer authentication: an internet purchase needs 3-D Secure or MitID (004 §5.1).
    internetAuthentication: 'required',
    timeZone: 'Europe/Copenhagen',
    // "test-data-key-do-not-use-outside" padded: documented in config/README.md; replace it outside tests.
    dataKey: Buffer.from('test-data-key-do-not-use-outside'.padEnd(32, '!')).toString('hex'),
    transactionRetentionDays: 35,
    contactless: { limit: 35_000, maxCount: 5, maxSum: 112_500 },
    // 500.00 DKK: a car at the bridges, a day's parking (004 §5.2 names no amount).
    unattendedLimit: 50_000,
    // Cash at ATMs (docs/SCHEME.md, Channels; the price list itself is not in the sources): 5,000 kr
    // a withdrawal and 10,000 kr a day; free at the issuer's own ATMs, 5 kr at another bank's,
    // 2 % and at least 35 kr abroad.
    cash: {
      perWithdrawal: 500_000,
      perDay: 1_000_000,
      fees: {
        own: { fixed: 0, perMille: 0, minimum: 0 },
        other: { fixed: 500, perMille: 0, minimum: 0 },
        abroad: { fixed: 0, perMille: 20, minimum: 3_500 },
      },
    },
  },
  // No issuer settings: block receipts use the built-in SMS text (src/admin/sms.ts).
  issuers: {},
  // Example rates (DKK per unit), documented in config/README.md: set the day's rates outside tests.
  currencies: {
    '978': { code: 'EUR', exponent: 2, rate: '7.46' },
    '752': { code: 'SEK', exponent: 2, rate: '0.65' },
    '578': { code: 'NOK', exponent: 2, rate: '0.64' },
  },
  clearing: {
    enabled: true,
    // Ten deliveries a day (docs/SCHEME.md, 001 §9): every two hours through the trading day, the last at day's end.
    cutoffs: ['06:00', '08:00', '10:00', '12:00', '14:00', '16:00', '18:00', '20:00', '22:00', '23:59'],
    directory: 'data/clearing',
    queuePrefix: 'sw-bull',
    blockList: { time: '23:59', directory: 'data/block-list' },
  },
  terminals: {},
  monitoring: { enabled: true },
  disputes: {
    // The simulator's choice (docs/DISPUTES.md, "Payment guarantee"): the seed's appendix is missing.
    guarantees: {
      chipPin: 150_000,
      magstripePin: 75_000,
      signature: 75_000,
      contactless: 35_000,
      noVerification: 0,
      remote: 0,
    },
  },
};
