/** Fault rules (vendors): create, list, remove (docs/ADMIN-API.md, "Fault injection"). */
import { del, get, post } from '../api.js';
import { fill, field, h, message, table, time } from '../dom.js';
import type { Page } from '../page.js';

interface Rule {
  id: string;
  terminal?: string;
  card?: string;
  kind: string;
  mti?: string;
  ms?: number;
  code?: string;
  left: number | 'always';
  fired: number;
  createdAt: string;
}

export const faultsPage: Page = {
  id: 'faults',
  title: 'Faults',
  roles: ['vendor'],
  render(root) {
    const list = h('div');
    const problem = h('div');
    const input = (name: string, attrs: Record<string, string> = {}) => h('input', { name, ...attrs });
    const terminal = input('terminal', { maxlength: '8' });
    const pan = input('pan', { inputmode: 'numeric', autocomplete: 'off' });
    const kind = h(
      'select',
      { name: 'kind' },
      ['noAnswer', 'delay', 'close', 'actionCode', 'corrupt', 'badArpc', 'dropMac', 'script'].map((k) =>
        h('option', { value: k }, k),
      ),
    );
    const ms = input('ms', { inputmode: 'numeric' });
    const code = input('code', { size: '4' });
    const script = input('script', { size: '40', autocomplete: 'off' });
    const mti = input('mti', { size: '5' });
    const times = input('times', { placeholder: '1, or always' });
    const load = async () => {
      try {
        const { rules } = (await get('/faults')) as { rules: Rule[] };
        fill(
          list,
          rules.length === 0
            ? message('No fault rule is set.', 'info')
            : table(
                ['Rule', 'Terminal', 'Card', 'Kind', 'MTI', 'Left', 'Fired', 'Created', ''],
                rules.map((r) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'mono' }, r.id),
                    h('td', {}, r.terminal ?? ''),
                    h('td', { class: 'mono' }, r.card ? `${r.card.slice(0, 8)}…` : ''),
                    h('td', {}, r.kind + (r.ms ? ` ${r.ms} ms` : '') + (r.code ? ` ${r.code}` : '')),
                    h('td', {}, r.mti ?? 'any'),
                    h('td', {}, String(r.left)),
                    h('td', {}, r.fired),
                    h('td', {}, time(r.createdAt)),
                    h('td', {}, h('button', { type: 'button', onclick: () => void remove(r.id) }, 'Remove')),
                  ),
                ),
              ),
        );
      } catch (e) {
        fill(list, message((e as Error).message));
      }
    };
    const remove = async (id: string) => {
      try {
        await del(`/faults/${encodeURIComponent(id)}`);
      } catch (e) {
        fill(problem, message((e as Error).message));
      }
      await load();
    };
    const create = async (e: Event) => {
      e.preventDefault();
      const body: Record<string, unknown> = { kind: kind.value };
      if (terminal.value) body.terminal = terminal.value;
      if (pan.value) body.pan = pan.value.replace(/\s/g, '');
      if (ms.value) body.ms = Number(ms.value);
      if (code.value) body.code = code.value;
      if (script.value) body.script = script.value.replace(/\s/g, '');
      if (mti.value) body.mti = mti.value;
      if (times.value) body.times = times.value === 'always' ? 'always' : Number(times.value);
      try {
        const rule = (await post('/faults', body)) as Rule;
        fill(problem, message(`Rule ${rule.id} set.`, 'ok'));
        pan.value = '';
      } catch (err) {
        fill(problem, message((err as Error).message));
      }
      await load();
    };
    root.append(
      h(
        'form',
        { class: 'grid', onsubmit: (e) => void create(e) },
        field('Terminal (field 41)', terminal),
        field('or card number', pan, 'kept only as the card id'),
        field('Kind', kind),
        field('Delay (ms)', ms, 'delay only'),
        field('Action code', code, 'actionCode only'),
        field('Issuer scripts', script, 'script only: templates 71 / 72 in hex'),
        field('MTI', mti, 'e.g. 1200; empty: any'),
        field('Times', times),
        h('button', { type: 'submit' }, 'Set rule'),
      ),
      problem,
      h('h2', {}, 'Rules set'),
      list,
    );
    void load();
  },
};
