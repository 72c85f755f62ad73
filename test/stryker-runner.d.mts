/** Types of test/stryker-runner.mjs (a Stryker plugin, plain JavaScript) for its test. */
export declare const firstRound: (module: string, testIds: ReadonlyArray<string>) => string[];
export declare const strykerPlugins: ReadonlyArray<{ readonly kind: string; readonly name: string }>;
/** Make every project of a vitest instance run its files on one worker thread kept across runs. */
export declare const keepThread: (vitest: import('vitest/node').Vitest) => void;
