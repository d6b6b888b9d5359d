/**
 * Live traffic: every exchange of every terminal as the switch records it, card data masked;
 * filtered by terminal, card, MTI and action code; paused and resumed; a click (or Enter) on a
 * row shows both messages field by field and the masked hex dump.
 */
import { fill, field, h, message, table } from '../dom.js';
import type { Page } from '../page.js';
import { type TrafficEvent, onStatus, onTraffic } from '../traffic-stream.js';
import type { ShownMessage } from '../../../src/trace/traffic-event.js';

/** Exchanges kept in the page; older ones leave the table. */
const KEEP = 500;

export function valueOf(message: ShownMessage | null, n: number): string {
  return message?.fields.find((f) => f.n === n)?.value ?? '';
}

function cardOf(e: TrafficEvent): string {
  return valueOf(e.request, 2) || valueOf(e.request, 35);
}

export const trafficPage: Page = {
  id: 'traffic',
  title: 'Live traffic',
  roles: ['vendor', 'operator'],
  render(root) {
    const events: TrafficEvent[] = [];
    let paused = false;
    let held = 0;
    let streamStatus = '';
    const filters = {
      terminal: h('input', { name: 'terminal', size: '10' }),
      card: h('input', { name: 'card', size: '12', placeholder: 'e.g. 0016' }),
      mti: h('input', { name: 'mti', size: '6', placeholder: '1200' }),
      code: h('input', { name: 'code', size: '5', placeholder: '000' }),
    };
    const state = h('span', { class: 'stream-status', role: 'status' });
    const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
    const body = h('tbody');
    const detail = h('section', { class: 'detail', 'aria-live': 'polite' });
    const matches = (e: TrafficEvent): boolean => {
      const has = (value: string, wanted: string) =>
        wanted === '' || value.toLowerCase().includes(wanted.toLowerCase());
      return (
        has(e.terminal, filters.terminal.value.trim()) &&
        has(cardOf(e), filters.card.value.trim()) &&
        (has(e.request.mti ?? '', filters.mti.value.trim()) || has(e.response?.mti ?? '', filters.mti.value.trim())) &&
        has(valueOf(e.response, 39) || (e.fault?.actionCode ?? ''), filters.code.value.trim())
      );
    };
    const row = (e: TrafficEvent): HTMLTableRowElement => {
      const open = () => showDetail(detail, e);
      return h(
        'tr',
        { tabindex: '0', onclick: open, onkeydown: (k) => (k as KeyboardEvent).key === 'Enter' && open() },
        h('td', {}, new Date(e.at).toLocaleTimeString('en-GB', { hour12: false })),
        h('td', {}, e.terminal),
        h('td', {}, e.listener),
        h('td', {}, e.request.mti ?? '?'),
        h('td', {}, valueOf(e.request, 11)),
        h('td', {}, cardOf(e)),
        h('td', { class: 'num' }, valueOf(e.request, 4)),
        h('td', {}, e.response?.mti ?? 'no answer'),
        h('td', {}, valueOf(e.response, 39)),
        h('td', {}, e.fault ? `${e.fault.kind} (rule ${e.fault.rule})` : ''),
      );
    };
    const redraw = () => fill(body, events.filter(matches).reverse().map(row));
    for (const input of Object.values(filters)) input.addEventListener('input', redraw);
    pause.addEventListener('click', () => {
      paused = !paused;
      pause.textContent = paused ? 'Resume' : 'Pause';
      pause.setAttribute('aria-pressed', String(paused));
      if (!paused) {
        held = 0;
        state.textContent = streamStatus;
        redraw();
      }
    });
    const stopStatus = onStatus((s) => {
      streamStatus = s;
      if (!paused) state.textContent = s;
    });
    const stop = onTraffic((e) => {
      events.push(e);
      if (events.length > KEEP) events.shift();
      if (paused) state.textContent = `paused: ${++held} new exchange(s) held`;
      else if (matches(e)) body.prepend(row(e));
    });
    root.append(
      h(
        'form',
        { class: 'filters', onsubmit: (e) => e.preventDefault() },
        field('Terminal', filters.terminal),
        field('Card', filters.card),
        field('MTI', filters.mti),
        field('Action code', filters.code),
        pause,
        h('button', { type: 'button', onclick: () => ((events.length = 0), redraw(), fill(detail)) }, 'Clear'),
        state,
      ),
      h(
        'div',
        { class: 'split' },
        h(
          'div',
          { class: 'scroll' },
          table(['Time', 'Terminal', 'Listener', 'MTI', 'STAN', 'Card', 'Amount', 'Answer', 'Code', 'Fault'], body),
        ),
        detail,
      ),
    );
    return () => {
      stop();
      stopStatus();
    };
  },
};

function showDetail(detail: HTMLElement, e: TrafficEvent): void {
  const shown = (title: string, m: ShownMessage | null) =>
    m === null
      ? h('section', {}, h('h3', {}, title), message('No answer was sent (a fault rule withheld it).', 'info'))
      : h(
          'section',
          {},
          h('h3', {}, `${title}: ${m.mti ?? '(unreadable)'}`),
          table(
            ['Field', 'Name', 'Value'],
            m.fields.map((f) =>
              h('tr', {}, h('td', {}, f.n), h('td', {}, f.name), h('td', { class: 'mono' }, f.value)),
            ),
          ),
          m.error ? message(`Unreadable from here: ${m.error}`) : null,
          h('details', {}, h('summary', {}, 'Hex (card data masked)'), h('pre', { class: 'mono' }, m.hex)),
        );
  fill(
    detail,
    h('h2', {}, `${e.terminal} at ${new Date(e.at).toLocaleString('en-GB', { hour12: false })} (${e.dialect})`),
    e.fault
      ? message(
          `Fault rule ${e.fault.rule}: ${e.fault.kind}${e.fault.actionCode ? `, decided ${e.fault.actionCode}` : ''}`,
          'info',
        )
      : null,
    shown('Request', e.request),
    shown('Answer', e.response),
  );
}
