/**
 * Disputes (the issuer's portal steps, 001 §23-24; docs/DISPUTES.md): a card's delivered
 * transactions for a period, some ticked with the amount to return, a reason, the proposal checked
 * against the scheme's rules transaction by transaction, a case opened and its receipt; cases found
 * again by number or by card, with their later steps (dispute-case-view.ts); a listed transaction's
 * nota ordered and its arrival recorded (001 §39, §41); the credit accounts (001 §27). Everything
 * through the admin API's dispute routes with the token.
 */
import { ApiError, call, get, post } from '../api.js';
import { fill, field, h, kroner, message, table } from '../dom.js';
import type { Page } from '../page.js';
// Data only (no imports of its own): the reason codes and portal names as the server checks them.
import { DISPUTE_REASONS, type DisputeReason } from '../../../src/disputes/reasons.js';
import type { CheckAnswer, ListedTransaction, TransactionCheck } from '../../../src/disputes/disputes.js';
import type { DisputeCase } from '../../../src/disputes/dispute-case.js';
import type { NotaView } from '../../../src/disputes/notas.js';
import { cardIdOf } from './archive.js';
import { caseView, localTime, oreOf, reasonName } from './dispute-case-view.js';

/** The reasons whose rule needs one more amount per transaction (dispute-rules.ts), and its label. */
const EXTRA: Partial<Record<DisputeReason, { key: 'covered' | 'approvedAmount'; label: string }>> = {
  insufficientFunds: { key: 'covered', label: 'Covered by the account (kr)' },
  amountNotApproved: { key: 'approvedAmount', label: 'Approved by the holder (kr)' },
};

