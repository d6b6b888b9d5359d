/**
 * The CLI's offline mode (terminals/cli.ts, `--floor-limit`): a fuel pump's or ticket machine's
 * sale decided by the terminal up to the floor limit, after fetching the offline block list when
 * `--block-list` names the admin API; the advice of an offline approval is uploaded before the
 * command ends (the CLI keeps nothing between runs).
 */
import { describeExchange, isCode, meaningOf } from './describe.js';
import { OFFLINE_KINDS, OfflineMode, type OfflineOutcome } from './offline.js';
import type { Terminal } from './terminal.js';
import { type CliIo, type Plan, UsageError, type Values, parseAmount, verdict } from './cli.js';

/** The options of the offline mode (purchase and fuel). */
export const OFFLINE_OPTIONS = ['floor-limit', 'block-list', 'token', 'fetcher'] as const;

/** The fetcher id the CLI fetches as when none is given. */
export const CLI_FETCHER = 'terminal-cli';

/** Usage errors of the offline options (thrown as UsageError). */
export function checkOffline(values: Values): void {
  const floor = values['floor-limit'];
  if (floor === undefined) {
    const stray = (['block-list', 'token', 'fetcher'] as const).find((o) => values[o] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} goes with --floor-limit (the offline mode)`);
    if (values.expiry !== undefined && values.pumped !== undefined)
      throw new UsageError('--expiry of a fuel sale goes with --floor-limit (the terminal checks it offline)');
    return;
  }
  if (!OFFLINE_KINDS.includes(values.type ?? ''))
    throw new UsageError(`--floor-limit: the offline mode is a ${OFFLINE_KINDS.join(' or ')} terminal's`);
  parseAmount(floor, 'floor-limit');
  if ((values['block-list'] === undefined) !== (values.token === undefined))
    throw new UsageError('--block-list and --token go together (the admin API and an offlineTerminals token)');
  if (values.fetcher !== undefined && values['block-list'] === undefined)
    throw new UsageError('--fetcher goes with --block-list');
}

/** The sale in the offline mode; resolves with the exit code. */
export async function runOffline(t: Terminal, p: Plan, io: CliIo): Promise<number> {
  const { values } = p;
  const url = values['block-list'];
  const mode = new OfflineMode(t, {
    floorLimit: parseAmount(values['floor-limit']!, 'floor-limit'),
    ...(url === undefined ? {} : { blockList: { url, token: values.token!, fetcher: values.fetcher ?? CLI_FETCHER } }),
    ...(io.clock === undefined ? {} : { clock: io.clock }),
  });
  if (url !== undefined) {
    const files = await mode.fetchBlockList();
    io.out(`Block list: ${files} file(s) fetched, ${mode.blockList.size} card(s) listed\n\n`);
  }
  const expiry = values.expiry === undefined ? {} : { expiry: values.expiry };
  const o: OfflineOutcome =
    p.command === 'fuel'
      ? await mode.fuel({ pan: values.card!, pin: values.pin!, maximum: p.max, pumped: p.pumped, ...expiry })
      : await mode.purchase({
          pan: values.card!,
          amount: p.amount,
          ...(values.pin === undefined ? {} : { pin: values.pin }),
          ...expiry,
        });
  const print = (e: Parameters<typeof describeExchange>[0]): void => io.out(`${describeExchange(e, t.dialect)}\n\n`);
  o.exchanges.forEach(print);
  if (!o.offline) {
    const v = verdict(o, t, p.options.answerTimeoutMs!);
    io.out(`${v.line}\n`);
    return v.code;
  }
  if (!o.approved) {
    const why = o.declined === 'blocked' ? `card on the offline block list (${o.blockReason!})` : 'card expired';
    io.out(`OFFLINE DECLINED ${why}\n`);
    return 1;
  }
  io.out(
    `OFFLINE APPROVED approval code ${o.approvalCode!} (STAN ${o.stan}, local time ${o.localTime}): advice stored\n\n`,
  );
  io.out('Uploading the advice now (the CLI keeps nothing between runs):\n\n');
  (await mode.uploadAdvices()).forEach(print);
  const answer = mode.uploaded.at(-1)?.response;
  if (answer !== undefined) {
    const code = String(answer[39]);
    io.out(`Advice answered ${code} ${meaningOf(code, t.dialect, String(answer[0]))}.\n`);
    // The switch refused to post it (no card record, ...): the merchant is not paid.
    return isCode(code, 'approved', t.dialect) ? 0 : 1;
  }
  io.out('Advice NOT answered: it is lost with this run; send it again by hand.\n');
  return 3;
}
