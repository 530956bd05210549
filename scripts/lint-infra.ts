import { readFileSync } from 'node:fs';
import { lintTemplate, loadSpec } from './cfnLint.ts';

/** `npm run lint:infra [file ...]`: checks the CloudFormation templates (infra/*.yaml by default); exits 1 on any problem. */
const files = process.argv.slice(2).length ? process.argv.slice(2) : ['infra/dynamodb.yaml', 'infra/lambda.yaml'];
const spec = await loadSpec();
let count = 0;
for (const file of files) {
  const problems = lintTemplate(readFileSync(file, 'utf8'), spec);
  count += problems.length;
  for (const p of problems) console.log(`${file}: ${p.path}: ${p.message}`);
  if (!problems.length) console.log(`${file}: no problems`);
}
process.exit(count ? 1 : 0);
