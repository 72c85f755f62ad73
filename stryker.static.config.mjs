import base from './stryker.config.mjs';
// `npm run mutate:static` (issue 16): the design modules, their worlds and the era flags (model/world.ts)
// mutated with their static mutants too (module-level literals and the code run at import: world
// literals, era objects, recipes built by mapPath()), which `npm run mutate` leaves out (ignoreStatic).
// Prose strings (design summaries, reasons) are left out: a changed sentence is not a changed model.
// A static mutant needs a fresh worker thread and every test of the selection: one at a time, about
// 90 minutes on this machine (docs/assurance.md).
export default {
  ...base,
  ignoreStatic: false,
  concurrency: 1,
  mutate: ['model/designs/**/*.ts', 'model/world.ts'],
  mutator: { excludedMutations: ['StringLiteral'] },
  reporters: ['progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/static.json' },
  tempDirName: '.stryker-tmp-static',
};
