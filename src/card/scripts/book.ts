/**
 * The book script (book.lua): a delivered posting booked on its card (balance down for a debit,
 * up for a credit, the posting's hold released), once per posting id, in one atomic call on the
 * card's keys.
 */
import { defineScript } from '../../redis/scripts.js';

/** Takes the postings as a tail of id, direction, amount, journal id, purchase time; answers how many were booked now. */
export const bookScript = defineScript({
  name: 'swBook',
  file: new URL('./book.lua', import.meta.url),
  keys: ['card', 'holds', 'booked', 'statement'],
  args: ['now', 'keepFor'],
  rest: 'postings',
  reply: (r) => Number(r),
});
