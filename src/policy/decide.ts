import { UsageError } from '../errors.ts';
import type { Finding, Severity } from '../match/types.ts';
import { SEVERITIES } from '../match/types.ts';
import type { ScanResult, Suppression, Verdict } from '../report/types.ts';
import { defaultThresholds } from './documents/index.ts';
import type { PolicySet } from './documents/index.ts';
import { applyExceptions } from './exceptions/index.ts';
import { applyIgnoreFile } from './ignorefile/index.ts';
import type { IgnoreFile } from './ignorefile/index.ts';
import { evaluateStatus, isFixable } from './status/index.ts';
import { applyVex } from './vex/index.ts';
import type { VexDocument } from './vex/index.ts';

/**
 * The one decision every door takes (`scan`, `gate`, `webhook`, `policy explain`): a matched
 * ScanResult in, the same result with findings narrowed, suppressions recorded, summary and
 * verdict out. The input is not changed.
 *
 * Order, each finding credited to the first step that removes it:
 * 1. VEX (`--vex`): statements that the image or package is not affected, or fixed;
 * 2. the ignore file (`--ignorefile`, `.trivyignore[.yaml]`);
 * 3. the policy's `Exception`s (namespace-scoped ones only when a namespace is given);
 * 4. `--ignore-status`, 5. `--ignore-unfixed`, 6. `--severity`: Trivy's filters.
 * Facts about exploitability come first, then accepted risk, then what the user chose not to
 * see. Every removed finding goes to `suppressed` with its kind, what removed it and why.
 *
 * What the filters do to the verdict: the verdict is computed from the findings that remain,
 * after every step, filters included. This is Trivy's rule (`--exit-code` fires when a finding
 * remains after `--severity`/`--ignore-unfixed`), so a Trivy CI line keeps its meaning, and it
 * keeps the report honest: the verdict never rests on findings the report does not show. A
 * policy that must see everything is run without those flags; `failOn`, `fixableOnly` and
 * the thresholds say in the policy what the flags say on the command line.
 */

export interface ScanPolicyInputs {
  /** The policy file's documents; undefined when no `--policy` was given (defaults apply). */
  policy?: PolicySet;
  ignore?: IgnoreFile;
  vex?: readonly VexDocument[];
}

export interface ScanPolicyOptions extends ScanPolicyInputs {
  /** The namespace the image is deployed to (gate, webhook): namespace-scoped exceptions apply. */
  namespace?: string;
  /** `--severity`: report only these severities. */
  severities?: readonly Severity[];
  /** `--ignore-unfixed`: report only findings with a fix. */
  ignoreUnfixed?: boolean;
  /** `--ignore-status`: statuses not to report (Trivy's names; see IGNORABLE_STATUSES). */
  ignoreStatuses?: readonly string[];
  /** The clock: exception and ignore-entry expiry, DB age. Default: now. */
  now?: Date;
  /** Set when the scan could not run: the verdict is Unknown with this reason. */
  scanError?: string;
}

/** Trivy's vulnerability statuses, accepted by `--ignore-status`. Ours are a subset. */
export const IGNORABLE_STATUSES = [
  'unknown', 'not_affected', 'affected', 'fixed', 'under_investigation', 'will_not_fix', 'fix_deferred', 'end_of_life',
] as const;

/** Warnings listed per kind before "and N more". */
const MAX_NOTES = 20;

function emptySummary(): Record<Severity, number> {
  return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
}

export function summarize(findings: readonly Finding[]): Record<Severity, number> {
  const s = emptySummary();
  for (const f of findings) s[f.severity in s ? f.severity : 'UNKNOWN']++;
  return s;
}

function capped(lines: string[]): string[] {
  return lines.length <= MAX_NOTES ? lines : [...lines.slice(0, MAX_NOTES), `... and ${lines.length - MAX_NOTES} more like these`];
}

const list = (xs: readonly string[]): string => (xs.length > 5 ? `${xs.slice(0, 5).join(', ')} and ${xs.length - 5} more` : xs.join(', '));

