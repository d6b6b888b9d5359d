/**
 * `npm run terminal`: one operation of an emulated terminal against a running switch, each
 * exchange printed (card data masked, PIN block hidden) with the outcome.
 *
 *   npm run terminal -- purchase --type chip --card 5019000000000008 --amount 125.00 --pin 1234
 *   npm run terminal -- fuel --type fuel --card 5019000000000008 --pin 1234 --max 500.00 --pumped 312.50
 *   npm run terminal -- purchase --type ticket --card 5019000000000008 --amount 45.00
 *   npm run terminal -- remote --type gateway --card 5019000000000008 --amount 99.00 --expiry 3012 --cvc 234 --auth threeDs
 *   npm run terminal -- withdraw --type atm --card 5019000000000008 --pin 1234 --amount 500.00 --dispensed 300.00
 *   npm run terminal -- echo --type chip
 *
 * Exit codes: 0 approved (accepted), 1 declined (or cancelled at the till), 2 usage error,
 * 3 no answer (or the switch could not be reached).
 */
import { parseArgs } from 'node:util';
import type { Clock } from '../src/time/clock.js';
import { LENGTH_HEADERS, type LengthHeader } from '../src/transport/framing.js';
import { ConnectError } from './link.js';
import { HOLDER_AUTHENTICATIONS, type HolderAuthentication, REMOTE_CHANNELS, type RemoteChannel } from './gateway.js';
import { OFFLINE_OPTIONS, checkOffline, runOffline } from './offline-cli.js';
import { TLS_PORT, tlsOf } from './tls-cli.js';
import { describeExchange, meaningOf } from './describe.js';
import { SECURITY_OPTIONS, SECURITY_USAGE, securityOptions } from './security-cli.js';
import { lastAtc, setNextAtc } from './chip.js';
import {
  type Exchange,
  type Outcome,
  TERMINAL_KINDS,
  Terminal,
  TerminalError,
  type TerminalKind,
  type TerminalOptions,
} from './terminal.js';

