/**
 * The fraud monitoring's tests: a switch with a rule file of the test's own (written to a
 * temporary file, so a test can change it and watch it reloaded), purchases over TCP, and
 * waiting for the monitor to have evaluated what was answered.
 */
import type { Test } from 'tap';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepPartial } from '../../src/config/load.js';
import type { SwitchConfig } from '../../src/config/types.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';
import { type TestSwitch, startSwitch } from '../support/switch.js';
import type { SwitchOptions } from '../../src/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { NewCard } from '../../src/card/card-register.js';

export interface MonitoredSwitch extends TestSwitch {
  rulesFile: string;
  /** Writes the rule file anew (the switch reloads it within a second). */
  writeRules(rules: RuleFile): Promise<void>;
  /** Resolves once every transaction answered so far is evaluated. */
  evaluated(): Promise<void>;
}

export async function startMonitoredSwitch(
  t: Test,
  rules: RuleFile,
  overrides: DeepPartial<SwitchConfig> = {},
  extra: Pick<SwitchOptions, 'clock'> = {},
): Promise<MonitoredSwitch> {
  const dir = await mkdtemp(join(tmpdir(), 'monitoring-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const rulesFile = join(dir, 'rules.json');
  const writeRules = (r: RuleFile): Promise<void> => writeFile(rulesFile, JSON.stringify(r));
  await writeRules(rules);
  const s = await startSwitch(
    t,
    { ...overrides, monitoring: { enabled: true, rulesFile, ...overrides.monitoring } },
    extra,
  );
  return { ...s, rulesFile, writeRules, evaluated: () => s.sw.monitoring.monitor!.drain() };
}

/** An active card with PIN 1234 and 10,000.00 DKK. */
export function monitoredCard(s: TestSwitch, card: Partial<NewCard> = {}): Promise<NewCard & { id: string }> {
  return addCard(s.sw, { balance: 1_000_000, ...card });
}

/** A chip-and-PIN purchase over the iso93 listener; answers field 39. */
export async function pinPurchase(
  s: TestSwitch,
  pan: string,
  amount: number,
  fields: Record<number, string | Buffer> = {},
): Promise<string> {
  const term = await TestTerminal.open(s.port('iso93'));
  try {
    const answer = await term.send(
      purchase93({ 2: pan, 4: String(amount).padStart(12, '0'), 52: pinBlock('1234', pan), ...fields }),
    );
    return String(answer[39]);
  } finally {
    term.close();
  }
}

/** The test PIN key, as the key file writes it. */
const TEST_KEY_HEX = '0123456789ABCDEFFEDCBA9876543210';

/** A terminal key file naming these terminal ids ATMs of these owners (issuer ids); pass as `{ terminals: { keyFile } }`. */
export async function atmKeyFile(t: Test, owners: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'monitoring-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const terminals = Object.fromEntries(
    Object.entries(owners).map(([id, owner]) => [id, { format: 0, key: TEST_KEY_HEX, model: 'atm', owner }]),
  );
  const file = join(dir, 'keys.json');
  await writeFile(file, JSON.stringify({ terminals }));
  return file;
}

/** Where an ATM stands: its city (field 43) and its country (field 19, absent: Denmark). */
export interface AtmPlace {
  terminal: string;
  city?: string;
  country?: string;
  /** No field 42, as many ATMs send: the holder profile counts the terminal as the place. */
  noField42?: boolean;
}

/**
 * A cash withdrawal with PIN 1234 at an ATM of the key file, over the iso93 listener; answers
 * field 39. Field 42 is the ATM's id unless `noField42`; either way the holder profile counts the
 * ATM as the place.
 */
export function withdrawal(s: TestSwitch, pan: string, amount: number, atm: AtmPlace): Promise<string> {
  const fields: Record<number, string> = { 3: '010000', 41: atm.terminal };
  if (atm.noField42 !== true) fields[42] = atm.terminal;
  if (atm.city !== undefined) fields[43] = `Bank ATM\\\\${atm.city}`;
  if (atm.country !== undefined) fields[19] = atm.country;
  return pinPurchase(s, pan, amount, fields);
}

/** A contactless purchase without PIN (field 22 position 7 'A') over the iso93 listener; answers field 39. */
export async function contactlessPurchase(s: TestSwitch, pan: string, amount: number): Promise<string> {
  const term = await TestTerminal.open(s.port('iso93'));
  try {
    const answer = await term.send(purchase93({ 2: pan, 4: String(amount).padStart(12, '0'), 22: 'A10101A0004C' }));
    return String(answer[39]);
  } finally {
    term.close();
  }
}
