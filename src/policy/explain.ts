import type { Finding } from '../match/types.ts';
import type { ScanResult } from '../report/types.ts';
import { evaluateAdmission } from './admission.ts';
import type { AdmissionAction, AdmissionStep } from './admission.ts';
import { decideScan } from './decide.ts';
import type { PolicySet, ScanStatus } from './documents/index.ts';
import type { Labels } from './selector/index.ts';

/**
 * `policy explain`: the admission decision for a stored scan report under a policy, with every
 * step that led to it — the same functions the webhook and the gate call.
 *
 * The report is decided again under the given policy: its findings and the ones an Exception
 * suppressed when it was made go through the policy's Exceptions now (for the namespace, with
 * today's clock: one may have expired since), then its thresholds give the status; suppressions
 * by VEX, ignore file and filters are kept as the report has them (those files are not at hand).
 * Then the ContainerAdmissionPolicies decide for the workload's labels and namespace.
 */

export interface ExplainInput {
  namespace?: string;
  labels: Labels;
  namespaceLabels: Labels;
  now: Date;
}

export type ExplainStep =
  | { kind: 'exception'; exception: string; findings: string[]; message: string }
  | { kind: 'note'; message: string }
  | { kind: 'status'; status: ScanStatus; checks: { name: string; status: ScanStatus; message: string }[]; message: string }
  | AdmissionStep;

/** Exactly the shape `policy explain --format json` prints. */
export interface Explanation {
  action: AdmissionAction;
  status: ScanStatus;
  policy: string | null;
  ruleIndex: number | null;
  reasons: string[];
  steps: ExplainStep[];
}

/** A stored report's findings as they were before its Exceptions: the kept ones and those an Exception suppressed. */
export function findingsBeforeExceptions(report: ScanResult): Finding[] {
  return [...(report.findings ?? []), ...(report.suppressed ?? []).filter((s) => s.kind === 'exception').map((s) => s.finding)];
}

export function explainReport(report: ScanResult, policy: PolicySet, input: ExplainInput): { explanation: Explanation; decided: ScanResult } {
  const previously = report.suppressed ?? [];
  const kept = previously.filter((s) => s.kind !== 'exception');
  const again: ScanResult = {
    ...report,
    findings: findingsBeforeExceptions(report),
    suppressed: kept,
  };
  if (report.findings === undefined) delete again.findings;
  const scanError = report.verdict?.status === 'Unknown' && report.findings === undefined ? report.verdict.reasons[0] : undefined;
  const decided = decideScan(again, {
    policy, now: input.now,
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
    ...(scanError !== undefined ? { scanError } : {}),
  });
  const verdict = decided.verdict!;

  const steps: ExplainStep[] = [];
  if (kept.length) {
    const kinds = new Map<string, number>();
    for (const s of kept) kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + 1);
    steps.push({ kind: 'note', message: `kept from the report: ${[...kinds].map(([k, n]) => `${n} suppressed by ${k}`).join(', ')}` });
  }
  const byException = new Map<string, string[]>();
  for (const s of decided.suppressed ?? []) {
    if (s.kind !== 'exception') continue;
    const list = byException.get(s.by) ?? [];
    if (!list.includes(s.finding.id)) list.push(s.finding.id);
    byException.set(s.by, list);
  }
  for (const [name, ids] of byException) {
    steps.push({ kind: 'exception', exception: name, findings: ids, message: `Exception ${name} suppresses ${ids.join(', ')}` });
  }
  for (const w of (decided.warnings ?? []).filter((x) => /^(Exception|ignore entry) /.test(x))) steps.push({ kind: 'note', message: w });
  const counts = Object.entries(decided.summary ?? {}).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
  steps.push({
    kind: 'status', status: verdict.status, checks: verdict.checks ?? [],
    message: `scan status ${verdict.status} from ${decided.findings?.length ?? 0} findings${counts ? ` (${counts})` : ''}: ${verdict.checks?.map((ch) => `${ch.name} ${ch.status}`).join(', ') ?? 'no checks'}`,
  });

  const createdAt = new Date(report.createdAt);
  const decision = evaluateAdmission(policy, {
    labels: input.labels, namespaceLabels: input.namespaceLabels,
    ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
  }, {
    image: report.artifact.name, status: verdict.status,
    ...(report.artifact.digest ? { digest: report.artifact.digest } : {}),
    ...(Number.isNaN(createdAt.getTime()) ? {} : { lastScan: createdAt }),
  }, input.now);
  steps.push(...decision.steps);
  return {
    decided,
    explanation: {
      action: decision.action,
      status: verdict.status,
      policy: decision.policy,
      ruleIndex: decision.ruleIndex,
      reasons: [...decision.reasons, ...verdict.reasons],
      steps,
    },
  };
}

/** The explanation as a person reads it. */
export function formatExplanation(e: Explanation): string {
  const lines = [`${e.action}: ${e.reasons[0] ?? ''}`];
  for (const r of e.reasons.slice(1)) lines.push(`  ${r}`);
  lines.push('', 'Steps:');
  e.steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.message}`);
    if (s.kind === 'status') for (const c of s.checks) lines.push(`       ${c.status.padEnd(7)} ${c.name}: ${c.message}`);
  });
  return `${lines.join('\n')}\n`;
}
