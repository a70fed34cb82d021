/**
 * Validate a Kubernetes object against its published schema with the kubernetes-models
 * packages (core and Argo CD / Rollouts / Workflows kinds). Used by tests so that fixtures and
 * everything in deploy/ are objects the API server (and the Argo CRDs) would accept.
 */

const ARGO_PACKAGES = ['@kubernetes-models/argo-cd', '@kubernetes-models/argo-rollouts', '@kubernetes-models/argo-workflows'];

interface ModelClass { new (data: unknown): { validate(): void } }

async function tryImport(specifier: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const mod = (await import(specifier)) as Record<string, ModelClass>;
    return mod[kind];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

/** The model class for apiVersion/kind, or undefined when no package has it. */
export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
  if (group === 'argoproj.io') {
    for (const pkg of ARGO_PACKAGES) {
      const m = await tryImport(`${pkg}/argoproj.io/${version}/${kind}`, kind);
      if (m) return m;
    }
    return undefined;
  }
  return tryImport(`kubernetes-models/${group === '' ? '' : `${group}/`}${version}/${kind}`, kind);
}

/** Throws with the schema's message when the object is invalid or its kind is unknown. */
export async function validateKubeObject(object: Record<string, unknown>): Promise<void> {
  const apiVersion = String(object['apiVersion']);
  const kind = String(object['kind']);
  const Model = await modelFor(apiVersion, kind);
  if (!Model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  const name = (object['metadata'] as { name?: string } | undefined)?.name ?? '(unnamed)';
  try {
    new Model(object).validate();
  } catch (e) {
    throw new Error(`${kind} ${name}: ${(e as Error).message}`, { cause: e });
  }
}
