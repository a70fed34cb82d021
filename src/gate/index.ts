/** The sync-time gate: discovered images → digests → scans → policy → one verdict, explained. */
export { runGate } from './run.ts';
export type { GateDeps, GateOptions } from './run.ts';
export { GATE_FORMATS, gateJson, gateSarif, renderGate, reportBaseName, writeReportDir } from './output.ts';
export type { GateFormat } from './output.ts';
export { summaryTable, terminationMessage, TERMINATION_MESSAGE_LIMIT, verdictLine, workloadName } from './summary.ts';
export { mapSettled } from './pool.ts';
export type { GateImage, GateResult, GateVerdict } from './types.ts';
export { WORST_FINDINGS } from './types.ts';
export { namespaceLabelSource, parseLabelList } from './namespaces.ts';
export { withResultStore } from './result-cache.ts';
export type { ResultCacheOptions, ScanStore } from './result-cache.ts';
export { ClusterError, clusterNamespaceLabels, inClusterConfig, SERVICE_ACCOUNT_DIR } from './cluster-namespaces.ts';
export type { InCluster } from './cluster-namespaces.ts';