export const USAGE = `Usage: npm run terminal -- <command> --type <kind> [options]

Commands and what they need:
  purchase   --card PAN --amount 125.00 [--pin 1234] [--magstripe] [--reject-signature] [--expiry YYMM]
             [--last-completed STAN]
  refund     --card PAN --amount 125.00 [--pin 1234] [--expiry YYMM] [--last-completed STAN]
  fuel       --card PAN --pin 1234 --max 500.00 --pumped 312.50      (--type fuel)
  withdraw   --card PAN --pin 1234 --amount 500.00 [--dispensed 300.00] [--currency 978] [--country 276]
                                                                     (--type atm)
  remote     --card PAN --amount 125.00 [--channel internet] [--expiry YYMM] [--cvc 123]
             [--auth threeDs|mitId|attempted|notAuthenticated] [--start-series | --series ID]
             [--dual [--capture 100.00]]                             (--type gateway)
             purchase and fuel of a fuel pump or ticket machine, offline mode:
             --floor-limit 300.00 [--block-list URL --token TOKEN [--fetcher ID]]
  sign-on
  echo

Kinds (--type): ${TERMINAL_KINDS.join(', ')}
A ticket machine (--type ticket) sells with purchase: a 1200 from the chip, no PIN, no refunds.

Options:
  --host 127.0.0.1         the switch
  --port 8583              its listener (default 8587 with --dialect iso87ascii, 8543 with --tls)
  --dialect iso93ascii     iso93ascii, iso87ascii or iso93binary
  --header binary2         binary2, ascii4 or bcd2 (default ascii4 with iso87ascii)
  --terminal TERM0001      terminal id (field 41); ATM00001 with --type atm
  --merchant MERCHANT0001  card acceptor id (field 42)
  --timeout 5000           ms to wait for each answer
  --stan N                 STAN of the first request (default random)
  --key HEX                the terminal's triple DES PIN key, 32 or 48 hex digits (default the test key)
  --tls                    TLS to a TLS listener (docs/SECURITY.md §5)
  --ca FILE                the CA (PEM) the switch's certificate is checked with (default, when it
                           is there, the sandbox's test CA data/sandbox/tls/ca.crt; else the system's)
  --cert FILE --cert-key FILE   the terminal's client certificate and key (PEM); its CN must be --terminal
  --atc N                  purchase, refund, fuel, withdraw: the chip's ATC (1-65535; default 1 in each run)
  --help                   this text

${SECURITY_USAGE}
--floor-limit: up to it the terminal decides by itself (offline), after fetching the offline block
list from the admin API at --block-list with an offlineTerminals token (fetcher id default
terminal-cli: its first fetch is the full list); the advice of an offline approval is uploaded
before the command ends. Exit codes as below; 3 also when the switch did not answer the advice.

--last-completed (dkt1, dkt1plus, oem): field 48, the STAN of the last approved transaction this
terminal completed; default 000000 (none since start), on which the switch reverses the terminal
id's last approval. The CLI prints the value for the next run.

remote (gateway): a web shop's internet purchase (--channel mailOrder or phoneOrder for mail and
telephone orders) with the card number, --expiry (field 14) and --cvc (field 48 sub-element 02),
and on the internet the holder's 3-D Secure or MitID result (--auth; none sent without it).
--start-series makes it the first payment of a subscription: the CLI prints the series the switch
named; --series ID is the merchant's later payment of that series (no CVC, no expiry). --dual
sends an 1100 and its 1220 capture (--capture, default the whole amount) instead of a 1200.

withdraw (--type atm): the cash dispenser pays out --dispensed (default all of it); 0 is a
dispense fault (the ATM reverses the whole withdrawal at once), less than --amount a partial
dispense (it reverses the rest). --currency (ISO 4217 numeric, two decimals) and --country
(field 19, ISO 3166 numeric) make it a withdrawal abroad. config/terminal-keys.example.json
makes ATM00001 an ATM of bank-a, ATM00002 one of bank-b.

--atc: a test card's chip (docs/TEST-CARDS.md, "Chip data") sends field 55 with a real cryptogram;
the switch refuses an ATC not above the card's last (184 / 88). The CLI prints the value for the
next run of the card; seeding the cards again starts them over.

Amounts are in DKK with at most two decimals. Exit codes: 0 approved, 1 declined, 2 usage
error, 3 no answer. A PSAM terminal (chip, contactless, fuel, ticket) or an ATM that stores a
reversal sends it before the command ends: the CLI keeps nothing between runs.
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The terminal's clock (tests); default the system clock. */
  clock?: Clock;
}

const OLD_KINDS: readonly string[] = ['dkt1', 'dkt1plus', 'oem'];
const COMMANDS = ['purchase', 'refund', 'fuel', 'remote', 'withdraw', 'sign-on', 'echo'] as const;
type Command = (typeof COMMANDS)[number];

const OPTIONS = {
  type: { type: 'string' },
  card: { type: 'string' },
  amount: { type: 'string' },
  pin: { type: 'string' },
  max: { type: 'string' },
  pumped: { type: 'string' },
  dispensed: { type: 'string' },
  currency: { type: 'string' },
  country: { type: 'string' },
  expiry: { type: 'string' },
  'last-completed': { type: 'string' },
  magstripe: { type: 'boolean' },
  'reject-signature': { type: 'boolean' },
  channel: { type: 'string' },
  cvc: { type: 'string' },
  auth: { type: 'string' },
  'start-series': { type: 'boolean' },
  series: { type: 'string' },
  dual: { type: 'boolean' },
  capture: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  dialect: { type: 'string' },
  header: { type: 'string' },
  terminal: { type: 'string' },
  merchant: { type: 'string' },
  timeout: { type: 'string' },
  stan: { type: 'string' },
  key: { type: 'string' },
  atc: { type: 'string' },
  'floor-limit': { type: 'string' },
  'block-list': { type: 'string' },
  token: { type: 'string' },
  fetcher: { type: 'string' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  'cert-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SECURITY_OPTIONS,
} as const;

export type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The options each command takes besides the connection's; any other is a usage error. */
const OPERATION_OPTIONS: Record<Command, (keyof Values)[]> = {
  purchase: [
    'card',
    'amount',
    'pin',
    'magstripe',
    'reject-signature',
    'expiry',
    'last-completed',
    'atc',
    ...OFFLINE_OPTIONS,
  ],
  refund: ['card', 'amount', 'pin', 'expiry', 'last-completed', 'atc'],
  fuel: ['card', 'pin', 'max', 'pumped', 'expiry', 'atc', ...OFFLINE_OPTIONS],
  remote: ['card', 'amount', 'channel', 'expiry', 'cvc', 'auth', 'start-series', 'series', 'dual', 'capture'],
  withdraw: ['card', 'pin', 'amount', 'dispensed', 'currency', 'country', 'atc'],
  'sign-on': [],
  echo: [],
};
const REQUIRED: Record<Command, (keyof Values)[]> = {
  purchase: ['card', 'amount'],
  refund: ['card', 'amount'],
  fuel: ['card', 'pin', 'max', 'pumped'],
  remote: ['card', 'amount'],
  withdraw: ['card', 'pin', 'amount'],
  'sign-on': [],
  echo: [],
};
const CONNECTION_OPTIONS = new Set<keyof Values>([
  'type',
  'host',
  'port',
  'dialect',
  'header',
  'terminal',
  'merchant',
  'timeout',
  'stan',
  'key',
  'tls',
  'ca',
  'cert',
  'cert-key',
  'help',
  ...(Object.keys(SECURITY_OPTIONS) as (keyof typeof SECURITY_OPTIONS)[]),
]);

export class UsageError extends Error {}

/** '125', '125.5' or '125.50' DKK as øre. */
export function parseAmount(text: string, name: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (m === null) throw new UsageError(`--${name}: an amount in DKK with at most two decimals, e.g. 125.00`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function integer(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--${name}: a whole number`);
  return Number(text);
}

