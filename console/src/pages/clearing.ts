/**
 * A day's clearing (operators): the deliveries sealed for the date, their files and postings, and
 * the day's reconciliation once written. The delivery files carry full PANs: they are fetched from
 * the clearing directory, not through the console (docs/CLEARING.md).
 */
import { get } from '../api.js';
import { fill, field, h, kroner, message, table } from '../dom.js';
import type { Page } from '../page.js';

interface Day {
  date: string;
  deliveries: { number: number; cutoff: string; file: string | null; postings: number | null }[];
  reconciliation: {
    clean?: boolean;
    differences?: string[];
    journal?: { overall?: { count: number; debit: number; credit: number } };
    deliveries?: { overall?: { count: number; debit: number; credit: number } };
  } | null;
}

/** Today in the browser's time zone, as the date input wants it. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export const clearingPage: Page = {
  id: 'clearing',
  title: 'Clearing',
  roles: ['operator'],
  render(root) {
    const date = h('input', { name: 'date', type: 'date', value: today(), required: true });
    const out = h('div');
    const load = async (e?: Event) => {
      e?.preventDefault();
      try {
        const day = (await get(`/clearing/days/${encodeURIComponent(date.value)}`)) as Day;
        const r = day.reconciliation;
        const overall = (label: string, o?: { count: number; debit: number; credit: number }) =>
          o ? h('p', {}, `${label}: ${o.count} postings, debit ${kroner(o.debit)}, credit ${kroner(o.credit)}`) : null;
        fill(
          out,
          h('h2', {}, `Deliveries of ${day.date}`),
          day.deliveries.length === 0
            ? message('No delivery sealed for this date yet.', 'info')
            : table(
                ['Delivery', 'Cut-off', 'File', 'Postings'],
                day.deliveries.map((d) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'num' }, d.number),
                    h('td', {}, d.cutoff),
                    h('td', { class: 'mono' }, d.file ?? 'being written'),
                    h('td', { class: 'num' }, d.postings ?? ''),
                  ),
                ),
              ),
          h('h2', {}, 'Reconciliation'),
          r === null
            ? message('Not reconciled yet: the day is reconciled after its last delivery.', 'info')
            : [
                message(
                  r.clean ? 'Clean: the deliveries hold every posting of the day once.' : 'Differences found.',
                  r.clean ? 'ok' : 'error',
                ),
                overall('Journal', r.journal?.overall),
                overall('Deliveries', r.deliveries?.overall),
                (r.differences ?? []).length > 0
                  ? h(
                      'ul',
                      {},
                      (r.differences ?? []).map((x) => h('li', {}, x)),
                    )
                  : null,
              ],
        );
      } catch (err) {
        fill(out, message((err as Error).message));
      }
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void load(e) },
        field('Business date', date),
        h('button', { type: 'submit' }, 'Show'),
      ),
      out,
    );
    void load();
  },
};
