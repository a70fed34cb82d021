import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import type { Io } from './context.ts';
import { imageOptions } from './image-options.ts';
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
}

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
    .option('--argocd-app <name>', 'fetch the manifests of this Argo CD application from the Argo CD API (ARGOCD_SERVER, ARGOCD_AUTH_TOKEN)')
    .option('--argocd-server <host[:port]>', 'Argo CD API server (default: $ARGOCD_SERVER)')
    .option('--app-namespace <ns>', 'namespace of the Application resource (Argo CD "apps in any namespace")')
    .option('--revision <rev>', 'revision to fetch manifests for (default: $ARGOCD_APP_REVISION, set in Argo CD hooks)')
    .option('--plaintext', 'talk to the Argo CD API over plain HTTP')
    .option('--argocd-insecure', 'do not verify the Argo CD API server certificate')
    .option('--argocd-ca-file <pem>', 'CA certificates for the Argo CD API server')
    .option('-o, --output <file>', 'write the output to a file instead of stdout');
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
    throw new UsageError('NOT_IMPLEMENTED', 'gate: judging images is not wired yet (use --list-images)');
  });
}

/** Argo CD mode: where the argocd CLI finds its server, token and options, flags first. */
async function fetchFromArgoCd(opts: GateCliOptions, io: Io) {
  const { argoCdOptsFromEnv, fetchArgoCdManifests } = await import('../manifests/index.ts');
  const fromEnv = argoCdOptsFromEnv(io.env.ARGOCD_OPTS);
  const revision = opts.revision ?? (io.env.ARGOCD_APP_REVISION || undefined);
  return fetchArgoCdManifests({
    app: opts.argocdApp!,
    server: opts.argocdServer ?? io.env.ARGOCD_SERVER ?? '',
    token: io.env.ARGOCD_AUTH_TOKEN ?? '',
    ...(opts.appNamespace ? { appNamespace: opts.appNamespace } : {}),
    ...(revision ? { revision } : {}),
    ...(opts.plaintext || fromEnv.plaintext ? { plaintext: true } : {}),
    ...(opts.argocdInsecure || fromEnv.insecure ? { insecure: true } : {}),
    ...(opts.argocdCaFile ? { caFile: opts.argocdCaFile } : {}),
  });
}
