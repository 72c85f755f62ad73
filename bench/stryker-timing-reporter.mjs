// A StrykerJS reporter (`timing`, loaded by stryker.config.mjs) that records
// where a mutation run's time goes: for every mutant the planned timeout and
// covering tests' time (from the dry run), and the wall-clock moment its
// result arrived. bench/mutation-timing.ts reads reports/mutation/timing.json
// and prints seconds by status and by file. Stryker itself reports only the
// total. Plain JavaScript because Stryker imports plugins itself, without tsx.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

const OUT = 'reports/mutation/timing.json';

class TimingReporter {
  constructor() {
    this.started = Date.now();
    this.dryRunDone = null;
    this.plans = new Map();
    this.results = [];
  }

  onDryRunCompleted() {
    this.dryRunDone = Date.now();
  }

  onMutationTestingPlanReady(event) {
    for (const p of event.mutantPlans) {
      if (p.plan === 'Run') this.plans.set(p.mutant.id, { netTime: p.netTime, timeout: p.runOptions.timeout, tests: p.runOptions.testFilter?.length ?? null });
    }
  }

  onMutantTested(r) {
    if (!this.plans.has(r.id)) return; // decided without a run: ignored, no coverage, static
    this.results.push({ id: r.id, file: r.fileName, line: r.location.start.line, mutator: r.mutatorName, status: r.status, testsCompleted: r.testsCompleted ?? null, at: Date.now() - this.started, ...this.plans.get(r.id) });
  }

  wrapUp() {
    mkdirSync(dirname(OUT), { recursive: true });
    const body = { started: new Date(this.started).toISOString(), dryRunMs: this.dryRunDone === null ? null : this.dryRunDone - this.started, totalMs: Date.now() - this.started, mutants: this.results };
    writeFileSync(OUT, `${JSON.stringify(body)}\n`);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'timing', TimingReporter)];
