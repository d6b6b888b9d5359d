/**
 * A day's clearing (operators): the deliveries sealed for the date with their totals as each file
 * states them, the day's reconciliation once written, and the offline block list's files. The
 * files themselves carry full PANs: what the page downloads are copies with every PAN masked
 * (first 6, last 4; docs/CLEARING.md "Masked copies").
 */
import { get, getFile } from '../api.js';
import { download, fill, field, h, kroner, message, table, time } from '../dom.js';
import type { Page } from '../page.js';

interface Totals {
  count: number;
  debit: number;
  credit: number;
}

interface CurrencyTotals extends Totals {
  currency: string;
  dkkDebit: number;
  dkkCredit: number;
}

interface Day {
  date: string;
  deliveries: {
    number: number;
    cutoff: string;
    file: string | null;
    postings: number | null;
    totals: (Totals & { sections: number; currencies: CurrencyTotals[] }) | null;
    problem?: string;
  }[];
  reconciliation: {
    clean?: boolean;
    differences?: string[];
    journal?: { overall?: Totals };
    deliveries?: { overall?: Totals };
  } | null;
}

interface BlockListFile {
  file: string;
  date: string | null;
  kind: 'daily' | 'full';
  cards: number;
  added?: number;
  removed?: number;
  madeAt?: string;
}

interface BlockListFiles {
  files: BlockListFile[];
  total: number;
  full: BlockListFile;
}

/** Today in the browser's time zone, as the date input wants it. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A button that fetches the masked copy at `path` and saves it; a refusal is shown in `problem`. */
function copyButton(label: string, path: string, problem: HTMLElement): HTMLButtonElement {
  const save = async () => {
    try {
      const { name, blob } = await getFile(path);
      download(name, blob.type, blob);
    } catch (e) {
      fill(problem, message((e as Error).message));
    }
  };
  return h('button', { type: 'button', onclick: () => void save() }, label);
}

/** Per original currency: count, and debit / credit in the currency's minor units and in DKK. */
function currencyLines(currencies: CurrencyTotals[]): HTMLElement {
  return h(
    'ul',
    { class: 'plain' },
    currencies.map((c) =>
      h(
        'li',
        {},
        `${c.currency}: ${c.count} postings, debit ${c.debit} / credit ${c.credit} (minor units); DKK ${kroner(c.dkkDebit)} / ${kroner(c.dkkCredit)}`,
      ),
    ),
  );
}

function deliveriesTable(day: Day, problem: HTMLElement): HTMLElement {
  if (day.deliveries.length === 0) return message('No delivery sealed for this date yet.', 'info');
  return table(
    ['Delivery', 'Cut-off', 'File', 'Postings', 'Debit', 'Credit', 'Per currency', 'Copy'],
    day.deliveries.map((d) => {
      const t = d.totals;
      return h(
        'tr',
        { 'data-delivery': String(d.number) },
        h('td', { class: 'num' }, d.number),
        h('td', {}, d.cutoff),
        h('td', { class: 'mono' }, d.file ?? 'being written'),
        h('td', { class: 'num' }, t?.count ?? d.postings ?? ''),
        t === null ? h('td', { colspan: '3' }, d.problem ?? '') : null,
        t === null ? null : h('td', { class: 'num' }, kroner(t.debit)),
        t === null ? null : h('td', { class: 'num' }, kroner(t.credit)),
        t === null ? null : h('td', {}, currencyLines(t.currencies)),
        h(
          'td',
          {},
          d.file === null || t === null
            ? ''
            : copyButton(
                'Download (PANs masked)',
                `/clearing/deliveries/${encodeURIComponent(d.file)}/masked`,
                problem,
              ),
        ),
      );
    }),
  );
}

function reconciliation(r: Day['reconciliation']): (HTMLElement | null)[] {
  if (r === null) return [message('Not reconciled yet: the day is reconciled after its last delivery.', 'info')];
  const overall = (label: string, o?: Totals) =>
    o ? h('p', {}, `${label}: ${o.count} postings, debit ${kroner(o.debit)}, credit ${kroner(o.credit)}`) : null;
  const differences = r.differences ?? [];
  return [
    message(
      r.clean ? 'Clean: the deliveries hold every posting of the day once.' : 'Differences found.',
      r.clean ? 'ok' : 'error',
    ),
    overall('Journal', r.journal?.overall),
    overall('Deliveries', r.deliveries?.overall),
    differences.length > 0
      ? h(
          'ul',
          {},
          differences.map((x) => h('li', {}, x)),
        )
      : null,
  ];
}

function blockListTable(list: BlockListFiles, problem: HTMLElement): HTMLElement[] {
  const row = (f: BlockListFile) =>
    h(
      'tr',
      { 'data-file': f.file },
      h('td', { class: 'mono' }, f.file),
      h('td', {}, f.kind),
      h('td', {}, f.date ?? '—'),
      h('td', { class: 'num' }, f.cards),
      h('td', {}, f.kind === 'daily' ? `${f.added} put on, ${f.removed} taken off` : 'the whole list'),
      h('td', {}, f.madeAt === undefined ? 'made when asked' : time(f.madeAt)),
      h(
        'td',
        {},
        copyButton('Download (PANs masked)', `/offline-block-list/files/${encodeURIComponent(f.file)}/masked`, problem),
      ),
    );
  return [
    table(['File', 'Kind', 'Date', 'Cards', 'Changes', 'Made', 'Copy'], [row(list.full), ...list.files.map(row)]),
    list.total > list.files.length
      ? message(`The ${list.files.length} newest of ${list.total} daily files are shown.`, 'info')
      : null,
  ].filter((x): x is HTMLElement => x !== null);
}

export const clearingPage: Page = {
  id: 'clearing',
  title: 'Clearing',
  roles: ['operator'],
  render(root) {
    const date = h('input', { name: 'date', type: 'date', value: today(), required: true });
    const problem = h('div');
    const out = h('div');
    const lists = h('div');
    const load = async (e?: Event) => {
      e?.preventDefault();
      fill(problem);
      try {
        const day = (await get(`/clearing/days/${encodeURIComponent(date.value)}`)) as Day;
        fill(
          out,
          h('h2', {}, `Deliveries of ${day.date}`),
          deliveriesTable(day, problem),
          h('h2', {}, 'Reconciliation'),
          reconciliation(day.reconciliation),
        );
      } catch (err) {
        fill(out, message((err as Error).message));
      }
    };
    const loadLists = async () => {
      try {
        const list = (await get('/offline-block-list/files')) as BlockListFiles;
        fill(lists, blockListTable(list, problem));
      } catch (err) {
        fill(lists, message((err as Error).message));
      }
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void load(e) },
        field('Business date', date),
        h('button', { type: 'submit' }, 'Show'),
      ),
      h(
        'p',
        { class: 'hint' },
        'Delivery and block list files hold full card numbers; the copies downloaded here have every card number masked (first 6 and last 4 digits).',
      ),
      problem,
      out,
      h('h2', {}, 'Offline block list files'),
      lists,
    );
    void load();
    void loadLists();
  },
};
