import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { designsMarkdown } from '../cli/catalogue.ts';
import { designs } from '../model/designs/index.ts';
import { invariantIds } from '../properties/invariant.ts';

describe('the docs stay true', () => {
  it('docs/designs.md is what `npm run docs` generates from the design modules', () => {
    expect(readFileSync('docs/designs.md', 'utf8')).toBe(designsMarkdown());
  });
  it('docs/invariants.md has a section for every registered invariant', () => {
    const text = readFileSync('docs/invariants.md', 'utf8');
    for (const id of invariantIds) expect(text).toContain(`## \`${id}\``);
  });
  it('the README names both commands and every design appears in the catalogue', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm install && npm run check');
    expect(readme).toContain('npm test');
    const catalogue = designsMarkdown();
    for (const d of designs) expect(catalogue).toContain(`## \`${d.id}\``);
  });
});
