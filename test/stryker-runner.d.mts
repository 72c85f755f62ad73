/** Types of test/stryker-runner.mjs (a Stryker plugin, plain JavaScript) for its test. */
export declare const firstRound: (module: string, testIds: ReadonlyArray<string>) => string[];
export declare const strykerPlugins: ReadonlyArray<{ readonly kind: string; readonly name: string }>;
