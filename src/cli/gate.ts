import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { GateFormat } from '../gate/index.ts';
import type { Discovery } from '../manifests/index.ts';
import { VERSION } from './context.ts';
import type { Io } from './context.ts';
import { collect, imageOptions, inventoryOptionsFrom } from './image-options.ts';
import type { ImageCliOptions } from './image-options.ts';
import { writeOutput } from './output.ts';

export interface GateCliOptions extends ImageCliOptions {
  listImages?: boolean;
  imagePaths?: string;
  argocdApp?: string;
  argocdServer?: string;
  appNamespace?: string;
  revision?: string;
  plaintext?: boolean;
  argocdInsecure?: boolean;
  argocdCaFile?: string;
  output?: string;
  format: string;
  policy?: string;
  ignorefile?: string;
  vex: string[];
  db?: string;
  dbMaxAge?: string;
  namespace?: string;
  namespaceLabels?: string;
  namespaceLabelsFile?: string;
  onError: string;
  concurrency: string;
  reportDir?: string;
  terminationMessagePath?: string;
  store?: string;
  clusterNamespaces: boolean;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

/**
 * `portcullis gate [PATH...|-]`: find every image in the manifests (or those Argo CD is about to
 * apply), judge each by digest, and exit 0 (allowed), 1 (rejected) or 2 (no verdict).
 */
export function registerGate(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command('gate')
    .description('judge every image of a set of Kubernetes manifests (files, directories, stdin or an Argo CD application) before it is deployed')
    .argument('[paths...]', 'manifest files or directories (recursively: .yaml, .yml, .json); "-" reads stdin')
    .option('--list-images', 'only list the images found, as JSON (a dry run: no registry, no database)')
    .option('--image-paths <file>', 'where images live in custom resources: a YAML list of {apiVersion?, kind, paths: [expressions]}')
    .option('--argocd-app <name>', 'fetch the manifests of this Argo CD application from the Argo CD API (ARGOCD_SERVER, ARGOCD_AUTH_TOKEN); NAME may be the hook\'s own argocd.argoproj.io/tracking-id')
    .option('--argocd-server <host[:port]>', 'Argo CD API server (default: $ARGOCD_SERVER)')
    .option('--app-namespace <ns>', 'namespace of the Application resource (Argo CD "apps in any namespace")')
    .option('--revision <rev>', 'revision to fetch manifests for (default: $ARGOCD_APP_REVISION, else the revision of the sync in progress, else the target)')
    .option('--plaintext', 'talk to the Argo CD API over plain HTTP')
    .option('--argocd-insecure', 'do not verify the Argo CD API server certificate')
    .option('--argocd-ca-file <pem>', 'CA certificates for the Argo CD API server')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'junit', 'sarif']).default('table'))
    .option('-o, --output <file>', 'write the output to a file instead of stdout')
    .option('--policy <file>', 'policy file (ScanStatusThresholds, ContainerAdmissionPolicy, Exception); default: reject images whose status is Fail or Unknown')
    .option('--ignorefile <file>', 'ignore file in .trivyignore or .trivyignore.yaml form')
    .option('--vex <file>', 'OpenVEX or CycloneDX VEX document (repeatable)', collect, [] as string[])
    .option('--db <path>', 'vulnerability database (default: $PORTCULLIS_DB or ~/.cache/portcullis/db/portcullis.db)')
    .option('--db-max-age <duration>', 'warn when the database is older than this (e.g. 36h, 5d; 0: never)', '120h')
    .option('-n, --namespace <ns>', 'namespace of objects that have none (default: the Argo CD application\'s destination)')
    .option('--namespace-labels <k=v,...>', 'labels of namespaces the manifests do not define (for namespaceSelector)')
    .option('--no-cluster-namespaces', 'do not read namespace labels from the cluster (read when running in a pod with a service account token)')
    .option('--namespace-labels-file <file>', 'Namespace objects (kubectl get namespaces -o yaml) whose labels namespaceSelector sees')
    .addOption(new Option('--on-error <action>', 'when an image cannot be judged (unreachable registry, failed scan)').choices(['block', 'allow']).default('block'))
    .option('--concurrency <n>', 'images resolved and scanned at once', '4')
    .option('--store <file>', 'record every scan in this result store (SQLite) and reuse the stored scans of digests already judged with the same DB')
    .option('--report-dir <dir>', 'write each image\'s JSON and HTML report and the run summary here')
    .option('--termination-message-path <file>', `write a summary of at most 4096 bytes here (default: ${DEFAULT_TERMINATION_LOG} when running in a pod)`);
  imageOptions(cmd);
  cmd.action(async (paths: string[], opts: GateCliOptions) => {
    const manifests = await import('../manifests/index.ts');
    if (paths.length > 0 && opts.argocdApp) throw new UsageError('USAGE', 'give manifest paths or --argocd-app, not both');
    if (paths.length === 0 && !opts.argocdApp) throw new UsageError('USAGE', 'give manifest paths ("-" for stdin) or --argocd-app NAME');
    const imagePaths = opts.imagePaths ? await manifests.loadImagePaths(opts.imagePaths) : [];
    const read = opts.argocdApp ? await fetchFromArgoCd(opts, io) : await manifests.readManifests(paths, { stdin: process.stdin });
    const discovery = manifests.discoverImages(read.objects, { imagePaths });
    if (!opts.quiet) for (const w of [...read.warnings, ...discovery.warnings]) io.stderr.write(`portcullis: warning: ${w}\n`);
    if (opts.listImages) {
      await writeOutput(io, `${JSON.stringify(manifests.listImages(discovery), null, 2)}\n`, opts.output);
      setExit(0);
      return;
    }
    await judge(opts, io, setExit, discovery, {
      source: opts.argocdApp ? (read as { origin: string }).origin : paths.join(' '),
      ...('namespace' in read && read.namespace ? { namespace: read.namespace } : {}),
    });
  });
}

