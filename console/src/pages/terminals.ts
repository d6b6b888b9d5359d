/** The terminals the switch has seen (its trace): last contact, dialect, kind, conformance. */
import { get } from '../api.js';
import { fill, h, message, table, time } from '../dom.js';
import type { Page } from '../page.js';

export interface SeenTerminal {
  terminal: string;
  lastContact: string | null;
  listener: string | null;
  dialect: string | null;
  kind: string | null;
  exchanges: number;
  conformance: Record<string, string>;
}

export async function terminalsSeen(): Promise<SeenTerminal[]> {
  return ((await get('/terminals')) as { terminals: SeenTerminal[] }).terminals;
}

async function terminalsAndTotal(): Promise<{ terminals: SeenTerminal[]; total: number }> {
  return (await get('/terminals')) as { terminals: SeenTerminal[]; total: number };
}

export const terminalsPage: Page = {
  id: 'terminals',
  title: 'Terminals',
  roles: ['vendor', 'operator'],
  render(root) {
    const out = h('div');
    const load = () =>
      terminalsAndTotal().then(
        ({ terminals, total }) =>
          fill(
            out,
            terminals.length < total
              ? message(`The ${terminals.length} most recently in contact of ${total} terminals.`, 'info')
              : null,
            terminals.length === 0
              ? message('No terminal has sent anything to this switch process yet.', 'info')
              : table(
                  ['Terminal', 'Last contact', 'Listener', 'Dialect', 'Kind', 'Exchanges', 'Conformance'],
                  terminals.map((t) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, t.terminal),
                      h('td', {}, time(t.lastContact)),
                      h('td', {}, t.listener ?? ''),
                      h('td', {}, t.dialect ?? ''),
                      h('td', {}, t.kind ?? 'not in the key file'),
                      h('td', { class: 'num' }, t.exchanges),
                      h(
                        'td',
                        {},
                        Object.entries(t.conformance).map(([check, status]) =>
                          h('span', { class: `badge ${status}` }, `${check}: ${status}`),
                        ),
                      ),
                    ),
                  ),
                ),
          ),
        (e: Error) => fill(out, message(e.message)),
      );
    root.append(h('button', { type: 'button', onclick: () => void load() }, 'Refresh'), out);
    void load();
  },
};
