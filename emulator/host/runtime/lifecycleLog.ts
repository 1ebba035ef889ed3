/**
 * Orchestration lifecycle lines, worded as the Durable extension's own (EndToEndTraceHelper), read off
 * the history each committed turn appends: started, completed (or continued as new), failed, terminated,
 * suspended, resumed, rewound. Category `Host.Triggers.DurableTask`, like the extension's. Inputs,
 * outputs and reasons are redacted unless host.json `extensions.durableTask.tracing.traceInputsAndOutputs`
 * is true, as in the extension; a failure's type and message are always shown (the point of a local log).
 */
import { EventType, type HistoryEvent } from '../../protocol/durable';
import type { LogLevel } from '../../protocol/worker';
import type { Logger } from '../logger';
import type { HistoryChange } from './orchestrationService';

export const DURABLE_CATEGORY = 'Host.Triggers.DurableTask';

export interface LifecycleLogOptions {
  hubName: string;
  traceInputsAndOutputs: boolean;
}

export class LifecycleLog {
  constructor(
    private readonly logger: Logger,
    private readonly options: LifecycleLogOptions,
  ) {}

  /** `name`: the orchestrator's name (from the instance row). */
  onHistory(change: HistoryChange, name: string): void {
    if (!this.logger.enabled('critical', DURABLE_CATEGORY)) return;
    const fn = `${change.instanceId}: Function '${name} (Orchestrator)'`;
    const hub = `HubName: ${this.options.hubName}.`;
    if (change.reset) {
      const rewound = [...change.events].reverse().find((e) => e.EventType === EventType.ExecutionRewound);
      this.write('warning', name, `${fn} was rewound. Reason: ${this.text(rewound?.Reason)}. State: Rewound. ${hub}`);
      return;
    }
    for (const e of change.events) {
      const line = this.describe(e, fn, hub, change.instanceId, name);
      if (line) this.write(line[0], name, line[1]);
    }
  }

  private describe(e: HistoryEvent, fn: string, hub: string, instanceId: string, name: string): [LogLevel, string] | undefined {
    switch (e.EventType) {
      case EventType.ExecutionStarted:
        return ['information', `${fn} started. IsReplay: False. Input: ${this.text(e.Input)}. State: Started. RuntimeStatus: Running. ${hub}`];
      case EventType.ContinueAsNew:
        return ['information', `${fn} completed. ContinuedAsNew: True. IsReplay: False. Output: ${this.text(e.Result)}. State: Completed. RuntimeStatus: Completed. ${hub}`];
      case EventType.ExecutionCompleted:
        if (e.OrchestrationStatus === 'Failed') {
          const f = e.FailureDetails;
          const reason = f ? `${f.ErrorType}: ${f.ErrorMessage}` : this.text(e.Result);
          return ['error', `${fn} failed with an error. Reason: ${reason}. IsReplay: False. State: Failed. RuntimeStatus: Failed. ${hub}`];
        }
        return ['information', `${fn} completed. ContinuedAsNew: False. IsReplay: False. Output: ${this.text(e.Result)}. State: Completed. RuntimeStatus: Completed. ${hub}`];
      case EventType.ExecutionTerminated:
        return ['warning', `${fn} was terminated. Reason: ${this.text(e.Input)}. State: Terminated. RuntimeStatus: Terminated. ${hub}`];
      case EventType.ExecutionSuspended:
        return ['information', `${instanceId}: Suspending function '${name} (Orchestrator)'. Reason: ${this.text(e.Reason)}. State: Suspended. RuntimeStatus: Suspended. ${hub}`];
      case EventType.ExecutionResumed:
        return ['information', `${instanceId}: Resuming function '${name} (Orchestrator)'. Reason: ${this.text(e.Reason)}. State: Scheduled. RuntimeStatus: Running. ${hub}`];
      default:
        return undefined;
    }
  }

  private write(level: LogLevel, name: string, message: string): void {
    this.logger.log(level, name, message, DURABLE_CATEGORY);
  }

  /** The payload itself, or "(Redacted N characters)" as the extension writes it by default. */
  private text(payload: string | null | undefined): string {
    const raw = payload ?? '';
    return this.options.traceInputsAndOutputs ? raw : `(Redacted ${raw.length} characters)`;
  }
}
