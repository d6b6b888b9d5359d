/**
 * A dispute case as both its pages show it (the issuer's Disputes page, the operator's Dispute
 * cases page): the receipt (001 §24 step 7), where the case stands, the misuse report (001 §42),
 * the representment, contest and decision (001 §26), and the steps the signed-in role may take
 * next. A step's answer is the case as it is then: the section is redrawn from it.
 */
import { post } from '../api.js';
import { fill, field, h, kroner, message, table, time } from '../dom.js';
// Data only (no imports of its own): the reason codes and portal names as the server checks them.
import { DISPUTE_REASONS, type DisputeReason } from '../../../src/disputes/reasons.js';
import type { DisputeCase } from '../../../src/disputes/dispute-case.js';

/** Kroner as typed ("1500", "1500.5", "1500,50") to øre; undefined when empty. */
export function oreOf(text: string, what: string): number | undefined {
  const typed = text.trim();
  if (typed === '') return undefined;
  const m = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(typed);
  if (m === null) throw new Error(`${what}: kroner with at most two decimals, no thousands separator (1500.00)`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/** The terminal's local time (field 12, YYMMDDhhmmss) as the holder's receipt shows it. */
export const localTime = (t: string) =>
  `20${t.slice(0, 2)}-${t.slice(2, 4)}-${t.slice(4, 6)} ${t.slice(6, 8)}:${t.slice(8, 10)}:${t.slice(10, 12)}`;

export const reasonName = (r: DisputeReason) => `${DISPUTE_REASONS[r].portalName} (${r})`;

/** Who looks at the case: the steps shown are the ones the API takes from that role. */
export type Viewer = 'issuer' | 'operator';

const path = (c: DisputeCase, step: string) => `/disputes/cases/${encodeURIComponent(c.number)}/${step}`;

function misuse(c: DisputeCase): (HTMLElement | string)[] {
  const r = c.misuseReport;
  if (r === undefined) return [];
  const state =
    r.reportedAt === undefined
      ? `not reported, due by ${r.due}`
      : `reported ${time(r.reportedAt)}${r.late === true ? ` (late: it was due by ${r.due})` : ` (due by ${r.due})`}`;
  return [h('dt', {}, 'Misuse report'), h('dd', { class: 'misuse' }, state)];
}

function lifecycle(c: DisputeCase): HTMLElement[] {
  const parts: HTMLElement[] = [];
  const r = c.representment;
  if (r !== undefined)
    parts.push(
      h(
        'section',
        { class: 'representment' },
        h('h4', {}, 'Representment (the merchant’s side)'),
        h(
          'dl',
          {},
          h('dt', {}, 'Represented'),
          h('dd', {}, time(r.at)),
          h('dt', {}, 'Redebited'),
          h('dd', { class: 'redebited' }, `${kroner(r.amount)} kr`),
          h('dt', {}, 'Why'),
          h('dd', { class: 'text' }, r.text),
          h('dt', {}, 'Debit date'),
          h('dd', { class: 'debit-date' }, r.debitDate),
          h('dt', {}, 'Last day to contest'),
          h('dd', { class: 'contest-by' }, r.contestBy),
        ),
      ),
    );
  if (c.contest !== undefined)
    parts.push(
      h(
        'section',
        { class: 'contest' },
        h('h4', {}, 'Contested by the issuer'),
        h('p', {}, time(c.contest.at), ': ', h('span', { class: 'text' }, c.contest.text)),
      ),
    );
  const d = c.decision;
  if (d !== undefined)
    parts.push(
      h(
        'section',
        { class: 'decision' },
        h('h4', {}, 'Decision'),
        h(
          'dl',
          {},
          h('dt', {}, 'Decided'),
          h('dd', {}, time(d.at)),
          h('dt', {}, 'For'),
          h('dd', { class: 'for' }, d.for === 'issuer' ? 'the issuer' : 'the merchant'),
          h('dt', {}, 'Why'),
          h('dd', { class: 'text' }, d.text),
          d.creditDate === undefined ? null : h('dt', {}, 'Credited again on'),
          d.creditDate === undefined ? null : h('dd', { class: 'decision-credit-date' }, d.creditDate),
        ),
      ),
    );
  return parts;
}

/** The steps the viewer may take on the case as it stands; `done` redraws the case from the answer. */
function steps(
  c: DisputeCase,
  viewer: Viewer,
  done: (after: DisputeCase) => void,
  problem: HTMLElement,
): HTMLElement[] {
  const act = async (step: string, body: () => unknown) => {
    fill(problem);
    try {
      done((await post(path(c, step), body())) as DisputeCase);
    } catch (err) {
      fill(problem, message((err as Error).message));
    }
  };
  const forms: HTMLElement[] = [];
  if (viewer === 'issuer') {
    if (c.misuseReport !== undefined && c.misuseReport.reportedAt === undefined)
      forms.push(
        h('button', { type: 'button', onclick: () => void act('misuse-report', () => ({})) }, 'Report misuse'),
      );
    if (c.status === 'represented') {
      const text = h('textarea', { name: 'contest', rows: '2', cols: '50', maxlength: '500', required: true });
      forms.push(
        h(
          'form',
          { class: 'grid', onsubmit: (e) => (e.preventDefault(), void act('contest', () => ({ text: text.value }))) },
          field('Contest: why the issuer disagrees', text, `by ${c.representment!.contestBy}`),
          h('button', { type: 'submit' }, 'Contest'),
        ),
      );
    }
  } else if (c.status === 'open') {
    const amount = h('input', { name: 'amount', inputmode: 'decimal', size: '10', placeholder: 'the case total' });
    const text = h('textarea', { name: 'represent', rows: '2', cols: '50', maxlength: '500', required: true });
    const body = () => {
      const ore = oreOf(amount.value, 'Amount to redebit');
      return { ...(ore === undefined ? {} : { amount: ore }), text: text.value };
    };
    forms.push(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => (e.preventDefault(), void act('representment', body)) },
        field('Amount to redebit (kr)', amount, `empty: the case total, ${kroner(c.total)}`),
        field('Representment: the merchant’s side', text),
        h('button', { type: 'submit' }, 'Represent'),
      ),
    );
  } else if (c.status === 'contested') {
    const side = h(
      'select',
      { name: 'for' },
      h('option', { value: 'issuer' }, 'for the issuer'),
      h('option', { value: 'merchant' }, 'for the merchant'),
    );
    const text = h('textarea', { name: 'decision', rows: '2', cols: '50', maxlength: '500', required: true });
    forms.push(
      h(
        'form',
        {
          class: 'grid',
          onsubmit: (e) => (e.preventDefault(), void act('decision', () => ({ for: side.value, text: text.value }))),
        },
        field('Decide', side),
        field('Decision: why', text),
        h('button', { type: 'submit' }, 'Decide'),
      ),
    );
  }
  return forms;
}

