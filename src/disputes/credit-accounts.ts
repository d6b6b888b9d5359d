/**
 * The accounts an issuer chose for its dispute credits (001 §27): one for insufficient funds, one
 * for every other reason. Kept in `{disputes}:accounts`, by issuer; an issuer that chose none is
 * credited on its usual Dankort account, which the deliveries call 'standard'.
 */
import type { RegisterRedis } from '../redis/client.js';
import type { AccountKind } from './reasons.js';

export type ChosenAccounts = Partial<Record<AccountKind, string>>;

export const STANDARD_ACCOUNT = 'standard';

export class CreditAccounts {
  private readonly key: string;

  constructor(
    private readonly redis: RegisterRedis,
    prefix: string,
  ) {
    this.key = `${prefix}{disputes}:accounts`;
  }

  async get(issuer: string): Promise<ChosenAccounts> {
    const json = await this.redis.hget(this.key, issuer);
    return json === null ? {} : (JSON.parse(json) as ChosenAccounts);
  }

  async set(issuer: string, accounts: ChosenAccounts): Promise<void> {
    await this.redis.hset(this.key, issuer, JSON.stringify(accounts));
  }

  async accountOf(issuer: string, kind: AccountKind): Promise<string> {
    return (await this.get(issuer))[kind] ?? STANDARD_ACCOUNT;
  }
}
