/** The termination message and the table over realistic results: bounded, explained, safe. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOSTILE, manyFindingsResult } from '../../test/fixtures-results.ts';
import { worstFindings } from '../policy/index.ts';
import { summaryTable, terminationMessage, TERMINATION_MESSAGE_LIMIT } from './index.ts';
import type { GateImage, GateResult } from './index.ts';

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

function result(images: GateImage[]): GateResult {
  const rejected = images.filter((i) => i.action === 'Reject').length;
  return {
    verdict: rejected ? 'Rejected' : 'Allowed', exitCode: rejected ? 1 : 0, source: 'argocd:shop@abc', createdAt: '2026-11-21T08:00:00Z',
    images, results: [], warnings: [],
    counts: { images: images.length, distinct: new Set(images.map((i) => i.digest)).size, rejected, warned: 0, errors: images.filter((i) => i.error).length },
  };
}

// Hundreds of findings per image (the worst three are named), hundreds of rejected images.
const findings = manyFindingsResult(400).findings!;
const rejectedImage = (n: number, extra: Partial<GateImage> = {}): GateImage => ({
  kind: 'Deployment', namespace: 'shop', name: `svc-${n}`, container: 'app', image: `ghcr.io/example/svc-${n}:1.0`,
  resolved: `ghcr.io/example/svc-${n}:1.0`, digest: digest(n), pinned: `ghcr.io/example/svc-${n}@${digest(n)}`,
  status: 'Fail', action: 'Reject', policy: 'reject-failed', ruleIndex: 0, rule: "Action 'Reject' enforced by ContainerPolicy reject-failed rule index 0",
  reasons: ['CVSS 9.8 ≥ fail threshold 7.0'], worst: worstFindings(findings, 3), ...extra,
});

describe('termination message', () => {
  it('stays within 4096 bytes with hundreds of rejected images, and counts what it left out', () => {
    const msg = terminationMessage(result(Array.from({ length: 300 }, (_, i) => rejectedImage(i))), '/reports/summary.json; kubectl logs -n argocd portcullis-gate');
    assert.ok(Buffer.byteLength(msg) <= TERMINATION_MESSAGE_LIMIT, `${Buffer.byteLength(msg)} bytes`);
    assert.match(msg, /^portcullis gate: REJECTED: 300 images \(300 distinct digests scanned\), 300 rejected; default policy/);
    const shown = (msg.match(/^✗ /gm) ?? []).length;
    assert.ok(shown >= 5, `shows several images (${shown})`);
    assert.match(msg, new RegExp(`\\n… and ${300 - shown} more blocking images\\nfull report: /reports/summary.json; kubectl logs -n argocd portcullis-gate\\n$`));
    // Each shown image: digest, the workload, the status and rule, its worst findings described.
    assert.match(msg, new RegExp(`✗ ghcr.io/example/svc-0:1.0@${digest(0)}\\n  in Deployment shop/svc-0 \\(app\\)\\n  status Fail: Action 'Reject' enforced by ContainerPolicy reject-failed rule index 0\\n  - CVE-\\d+-\\d+ in lib-synthetic-\\d+ `));
  });

  it('one block per digest, with the workloads that use it', () => {
    const images = Array.from({ length: 5 }, (_, i) => rejectedImage(7, { name: `user-${i}` }));
    const msg = terminationMessage(result(images), 'x');
    assert.equal((msg.match(/^✗ /gm) ?? []).length, 1);
    assert.match(msg, /in Deployment shop\/user-0 \(app\), Deployment shop\/user-1 \(app\), Deployment shop\/user-2 \(app\) and 2 more/);
  });

  it('hostile names cannot add lines or blow the limit', () => {
    const evil = rejectedImage(1, { name: `x\nportcullis gate: ALLOWED\n${'x'.repeat(5000)}`, container: HOSTILE.ansi, rule: `${'é'.repeat(3000)}` });
    const msg = terminationMessage(result([evil]), 'y'.repeat(3000));
    assert.ok(Buffer.byteLength(msg) <= TERMINATION_MESSAGE_LIMIT);
    assert.ok(!msg.includes('\x1b'), 'no escape sequences');
    assert.equal(msg.split('\n').filter((l) => l.startsWith('portcullis gate')).length, 1);
  });

  it('an undecided run lists the images without a verdict and why', () => {
    const r = result([{ ...rejectedImage(1), action: undefined, status: undefined, error: 'could not resolve ghcr.io/example/svc-1:1.0: connection refused', worst: [] }]);
    r.verdict = 'Undecided';
    r.exitCode = 2;
    const msg = terminationMessage(r, 'logs');
    assert.match(msg, /^portcullis gate: NO VERDICT \(blocked\): 1 image .*1 could not be judged/);
    assert.match(msg, /\n {2}no verdict: could not resolve ghcr\.io\/example\/svc-1:1\.0: connection refused\n/);
  });
});

describe('summary table', () => {
  it('one row per container with image@digest, status→action and the worst findings', () => {
    const t = summaryTable(result([rejectedImage(1), { ...rejectedImage(2), status: 'Pass', action: 'Allow', worst: [] }]));
    const lines = t.split('\n');
    assert.match(lines[0]!, /^WORKLOAD +CONTAINER +IMAGE@DIGEST +STATUS→ACTION +WORST FINDINGS$/);
    assert.match(lines[1]!, /^Deployment shop\/svc-1 +app +ghcr\.io\/example\/svc-1:1\.0@sha256:000000000000 +Fail→Reject +CVE-\d+-\d+ \((CRITICAL|HIGH)\), /);
    assert.match(lines[2]!, /^Deployment shop\/svc-2 +app +ghcr\.io\/example\/svc-2:1\.0@sha256:000000000000 +Pass→Allow$/);
  });
});
