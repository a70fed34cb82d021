import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { VERSION } from './context.ts';
import type { Io } from './context.ts';
import { collect, imageOptions, inventoryOptionsFrom } from './image-options.ts';
import type { ImageCliOptions } from './image-options.ts';
import { progressLine, writeOutput } from './output.ts';

interface ScanCliOptions extends ImageCliOptions {
  sbom?: string;
  format: string;
  output?: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  ignoreStatus?: string;
  exitCode: string;
  ignorefile?: string;
  vex: string[];
  policy?: string;
  db?: string;
  dbMaxAge?: string;
  store?: string;
}

function exitCodeOf(text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) throw new UsageError('USAGE', `--exit-code: "${text}" is not an exit code (0-255)`);
  return Number(text);
}

/**
 * `portcullis scan IMAGE | --sbom FILE`: inventory (or read a stored one), match against the
 * database, decide with the policy stage, render. Everything that can be wrong with the input
 * (flags, policy, ignore and VEX files, the database) is checked before the image is pulled.
 * Exit codes as Trivy's: the `--exit-code` value when findings remain after filtering (or, with
 * `--policy`, when the verdict is Fail), 0 otherwise; 2 when no verdict could be reached.
 */
export function registerScan(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command('scan')
    .description('scan an image (or a stored inventory) for known vulnerabilities and decide by policy')
    .argument('[image]', 'image reference: registry/repo:tag, repo@sha256:..., oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:TAG]')
    .option('--sbom <file>', 'match a stored inventory (CycloneDX JSON, or Portcullis JSON from sbom/scan --format json) instead of an image')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif', 'cyclonedx', 'junit', 'html']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-s, --severity <list>', 'report only these severities (comma-separated: CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)')
    .option('--ignore-unfixed', 'report only vulnerabilities that have a fix')
    .option('--ignore-status <list>', 'statuses not to report (comma-separated: affected,will_not_fix,end_of_life,fixed,...)')
    .option('--exit-code <n>', 'exit with this code when findings remain (with --policy: when the verdict is Fail)', '0')
    .option('--ignorefile <file>', 'ignore file in .trivyignore or .trivyignore.yaml form (default: .trivyignore if present)')
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document (repeatable)', collect, [] as string[])
    .option('--policy <file>', 'policy file (ScanStatusThresholds, Exception, ...)')
    .option('--db <path>', 'vulnerability database (default: $PORTCULLIS_DB or ~/.cache/portcullis/db/portcullis.db)')
    .option('--db-max-age <duration>', 'warn when the database is older than this (e.g. 36h, 5d; 0: never; default 120h)')
    .option('--store <file>', 'also record the result in this result store (SQLite)');
  imageOptions(cmd);
  cmd.action(async (image: string | undefined, opts: ScanCliOptions) => {
    if (!image === !opts.sbom) throw new UsageError('USAGE', image ? 'give an image or --sbom FILE, not both' : 'an image reference or --sbom FILE is required');
    const exitCode = exitCodeOf(opts.exitCode);
    const policy = await import('../policy/index.ts');
    const { DEFAULT_DB_MAX_AGE, VulnDb, dbPath, parseDuration } = await import('../vulndb/index.ts');
    const { readInventoryFile, scanImage, scanInventory } = await import('../scan/index.ts');
    const { renderReport } = await import('../report/index.ts');

    // Everything about the input first: flags, policy files, the database.
    const severities = opts.severity ? policy.parseSeverityList(opts.severity) : undefined;
    const ignoreStatuses = opts.ignoreStatus ? policy.parseStatusList(opts.ignoreStatus) : undefined;
    const dbMaxAgeMs = parseDuration(opts.dbMaxAge ?? DEFAULT_DB_MAX_AGE);
    const inputs = await policy.loadScanPolicy({
      ...(opts.policy ? { policyFile: opts.policy } : {}),
      ignoreFile: opts.ignorefile ?? '.trivyignore',
      ignoreFileOptional: opts.ignorefile === undefined,
      vexFiles: opts.vex,
    });
    const db = VulnDb.open(dbPath(opts.db, io.env));
    const progress = progressLine(io, !opts.quiet && !opts.sbom);
    try {
      const matched = opts.sbom
        ? scanInventory(await readInventoryFile(opts.sbom), db, { dbMaxAgeMs })
        : await scanImage(image!, { ...inventoryOptionsFrom(opts, io, progress), db, dbMaxAgeMs });
      progress.done();
      const result = policy.decideScan(matched, {
        ...inputs,
        ...(severities ? { severities } : {}),
        ...(ignoreStatuses ? { ignoreStatuses } : {}),
        ...(opts.ignoreUnfixed ? { ignoreUnfixed: true } : {}),
      });
      if (!opts.quiet) for (const w of result.warnings ?? []) io.stderr.write(`portcullis: warning: ${w}\n`);
      if (opts.store) {
        const { ResultStore } = await import('../store/index.ts');
        const store = ResultStore.open(opts.store);
        try {
          store.putScan(result);
        } finally {
          store.close();
        }
      }
      await writeOutput(io, await renderReport(opts.format, result, { toolVersion: VERSION, color: io.stdout.isTTY === true && !io.env.NO_COLOR && !opts.output }), opts.output);
      if (policy.scanExitStatus(result, { policyGiven: opts.policy !== undefined }) === 'fail') setExit(exitCode);
    } finally {
      progress.done();
      db.close();
    }
  });
}