async function judge(opts: GateCliOptions, io: Io, setExit: (code: number) => void, discovery: Discovery, from: { source: string; namespace?: string }): Promise<void> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('USAGE', `--concurrency: "${opts.concurrency}" is not a number from 1 to 64`);
  const gate = await import('../gate/index.ts');
  const policy = await import('../policy/index.ts');
  const { RegistryClient } = await import('../image/index.ts');
  const { DEFAULT_DB_MAX_AGE, VulnDb, dbPath, parseDuration } = await import('../vulndb/index.ts');
  const manifests = await import('../manifests/index.ts');

  // Everything about the input first: flags, policy files, namespace labels, the database.
  const dbMaxAgeMs = parseDuration(opts.dbMaxAge ?? DEFAULT_DB_MAX_AGE);
  const inputs = await policy.loadScanPolicy({
    ...(opts.policy ? { policyFile: opts.policy } : {}),
    ...(opts.ignorefile ? { ignoreFile: opts.ignorefile } : {}),
    vexFiles: opts.vex,
  });
  const fallbackLabels = opts.namespaceLabels !== undefined ? gate.parseLabelList(opts.namespaceLabels) : undefined;
  const fileLabels = opts.namespaceLabelsFile
    ? manifests.discoverImages((await manifests.readManifests([opts.namespaceLabelsFile])).objects).namespaces
    : new Map<string, Record<string, string>>();
  const defaultNamespace = opts.namespace ?? from.namespace;
  const cluster = opts.clusterNamespaces ? await gate.inClusterConfig(io.env) : undefined;
  if (cluster) {
    const unknown = [...new Set(discovery.workloads.map((w) => w.namespace ?? defaultNamespace).filter((n): n is string => !!n))]
      .filter((n) => !discovery.namespaces.has(n) && !fileLabels.has(n));
    for (const [n, labels] of await gate.clusterNamespaceLabels(cluster, unknown)) fileLabels.set(n, { ...labels });
  }
  const db = VulnDb.open(dbPath(opts.db, io.env));
  const clients = new Map<string, InstanceType<typeof RegistryClient>>();
  const registryOptions = { ...(opts.insecure ? { insecure: true } : {}), ...(opts.caFile ? { caFile: opts.caFile } : {}), env: io.env };
  const inventory = inventoryOptionsFrom({ ...opts, quiet: true }, io, { update() {} });
  const { policy: policySet, ...rest } = inputs;
  const store = opts.store ? (await import('../store/index.ts')).ResultStore.open(opts.store) : undefined;
  const storeWarnings: string[] = [];
  // Loaded on the first scan: with --store, a gate whose digests are all stored never needs it.
  let scan = async (reference: string) => (await import('../scan/index.ts')).scanImage(reference, { ...inventory, db, dbMaxAgeMs });
  if (store) {
    scan = gate.withResultStore(scan, store, {
      dbBuiltAt: db.info().builtAt,
      platform: opts.platform ?? 'linux/amd64',
      decide: (matched) => policy.decideScan(matched, { ...inputs }),
      onWarning: (m) => storeWarnings.push(m),
    });
  }
  let result;
  try {
    result = await gate.runGate(discovery, {
      resolveDigest(ref) {
        let client = clients.get(ref.registry);
        if (!client) clients.set(ref.registry, client = new RegistryClient(ref.registry, registryOptions));
        return client.resolveDigest(ref);
      },
      scan,
    }, {
      policy: policySet ?? policy.defaultPolicySet(),
      inputs: rest,
      ...(defaultNamespace ? { defaultNamespace } : {}),
      namespaceLabels: gate.namespaceLabelSource(fileLabels, fallbackLabels),
      concurrency,
      onError: opts.onError === 'allow' ? 'allow' : 'block',
      source: from.source,
    });
  } finally {
    db.close();
    store?.close();
  }
  result.warnings.push(...storeWarnings);
  const reportOptions = { toolVersion: VERSION };
  if (opts.reportDir) result = await gate.writeReportDir(opts.reportDir, result, reportOptions);
  if (!opts.quiet) {
    for (const w of result.warnings.slice(discovery.warnings.length)) io.stderr.write(`portcullis: warning: ${w}\n`);
    if (opts.format !== 'table' || opts.output) io.stderr.write(`${gate.verdictLine(result)}\n`);
  }
  await writeOutput(io, await gate.renderGate(opts.format as GateFormat, result, reportOptions), opts.output);
  const terminationPath = opts.terminationMessagePath ?? (io.env.KUBERNETES_SERVICE_HOST && existsSync(DEFAULT_TERMINATION_LOG) ? DEFAULT_TERMINATION_LOG : undefined);
  if (terminationPath) {
    // The verdict stands whether or not the summary can be written: warn, keep the exit code.
    await writeFile(terminationPath, gate.terminationMessage(result, reportLocation(opts, io))).catch((e: Error) => {
      io.stderr.write(`portcullis: warning: termination message not written to ${terminationPath}: ${e.message}\n`);
    });
  }
  setExit(result.exitCode);
}

