/**
 * How an orchestrator action is named in non-determinism checks: its type and function (or event, child
 * instance, URL). The host records it for every action processed; the worker compares replayed actions
 * with those records.
 */
import { ActionType, OrchestratorAction } from './durable';

const typeOf = (action: OrchestratorAction): string => ActionType[action.actionType] ?? `Action${action.actionType}`;
const nameOf = (action: OrchestratorAction): string =>
  action.functionName ?? action.externalEventName ?? action.instanceId ?? action.httpRequest?.uri ?? '';

export function describeAction(action: OrchestratorAction): string {
  const type = typeOf(action);
  const name = nameOf(action);
  return name ? `${type}:${name}` : type;
}

/** Whether `sig` is describeAction(action), without building the string (it runs for every action replayed). */
export function describes(sig: string, action: OrchestratorAction): boolean {
  const type = typeOf(action);
  const name = nameOf(action);
  if (!name) return sig === type;
  return sig.length === type.length + 1 + name.length && sig.startsWith(type) && sig.charCodeAt(type.length) === 58 && sig.endsWith(name);
}