const kroner = (ore: number): string => `${Math.floor(ore / 100)}.${String(ore % 100).padStart(2, '0')} DKK`;

export interface Plan {
  command: Command;
  options: TerminalOptions;
  values: Values;
  /** --amount, --max, --pumped, --capture and --dispensed in øre (in minor units of --currency). */
  amount: number;
  max: number;
  pumped: number;
  capture: number;
  dispensed: number | undefined;
}

function plan(argv: string[], clock: Clock | undefined): Plan | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Values;
  if (values.help === true) return 'help';
  const [command, ...extra] = parsed.positionals;
  if (command === undefined || !(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`a command: ${COMMANDS.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  const cmd = command as Command;
  for (const name of Object.keys(values) as (keyof Values)[]) {
    if (!CONNECTION_OPTIONS.has(name) && !OPERATION_OPTIONS[cmd].includes(name))
      throw new UsageError(`--${name} is not an option of ${cmd}`);
  }
  for (const name of REQUIRED[cmd]) if (values[name] === undefined) throw new UsageError(`${cmd} needs --${name}`);
  if (values.type === undefined) throw new UsageError(`--type: one of ${TERMINAL_KINDS.join(', ')}`);
  if (values.header !== undefined && !LENGTH_HEADERS.includes(values.header as LengthHeader))
    throw new UsageError(`--header: one of ${LENGTH_HEADERS.join(', ')}`);
  if (values['last-completed'] !== undefined) {
    if (!OLD_KINDS.includes(values.type)) throw new UsageError(`--last-completed is for ${OLD_KINDS.join(', ')}`);
    if (!/^\d{1,6}$/.test(values['last-completed'])) throw new UsageError('--last-completed: a STAN, up to 6 digits');
  }
  checkOffline(values);
  if (
    values.atc !== undefined &&
    !(/^\d{1,5}$/.test(values.atc) && Number(values.atc) >= 1 && Number(values.atc) <= 0xffff)
  )
    throw new UsageError("--atc: the chip's ATC, 1 to 65535");
  if (values.key !== undefined && !/^([0-9a-fA-F]{32}|[0-9a-fA-F]{48})$/.test(values.key))
    throw new UsageError('--key: 32 or 48 hex digits (triple DES)');
  const tls = tlsOf(values);
  const options: TerminalOptions = {
    kind: values.type as TerminalKind,
    terminalId: values.terminal ?? (values.type === 'atm' ? 'ATM00001' : 'TERM0001'),
    host: values.host ?? '127.0.0.1',
    port:
      integer(values.port, 'port') ?? (tls !== undefined ? TLS_PORT : values.dialect === 'iso87ascii' ? 8587 : 8583),
    dialect: values.dialect ?? 'iso93ascii',
    answerTimeoutMs: integer(values.timeout, 'timeout') ?? 5000,
  };
  if (values.header !== undefined) options.header = values.header as LengthHeader;
  if (tls !== undefined) options.tls = tls;
  if (values.merchant !== undefined) options.merchant = values.merchant;
  if (values.stan !== undefined) options.stan = integer(values.stan, 'stan');
  if (values.key !== undefined) options.pinKey = { format: 0, key: Buffer.from(values.key, 'hex') };
  Object.assign(
    options,
    securityOptions(values, (text) => new UsageError(text)),
  );
  if (clock !== undefined) options.clock = clock;
  if (values.channel !== undefined && !(REMOTE_CHANNELS as readonly string[]).includes(values.channel))
    throw new UsageError(`--channel: one of ${REMOTE_CHANNELS.join(', ')}`);
  if (values.auth !== undefined && !(HOLDER_AUTHENTICATIONS as readonly string[]).includes(values.auth))
    throw new UsageError(`--auth: one of ${HOLDER_AUTHENTICATIONS.join(', ')}`);
  const ore = (name: 'amount' | 'max' | 'pumped' | 'capture' | 'dispensed'): number =>
    values[name] === undefined ? 0 : parseAmount(values[name], name);
  return {
    command: cmd,
    options,
    values,
    amount: ore('amount'),
    max: ore('max'),
    pumped: ore('pumped'),
    capture: ore('capture'),
    dispensed: values.dispensed === undefined ? undefined : ore('dispensed'),
  };
}

function run(t: Terminal, { command, values, amount, max, pumped, capture, dispensed }: Plan): Promise<Outcome> {
  const pan = values.card!;
  const pin = values.pin === undefined ? {} : { pin: values.pin };
  const expiry = values.expiry === undefined ? {} : { expiry: values.expiry };
  if (command === 'purchase') {
    return t.purchase({
      pan,
      amount,
      ...pin,
      ...expiry,
      magstripe: values.magstripe === true,
      rejectSignature: values['reject-signature'] === true,
    });
  }
  if (command === 'refund') return t.refund({ pan, amount, ...pin, ...expiry });
  if (command === 'fuel') return t.fuel({ pan, pin: values.pin!, maximum: max, pumped });
  if (command === 'remote') {
    return t.remotePurchase({
      pan,
      amount,
      ...expiry,
      ...(values.channel === undefined ? {} : { channel: values.channel as RemoteChannel }),
      ...(values.cvc === undefined ? {} : { cvc: values.cvc }),
      ...(values.auth === undefined ? {} : { authentication: values.auth as HolderAuthentication }),
      ...(values.series === undefined ? {} : { series: values.series }),
      startSeries: values['start-series'] === true,
      dual: values.dual === true,
      ...(capture > 0 ? { capture } : {}),
    });
  }
  if (command === 'withdraw') {
    return t.withdraw({
      pan,
      amount,
      pin: values.pin!,
      ...(dispensed === undefined ? {} : { dispensed }),
      ...(values.currency === undefined ? {} : { currency: values.currency }),
      ...(values.country === undefined ? {} : { country: values.country }),
    });
  }
  return command === 'sign-on' ? t.signOn() : t.echo();
}

function what({ command, options, amount, max, values }: Plan): string {
  const money = (ore: number): string =>
    values.currency === undefined ? kroner(ore) : `${(ore / 100).toFixed(2)} in currency ${values.currency}`;
  const sum = amount > 0 ? ` of ${money(amount)}` : max > 0 ? ` of up to ${kroner(max)}` : '';
  const a = /^[aeiou]/.test(options.kind) ? 'an' : 'a';
  const over = options.tls === undefined ? '' : ' over TLS';
  return `${command}${sum} on ${a} ${options.kind} terminal ${options.terminalId} at ${options.host!}:${options.port}${over} (${options.dialect!})`;
}

/** `amount`: what was asked for (an ATM's partial dispense says how much of it was paid out). */
export function verdict(o: Outcome, t: Terminal, timeoutMs: number, amount = 0): { line: string; code: number } {
  const id = `(STAN ${o.stan}, local time ${o.localTime})`;
  const code = o.approvalCode !== undefined ? ` approval code ${o.approvalCode}` : '';
  if (o.dispensed === 0)
    return { line: `DISPENSE FAULT after${code}: nothing paid out, the withdrawal reversed ${id}`, code: 1 };
  if (o.approved && o.dispensed !== undefined && o.dispensed < amount) {
    const part = `${(o.dispensed / 100).toFixed(2)} of ${(amount / 100).toFixed(2)}`;
    return { line: `APPROVED${code}, PARTIAL DISPENSE: ${part} paid out, the rest reversed ${id}`, code: 0 };
  }
  if (o.approved) return { line: `APPROVED${code} ${id}`, code: 0 };
  if (o.exchanges.some((e) => e.macRejected !== undefined))
    return {
      line: `ANSWER NOT BELIEVED: its MAC is missing or wrong ${id}${o.reversalStored ? ': reversal stored' : ''}`,
      code: 3,
    };
  if (o.timedOut)
    return { line: `NO ANSWER within ${timeoutMs} ms ${id}${o.reversalStored ? ': reversal stored' : ''}`, code: 3 };
  if (o.reversalStored)
    return {
      line: `CANCELLED signature rejected after approval code ${o.approvalCode!}: reversal stored ${id}`,
      code: 1,
    };
  // Declined: an answer came, and the switch always sends field 39.
  const last = o.exchanges.at(-1)!.response!;
  return { line: `DECLINED ${o.actionCode!} ${meaningOf(o.actionCode!, t.dialect, String(last[0]))} ${id}`, code: 1 };
}

/** Runs one command; resolves with the exit code and never exits the process itself. */
export async function main(
  argv: string[],
  io: CliIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s) },
): Promise<number> {
  let p: Plan;
  try {
    const planned = plan(argv, io.clock);
    if (planned === 'help') {
      io.out(USAGE);
      return 0;
    }
    p = planned;
  } catch (e) {
    io.err(`terminal: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let t: Terminal | undefined;
  try {
    t = await Terminal.open(p.options);
    const last = p.values['last-completed'];
    if (last !== undefined) t.lastCompletedStan = last.padStart(6, '0');
    if (p.values.atc !== undefined) setNextAtc(p.values.card!, Number(p.values.atc));
    io.out(`${what(p)}\n\n`);
    if (p.values['floor-limit'] !== undefined) return await runOffline(t, p, io);
    const o = await run(t, p);
    const print = (exchanges: Exchange[]): void => {
      for (const e of exchanges) io.out(`${describeExchange(e, t!.dialect)}\n\n`);
    };
    print(o.exchanges);
    const v = verdict(o, t, p.options.answerTimeoutMs!, p.amount);
    io.out(`${v.line}\n`);
    if (o.approved && o.series !== undefined)
      io.out(`Series ${o.series}: the merchant's later payments give it (--series)\n`);
    const atc = lastAtc(o.exchanges);
    if (atc !== undefined) io.out(`Chip ATC ${atc}: the next run of this card --atc ${(atc % 0xffff) + 1}\n`);
    if (OLD_KINDS.includes(t.kind) && (p.command === 'purchase' || p.command === 'refund')) {
      io.out(`Next request of ${t.terminalId}: --last-completed ${t.lastCompletedStan}\n`);
    }
    const ksn = t.security.nextKsn;
    if (ksn !== undefined) io.out(`Next PIN block of ${t.terminalId}: --ksn ${ksn.toString('hex').toUpperCase()}\n`);
    if (t.pendingReversals > 0) {
      io.out('\nSending the stored reversal now (the CLI keeps nothing between runs):\n\n');
      print(await t.sendPendingReversals());
      io.out(
        t.pendingReversals === 0
          ? 'Reversal acknowledged.\n'
          : 'Reversal NOT acknowledged: it is lost with this run; reverse it by hand.\n',
      );
    }
    return v.code;
  } catch (e) {
    if (e instanceof TerminalError) {
      io.err(`terminal: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ConnectError) {
      io.err(`terminal: ${e.message}\n`);
      return 3;
    }
    throw e;
  } finally {
    await t?.close();
  }
}
