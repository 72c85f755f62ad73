/**
 * The package as a user gets it: `npm pack` ships the bin, the compiled
 * bundle and the README only, and installed into an empty project it runs
 * with no TypeScript compiler, tsx or esbuild at run time. The pack is made
 * from a staging copy (the checkout never keeps dist/, so that the tests
 * always run the sources).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle } from './cli-bin.ts';
import { scratch } from './scratch.ts';

const npm = (args: ReadonlyArray<string>, cwd: string): string => execFileSync('npm', [...args], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

describe('the packed package', () => {
  it('holds bin, dist and the README, and installed elsewhere runs check from the bundle alone', () => {
    const dir = scratch('dmacheck-pack-');
    const stage = join(dir, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'bin']) cpSync(f, join(stage, f), { recursive: true });
    // What `npm run build` (the prepack script) does, into the staging copy.
    buildBundle(join(stage, 'dist/dmacheck.mjs'));
    // Publishable: not marked private, with what a registry entry needs.
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest).toMatchObject({ name: 'dmacheck', license: 'MIT', bin: { dmacheck: 'bin/dmacheck.js' } });
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], stage)) as { filename: string; files: { path: string }[] }[];
    expect(packed[0]!.files.map((f) => f.path).sort()).toEqual(['README.md', 'bin/dmacheck.js', 'dist/dmacheck.mjs', 'package.json']);

    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true }));
    npm(['install', join(dir, packed[0]!.filename), '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], project);
    const installed = readdirSync(join(project, 'node_modules'));
    for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest']) expect(installed, dev).not.toContain(dev);
    expect(existsSync(join(project, 'node_modules/dmacheck/dist/dmacheck.mjs'))).toBe(true);

    const r = spawnSync(join(project, 'node_modules/.bin/dmacheck'), ['check', '--design', 'vma-p2p-map', '--runs', '100', '--no-timing'], { cwd: project, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('exit status 0: every verdict as its design expects');
    // npx finds the installed bin, with no compiler at run time.
    const x = spawnSync('npx', ['--no', 'dmacheck', 'check', '--help'], { cwd: project, encoding: 'utf8' });
    expect(x.status, x.stderr).toBe(0);
    expect(x.stdout).toMatch(/^usage: dmacheck check/);
  });
});
