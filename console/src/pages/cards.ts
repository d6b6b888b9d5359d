/**
 * The issuer's card register: a card found by its number (or card id), its state, PIN tries,
 * balance and reservations, its notices (block history); lift a block or a PIN block.
 */
import { call, get } from '../api.js';
import { fill, field, h, kroner, message, time } from '../dom.js';
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
  blockedAt: number | null;
  blockReportedAt: number | null;
  pinBlocked: boolean;
  pinTries: number;
  balance: number;
  reserved: number;
  available: number;
  currency: string;
  contactless: { count: number; sum: number };
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
            row('Balance', `${kroner(state.balance)} (currency ${state.currency})`),
            row('Reserved', kroner(state.reserved)),
            row('Available', kroner(state.available)),
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
        h('h3', {}, 'Block history and notices'),
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
