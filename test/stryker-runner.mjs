// StrykerJS test runner `vitest-own-tests-first` (stryker.config.mjs): the
// vitest runner, asked to run a mutant's covering tests in two rounds.
//
// Why: vitest collects (imports) every test file of a run before it runs a
// single test, and starts a fresh worker thread for every run. A mutant in
// model/ is covered by about thirty test files, so each mutant run paid for
// importing all thirty even when the first test killed it (about 0.7 s a
// mutant, 0.34 s of it collecting). Most mutants are killed by the unit
// tests of their own module. So the first round runs only the covering tests
// in the module's own test files (test/**/mm*.test.ts for model/ops/mm.ts),
// or, when it has none, in the one fast file with the most covering tests;
// the second round runs the rest only if the mutant survived the first.
// The verdict is the same as one round over all covering tests: a mutant is
// killed when any covering test fails, and survives only when all passed.
//
// And one worker thread for all the runs of a test runner process: vitest
// starts a fresh thread for every run and imports the model into it again
// (about 0.3 s a mutant). The `kept-thread` pool below keeps the thread, so
// the instrumented model stays imported and each run imports only its test
// files again (vitest invalidates those for every run). That is safe here
// because Stryker switches mutants at run time through a global, and the
// model keeps no state between calls (no module-level caches): a run sees the
// same modules a fresh thread would. test/stryker-reset.ts clears the last
// run's mutant before the next run imports its test files.
//
// Plain JavaScript because Stryker imports plugins itself, without tsx.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { MutantRunStatus } from '@stryker-mutator/api/test-runner';
import { strykerPlugins as vitestPlugins } from '@stryker-mutator/vitest-runner';

/** The slow files test/fast-first.ts runs last: never in the first round. */
const SLOW_LAST = JSON.parse(readFileSync(new URL('./slow-last.json', import.meta.url), 'utf8'));

const fileOf = (testId) => testId.slice(0, testId.indexOf('#'));

const stem = (path) => basename(path).replace(/\.test\.ts$|\.ts$/, '');

