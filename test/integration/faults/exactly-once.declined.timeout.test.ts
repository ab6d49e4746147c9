import { defineFaultSuite, scenarios } from './harness';

/** The exactly-once fault matrix (test/integration/faults/harness.ts) for one scenario and one fault mode. */
defineFaultSuite(scenarios.declined, ['timeout']);
