import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../errors.ts';
import type { IgnoreFile, VexDocument } from '../policy/index.ts';
import type { Io } from './context.ts';

// Kubernetes label syntax: an optional DNS-subdomain prefix and a name of at most 63 characters;
// values of at most 63 characters, possibly empty.
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** `k=v,k2=v2` → labels (`--labels`, `--namespace-labels`). */
export function parseLabels(flag: string, s: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (eq < 0 || !LABEL_KEY.test(key)) throw new UsageError('BAD_LABELS', `${flag}: ${JSON.stringify(part)} is not a label key=value`);
    if (!LABEL_VALUE.test(value)) throw new UsageError('BAD_LABELS', `${flag}: ${JSON.stringify(value)} is not a label value`);
    labels[key] = value;
  }
  return labels;
}

export function registerPolicy(program: Command, io: Io, setExit: (code: number) => void): void {
  const policy = program.command('policy').description('validate and explain policy files');

  policy
    .command('check')
    .description('validate a policy file (or a .trivyignore[.yaml] or a VEX document); every problem is printed as FILE:LINE:COLUMN: message')
    .argument('<file>', 'policy file (YAML, one or more documents), ignore file or VEX document (JSON)')
    .action(async (file: string) => {
      const policy = await import('../policy/index.ts');
      const { checkPolicy, expiredExceptions, formatIssue, readPolicyText } = policy;
      if (/(^|\/)\.?trivyignore/i.test(file) || /\.json$/i.test(file)) {
        // Not a policy: read it as `scan --ignorefile` / `--vex` would, and say what it holds.
        const { PolicyError } = await import('../errors.ts');
        try {
          const inputs = /\.json$/i.test(file) ? await policy.loadScanPolicy({ vexFiles: [file] }) : await policy.loadScanPolicy({ ignoreFile: file });
          const summary = inputs.vex ? describeVex(inputs.vex[0]!) : describeIgnore(inputs.ignore!, new Date(), policy.isIgnoreEntryExpired);
          io.stdout.write(`${file}: valid (${summary.line})\n`);
          for (const w of summary.warnings) io.stderr.write(`${file}: warning: ${w}\n`);
        } catch (err) {
          if (!(err instanceof PolicyError)) throw err;
          io.stderr.write(`${err.message}\n`);
          setExit(1);
        }
        return;
      }
      const result = checkPolicy(await readPolicyText(file), file);
      if (result.issues.length > 0) {
        for (const issue of result.issues) io.stderr.write(`${formatIssue(issue)}\n`);
        io.stderr.write(`${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}\n`);
        setExit(1);
        return;
      }
      const set = result.policySet!;
      const parts = [
        `thresholds warn ≥ ${set.thresholds.warnThreshold}, fail ≥ ${set.thresholds.failThreshold}`,
        `${set.admissionPolicies.length} ContainerAdmissionPolicy`,
        `${set.exceptions.length} Exception`,
        `unknown images: ${set.unknownImageAction}`,
      ];
      io.stdout.write(`${file}: valid (${parts.join('; ')})\n`);
      // Expired exceptions are valid (they stay so reports can say they expired) but no longer apply.
      for (const e of expiredExceptions(set.exceptions, new Date())) {
        const at = e.source ? `${e.source.file}:${e.source.line}:${e.source.column}` : file;
        io.stderr.write(`${at}: warning: Exception ${e.name} (owner ${e.owner}) expired ${e.expires} and no longer applies\n`);
      }
    });

  policy
    .command('explain')
    .description('show the admission decision for a scan report under a policy, and every step that led to it')
    .requiredOption('--policy <file>', 'policy file')
    .requiredOption('--report <file>', 'JSON report of a scan (scan --format json)')
    .option('--namespace <name>', 'namespace the workload is deployed to')
    .option('--labels <k=v,...>', "the workload's labels")
    .option('--namespace-labels <k=v,...>', "the namespace's labels")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--at <time>', 'decide as of this RFC 3339 time instead of now (exception expiry, imageLastScan)')
    .action(async (opts: { policy: string; report: string; namespace?: string; labels?: string; namespaceLabels?: string; format: string; at?: string }) => {
      const { explainReport, formatExplanation, loadPolicyFile, parseRfc3339, readScanReport } = await import('../policy/index.ts');
      const labels = parseLabels('--labels', opts.labels);
      const namespaceLabels = parseLabels('--namespace-labels', opts.namespaceLabels);
      const now = timeOption(opts.at, parseRfc3339);
      const [policySet, report] = await Promise.all([loadPolicyFile(opts.policy), readScanReport(opts.report)]);
      const { explanation } = explainReport(report, policySet, {
        labels, namespaceLabels, now, ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      });
      io.stdout.write(opts.format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation));
    });

  policy
    .command('export-vex')
    .description("write the policy's live Exceptions as an OpenVEX 0.2.0 document, for tools that read VEX")
    .requiredOption('--policy <file>', 'policy file')
    .option('--report <file>', "JSON report of a scan: name the image and its packages, and resolve package-only exceptions")
    .option('--namespace <name>', 'include exceptions limited to this namespace')
    .option('--author <name>', 'document author')
    .option('--at <time>', 'export the exceptions live at this RFC 3339 time instead of now')
    .option('-o, --output <file>', 'write the document to a file instead of stdout')
    .action(async (opts: { policy: string; report?: string; namespace?: string; author?: string; at?: string; output?: string }) => {
      const { exceptionsToOpenVex, findingsBeforeExceptions, loadPolicyFile, parseRfc3339, readScanReport } = await import('../policy/index.ts');
      const { PolicyError } = await import('../errors.ts');
      const { writeOutput } = await import('./output.ts');
      const now = timeOption(opts.at, parseRfc3339);
      const set = await loadPolicyFile(opts.policy);
      const report = opts.report === undefined ? undefined : await readScanReport(opts.report);
      const findings = report && findingsBeforeExceptions(report);
      const { document, skipped } = exceptionsToOpenVex(set.exceptions, {
        ...(report ? { imageName: report.artifact.name, packages: report.packages, findings: findings ?? [] } : {}),
        ...(report?.artifact.digest ? { imageDigest: report.artifact.digest } : {}),
        ...(report?.artifact.manifestDigest ? { manifestDigest: report.artifact.manifestDigest } : {}),
        ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
        ...(opts.author !== undefined ? { author: opts.author } : {}),
      }, now);
      for (const x of skipped) io.stderr.write(`skipped Exception ${x.name}: ${x.reason}\n`);
      if (!document) throw new PolicyError('NOTHING_TO_EXPORT', `${opts.policy}: no exception could be exported as OpenVEX`);
      await writeOutput(io, `${JSON.stringify(document, null, 2)}\n`, opts.output);
    });
}

