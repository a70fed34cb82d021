import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyError } from '../errors.ts';
import { evaluateAdmission, evaluateWorkloadAdmission, MAX_IMAGE_REFERENCE_LENGTH, parsePolicy } from './index.ts';
import type { ImageUnderReview, WorkloadContext } from './index.ts';

const NOW = new Date('2025-06-15T12:00:00Z');
const daysAgo = (d: number): Date => new Date(NOW.getTime() - d * 86_400_000);
const anywhere: WorkloadContext = { labels: {}, namespaceLabels: {} };
const img = (image: string, status: ImageUnderReview['status'], extra: Partial<ImageUnderReview> = {}): ImageUnderReview =>
  ({ image, status, digest: `sha256:${'d'.repeat(64)}`, lastScan: daysAgo(1), ...extra });

const cap = (name: string, spec: string, api = 'containersecurity.tigera.io/v1beta1'): string =>
  `apiVersion: ${api}\nkind: ContainerAdmissionPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

// Calico's documented sample, unchanged.
const CALICO_SAMPLE = parsePolicy(`apiVersion: containersecurity.tigera.io/v1beta1
kind: ContainerAdmissionPolicy
metadata:
  name: reject-failed-and-non-gcr
spec:
  selector: all()
  namespaceSelector: all()
  order: 10
  rules:
  - action: "Reject"
    imagePath:
      operator: IsNoneOf
      values:
      - "^gcr.io/company/production-repository/.*"
  - action: Allow
    imageScanStatus:
      operator: IsOneOf
      values:
      - Pass
      - Warn
  - action: Reject
