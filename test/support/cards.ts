/** Test cards: Luhn-valid PANs, registration in any state, PIN blocks as a terminal builds them. */
import type { Switch } from '../../src/switch.js';
import { luhnCheckDigit } from '../../src/card/luhn.js';
import type { NewCard } from '../../src/card/card-register.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';

let serial = 0;

/** A fresh Luhn-valid 16-digit PAN. */
export function newPan(): string {
  const body = `5019${String(process.pid % 10000).padStart(4, '0')}${String(++serial).padStart(7, '0')}`;
  return body + luhnCheckDigit(body);
}

export async function addCard(sw: Switch, card: Partial<NewCard> = {}): Promise<NewCard & { id: string }> {
  const full: NewCard = {
    pan: newPan(),
    issuer: 'bank-a',
    product: 'dankort',
    expiry: '3012',
    pin: '1234',
    activationCode: '5678',
    account: '9999000011',
    balance: 1_000_000,
    currency: '208',
    status: 'active',
    ...card,
  };
  const r = await sw.register.register(full);
  if (!r.ok) throw new Error(r.reason);
  return { ...full, id: r.card };
}

/** Field 52 as the terminal with the documented test key builds it. */
export function pinBlock(pin: string, pan: string): Buffer {
  return encryptPinBlockFormat0(pin, pan, TEST_PIN_KEY.key);
}
