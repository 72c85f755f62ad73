// StrykerJS: mutation testing of the model and the invariants (`npm run mutate`).
// The vitest runner runs only the tests that cover each mutant, from the fast
// selection in vitest.mutate.config.ts. See docs/assurance.md for the score.
export default {
  testRunner: 'vitest-own-tests-first', // test/stryker-runner.mjs: the vitest runner, the module's own tests first
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  mutate: ['model/**/*.ts', 'properties/**/*.ts'],
  coverageAnalysis: 'perTest',
  plugins: ['@stryker-mutator/*', './test/stryker-runner.mjs', './bench/stryker-timing-reporter.mjs'],
  reporters: ['clear-text', 'progress', 'json', 'timing'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  // Added to 1.5 times a mutant's covering tests' own time: a mutant that loops is given up on after a few seconds
  // (each timeout also restarts the test runner). 86 of the first complete run's mutants looped (explorer store, engine, search shrinking); 3 s past tests of milliseconds is ample on an idle machine.
  timeoutMS: 3000,
  tempDirName: '.stryker-tmp',
  ignoreStatic: true,
  checkers: [],
  // Stryker rewrites tsconfig.json with the TypeScript JS API, which TypeScript 7 (native) does not have;
  // nothing here needs it (tsx runs the sources), so point it at no file.
  tsconfigFile: 'tsconfig.stryker-none.json',
};