`);

describe("Calico's sample policy", () => {
  const gcr = 'gcr.io/company/production-repository/app:1.2';

  it('allows a passing image from the allowed repository by rule index 1', () => {
    const d = evaluateAdmission(CALICO_SAMPLE, anywhere, img(gcr, 'Pass'), NOW);
    assert.equal(d.action, 'Allow');
    assert.equal(d.allowed, true);
    assert.equal(d.policy, 'reject-failed-and-non-gcr');
    assert.equal(d.ruleIndex, 1);
    assert.equal(d.message, "Action 'Allow' enforced by ContainerPolicy reject-failed-and-non-gcr rule index 1");
    assert.deepEqual(d.warnings, []);
  });

  it('admits a Warn image with a warning (action Warn)', () => {
    const d = evaluateAdmission(CALICO_SAMPLE, anywhere, img(gcr, 'Warn'), NOW);
    assert.equal(d.action, 'Warn');
    assert.equal(d.allowed, true);
    assert.equal(d.ruleAction, 'Allow');
    assert.equal(d.ruleIndex, 1);
    assert.deepEqual(d.warnings, [
      `image ${gcr} (sha256:${'d'.repeat(64)}): scan status Warn, last scanned 2025-06-14T12:00:00.000Z; admitted: Action 'Allow' enforced by ContainerPolicy reject-failed-and-non-gcr rule index 1`,
    ]);
  });

  it('rejects a failing image by the catch-all rule index 2, in Calico\'s words plus the image', () => {
    const d = evaluateAdmission(CALICO_SAMPLE, anywhere, img(gcr, 'Fail'), NOW);
    assert.equal(d.action, 'Reject');
    assert.equal(d.allowed, false);
    assert.equal(d.ruleIndex, 2);
    assert.equal(d.message, "Action 'Reject' enforced by ContainerPolicy reject-failed-and-non-gcr rule index 2");
    assert.deepEqual(d.reasons, [
      d.message,
      `image ${gcr} (sha256:${'d'.repeat(64)}): scan status Fail, last scanned 2025-06-14T12:00:00.000Z`,
    ]);
    assert.deepEqual(d.steps.map((s) => [s.kind, s.kind === 'rule' ? s.matched : s.kind === 'policy' ? s.applicable : null]), [
      ['policy', true], ['rule', false], ['rule', false], ['rule', true],
    ]);
  });

  it('rejects any image outside the repository by rule index 0, whatever its status', () => {
    const d = evaluateAdmission(CALICO_SAMPLE, anywhere, img('docker.io/library/nginx:1.27', 'Pass'), NOW);
    assert.equal(d.action, 'Reject');
    assert.equal(d.ruleIndex, 0);
    const step = d.steps[1];
    assert.equal(step?.kind, 'rule');
    assert.equal(step?.message,
      'reject-failed-and-non-gcr rule index 0 (Reject) matches: image docker.io/library/nginx:1.27 matches none of [^gcr.io/company/production-repository/.*] (IsNoneOf)');
  });
});

describe('ordered policies', () => {
  const set = parsePolicy([
    cap('zz-late', 'order: 100\nrules:\n- action: Reject'),
    cap('unordered-b', 'rules:\n- action: Reject'),
    cap('first', 'order: 1\nselector: "app == \'web\'"\nrules:\n- action: Allow\n  imageScanStatus: {operator: IsOneOf, values: [Pass]}'),
    cap('unordered-a', 'rules:\n- action: Allow', 'portcullis.dev/v1'),
    cap('second', 'order: 1.5\nrules:\n- action: Reject\n  imageScanStatus: {operator: IsNoneOf, values: [Pass, Warn]}'),
  ].join('---\n'));

  it('are sorted by order, unordered last by name', () => {
    assert.deepEqual(set.admissionPolicies.map((p) => p.name), ['first', 'second', 'zz-late', 'unordered-a', 'unordered-b']);
  });

  it('the first applicable policy with a matching rule decides', () => {
    const web = { labels: { app: 'web' }, namespaceLabels: {} };
    assert.equal(evaluateAdmission(set, web, img('a', 'Pass'), NOW).policy, 'first');
    // first applies but no rule matches a Fail image: evaluation goes on to the next policy.
    const d = evaluateAdmission(set, web, img('a', 'Fail'), NOW);
    assert.equal(d.policy, 'second');
    assert.equal(d.action, 'Reject');
    assert.deepEqual(d.steps.map((s) => s.message), [
      'ContainerPolicy first (order 1) applies: selector app == "web" matches the workload, namespaceSelector all() matches the namespace',
      'first rule index 0 (Allow) does not match: scan status Fail is not one of [Pass] (IsOneOf)',
      'ContainerPolicy second (order 1.5) applies: selector all() matches the workload, namespaceSelector all() matches the namespace',
      'second rule index 0 (Reject) matches: scan status Fail is not one of [Pass, Warn] (IsNoneOf)',
    ]);
  });

  it('skips policies whose selector does not match, and reaches ordered ones before unordered', () => {
    const d = evaluateAdmission(set, { labels: { app: 'db' }, namespaceLabels: {} }, img('a', 'Pass'), NOW);
    assert.equal(d.policy, 'zz-late');
    assert.equal(d.steps[0]?.message, 'ContainerPolicy first (order 1) does not apply: selector app == "web" does not match the workload\'s labels');
  });

  it('accepts a bare list of policies and orders it', () => {
    const reversed = [...set.admissionPolicies].reverse();
    assert.equal(evaluateAdmission(reversed, { labels: { app: 'db' }, namespaceLabels: {} }, img('a', 'Pass'), NOW).policy, 'zz-late');
  });
});

describe('namespaceSelector', () => {
  const set = parsePolicy([
    cap('prod-strict', "order: 1\nnamespaceSelector: \"env == 'prod' && !has(exempt)\"\nrules:\n- action: Reject\n  imageScanStatus: {operator: IsOneOf, values: [Fail, Warn, Unknown]}"),
    cap('by-name', "order: 2\nnamespaceSelector: \"projectcalico.org/name in {'payments'}\"\nrules:\n- action: Reject\n  imageScanStatus: {operator: IsOneOf, values: [Fail]}"),
  ].join('---\n'));

  it('applies a policy only in matching namespaces', () => {
    const prod = { labels: {}, namespaceLabels: { env: 'prod' } };
    assert.equal(evaluateAdmission(set, prod, img('a', 'Warn'), NOW).action, 'Reject');
    const dev = { labels: {}, namespaceLabels: { env: 'dev' }, namespace: 'dev' };
    const d = evaluateAdmission(set, dev, img('a', 'Warn'), NOW);
    assert.equal(d.action, 'Warn');
    assert.equal(d.policy, null);
    assert.equal(d.steps[0]?.message,
      'ContainerPolicy prod-strict (order 1) does not apply: namespaceSelector (env == "prod" && !has(exempt)) does not match namespace dev');
    const exempt = { labels: {}, namespaceLabels: { env: 'prod', exempt: 'yes' } };
    assert.equal(evaluateAdmission(set, exempt, img('a', 'Warn'), NOW).policy, null);
  });

  it('adds the automatic namespace labels Calico selectors rely on when the namespace is named', () => {
    const d = evaluateAdmission(set, { labels: {}, namespaceLabels: {}, namespace: 'payments' }, img('a', 'Fail'), NOW);
    assert.equal(d.policy, 'by-name');
    assert.equal(d.action, 'Reject');
    // Without the name, the label is not invented.
    assert.equal(evaluateAdmission(set, anywhere, img('a', 'Fail'), NOW).policy, null);
    // An explicit label wins over the automatic one.
    const lying = { labels: {}, namespaceLabels: { 'projectcalico.org/name': 'other' }, namespace: 'payments' };
    assert.equal(evaluateAdmission(set, lying, img('a', 'Fail'), NOW).policy, null);
  });

  it('a workload selector can use projectcalico.org/namespace', () => {
    const s = parsePolicy(cap('p', "selector: \"projectcalico.org/namespace == 'team-a'\"\nrules:\n- action: Reject"));
    assert.equal(evaluateAdmission(s, { labels: {}, namespaceLabels: {}, namespace: 'team-a' }, img('a', 'Pass'), NOW).action, 'Reject');
    assert.equal(evaluateAdmission(s, { labels: {}, namespaceLabels: {}, namespace: 'team-b' }, img('a', 'Pass'), NOW).action, 'Allow');
  });
});

describe('rules', () => {
  it('a rule with no criteria matches every image', () => {
    const s = parsePolicy(cap('p', 'rules:\n- action: Reject\n- action: Allow'));
    const d = evaluateAdmission(s, anywhere, img('x', 'Pass', { lastScan: undefined }), NOW);
    assert.equal(d.action, 'Reject');
    assert.equal(d.ruleIndex, 0);
    assert.equal(d.steps[1]?.message, 'p rule index 0 (Reject) has no criteria: matches every image');
  });

  it('IsOneOf and IsNoneOf on scan status, Unknown included', () => {
    const s = parsePolicy(cap('p', [
      'rules:',
      '- action: Reject',
      '  imageScanStatus: {operator: IsNoneOf, values: [Pass, Warn, Fail]}',
      '- action: Allow',
      '  imageScanStatus: {operator: IsOneOf, values: [Pass]}',
      '- action: Reject',
    ].join('\n')));
    const cases: [ImageUnderReview['status'], number, string][] = [['Unknown', 0, 'Reject'], ['Pass', 1, 'Allow'], ['Warn', 2, 'Reject'], ['Fail', 2, 'Reject']];
    for (const [status, index, action] of cases) {
      const d = evaluateAdmission(s, anywhere, img('x', status), NOW);
      assert.equal(d.ruleIndex, index, status);
      assert.equal(d.action, action, status);
    }
  });

  it('imagePath regexes (IsOneOf), combined with status by AND', () => {
    const s = parsePolicy(cap('p', [
      'rules:',
      '- action: Allow',
      '  imagePath: {operator: IsOneOf, values: ["^ghcr\\\\.io/acme/", "(?i)^REGISTRY\\\\.internal/"]}',
      '  imageScanStatus: {operator: IsOneOf, values: [Pass, Warn]}',
      '- action: Reject',
    ].join('\n')));
    assert.equal(evaluateAdmission(s, anywhere, img('ghcr.io/acme/api:1', 'Pass'), NOW).ruleIndex, 0);
    assert.equal(evaluateAdmission(s, anywhere, img('registry.internal/x:1', 'Warn'), NOW).action, 'Warn');
    assert.equal(evaluateAdmission(s, anywhere, img('ghcr.io/acme/api:1', 'Fail'), NOW).ruleIndex, 1);
    const d = evaluateAdmission(s, anywhere, img('ghcr.io/evil/acme/api:1', 'Pass'), NOW);
    assert.equal(d.ruleIndex, 1);
    const first = d.steps[1];
    assert.ok(first?.kind === 'rule');
    assert.deepEqual(first.criteria.map((c) => [c.criterion, c.matched]), [['imageScanStatus', true], ['imagePath', false]]);
    assert.equal(first.criteria[1]?.message, 'image ghcr.io/evil/acme/api:1 matches none of [^ghcr\\.io/acme/, (?i)^REGISTRY\\.internal/] (IsOneOf)');
  });
});

describe('imageLastScan with an injected clock', () => {
  // Calico's documented policy: allow images scanned within the last 3 days, reject the rest.
  const s = parsePolicy(cap('fresh-scans', 'rules:\n- action: Allow\n  imageLastScan:\n    operator: gt\n    duration:\n      days: 3\n- action: Reject'));

  it('gt duration: true for 2 days ago, false for 4 days ago (Calico\'s example)', () => {
    assert.equal(evaluateAdmission(s, anywhere, img('x', 'Pass', { lastScan: daysAgo(2) }), NOW).action, 'Allow');
    const old = evaluateAdmission(s, anywhere, img('x', 'Pass', { lastScan: daysAgo(4) }), NOW);
    assert.equal(old.action, 'Reject');
    assert.equal(old.ruleIndex, 1);
    const step = old.steps[1];
    assert.ok(step?.kind === 'rule');
    assert.equal(step.criteria[0]?.message, 'last scan 2025-06-11T12:00:00.000Z is not after 2025-06-12T12:00:00.000Z (now minus 3 days) (gt)');
  });

  it('the boundary itself is not "greater than"; the same image passes once the clock is earlier', () => {
    const scanned = daysAgo(3);
    assert.equal(evaluateAdmission(s, anywhere, img('x', 'Pass', { lastScan: scanned }), NOW).action, 'Reject');
    assert.equal(evaluateAdmission(s, anywhere, img('x', 'Pass', { lastScan: scanned }), new Date(NOW.getTime() - 1)).action, 'Allow');
  });

  it('an image never scanned matches neither gt nor lt', () => {
    const d = evaluateAdmission(s, anywhere, img('x', 'Unknown', { lastScan: undefined }), NOW);
    assert.equal(d.action, 'Reject');
    const step = d.steps[1];
    assert.ok(step?.kind === 'rule');
    assert.match(step.criteria[0]?.message ?? '', /^the image was never scanned, so not scanned after/);
    const lt = parsePolicy(cap('stale', 'rules:\n- action: Reject\n  imageLastScan: {operator: lt, duration: {days: 1}}'));
    assert.equal(evaluateAdmission(lt, anywhere, img('x', 'Pass', { lastScan: undefined }), NOW).policy, null);
  });

  it('lt with months and years, and with an absolute time', () => {
    const stale = parsePolicy([
      cap('older-than-1y2m', 'order: 1\nrules:\n- action: Reject\n  imageLastScan: {operator: lt, duration: {years: 1, months: 2}}'),
      cap('before-2025', 'order: 2\nrules:\n- action: Reject\n  imageLastScan: {operator: lt, time: "2025-01-01T00:00:00+01:00"}'),
    ].join('---\n'));
    // now minus 1 year 2 months = 2024-04-15T12:00Z
    assert.equal(evaluateAdmission(stale, anywhere, img('x', 'Pass', { lastScan: new Date('2024-04-15T11:59:59Z') }), NOW).policy, 'older-than-1y2m');
    assert.equal(evaluateAdmission(stale, anywhere, img('x', 'Pass', { lastScan: new Date('2024-04-15T12:00:01Z') }), NOW).policy, 'before-2025');
    assert.equal(evaluateAdmission(stale, anywhere, img('x', 'Pass', { lastScan: new Date('2024-12-31T22:59:59Z') }), NOW).policy, 'before-2025');
    assert.equal(evaluateAdmission(stale, anywhere, img('x', 'Pass', { lastScan: new Date('2024-12-31T23:00:00Z') }), NOW).policy, null);
  });
});

describe('when nothing decides', () => {
  it('no ContainerAdmissionPolicy at all: the built-in portcullis-default rejects Fail and Unknown, admits the rest', () => {
    const none = parsePolicy('apiVersion: portcullis.dev/v1\nkind: ScanStatusThresholds\nmetadata: {name: t}\nspec: {}\n');
    const pass = evaluateAdmission(none, anywhere, img('x', 'Pass'), NOW);
    assert.deepEqual([pass.action, pass.policy, pass.ruleIndex], ['Allow', 'portcullis-default', 1]);
    assert.equal(pass.message, "Action 'Allow' enforced by ContainerPolicy portcullis-default rule index 1");
    assert.deepEqual([evaluateAdmission(none, anywhere, img('x', 'Warn'), NOW).action, evaluateAdmission([], anywhere, img('x', 'Warn'), NOW).action], ['Warn', 'Warn']);
    for (const status of ['Fail', 'Unknown'] as const) {
      const d = evaluateAdmission(none, anywhere, img('x', status), NOW);
      assert.deepEqual([d.action, d.policy, d.ruleIndex], ['Reject', 'portcullis-default', 0]);
      assert.equal(evaluateAdmission([], anywhere, img('x', status), NOW).action, 'Reject');
    }
  });

  it('policies that exist but do not apply: Allow by default (Warn for a non-passing image)', () => {
    const elsewhere = parsePolicy(cap('p', "selector: team == 'other'\nrules:\n- action: Reject"));
    const d = evaluateAdmission(elsewhere, anywhere, img('x', 'Pass'), NOW);
    assert.deepEqual([d.action, d.policy, d.ruleIndex], ['Allow', null, null]);
    assert.equal(d.message, "Action 'Allow' by default: no ContainerPolicy applies");
    assert.equal(evaluateAdmission(elsewhere, anywhere, img('x', 'Fail'), NOW).action, 'Warn');
  });

  it('applicable policies whose rules do not match: the default, and it can be Reject', () => {
    const s = parsePolicy(cap('p', 'rules:\n- action: Allow\n  imageScanStatus: {operator: IsOneOf, values: [Pass]}'));
    const d = evaluateAdmission(s, anywhere, img('x', 'Fail'), NOW, { defaultAction: 'Reject' });
    assert.deepEqual([d.action, d.policy, d.ruleIndex, d.ruleAction], ['Reject', null, null, 'Reject']);
    assert.equal(d.message, "Action 'Reject' by default: no rule of an applicable ContainerPolicy matched");
  });
});

describe('evaluateWorkloadAdmission', () => {
  it('decides per image and combines: any Reject rejects, else any Warn warns', () => {
    const imgs = [img('gcr.io/company/production-repository/a:1', 'Pass'), img('gcr.io/company/production-repository/b:1', 'Warn')];
    const w = evaluateWorkloadAdmission(CALICO_SAMPLE, anywhere, imgs, NOW);
    assert.deepEqual([w.action, w.allowed, w.decisions.map((d) => d.action)], ['Warn', true, ['Allow', 'Warn']]);
    const r = evaluateWorkloadAdmission(CALICO_SAMPLE, anywhere, [...imgs, img('quay.io/x/y:1', 'Pass')], NOW);
    assert.deepEqual([r.action, r.allowed, r.decisions.map((d) => d.ruleIndex)], ['Reject', false, [1, 1, 0]]);
  });
});

describe('input limits', () => {
  it('refuses absurd image references and invalid clocks', () => {
    assert.throws(() => evaluateAdmission(CALICO_SAMPLE, anywhere, img('a'.repeat(MAX_IMAGE_REFERENCE_LENGTH + 1), 'Pass'), NOW),
      (err: unknown) => err instanceof PolicyError && err.code === 'BAD_ADMISSION_INPUT');
    assert.throws(() => evaluateAdmission(CALICO_SAMPLE, anywhere, img('a', 'Pass'), new Date(Number.NaN)), /invalid time/);
  });
});