/** Where a person finds the full report after the hook pod failed: the report dir, else the pod's log. */
function reportLocation(opts: GateCliOptions, io: Io): string {
  let namespace = io.env.POD_NAMESPACE ?? '';
  try {
    namespace ||= readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
  } catch {
    // not in a pod, or no service account token mounted
  }
  const pod = io.env.HOSTNAME && io.env.KUBERNETES_SERVICE_HOST ? io.env.HOSTNAME : undefined;
  const logs = pod ? `kubectl logs${namespace ? ` -n ${namespace}` : ''} ${pod}` : 'the gate\'s output';
  return opts.reportDir ? `${opts.reportDir}/summary.json (and per image JSON/HTML); ${logs}` : logs;
}

/**
 * The application's name, or Argo CD's tracking id of the hook itself (read through the downward
 * API: `[appNamespace_]app:group/Kind:namespace/name`, possibly followed by the instance label's
 * value), so one hook manifest works in every application without naming it.
 */
export function parseAppName(value: string): { app: string; appNamespace?: string } {
  const head = value.includes(':') ? value.slice(0, value.indexOf(':')) : value;
  if (head === '') throw new UsageError('USAGE', '--argocd-app: empty application name (is the tracking annotation or ARGOCD_APP_NAME set?)');
  // Application names are DNS subdomains (no "_"): an underscore separates the namespace.
  const us = head.indexOf('_');
  return us > 0 ? { app: head.slice(us + 1), appNamespace: head.slice(0, us) } : { app: head };
}

/** Argo CD mode: where the argocd CLI finds its server, token and options, flags first. */
async function fetchFromArgoCd(opts: GateCliOptions, io: Io) {
  const { argoCdOptsFromEnv, fetchArgoCdManifests } = await import('../manifests/index.ts');
  const fromEnv = argoCdOptsFromEnv(io.env.ARGOCD_OPTS);
  const revision = opts.revision ?? (io.env.ARGOCD_APP_REVISION || undefined);
  const { app, appNamespace } = parseAppName(opts.argocdApp!);
  const namespace = opts.appNamespace ?? appNamespace;
  return fetchArgoCdManifests({
    app,
    server: opts.argocdServer ?? io.env.ARGOCD_SERVER ?? '',
    token: io.env.ARGOCD_AUTH_TOKEN ?? '',
    ...(namespace ? { appNamespace: namespace } : {}),
    ...(revision ? { revision } : {}),
    ...(opts.plaintext || fromEnv.plaintext ? { plaintext: true } : {}),
    ...(opts.argocdInsecure || fromEnv.insecure ? { insecure: true } : {}),
    ...(opts.argocdCaFile ? { caFile: opts.argocdCaFile } : {}),
  });
}
