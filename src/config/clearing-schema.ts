/** The config schema of the clearing deliveries (clearing; schema.ts, docs/CLEARING.md). */
import { object } from './schema-object.js';

/** A local time of day, 'HH:MM'. */
const localTime = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;

export const CLEARING_SCHEMA = object({
  enabled: {
    type: 'boolean',
    description: 'Run the BullMQ cut-off scheduler and a delivery worker in the switch process.',
  },
  cutoffs: {
    type: 'array',
    items: localTime,
    minItems: 1,
    maxItems: 24,
    uniqueItems: true,
    description: "The day's cut-offs, local 'HH:MM' in register.timeZone, in order; delivery n is cut at cutoffs[n-1].",
  },
  directory: {
    type: 'string',
    minLength: 1,
    description: 'Where delivery files and reconciliation reports are written (created if absent).',
  },
  queuePrefix: {
    type: 'string',
    minLength: 1,
    pattern: '^[^:]+$',
    description: "BullMQ's key prefix (its own, not redis.keyPrefix: BullMQ must not run under an ioredis keyPrefix).",
  },
  blockList: {
    ...object({ time: localTime, directory: { type: 'string', minLength: 1 } }),
    description: 'Offline block list: the local time its daily change file is made, and where files go.',
  },
});
