// `npm run docs`: rewrites README.md's generated sections (the DML matrix) from the specs.
// Runs on the build (`npm run build` first, which the npm script does).
import { readFileSync, writeFileSync } from 'node:fs';
import { generatedReadme } from '../dist/paymo/docs.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = generatedReadme(before);
if (after === before) {
  console.log('README.md is up to date with the specs');
} else {
  writeFileSync(path, after);
  console.log('README.md: generated sections rewritten from the specs');
}
