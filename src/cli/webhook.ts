import { readFile } from 'node:fs/promises';
import { Option } from 'commander';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { ScanImage } from '../admission/index.ts';
import { VERSION } from './context.ts';
import type { Io } from './context.ts';

interface WebhookCliOptions {
  policy?: string;
  store?: string;
  port: string;
  metricsPort: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned?: string;
  serviceName: string;
  namespace: string;
  failureMode: 'open' | 'closed';
  unknownImageAction?: string;
  namespaceLabels?: string;
  recheckOwnedPods?: boolean;
  db?: string;
  insecure?: boolean;
  caFile?: string;
  scanConcurrency: string;
  exceptionContact?: string;
  logLevel: string;
}

interface ManifestsCliOptions {
  namespace: string;
  name: string;
  failureMode: 'open' | 'closed';
  image: string;
  timeout: string;
  tlsSelfSigned?: string;
  caBundleFile?: string;
  unknownImageAction?: string;
  storeClaim: string;
}

function portOf(flag: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new UsageError('USAGE', `${flag}: "${text}" is not a port`);
  return Number(text);
}

function intOf(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError('USAGE', `${flag}: must be a whole number from ${min} to ${max}`);
  return Number(text);
}

/**
 * `portcullis webhook`: the validating admission webhook (HTTPS on --port, probes and metrics
 * on --metrics-port), until SIGTERM or SIGINT; `portcullis webhook manifests`: what to apply to
 * install it. Flags are checked and every file read before anything listens.
 */
