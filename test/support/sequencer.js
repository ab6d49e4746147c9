/* eslint-disable @typescript-eslint/no-require-imports */
const Sequencer = require('@jest/test-sequencer').default;

/**
 * The longest files first, on a fresh clone too: without jest's timing cache the default order is by file
 * size, which puts the fault matrices (four-line files over a shared harness) last, so two workers finished
 * everything else and then waited on them. Known long poles go first; the rest keep jest's order.
 */
const LONG_POLES = [/test\/integration\/faults\//, /test\/browser\/dashboard\.test/, /test\/e2e\/black-box-faults\.test/, /test\/integration\/orders\/(inventory-races|hot-sku)\.test/];
const rank = (path) => {
  const i = LONG_POLES.findIndex((re) => re.test(path.replace(/\\/g, '/')));
  return i < 0 ? LONG_POLES.length : i;
};

class LongPolesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return sorted.map((test, i) => ({ test, i })).sort((a, b) => rank(a.test.path) - rank(b.test.path) || a.i - b.i).map(({ test }) => test);
  }
}

module.exports = LongPolesFirst;
