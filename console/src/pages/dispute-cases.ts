/**
 * Dispute cases, for the operator (001 §26): a case found by its number, or a card's cases by the
 * card id (the card lookup is the issuer's), each shown as the issuer sees it; an open case
 * represented for the merchant's side, a contested one decided.
 */
import { get } from '../api.js';
import { fill, field, h, message } from '../dom.js';
import type { Page } from '../page.js';
import type { DisputeCase } from '../../../src/disputes/dispute-case.js';
import { caseView } from './dispute-case-view.js';

export const disputeCasesPage: Page = {
  id: 'dispute-cases',
  title: 'Dispute cases',
  roles: ['operator'],
  render(root) {
    const caseNumber = h('input', { name: 'caseNumber', autocomplete: 'off', size: '12', placeholder: 'D00000000' });
    const cardId = h('input', { name: 'card', autocomplete: 'off', size: '34', placeholder: '32 hex digits' });
    const found = h('div', { 'aria-live': 'polite' });
    const show = async (ask: () => Promise<DisputeCase[]>) => {
      try {
        const cases = await ask();
        fill(
          found,
          cases.length === 0
            ? message('The card has no dispute case.', 'info')
            : cases.map((c) => caseView(c, `Case ${c.number}`, 'operator')),
        );
      } catch (err) {
        fill(found, message((err as Error).message));
      }
    };
    const byNumber = async () => [
      (await get(`/disputes/cases/${encodeURIComponent(caseNumber.value.trim())}`)) as DisputeCase,
    ];
    const ofCard = async () =>
      ((await get(`/disputes/cards/${encodeURIComponent(cardId.value.trim())}/cases`)) as { cases: DisputeCase[] })
        .cases;

    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => (e.preventDefault(), void show(byNumber)) },
        field('Case number', caseNumber),
        h('button', { type: 'submit' }, 'Find case'),
      ),
      h(
        'form',
        { class: 'grid', onsubmit: (e) => (e.preventDefault(), void show(ofCard)) },
        field('Card id', cardId),
        h('button', { type: 'submit' }, "The card's cases"),
      ),
      found,
    );
  },
};
