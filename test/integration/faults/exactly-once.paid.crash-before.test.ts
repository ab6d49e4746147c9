import { defineFaultSuite, scenarios } from './harness';

/** The exactly-once fault matrix (test/integration/faults/harness.ts) for one scenario and its fault modes. */
defineFaultSuite(scenarios.paid, ['crash-before']);
