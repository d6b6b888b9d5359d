/** The steps the shipped routes name. */
import type { Step } from '../pipeline.js';
import { checkProcessingCode } from './check-processing-code.js';
import { decide } from './decide.js';
import { identifyTerminal } from './identify-terminal.js';
import { networkManagement } from './network-management.js';
import { rejectUnknownMti } from './reject-unknown-mti.js';
import { respond } from './respond.js';
import { validateFields } from './validate-fields.js';
import { answerCryptogram } from './verify-cryptogram.js';

export const STANDARD_STEPS: Step[] = [
  validateFields,
  identifyTerminal,
  checkProcessingCode,
  networkManagement,
  rejectUnknownMti,
  decide,
  answerCryptogram,
  respond,
];