/** A local date 'YYYY-MM-DD' of the browser's clock, `days` on. */
function dateOf(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Field 43's name, else the merchant id (field 42): a test terminal may send neither. */
const merchantOf = (p: { merchantName?: string; merchant: string }) => p.merchantName || p.merchant || '—';

interface Row {
  tx: ListedTransaction;
  tick: HTMLInputElement;
  amount: HTMLInputElement;
  extra: HTMLInputElement;
}

function checkTable(answer: CheckAnswer, rows: Row[]): HTMLElement {
  const byEntry = new Map(rows.map((r) => [r.tx.entry, r.tx]));
  const verdict = (c: TransactionCheck) =>
    c.allowed ? `allowed (guarantee ${c.kind}: ${kroner(c.guarantee)})` : `refused: ${c.refusal}`;
  return h(
    'section',
    { class: 'check' },
    h('h3', {}, `Check: ${reasonName(answer.reason)}, seed ${answer.sections}`),
    answer.returnable
      ? message(`Every transaction can be returned: ${kroner(answer.total)} kr in all.`, 'ok')
      : message('Not every transaction can be returned: no case can be opened as proposed.', 'info'),
    table(
      ['Purchased', 'Merchant', 'Amount', 'Answer', 'Most that can be returned', 'To return', 'Why'],
      answer.transactions.map((c) => {
        const tx = byEntry.get(c.entry);
        const max = 'max' in c ? c.max : undefined;
        return h(
          'tr',
          { 'data-entry': c.entry },
          h('td', {}, tx ? localTime(tx.posting.localTime) : c.entry),
          h('td', {}, tx ? merchantOf(tx.posting) : '—'),
          h('td', { class: 'num' }, tx ? kroner(tx.posting.amount) : '—'),
          h('td', {}, verdict(c)),
          h('td', { class: 'num max' }, max === undefined ? '—' : kroner(max)),
          h('td', { class: 'num' }, c.amount === undefined ? '—' : kroner(c.amount)),
          h('td', {}, c.allowed ? '' : c.why),
        );
      }),
    ),
  );
}

function listing(rows: Row[], extraHeader: HTMLElement, nota: (tx: ListedTransaction) => HTMLElement): HTMLElement {
  const p = (tx: ListedTransaction) => tx.posting;
  const headers = [
    'Return',
    'Card',
    'Type',
    "Purchased (terminal's time)",
    'Merchant',
    'Amount',
    'Read / approved',
    'Status at purchase',
    'Reversed / refunded / returned',
    'Still open',
    'Nota',
    'Amount to return (kr)',
  ];
  const t = table(
    headers,
    rows.map(({ tx, tick, amount, extra }) =>
      h(
        'tr',
        { 'data-entry': tx.entry },
        h('td', {}, tick),
        h('td', { class: 'mono' }, p(tx).maskedPan),
        h('td', {}, p(tx).type),
        h('td', {}, localTime(p(tx).localTime)),
        h('td', {}, `${merchantOf(p(tx))}${p(tx).merchantCity ? `, ${p(tx).merchantCity}` : ''}`),
        h('td', { class: 'num' }, kroner(p(tx).amount)),
        h('td', {}, `${p(tx).entryMode} / ${p(tx).verification} (guarantee ${kroner(tx.guarantee.amount)})`),
        h('td', {}, tx.statusAtPurchase),
        h('td', { class: 'num' }, `${kroner(tx.reversed)} / ${kroner(tx.refunded)} / ${kroner(tx.returned)}`),
        h('td', { class: 'num open' }, kroner(tx.open)),
        nota(tx),
        h('td', {}, amount),
        h('td', { class: 'extra' }, extra),
      ),
    ),
  );
  t.querySelector('thead tr')!.append(h('th', { scope: 'col' }, extraHeader));
  return h('div', { class: 'scroll' }, t);
}

export const disputesPage: Page = {
  id: 'disputes',
  title: 'Disputes',
  roles: ['issuer'],
  render(root) {
    const cardInput = h('input', { name: 'card', autocomplete: 'off', size: '34', required: true });
    const from = h('input', { name: 'from', type: 'date', required: true, value: dateOf(-30) });
    const to = h('input', { name: 'to', type: 'date', required: true, value: dateOf(0) });
    const reason = h(
      'select',
      { name: 'reason' },
      (Object.keys(DISPUTE_REASONS) as DisputeReason[]).map((r) => h('option', { value: r }, reasonName(r))),
    );
    const contacted = h('input', { name: 'merchantContacted', type: 'checkbox' });
    const caseNumber = h('input', { name: 'caseNumber', autocomplete: 'off', size: '12', placeholder: 'D00000000' });
    const extraHeader = h('span', {}, '');
    const problem = h('div');
    const listed = h('div');
    const checked = h('div', { 'aria-live': 'polite' });
    const found = h('div', { 'aria-live': 'polite' });
    let card: string | undefined;
    let rows: Row[] = [];

    const fail = (where: HTMLElement, e: unknown) => fill(where, message((e as Error).message));
    /** The nota's status and its next step: order it (001 §39), then record how it came (signed or not). */
    const notaCell = (id: string) => (tx: ListedTransaction) => {
      const cell = h('td', { class: 'nota' });
      const when = localTime(tx.posting.localTime);
      const notas = `/disputes/cards/${id}/notas`;
      const step = async (path: string, body: unknown) => {
        fill(problem);
        try {
          tx.nota = ((await post(path, body)) as NotaView).status;
        } catch (err) {
          // Ordered or arrived already (by another tab): the answer says where the nota stands.
          const known = err instanceof ApiError ? (err.body.nota as NotaView | undefined) : undefined;
          if (known !== undefined) tx.nota = known.status;
          fail(problem, err);
        }
        draw();
      };
      const arrived = (signed: boolean) =>
        h(
          'button',
          {
            type: 'button',
            'aria-label': `Nota arrived ${signed ? 'signed' : 'unsigned'}: ${when}`,
            onclick: () => void step(`${notas}/${tx.entry}/arrival`, { signed }),
          },
          signed ? 'Nota arrived: signed' : 'Nota arrived: unsigned',
        );
      const draw = () =>
        fill(
          cell,
          h('span', { class: 'nota-status' }, tx.nota),
          tx.nota === 'none'
            ? h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Order the nota: ${when}`,
                  onclick: () => void step(notas, { entry: tx.entry }),
                },
                'Order nota',
              )
            : null,
          tx.nota === 'pending' || tx.nota === 'overdue' ? [arrived(true), arrived(false)] : null,
        );
      draw();
      return cell;
    };
    /** The extra amount column follows the reason: shown, labelled and enabled only when its rule needs it. */
    const followReason = () => {
      const extra = EXTRA[reason.value as DisputeReason];
      extraHeader.textContent = extra?.label ?? '—';
      for (const r of rows) {
        // What was typed for one reason (covered) means nothing for another (approved): cleared.
        if (r.extra.dataset.kind !== extraHeader.textContent) r.extra.value = '';
        r.extra.dataset.kind = extraHeader.textContent;
        r.extra.disabled = extra === undefined;
        r.extra.setAttribute('aria-label', `${extra?.label ?? 'Not needed'}: ${localTime(r.tx.posting.localTime)}`);
      }
    };
    /** The card typed: a card number is looked up and then leaves the screen; the card id takes its place. */
    const resolveCard = async (): Promise<string> => {
      const id = await cardIdOf(cardInput.value);
      cardInput.value = id;
      card = id;
      return id;
    };

    const list = async (e: Event) => {
      e.preventDefault();
      fill(problem);
      fill(checked);
      try {
        const id = await resolveCard();
        const q = new URLSearchParams({ from: from.value, to: to.value });
        const r = (await get(`/disputes/cards/${id}/transactions?${q.toString()}`)) as {
          transactions: ListedTransaction[];
          truncated: boolean;
        };
        rows = r.transactions.map((tx) => {
          const when = localTime(tx.posting.localTime);
          return {
            tx,
            tick: h('input', { type: 'checkbox', name: 'return', 'aria-label': `Return the purchase of ${when}` }),
            amount: h('input', {
              name: 'amount',
              inputmode: 'decimal',
              size: '10',
              placeholder: 'the most',
              'aria-label': `Amount to return: ${when}`,
            }),
            extra: h('input', { name: 'extra', inputmode: 'decimal', size: '10' }),
          };
        });
        followReason();
        fill(
          listed,
          h('h2', {}, `Transactions ${r.transactions[0]?.posting.maskedPan ?? ''} ${from.value} to ${to.value}`),
          rows.length === 0
            ? message('No delivered transaction of this card in the period.', 'info')
            : listing(rows, extraHeader, notaCell(id)),
          r.truncated ? message('Only the first 10,000 postings: choose a shorter period.', 'info') : null,
        );
      } catch (err) {
        rows = [];
        fill(listed);
        fail(problem, err);
      }
    };

    const proposal = () => {
      if (card === undefined || rows.length === 0) throw new Error('List the card’s transactions first.');
      const ticked = rows.filter((r) => r.tick.checked);
      if (ticked.length === 0) throw new Error('Tick at least one transaction to return.');
      const extra = EXTRA[reason.value as DisputeReason];
      return {
        card,
        reason: reason.value,
        merchantContacted: contacted.checked,
        transactions: ticked.map((r) => {
          const when = localTime(r.tx.posting.localTime);
          const amount = oreOf(r.amount.value, `Amount to return of ${when}`);
          const more = extra === undefined ? undefined : oreOf(r.extra.value, `${extra.label} of ${when}`);
          return {
            entry: r.tx.entry,
            ...(amount === undefined ? {} : { amount }),
            ...(extra === undefined || more === undefined ? {} : { [extra.key]: more }),
          };
        }),
      };
    };

    const check = async () => {
      try {
        fill(checked, checkTable((await post('/disputes/checks', proposal())) as CheckAnswer, rows));
      } catch (err) {
        fail(checked, err);
      }
    };

    const open = async () => {
      try {
        const c = (await post('/disputes/cases', proposal())) as DisputeCase;
        fill(checked, caseView(c, 'Case opened: the receipt', 'issuer'));
      } catch (err) {
        const answer = err instanceof ApiError ? (err.body.check as CheckAnswer | undefined) : undefined;
        fill(checked, message((err as Error).message), answer ? checkTable(answer, rows) : null);
      }
    };

    const findCase = async (e: Event) => {
      e.preventDefault();
      try {
        const c = (await get(`/disputes/cases/${encodeURIComponent(caseNumber.value.trim())}`)) as DisputeCase;
        fill(found, caseView(c, `Case ${c.number}`, 'issuer'));
      } catch (err) {
        fail(found, err);
      }
    };

    const casesOfCard = async () => {
      try {
        const id = await resolveCard();
        const r = (await get(`/disputes/cards/${id}/cases`)) as { cases: DisputeCase[] };
        fill(
          found,
          r.cases.length === 0
            ? message('The card has no dispute case.', 'info')
            : r.cases.map((c) => caseView(c, `Case ${c.number}`, 'issuer')),
        );
      } catch (err) {
        fail(found, err);
      }
    };

    /** The accounts a case's return is credited to, by the reason's kind (001 §27). */
    const insufficient = h('input', {
      name: 'insufficientFunds',
      inputmode: 'numeric',
      size: '22',
      autocomplete: 'off',
    });
    const other = h('input', { name: 'other', inputmode: 'numeric', size: '22', autocomplete: 'off' });
    const accountsSaid = h('div', { 'aria-live': 'polite' });
    const accounts = async (ask: () => Promise<unknown>, said?: string) => {
      try {
        const a = (await ask()) as { insufficientFunds: string; other: string };
        insufficient.value = a.insufficientFunds;
        other.value = a.other;
        fill(accountsSaid, said === undefined ? null : message(said, 'ok'));
      } catch (err) {
        fail(accountsSaid, err);
      }
    };
    const chosen = (input: HTMLInputElement) => input.value.trim() || 'standard';

    reason.addEventListener('change', followReason);
    followReason();
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void list(e) },
        field('Card number or card id', cardInput),
        field('From', from),
        field('To', to),
        h('button', { type: 'submit' }, 'List transactions'),
        h('small', { class: 'hint' }, 'Purchase dates (local), at most 400 days.'),
      ),
      problem,
      listed,
      h(
        'form',
        { class: 'grid', onsubmit: (e) => (e.preventDefault(), void check()) },
        field('Reason', reason),
        field('The holder contacted the merchant', contacted, "the holder's reasons need it (001 §43)"),
        h('button', { type: 'submit' }, 'Check'),
        h('button', { type: 'button', onclick: () => void open() }, 'Open case'),
      ),
      checked,
      h('h2', {}, 'Find cases'),
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void findCase(e) },
        field('Case number', caseNumber),
        h('button', { type: 'submit' }, 'Find case'),
        h('button', { type: 'button', onclick: () => void casesOfCard() }, "The card's cases"),
      ),
      found,
      h(
        'details',
        {
          class: 'accounts',
          ontoggle: (e) =>
            void ((e.currentTarget as HTMLDetailsElement).open && accounts(() => get('/disputes/accounts'))),
        },
        h('summary', {}, 'Credit accounts'),
        h(
          'form',
          {
            class: 'grid',
            onsubmit: (e) => {
              e.preventDefault();
              const body = { insufficientFunds: chosen(insufficient), other: chosen(other) };
              void accounts(() => call('PUT', '/disputes/accounts', body), 'The accounts are saved.');
            },
          },
          field('Account for insufficient funds', insufficient, '4 to 20 digits, or standard'),
          field('Account for the other reasons', other, '4 to 20 digits, or standard'),
          h('button', { type: 'submit' }, 'Save accounts'),
        ),
        accountsSaid,
      ),
    );
  },
};