/** The covering tests of the first round: those of the module's own test files, or of the fast file with the most. */
export const firstRound = (module, testIds) => {
  const own = stem(module);
  const mine = testIds.filter((id) => {
    const s = stem(fileOf(id));
    return s === own || s.startsWith(`${own}-`);
  });
  if (mine.length > 0) return mine;
  const perFile = new Map();
  for (const id of testIds) {
    const f = fileOf(id);
    if (!SLOW_LAST.some((s) => f.endsWith(s))) perFile.set(f, (perFile.get(f) ?? 0) + 1);
  }
  const best = [...perFile.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return best === undefined ? [] : testIds.filter((id) => fileOf(id) === best[0]);
};

const KEPT = 'kept-thread';

/** The thread of this process, kept across runs; null before the first run or after it exited. */
let kept = null;
let keptStarted = false;
/** Set when a run must start from a fresh thread (a mutant activated at import). */
let freshNextRun = false;

/**
 * A vitest pool worker (vitest's ThreadsPoolWorker, but the thread outlives
 * the run): `stop` detaches instead of terminating, and the `start`/`stop`
 * requests of later runs are answered here, because the thread is already set
 * up. The test name filter, which vitest sends only with `start`, is put on
 * every file of each `run` request instead.
 */
class KeptThreadWorker {
  name = KEPT;
  constructor(options) {
    this.entrypoint = resolve(options.distPath, 'workers/threads.js');
    this.env = options.env;
    this.execArgv = options.execArgv;
    this.stdout = options.project.vitest.logger.outputStream;
    this.stderr = options.project.vitest.logger.errorStream;
    this.listeners = [];
    this.testNamePattern = undefined;
  }
  async start() {
    if (kept !== null && freshNextRun) {
      const old = kept;
      kept = null;
      await old.terminate();
    }
    freshNextRun = false;
    if (kept === null) {
      const t = new Worker(this.entrypoint, { env: this.env, execArgv: this.execArgv, stdout: true, stderr: true });
      t.stdout.pipe(this.stdout);
      t.stderr.pipe(this.stderr);
      t.on('exit', () => {
        if (kept === t) kept = null;
      });
      kept = t;
      keptStarted = false;
    }
  }
  on(event, callback) {
    this.listeners.push([event, callback]);
    kept.on(event, callback);
  }
  off(event, callback) {
    this.listeners = this.listeners.filter(([e, c]) => e !== event || c !== callback);
    kept?.off(event, callback);
  }
  /** Answer a request here, as the thread would have, after the caller has attached its listeners. */
  answer(type) {
    setImmediate(() => {
      for (const [e, c] of this.listeners) if (e === 'message') c({ type, __vitest_worker_response__: true });
    });
  }
  send(message) {
    if (message?.__vitest_worker_request__ === true && message.type === 'start') {
      this.testNamePattern = message.context.config.testNamePattern;
      if (keptStarted) return this.answer('started');
      keptStarted = true;
    } else if (message?.__vitest_worker_request__ === true && message.type === 'stop') {
      return this.answer('stopped');
    } else if (message?.__vitest_worker_request__ === true && (message.type === 'run' || message.type === 'collect')) {
      const files = message.context.files.map((f) => ({ ...f, testNamePattern: f.testNamePattern ?? this.testNamePattern }));
      message = { ...message, context: { ...message.context, files } };
    }
    kept.postMessage(message);
  }
  async stop() {
    for (const [e, c] of this.listeners) kept?.off(e, c);
    this.listeners = [];
  }
  deserialize(data) {
    return data;
  }
}

/** Make every project of the vitest instance run its files on the kept thread. */
export const keepThread = (vitest) => {
  for (const project of vitest.projects) {
    project.config.pool = KEPT;
    project.config.poolRunner = { name: KEPT, createPoolWorker: (options) => new KeptThreadWorker(options) };
  }
};

class OwnTestsFirst {
  constructor(inner) {
    this.inner = inner;
  }
  capabilities() {
    return this.inner.capabilities();
  }
  async init() {
    await this.inner.init();
    keepThread(this.inner.ctx);
  }
  dryRun(options) {
    return this.inner.dryRun(options);
  }
  /**
   * One run of the inner runner. A test file that throws while it is
   * imported (a static mutant that breaks what the model builds at import,
   * a design's environment, say) has no tests to fail, and the vitest
   * runner counts only tests: such a mutant came out "survived". vitest
   * records the error on the file itself: a file of the run with errors of
   * its own did not load with the mutant active, and the mutant is killed.
   */
  async runChecked(options) {
    const r = await this.inner.mutantRun(options);
    if (r.status !== MutantRunStatus.Survived) return r;
    const broken = (this.inner.ctx?.state?.getFiles() ?? []).filter((f) => (f.result?.errors?.length ?? 0) > 0);
    if (broken.length === 0) return r;
    return { status: MutantRunStatus.Killed, killedBy: [], failureMessage: `${broken[0].name} did not load with the mutant active: ${String(broken[0].result.errors[0]?.message ?? '').slice(0, 200)}`, nrOfTests: r.nrOfTests };
  }
  dispose() {
    return this.inner.dispose();
  }
  async mutantRun(options) {
    // Stryker asks for a fresh environment for a mutant that code run at import
    // also reaches (a test file that computes its cases at import). With run-time
    // activation that changes nothing here: the mutant is switched on in a
    // beforeAll hook, after every import, in a fresh thread as in the kept one.
    // Only a mutant activated at import needs the modules evaluated again.
    if (options.mutantActivation === 'static') freshNextRun = true;
    const all = options.testFilter;
    if (all === undefined) return this.runChecked(options);
    const first = firstRound(options.activeMutant.fileName, all);
    if (first.length === 0 || first.length === all.length) return this.runChecked(options);
    const one = await this.runChecked({ ...options, testFilter: first });
    if (one.status !== MutantRunStatus.Survived) return one;
    const chosen = new Set(first);
    const two = await this.runChecked({ ...options, testFilter: all.filter((id) => !chosen.has(id)) });
    return two.status === MutantRunStatus.Survived || two.status === MutantRunStatus.Killed ? { ...two, nrOfTests: one.nrOfTests + two.nrOfTests } : two;
  }
}

const vitestFactory = vitestPlugins[0].factory;

function createOwnTestsFirst(injector) {
  return new OwnTestsFirst(vitestFactory(injector));
}
createOwnTestsFirst.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'vitest-own-tests-first', createOwnTestsFirst)];
