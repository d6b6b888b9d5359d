/**
 * Building the pages: elements made with text content only (never HTML from a string), so that
 * nothing the switch answers (a holder's statement, a terminal id) can become markup.
 */
type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  [name: string]: string | boolean | undefined | ((e: Event) => void);
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
  return el;
}

/** Replaces the element's content. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'number' ? String(child) : child);
  }
}

/** A labelled form field; the label wraps the control so that a click or a screen reader finds it. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control, hint ? h('small', {}, hint) : null);
}

/** An error or notice line, announced to screen readers. */
export function message(text: string, kind: 'error' | 'ok' | 'info' = 'error'): HTMLElement {
  return h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A table with a header row; `body` is the rows, or a tbody the caller keeps filling. */
export function table(headers: string[], body: HTMLTableRowElement[] | HTMLTableSectionElement): HTMLTableElement {
  const tbody = Array.isArray(body) ? h('tbody', {}, body) : body;
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    tbody,
  );
}

/** Øre as kroner with two decimals: 1234567 -> "12,345.67". */
export function kroner(ore: number): string {
  return (ore / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export function time(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toLocaleString('en-GB', { hour12: false });
}

/** Saves text (or bytes as fetched) as a file the browser downloads. */
export function download(name: string, type: string, content: string | Blob): void {
  const url = URL.createObjectURL(typeof content === 'string' ? new Blob([content], { type }) : content);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
