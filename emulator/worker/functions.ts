/**
 * What the host learns about the app's functions: each registration's trigger binding mapped to a
 * FunctionInfo, plus the warnings about app features the emulator does not run.
 */
import type { FunctionInfo, FunctionKind } from '../protocol/worker';
import type { FunctionMetadata, RpcBindingInfo } from './coreTypes';

const KIND_BY_TRIGGER: Record<string, FunctionKind> = {
  orchestrationtrigger: 'orchestrator',
  activitytrigger: 'activity',
  entitytrigger: 'entity',
  httptrigger: 'http',
};
const CLIENT_BINDING_TYPES = new Set(['durableclient', 'orchestrationclient']);

/** The trigger binding and its key; the key is the binding name invocations must use. */
export function triggerBinding(metadata: FunctionMetadata): { key: string; binding: RpcBindingInfo } {
  for (const [key, binding] of Object.entries(metadata.bindings)) {
    if (typeof binding.type === 'string' && /trigger$/i.test(binding.type)) {
      return { key, binding };
    }
  }
  throw new Error(`Function "${metadata.name}" has no trigger binding.`);
}

/** Keys of the durableClient (or legacy orchestrationClient) input bindings. */
export function durableClientBindingKeys(metadata: FunctionMetadata): string[] {
  return Object.entries(metadata.bindings)
    .filter(([, b]) => b.direction !== 'out' && CLIENT_BINDING_TYPES.has(String(b.type).toLowerCase()))
    .map(([key]) => key);
}

export function describeFunction(metadata: FunctionMetadata): FunctionInfo {
  const { binding } = triggerBinding(metadata);
  const triggerType = String(binding.type);
  const kind = KIND_BY_TRIGGER[triggerType.toLowerCase()] ?? 'other';
  const info: FunctionInfo = { name: metadata.name, kind, triggerType };
  if (kind === 'http') {
    const route = typeof binding.route === 'string' ? binding.route.replace(/^\/+/, '') : '';
    info.route = route || metadata.name;
    info.methods = Array.isArray(binding.methods) ? binding.methods.map((m) => String(m).toUpperCase()) : [];
    if (typeof binding.authLevel === 'string') {
      info.authLevel = binding.authLevel;
    }
  }
  info.usesDurableClient = durableClientBindingKeys(metadata).length > 0;
  return info;
}

export function startupWarnings(
  functions: FunctionInfo[],
  programmingModelVersions: string[],
): string[] {
  const warnings: string[] = [];
  if (programmingModelVersions.length > 1) {
    warnings.push(
      `Several copies of @azure/functions are loaded (${programmingModelVersions.join(', ')}); functions registered ` +
        'through one copy may not run correctly. Make durable-functions and the app share one (npm dedupe).',
    );
  }
  if (functions.length === 0) {
    warnings.push('The app registered no functions: check that package.json "main" names the files that register them.');
  }
  for (const fn of functions) {
    if (fn.kind === 'other') {
      warnings.push(`Function "${fn.name}" has a ${fn.triggerType} trigger, which the emulator does not run.`);
    } else if (fn.kind === 'entity') {
      warnings.push(`Entity function "${fn.name}" cannot run yet: the worker protocol has no entity invocation.`);
    }
  }
  return warnings;
}
