/**
 * The issuer's notice archive (000: Varslingstorget): the issuer's notices searched by card
 * (card id or PAN), reference number, type and time; a blocked card's page with the report time,
 * the block time and what the holder said. The API (GET /notices) filters by all four; the page
 * shows the newest 1000 it answers.
 */
import { get, post } from '../api.js';
import { fill, field, h, message, table, time } from '../dom.js';
import type { Page } from '../page.js';

export interface Notice {
  id: string;
  type: string;
  card: string;
  maskedPan: string;
  at: number;
  reason?: string;
  reference?: string;
  reportedAt?: number;
  blockedAt?: number;
  report?: {
    channel?: string;
    name?: string;
    address?: string;
    bank?: string;
    statement?: string;
    identifiedBy?: string[];
  };
  [more: string]: unknown;
}

/** The notice types (src/notices/notice-relay.ts NOTICE_TYPES, not imported: it would bring the server's modules into the page). */
const TYPES = [
  'blockRegistered',
  'reportOnBlockedCard',
  'blockLifted',
  'cardDeleted',
  'monitoringBlock',
  'wrongPin',
  'pinBlocked',
  'offlineOnBlockedCard',
  'cryptogramFailure',
];

/** A card id from what was typed: a card id as it is, a card number through POST /cards/lookup. */
export async function cardIdOf(text: string): Promise<string> {
  const typed = text.replace(/\s/g, '');
  if (/^[0-9a-f]{32}$/.test(typed)) return typed;
  return ((await post('/cards/lookup', { pan: typed })) as { card: string }).card;
}

export async function noticesOf(query: URLSearchParams): Promise<Notice[]> {
  return ((await get(`/notices?${query.toString()}`)) as { notices: Notice[] }).notices;
}

export const archivePage: Page = {
  id: 'archive',
  title: 'Notice archive',
  roles: ['issuer'],
  render(root) {
    const card = h('input', { name: 'card', autocomplete: 'off', size: '34' });
    const reference = h('input', { name: 'reference', inputmode: 'numeric', size: '14' });
    const type = h(
      'select',
      { name: 'type' },
      h('option', { value: '' }, 'any'),
      TYPES.map((t) => h('option', { value: t }, t)),
    );
    const since = h('input', { name: 'since', type: 'datetime-local' });
    const until = h('input', { name: 'until', type: 'datetime-local' });
    const out = h('div');
    const detail = h('section', { class: 'detail', 'aria-live': 'polite' });
    const search = async (e?: Event) => {
      e?.preventDefault();
      try {
        const q = new URLSearchParams({ limit: '1000' });
        if (card.value.trim()) q.set('card', await cardIdOf(card.value));
        if (since.value) q.set('since', new Date(since.value).toISOString());
        if (until.value) q.set('until', new Date(until.value).toISOString());
        if (reference.value.trim()) q.set('reference', reference.value.trim());
        if (type.value) q.set('type', type.value);
        const found = await noticesOf(q);
        fill(
          out,
          found.length === 0
            ? message('No notice matches.', 'info')
            : table(
                ['Time', 'Type', 'Card', 'Reason', 'Reference'],
                found.map((n) => {
                  const open = () => void showCard(detail, n);
                  return h(
                    'tr',
                    { tabindex: '0', onclick: open, onkeydown: (k) => (k as KeyboardEvent).key === 'Enter' && open() },
                    h('td', {}, time(n.at)),
                    h('td', {}, n.type),
                    h('td', { class: 'mono' }, n.maskedPan),
                    h('td', {}, n.reason ?? ''),
                    h('td', { class: 'mono' }, n.reference ?? ''),
                  );
                }),
              ),
        );
      } catch (err) {
        fill(out, message((err as Error).message));
      }
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void search(e) },
        field('Card (card id or number)', card),
        field('Reference number', reference),
        field('Type', type),
        field('From', since),
        field('To', until),
        h('button', { type: 'submit' }, 'Search'),
      ),
      h('div', { class: 'split' }, h('div', { class: 'scroll' }, out), detail),
    );
    void search();
  },
};

/** The card's page: its block (report and block time, what the holder said) and every notice of it. */
async function showCard(detail: HTMLElement, n: Notice): Promise<void> {
  const all = await noticesOf(new URLSearchParams({ card: n.card, limit: '1000' })).catch(() => [n]);
  const block = all.find(
    (x) => x.reference !== undefined || x.type === 'blockRegistered' || x.type === 'monitoringBlock',
  );
  const dl = (pairs: [string, string | undefined][]) =>
    h(
      'dl',
      {},
      pairs.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v!)]),
    );
  fill(
    detail,
    h('h2', {}, `Card ${n.maskedPan}`),
    h('p', { class: 'mono' }, `card id ${n.card}`),
    block
      ? [
          h('h3', {}, `Blocked: ${block.reason ?? block.type}`),
          dl([
            ['Reference', block.reference],
            ['Reported (holder called)', block.reportedAt ? time(block.reportedAt) : undefined],
            ['Blocked', block.blockedAt ? time(block.blockedAt) : undefined],
            ['Reported through', block.report?.channel],
            ['Holder', block.report?.name],
            ['Address', block.report?.address],
            ['Bank', block.report?.bank],
            ['Identified by', block.report?.identifiedBy?.join(', ')],
            ['What the holder said', block.report?.statement],
          ]),
        ]
      : message('No block in the archive for this card.', 'info'),
    h('h3', {}, 'Notices of this card'),
    table(
      ['Time', 'Type', 'Reason', 'Reference'],
      all.map((x) =>
        h(
          'tr',
          {},
          h('td', {}, time(x.at)),
          h('td', {}, x.type),
          h('td', {}, x.reason ?? ''),
          h('td', {}, x.reference ?? ''),
        ),
      ),
    ),
  );
}