export function decideScan(result: ScanResult, options: ScanPolicyOptions = {}): ScanResult {
  const now = options.now ?? new Date();
  const thresholds = options.policy?.thresholds ?? defaultThresholds();
  const out: ScanResult = { ...result, suppressed: [...(result.suppressed ?? [])], warnings: [...(result.warnings ?? [])] };
  const suppressed = out.suppressed!;
  const warnings = out.warnings!;
  const policyFile = options.policy?.file;
  const withPolicy = (v: Verdict): Verdict => (policyFile ? { ...v, policy: policyFile } : v);
  const os = result.os ? `${result.os.family} ${result.os.version}` : undefined;
  const statusContext = {
    now,
    ...(result.db?.builtAt ? { dbBuiltAt: new Date(result.db.builtAt) } : {}),
    ...(result.os?.eol !== undefined ? { osEndOfLife: result.os.eol } : {}),
    ...(os ? { os } : {}),
  };

  const scanError = options.scanError ?? (result.findings === undefined ? 'the image was not matched against a vulnerability database' : undefined);
  if (scanError !== undefined) {
    out.findings = [...(result.findings ?? [])];
    out.summary = summarize(out.findings);
    out.verdict = withPolicy(evaluateStatus(out.findings, thresholds, { ...statusContext, scanError }));
    if (!out.warnings!.length) delete out.warnings;
    return out;
  }

  let findings: readonly Finding[] = result.findings ?? [];
  const { artifact } = result;
  const [platformOs, platformArch] = (artifact.platform ?? '').split('/');
  const otherDigests = [artifact.manifestDigest, artifact.imageId].filter((d): d is string => Boolean(d));

  // 1. VEX
  if (options.vex?.length) {
    const r = applyVex(findings, options.vex, {
      imageName: artifact.name, packages: result.packages,
      ...(artifact.digest ? { imageDigest: artifact.digest } : {}),
      ...(otherDigests.length ? { otherDigests } : {}),
      ...(platformArch ? { arch: platformArch } : {}),
      ...(platformOs ? { os: platformOs } : {}),
    });
    findings = r.kept;
    suppressed.push(...r.suppressed);
    for (const d of options.vex) warnings.push(...capped(d.warnings.map((w) => `VEX ${d.file}: ${w}`)));
    warnings.push(...capped(r.annotations.map((a) => `${a.finding.id} in ${a.finding.package}: VEX says ${a.status} (${a.by})${a.note ? `: ${a.note}` : ''}`)));
  }

  // 2. ignore file
  if (options.ignore) {
    const r = applyIgnoreFile(findings, options.ignore, { packages: result.packages }, now);
    findings = r.kept;
    suppressed.push(...r.suppressed);
    warnings.push(...capped(r.expired.map((e) => `ignore entry ${e.by} for ${e.id} expired ${e.expires}: ${list(e.findings)} reported again`)));
  }

  // 3. policy Exceptions
  if (options.policy?.exceptions.length) {
    const r = applyExceptions(findings, options.policy.exceptions, {
      imageName: artifact.name, packages: result.packages,
      ...(artifact.digest ? { imageDigest: artifact.digest } : {}),
      ...(artifact.manifestDigest ? { manifestDigest: artifact.manifestDigest } : {}),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    }, now);
    findings = r.kept;
    suppressed.push(...r.suppressed);
    warnings.push(...capped(r.expired.map((e) => `Exception ${e.name} (owner ${e.owner}) expired ${e.expires}: ${list(e.findings)} reported again`)));
    warnings.push(...capped(r.namespaceScoped.map((e) =>
      `Exception ${e.name} applies only in namespaces ${e.namespaces.join(', ')}: not applied without a namespace (${list(e.findings)})`)));
  }

  // 4-6. Trivy's filters
  const filter = (drop: (f: Finding) => boolean, kind: Suppression['kind'], by: string): void => {
    const kept: Finding[] = [];
    for (const f of findings) {
      if (drop(f)) suppressed.push({ finding: f, kind, by });
      else kept.push(f);
    }
    findings = kept;
  };
  if (options.ignoreStatuses?.length) {
    const statuses = new Set(options.ignoreStatuses);
    filter((f) => statuses.has(f.status), 'status-filter', `--ignore-status ${options.ignoreStatuses.join(',')}`);
  }
  if (options.ignoreUnfixed) filter((f) => !isFixable(f), 'unfixed-filter', '--ignore-unfixed');
  if (options.severities?.length) {
    const keep = new Set(options.severities);
    filter((f) => !keep.has(f.severity), 'severity-filter', `--severity ${options.severities.join(',')}`);
  }

  out.findings = [...findings];
  out.summary = summarize(findings);
  out.verdict = withPolicy(evaluateStatus(findings, thresholds, statusContext));
  if (!warnings.length) delete out.warnings;
  return out;
}

/**
 * Pass or fail for `--exit-code` and the gate, the same at every door:
 * - with a policy (`--policy`): fail when the verdict is Fail, or Unknown (fail closed);
 * - without one, as Trivy: fail when any finding is left after VEX, ignore file and filters
 *   (or the verdict is Unknown).
 * A scan that could not run at all is an error (exit 2) before this is asked.
 */
export function scanExitStatus(result: ScanResult, options: { policyGiven: boolean }): 'pass' | 'fail' {
  const status = result.verdict?.status;
  if (status === 'Unknown' || status === undefined) return 'fail';
  if (options.policyGiven) return status === 'Fail' ? 'fail' : 'pass';
  return (result.findings?.length ?? 0) > 0 ? 'fail' : 'pass';
}

/** A comma-separated flag value: each item one of `allowed` after `normalise`, duplicates dropped. */
function parseFlagList(s: string, flag: string, code: string, noun: string, allowed: readonly string[], normalise: (x: string) => string): string[] {
  const out: string[] = [];
  for (const part of s.split(',').map((x) => normalise(x.trim())).filter(Boolean)) {
    if (!allowed.includes(part)) throw new UsageError(code, `${flag}: ${JSON.stringify(part)} is not one of ${allowed.join(', ')}`);
    if (!out.includes(part)) out.push(part);
  }
  if (!out.length) throw new UsageError(code, `${flag}: no ${noun} given`);
  return out;
}

/** `--severity CRITICAL,HIGH` (case-insensitive, as Trivy), for every door's flag parser. */
export function parseSeverityList(s: string): Severity[] {
  return parseFlagList(s, '--severity', 'BAD_SEVERITY', 'severity', SEVERITIES, (x) => x.toUpperCase()) as Severity[];
}

/** `--ignore-status affected,will_not_fix` with Trivy's status names. */
export function parseStatusList(s: string): string[] {
  return parseFlagList(s, '--ignore-status', 'BAD_STATUS', 'status', IGNORABLE_STATUSES, (x) => x.toLowerCase());
}
