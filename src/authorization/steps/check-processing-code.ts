/** A financial request whose processing code (field 3) names a transaction we do not handle is invalid. */
import type { Step } from '../pipeline.js';
import { refuse } from '../context.js';
import { PROCESSING_CODES } from '../routes.js';

export const checkProcessingCode: Step = {
  name: 'checkProcessingCode',
  run(ctx) {
    const code = String(ctx.request[3]).slice(0, 2);
    if (PROCESSING_CODES[code] === undefined) refuse(ctx, 'invalidTransaction', `processing code ${code} not handled`);
  },
};
