/**
 * The block desk: what a block-service agent fills in during a holder's call (POST /block-reports):
 * who called, the numbers they have, lost or stolen, what they said. The answer is the reference
 * to read out and the SMS receipt's text; several matching cards are listed to choose from.
 */
import { ApiError, post } from '../api.js';
import { fill, field, h, message, time } from '../dom.js';
import type { Page } from '../page.js';

interface Candidate {
  card: string;
  maskedPan: string;
  issuer: string;
  product: string;
  status: string;
  block: string | null;
}

interface Blocked {
  reference: string;
  card: string;
  maskedPan: string;
  issuer: string;
  reportedAt: string;
  blockedAt: string;
  smsReceipt: string | null;
  pending?: boolean;
}

export const blockDeskPage: Page = {
  id: 'block-desk',
  title: 'Block desk',
  roles: ['blockService'],
  render(root) {
    const text = (name: string, attrs: Record<string, string> = {}) =>
      h('input', { name, autocomplete: 'off', ...attrs });
    const inputs = {
      name: text('name', { required: 'true' }),
      address: text('address', { required: 'true', size: '40' }),
      bank: text('bank', { required: 'true' }),
      cardNumber: text('cardNumber', { inputmode: 'numeric' }),
      accountNumber: text('accountNumber', { inputmode: 'numeric' }),
      personalNumber: text('personalNumber'),
      reportedAt: h('input', { name: 'reportedAt', type: 'datetime-local' }),
    };
    const reason = h(
      'select',
      { name: 'reason' },
      h('option', { value: 'lost' }, 'lost'),
      h('option', { value: 'stolen' }, 'stolen'),
    );
    const statement = h('textarea', { name: 'statement', rows: '3', cols: '50' });
    const out = h('section', { 'aria-live': 'polite' });
    const submit = async (card?: string) => {
      const body: Record<string, unknown> = { reason: reason.value };
      for (const [k, el] of Object.entries(inputs)) {
        const v = el.value.trim();
        if (v === '') continue;
        body[k] =
          k === 'reportedAt'
            ? new Date(v).toISOString()
            : k.endsWith('Number') && k !== 'personalNumber'
              ? v.replace(/\s/g, '')
              : v;
      }
      if (statement.value.trim()) body.statement = statement.value.trim();
      if (card) body.card = card;
      try {
        const r = (await post('/block-reports', body)) as Blocked;
        // The card number has done its work: it does not stay on the agent's screen.
        inputs.cardNumber.value = '';
        fill(
          out,
          h(
            'h2',
            {},
            r.pending ? 'Block accepted (the register is down: applied as soon as it answers)' : 'Card blocked',
          ),
          h('p', { class: 'reference' }, 'Reference number: ', h('strong', { class: 'mono' }, r.reference)),
          h('p', {}, `${r.maskedPan} (${r.issuer}), reported ${time(r.reportedAt)}, blocked ${time(r.blockedAt)}`),
          h('h3', {}, 'SMS sent to the holder'),
          r.smsReceipt
            ? h('blockquote', { class: 'sms' }, r.smsReceipt)
            : message('No SMS text: the card is not known until the register answers.', 'info'),
        );
      } catch (e) {
        const candidates = e instanceof ApiError ? (e.body.candidates as Candidate[] | undefined) : undefined;
        fill(
          out,
          message((e as Error).message),
          candidates
            ? h(
                'ul',
                {},
                candidates.map((c) =>
                  h(
                    'li',
                    {},
                    `${c.maskedPan} ${c.product} (${c.issuer}, ${c.status}${c.block ? `, blocked ${c.block}` : ''}) `,
                    h('button', { type: 'button', onclick: () => void submit(c.card) }, 'Block this card'),
                  ),
                ),
              )
            : null,
        );
      }
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => (e.preventDefault(), void submit()) },
        h(
          'fieldset',
          {},
          h('legend', {}, 'Who is calling'),
          field('Name', inputs.name),
          field('Address', inputs.address),
          field('Bank or branch', inputs.bank),
        ),
        h(
          'fieldset',
          {},
          h('legend', {}, 'The numbers they have (at least one)'),
          field('Card number', inputs.cardNumber),
          field('Account number', inputs.accountNumber),
          field('Personal number (CPR)', inputs.personalNumber),
        ),
        h(
          'fieldset',
          {},
          h('legend', {}, 'What happened'),
          field('Lost or stolen', reason),
          field('When they called', inputs.reportedAt, 'empty: now'),
          field('What they said', statement),
        ),
        h('button', { type: 'submit' }, 'Block the card'),
      ),
      out,
    );
  },
};
