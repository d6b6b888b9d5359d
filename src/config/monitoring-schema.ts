/** The config schema of the fraud monitoring (monitoring; schema.ts, docs/MONITORING.md). */
import { object } from './schema-object.js';

export const MONITORING_SCHEMA = object({
  enabled: {
    type: 'boolean',
    description: 'The fraud monitoring (docs/MONITORING.md) evaluates every online transaction; false: none.',
  },
  rulesFile: {
    type: 'string',
    minLength: 1,
    description:
      'A rule file (src/monitoring/rule-schema.ts; the shipped src/monitoring/default-rules.json is the template), ' +
      'read again whenever it changes; absent: the shipped rules.',
  },
});
