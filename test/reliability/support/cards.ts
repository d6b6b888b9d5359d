/** Cards for the fault tests: active, PIN 1234, a balance no mix of ours can spend. */
import type { CardRegister } from '../../../src/card/card-register.js';
import { newPan } from '../../support/cards.js';
import type { WorkloadCard } from './workload.js';

export async function addCards(register: CardRegister, n: number, balance = 1_000_000_000): Promise<WorkloadCard[]> {
  const cards: WorkloadCard[] = [];
  for (let i = 0; i < n; i++) {
    const pan = newPan();
    const r = await register.register({
      pan,
      issuer: 'bank-a',
      product: 'dankort',
      expiry: '3012',
      pin: '1234',
      activationCode: '5678',
      account: '9999000011',
      balance,
      currency: '208',
      status: 'active',
    });
    if (!r.ok) throw new Error(r.reason);
    cards.push({ pan, id: r.card });
  }
  return cards;
}
