/**
 * The issuer's card register: a card found by its number (or card id), its state, PIN tries, the
 * money fields each with what it means, the block history (every block the card had, kept through
 * lifts), its notices; lift a block or a PIN block.
 */
import { call, get } from '../api.js';
import { fill, field, h, kroner, message, table, time } from '../dom.js';
import type { Page } from '../page.js';
import { cardIdOf, noticesOf } from './archive.js';

interface CardState {
  card: string;
  maskedPan: string;
  issuer: string;
  product: string;
  expiry: string;
  status: string;
  block: string | null;
  blockedAt: string | null;
  blockReportedAt: string | null;
  blocks: BlockInterval[];
  pinBlocked: boolean;
  pinTries: number;
  balance: number;
  reserved: number;
  unbooked: number;
  available: number;
  currency: string;
  contactless: { count: number; sum: number };
}

/** One block as the card state lists it (docs/ADMIN-API.md, "The card state"). */
interface BlockInterval {
  reason: string;
  by?: string;
  reference?: string;
  reportedAt: string;
  blockedAt: string;
  liftedAt?: string;
  liftedBy?: string;
  reports?: { reason: string; reference?: string; reportedAt: string; at: string }[];
}

/** The money fields (øre, docs/SCHEME.md "Balance"), each with one line on what it is. */
const MONEY: [keyof CardState & ('balance' | 'reserved' | 'unbooked' | 'available'), string, string][] = [
  [
    'balance',
    'Balance',
    "the account's booked balance: what the issuer set, with every posting booked once its clearing delivery is written",
  ],
  [
    'reserved',
    'Reserved',
    "authorizations (1100 / 0100) not yet completed or reversed; each lapses after the product's reservation lifetime",
  ],
  [
    'unbooked',
    'Unbooked',
    'postings made (purchases, completions) and not yet booked: they are booked when their delivery is written',
  ],
  ['available', 'Available', 'balance − reserved − unbooked: what the next purchase may take'],
];

function moneyTable(state: CardState): HTMLTableElement {
  return table(
    ['Amount', `Kroner (currency ${state.currency})`, 'What it is'],
    MONEY.map(([key, label, meaning]) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, label),
        h('td', { class: 'num' }, kroner(state[key])),
        h('td', {}, meaning),
      ),
    ),
  );
}

/** Who blocked: the block service, or the issuer id (absent for a block from before the history was kept). */
const blockedBy = (by: string | undefined) => (by === 'blockService' ? 'block service' : (by ?? 'not recorded'));

function blockHistory(blocks: BlockInterval[]): HTMLElement {
  if (blocks.length === 0) return message('The card has never been blocked.', 'info');
  const t = table(
    ['Reason', 'Blocked by', 'Reference', 'Reported', 'Blocked', 'Lifted', 'Later holder reports'],
    blocks.map((b) =>
      h(
        'tr',
        {},
        h('td', {}, b.reason),
        h('td', {}, blockedBy(b.by)),
        h('td', { class: 'mono' }, b.reference ?? '—'),
        h('td', {}, time(b.reportedAt)),
        h('td', {}, time(b.blockedAt)),
        h('td', {}, b.liftedAt === undefined ? 'in force' : `${time(b.liftedAt)} by ${b.liftedBy ?? '—'}`),
        h(
          'td',
          {},
          (b.reports ?? []).length === 0
            ? '—'
            : h(
                'ul',
                {},
                (b.reports ?? []).map((r) =>
                  h(
                    'li',
                    {},
                    `${time(r.reportedAt)}: ${r.reason}${r.reference ? `, reference ${r.reference}` : ''} (taken ${time(r.at)})`,
                  ),
                ),
              ),
        ),
      ),
    ),
  );
  t.classList.add('blocks');
  return t;
}

export const cardsPage: Page = {
  id: 'cards',
  title: 'Card register',
  roles: ['issuer'],
  render(root) {
    const card = h('input', { name: 'card', autocomplete: 'off', size: '34', required: true });
    const out = h('div');
    const problem = h('div');
    const show = async (id: string) => {
      const state = (await get(`/cards/${id}`)) as CardState;
      const notices = await noticesOf(new URLSearchParams({ card: id, limit: '1000' }));
      const change = async (method: string, path: string, done: string) => {
        try {
          await call(method, path);
          fill(problem, message(done, 'ok'));
        } catch (e) {
          fill(problem, message((e as Error).message));
        }
        await show(id);
      };
      const row = (k: string, v: string) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v));
      fill(
        out,
        h('h2', {}, `${state.maskedPan} (${state.product}, ${state.issuer})`),
        h(
          'table',
          { class: 'state' },
          h(
            'tbody',
            {},
            row('Card id', state.card),
            row('Status', state.status),
            row('Block', state.block ?? 'none'),
            row('Block reported', time(state.blockReportedAt)),
            row('Blocked', time(state.blockedAt)),
            row(
              'PIN',
              state.pinBlocked ? `PIN-blocked (${state.pinTries} wrong tries)` : `${state.pinTries} wrong tries`,
            ),
            row('Contactless since last PIN', `${state.contactless.count} payments, ${kroner(state.contactless.sum)}`),
            row('Expiry', state.expiry),
          ),
        ),
        h(
          'p',
          {},
          h(
            'button',
            {
              type: 'button',
              disabled: state.block === null,
              onclick: () => void change('DELETE', `/cards/${id}/block`, 'Block lifted.'),
            },
            'Lift the block',
          ),
          ' ',
          h(
            'button',
            {
              type: 'button',
              disabled: !state.pinBlocked,
              onclick: () => void change('DELETE', `/cards/${id}/pin-block`, 'PIN block lifted.'),
            },
            'Lift the PIN block',
          ),
        ),
        h('h3', {}, 'Money'),
        moneyTable(state),
        h('h3', {}, 'Block history'),
        blockHistory(state.blocks),
        h('h3', {}, 'Notices'),
        notices.length === 0
          ? message('No notice of this card.', 'info')
          : h(
              'ul',
              {},
              notices.map((n) =>
                h(
                  'li',
                  {},
                  `${time(n.at)}: ${n.type}${n.reason ? ` (${n.reason})` : ''}${n.reference ? `, reference ${n.reference}` : ''}`,
                ),
              ),
            ),
      );
    };
    const find = async (e: Event) => {
      e.preventDefault();
      fill(problem);
      try {
        await show(await cardIdOf(card.value));
      } catch (err) {
        fill(out);
        fill(problem, message((err as Error).message));
      }
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void find(e) },
        field('Card number or card id', card),
        h('button', { type: 'submit' }, 'Find'),
      ),
      problem,
      out,
    );
  },
};
