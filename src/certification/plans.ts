/** The shipped test plans (src/certification/plans/*.json), one per terminal kind. */
import type { TestPlan } from './test-plan.js';
import chipPsam from './plans/chip-psam.json' with { type: 'json' };
import dkt1 from './plans/dkt1.json' with { type: 'json' };
import contactless from './plans/contactless.json' with { type: 'json' };
import fuelPump from './plans/fuel-pump.json' with { type: 'json' };

export const TEST_PLANS: readonly TestPlan[] = [chipPsam, dkt1, contactless, fuelPump] as TestPlan[];
