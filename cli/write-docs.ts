/** `npm run docs`: regenerate docs/designs.md from the design modules. */
import { writeFileSync } from 'node:fs';
import { designsMarkdown } from './catalogue.ts';

writeFileSync('docs/designs.md', designsMarkdown());
console.log('wrote docs/designs.md');
