import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseIgnoreFile, parsePolicy } from './index.ts';

/** The examples of docs/policy.md are read by the real parsers, so the page cannot drift from the code. */
const page = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');
const blocks = (lang: string): string[] => [...page.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);

describe('docs/policy.md', () => {
  it('every policy example is a valid policy', () => {
    const policies = blocks('yaml').filter((b) => /^apiVersion:/m.test(b));
    assert.ok(policies.length >= 7, `${policies.length} policy examples`);
    for (const text of policies) assert.doesNotThrow(() => parsePolicy(text, 'docs/policy.md'), text);
  });

  it('the ignore file examples are read as Trivy documents them', () => {
    const yaml = blocks('yaml').find((b) => b.startsWith('vulnerabilities:'));
    assert.deepEqual(parseIgnoreFile(yaml ?? '', '.trivyignore.yaml').entries.map((e) => e.id), ['CVE-2022-40897', 'CVE-2023-3817', 'CVE-2023-29491']);
    const plain = page.match(/```\n(# Accept the risk\n[\s\S]*?)```/)?.[1];
    assert.deepEqual(parseIgnoreFile(plain ?? '', '.trivyignore').entries.map((e) => [e.id, e.expires ?? null]), [
      ['CVE-2018-14618', null], ['CVE-2019-14697', '2023-01-01'], ['CVE-2023-4911', null],
    ]);
  });
});
