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