/** `--at TIME` (RFC 3339), or now. */
function timeOption(at: string | undefined, parse: (s: string) => Date | undefined): Date {
  if (at === undefined) return new Date();
  const t = parse(at);
  if (!t) throw new UsageError('BAD_TIME', `--at: ${JSON.stringify(at)} is not an RFC 3339 time`);
  return t;
}


function describeVex(doc: VexDocument): { line: string; warnings: string[] } {
  const counts = new Map<string, number>();
  for (const s of doc.statements) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const statuses = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return { line: `${doc.format === 'openvex' ? 'OpenVEX' : 'CycloneDX VEX'}, ${doc.statements.length} statement${doc.statements.length === 1 ? '' : 's'}${statuses ? `: ${statuses}` : ''}`, warnings: doc.warnings };
}

function describeIgnore(doc: IgnoreFile, now: Date, isExpired: (e: IgnoreFile['entries'][number], now: Date) => boolean): { line: string; warnings: string[] } {
  const expired = doc.entries.filter((e) => isExpired(e, now));
  return {
    line: `${doc.format === 'yaml' ? '.trivyignore.yaml form' : 'plain .trivyignore form'}, ${doc.entries.length} entr${doc.entries.length === 1 ? 'y' : 'ies'}`,
    warnings: expired.map((e) => `line ${e.line}: the entry for ${e.id} expired ${e.expires} and no longer applies`),
  };
}