/** The case with its history and the viewer's next steps; redrawn in place after each step. */
export function caseView(c: DisputeCase, heading: string, viewer: Viewer): HTMLElement {
  const problem = h('div');
  const section = h(
    'section',
    { class: 'receipt', 'data-case': c.number },
    h('h3', {}, heading),
    h('p', { class: 'reference' }, 'Case number: ', h('strong', { class: 'mono case-number' }, c.number)),
    h(
      'dl',
      {},
      h('dt', {}, 'Status'),
      h('dd', { class: 'status' }, c.status),
      h('dt', {}, 'Card'),
      h('dd', {}, c.maskedPan),
      h('dt', {}, 'Reason'),
      h('dd', {}, reasonName(c.reason)),
      h('dt', {}, 'Opened'),
      h('dd', {}, time(c.openedAt)),
      h('dt', {}, 'Credit date'),
      h('dd', { class: 'credit-date' }, c.creditDate),
      h('dt', {}, 'Credited to account'),
      h('dd', {}, c.account),
      h('dt', {}, 'Total returned'),
      h('dd', { class: 'total' }, `${kroner(c.total)} kr`),
      misuse(c),
    ),
    table(
      ["Purchased (terminal's time)", 'Merchant', 'Transaction amount', 'Returned', 'Transaction id'],
      c.transactions.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, localTime(t.localTime)),
          h('td', {}, [t.merchantName || t.merchant || '—', t.merchantCity].filter(Boolean).join(', ')),
          h('td', { class: 'num' }, kroner(t.transactionAmount)),
          h('td', { class: 'num' }, kroner(t.amount)),
          h('td', { class: 'mono' }, t.txn),
        ),
      ),
    ),
    lifecycle(c),
  );
  section.append(
    ...steps(c, viewer, (after) => section.replaceWith(caseView(after, heading, viewer)), problem),
    problem,
  );
  return section;
}