export function registerWebhook(program: Command, io: Io, _setExit: (code: number) => void): void {
  const cmd = program
    .command('webhook')
    .description('the admission webhook: `webhook [serve] --policy F --store F ...` runs it, `webhook manifests` prints what installs it');
  // `serve` is the default, so `portcullis webhook --policy ...` runs the server; its flags and
  // those of `manifests` (--namespace, --failure-mode) are each their own.
  cmd
    .command('serve', { isDefault: true })
    .description('run the admission webhook that enforces the policy on everything reaching the cluster')
    .option('--policy <file>', 'policy file (ScanStatusThresholds, ContainerAdmissionPolicy, Exception)')
    .option('--store <file>', 'result store (SQLite) written by `scan --store` and `gate --store`; decisions are recorded in it')
    .option('--port <n>', 'HTTPS port for /validate', '8443')
    .option('--metrics-port <n>', 'plain HTTP port for /healthz, /readyz and /metrics', '9090')
    .option('--host <address>', 'address to listen on (default: all)')
    .option('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes')
    .option('--tls-key <file>', 'serving key (PEM); reloaded when it changes')
    .option('--tls-self-signed <dir>', 'create (or reuse) DIR/ca.crt, DIR/tls.crt, DIR/tls.key and log the caBundle')
    .option('--service-name <name>', 'the Service name the certificate is for (with --tls-self-signed)', 'portcullis-webhook')
    .option('--namespace <ns>', 'the Service namespace the certificate is for (with --tls-self-signed)', 'portcullis')
    .addOption(new Option('--failure-mode <mode>', 'when the webhook itself fails: closed denies, open admits with a warning').choices(['open', 'closed']).default('closed'))
    .addOption(new Option('--unknown-image-action <action>', 'for images with no stored scan (default: the policy file\'s, else Reject)').choices(['Reject', 'RejectAndScan', 'Warn', 'WarnAndScan', 'Allow']))
    .option('--namespace-labels <file>', 'YAML or JSON map of namespace → labels (default in a cluster: watched from the API server)')
    .option('--recheck-owned-pods', 'also judge Pods a controller created from an already judged template')
    .option('--db <path>', 'vulnerability database for background scans (default: $PORTCULLIS_DB or ~/.cache/portcullis/db/portcullis.db)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for non-loopback registries')
    .option('--ca-file <pem>', 'extra CA certificates for registries')
    .option('--scan-concurrency <n>', 'background scans at once', '2')
    .option('--exception-contact <text>', 'who to ask for an exception, named in every denial')
    .addOption(new Option('--log-level <level>', 'JSON log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action(async (opts: WebhookCliOptions) => {
      await runWebhook(opts, io);
    });

  cmd
    .command('manifests')
    .description('print the Kubernetes objects that install the webhook (kubectl apply -f -)')
    .requiredOption('--namespace <ns>', 'namespace to install into')
    .option('--name <name>', 'name of the Deployment, Service and webhook', 'portcullis-webhook')
    .addOption(new Option('--failure-mode <mode>', 'failurePolicy when the webhook cannot be reached: closed (Fail) or open (Ignore)').choices(['open', 'closed']).default('closed'))
    .option('--image <ref>', 'the portcullis image', `portcullis:${VERSION}`)
    .option('--timeout <seconds>', 'how long kube-apiserver waits for an answer (1-30)', '5')
    .option('--tls-self-signed <dir>', 'create (or reuse) a CA and serving certificate in DIR and print them as a Secret and caBundle')
    .option('--ca-bundle-file <pem>', 'CA of a serving certificate made elsewhere (default: cert-manager injects it)')
    .addOption(new Option('--unknown-image-action <action>', 'set --unknown-image-action in the Deployment').choices(['Reject', 'RejectAndScan', 'Warn', 'WarnAndScan', 'Allow']))
    .option('--store-claim <name>', 'PersistentVolumeClaim holding the result store', 'portcullis-store')
    .action(async (opts: ManifestsCliOptions) => {
      const { manifestsYaml, selfSignedTls, webhookManifests } = await import('../admission/index.ts');
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(opts.namespace)) throw new UsageError('USAGE', `--namespace: "${opts.namespace}" is not a namespace name`);
      if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(opts.name)) throw new UsageError('USAGE', `--name: "${opts.name}" is not a valid name`);
      if (opts.tlsSelfSigned && opts.caBundleFile) throw new UsageError('USAGE', 'give --tls-self-signed or --ca-bundle-file, not both');
      const timeoutSeconds = intOf('--timeout', opts.timeout, 1, 30);
      const tls = opts.tlsSelfSigned ? await selfSignedTls(opts.tlsSelfSigned, { service: opts.name, namespace: opts.namespace }) : undefined;
      let caPem: string | undefined;
      if (opts.caBundleFile) {
        try {
          caPem = await readFile(opts.caBundleFile, 'utf8');
        } catch (err) {
          throw new UsageError('USAGE', `--ca-bundle-file: cannot read ${opts.caBundleFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
        if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError('USAGE', `--ca-bundle-file: ${opts.caBundleFile} holds no PEM certificate`);
      }
      io.stdout.write(manifestsYaml(webhookManifests({
        namespace: opts.namespace, name: opts.name, image: opts.image, failureMode: opts.failureMode, timeoutSeconds, storeClaim: opts.storeClaim,
        ...(tls ? { tls } : {}), ...(caPem ? { caPem } : {}),
        ...(opts.unknownImageAction ? { unknownImageAction: opts.unknownImageAction } : {}),
      })));
    });
}

async function runWebhook(opts: WebhookCliOptions, io: Io): Promise<void> {
  if (!opts.policy) throw new UsageError('USAGE', 'webhook: --policy FILE is required');
  if (!opts.store) throw new UsageError('USAGE', 'webhook: --store FILE is required');
  const port = portOf('--port', opts.port);
  const metricsPort = portOf('--metrics-port', opts.metricsPort);
  if (port === metricsPort && port !== 0) throw new UsageError('USAGE', '--port and --metrics-port must differ');
  const tlsFiles = Boolean(opts.tlsCert) || Boolean(opts.tlsKey);
  if (tlsFiles && (!opts.tlsCert || !opts.tlsKey)) throw new UsageError('USAGE', '--tls-cert and --tls-key go together');
  if (tlsFiles === Boolean(opts.tlsSelfSigned)) throw new UsageError('USAGE', 'give --tls-cert/--tls-key or --tls-self-signed DIR');
  const scanConcurrency = intOf('--scan-concurrency', opts.scanConcurrency, 1, 16);

  const { pino } = await import('pino');
  const logger = pino({ level: opts.logLevel, base: { service: 'portcullis-webhook' } }, io.stdout);
  const policyStage = await import('../policy/index.ts');
  const admission = await import('../admission/index.ts');
  const policy = await policyStage.loadPolicyFile(opts.policy);
  const unknownImageAction = (opts.unknownImageAction ?? policy.unknownImageAction) as typeof policy.unknownImageAction;

  // Background scans need the vulnerability DB: when the policy asks for them, it must open now,
  // not at the first unknown image; otherwise they are set up if it does (a reloaded policy may
  // ask for them later).
  let scanImage: ScanImage | undefined;
  {
    const { VulnDb, dbPath } = await import('../vulndb/index.ts');
    const path = dbPath(opts.db, io.env);
    let usable = false;
    try {
      VulnDb.open(path).close();
      usable = true;
    } catch (err) {
      if (unknownImageAction.endsWith('AndScan')) throw err;
    }
    if (usable) {
      const scan = await import('../scan/index.ts');
      scanImage = (ref) => scan.scanImage(ref, {
        db: path, ...(opts.insecure ? { insecure: true } : {}), ...(opts.caFile ? { caFile: opts.caFile } : {}),
      });
    }
  }
  const namespaceLabels = opts.namespaceLabels
    ? await admission.readNamespaceLabels(opts.namespaceLabels)
    : io.env.KUBERNETES_SERVICE_HOST
      ? await admission.watchNamespaceLabels((err) => logger.warn({ error: (err as Error)?.message }, 'namespace watch failed'))
      : undefined;

  const hook = await admission.startWebhook({
    policy, policyFile: opts.policy, store: opts.store, port, metricsPort, ...(opts.host ? { host: opts.host } : {}),
    tls: opts.tlsSelfSigned
      ? { kind: 'self-signed', dir: opts.tlsSelfSigned, service: opts.serviceName, namespace: opts.namespace }
      : { kind: 'files', certFile: opts.tlsCert as string, keyFile: opts.tlsKey as string },
    ...(opts.unknownImageAction ? { unknownImageAction: opts.unknownImageAction as typeof unknownImageAction } : {}),
    recheckOwnedPods: opts.recheckOwnedPods ?? false,
    ...(namespaceLabels ? { namespaceLabels } : {}),
    resolveDigest: admission.registryResolver({ ...(opts.insecure ? { insecure: true } : {}), ...(opts.caFile ? { caFile: opts.caFile } : {}) }),
    ...(scanImage ? { scanImage, scanConcurrency } : {}),
    ...(opts.exceptionContact ? { exceptionContact: opts.exceptionContact } : {}),
    failureMode: opts.failureMode,
    logger,
  });
  if (hook.caBundle) io.stderr.write(`portcullis: caBundle ${hook.caBundle}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  await hook.close();
}
