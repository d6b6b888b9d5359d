/** Masking of card data for display: PAN as first 6 + last 4, track data likewise, secrets hidden. */

/**
 * First 6 and last 4 digits shown, the rest as '*'. A number too short for that keeps only its
 * last 4 (or nothing when 4 or fewer), so masking never shows a whole short number.
 */
export function maskPan(pan: string): string {
  const n = pan.length;
  if (n >= 13) return pan.slice(0, 6) + '*'.repeat(n - 10) + pan.slice(-4);
  if (n > 4) return '*'.repeat(n - 4) + pan.slice(-4);
  return '*'.repeat(n);
}

/**
 * Track data: the PAN inside it (the first run of digits) masked as a PAN, every other letter or
 * digit after it replaced by '*' (expiry, service code, discretionary data, name), separators kept.
 */
export function maskTrack(track: string): string {
  const m = /\d{5,}/.exec(track);
  if (m === null) return track.replace(/[A-Za-z0-9]/g, '*');
  const head = track.slice(0, m.index).replace(/\d/g, '*');
  const tail = track.slice(m.index + m[0].length).replace(/[^=^]/g, '*');
  return head + maskPan(m[0]) + tail;
}

/**
 * Where the values of the `hidden` tags sit in a field of sub-elements (tag of 2 digits, length of
 * 3 digits, value), as [from, to) character offsets. A field that cannot be read as sub-elements
 * is hidden whole from the first unreadable point: nothing says what it holds.
 */
export function hiddenSubElements(text: string, hidden: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < text.length;) {
    const head = text.slice(i, i + 5);
    const len = Number(head.slice(2));
    if (!/^\d{5}$/.test(head) || i + 5 + len > text.length) return [...out, [i, text.length]];
    if (hidden.includes(head.slice(0, 2)) && len > 0) out.push([i + 5, i + 5 + len]);
    i += 5 + len;
  }
  return out;
}

/** A field of sub-elements with the values of the `hidden` tags replaced by '*', one per character. */
export function maskSubElements(text: string, hidden: readonly string[]): string {
  let out = text;
  for (const [from, to] of hiddenSubElements(text, hidden))
    out = out.slice(0, from) + '*'.repeat(to - from) + out.slice(to);
  return out;
}
