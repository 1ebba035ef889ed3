/**
 * The management operations every front door shares (the Durable HTTP API, the app's DurableClient,
 * the extension's WebSocket): validation with clear errors, then a durable commit before the caller
 * acknowledges anything.
 */
import { HistoryEvent, RuntimeStatus, isTerminal } from '../../protocol/durable';
import * as ev from '../engine/events';
import type { InstanceQuery, InstanceRow } from '../storage/store';
import { newInstanceRow } from './instanceRow';
import { OrchestrationService } from './orchestrationService';
import type { WorkerProcess } from './workerProcess';

/** An operation refused, with the HTTP status the real extension answers it with. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 410 | 412 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface StartOptions {
  instanceId?: string;
  /** JSON text of the input, or null. */
  input?: string | null;
  /** The orchestration version (ExecutionStarted.Version, the library's context.df.version). */
  version?: string;
}

const MAX_INSTANCE_ID = 256;
const FINISHED: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export class InstanceControl {
  constructor(
    private readonly service: OrchestrationService,
    private readonly worker: WorkerProcess,
    /** host.json extensions.durableTask.defaultVersion: the version of instances started without one. */
    private readonly defaultVersion = '',
  ) {}

  private get store() {
    return this.service.store;
  }

  private now(): number {
    return this.service.clock.now();
  }

  get(instanceId: string): InstanceRow {
    const row = this.service.instance(instanceId);
    if (!row) throw new ControlError(404, `No orchestration instance with ID '${instanceId}' was found.`);
    return row;
  }

  async start(requestedName: string, options: StartOptions = {}): Promise<InstanceRow> {
    const name = this.orchestratorName(requestedName);
    const instanceId = options.instanceId || newInstanceId();
    validateInstanceId(instanceId);
    const existing = this.service.instance(instanceId);
    if (existing && !isTerminal(existing.runtimeStatus)) {
      throw new ConflictError(instanceId, existing.runtimeStatus);
    }
    const now = this.now();
    const row = newInstanceRow(instanceId, name, options.input ?? null, now, null);
    if (existing) row.createdTime = now;
    const started = ev.executionStarted(now, name, row.input, { InstanceId: instanceId, ExecutionId: row.executionId }, null, options.version || this.defaultVersion);
    await this.service.deliver(
      { upsertInstances: [row], clearMessages: [instanceId], addMessages: [{ instanceId, event: started }] },
      [instanceId],
    );
    await this.service.waitForFirstTurn(instanceId);
    return row;
  }

  async raiseEvent(instanceId: string, eventName: string, input: string | null): Promise<void> {
    if (!eventName) throw new ControlError(400, 'An event name is required.');
    const row = this.get(instanceId);
    if (isTerminal(row.runtimeStatus)) {
      throw new ControlError(410, `The orchestration instance '${instanceId}' is ${row.runtimeStatus}; it can no longer receive events.`);
    }
    await this.service.deliver({ addMessages: [{ instanceId, event: ev.eventRaised(this.now(), eventName, input) }] }, [instanceId]);
  }

  async terminate(instanceId: string, reason: string | null): Promise<void> {
    await this.control(instanceId, 'terminate', ev.executionTerminated(this.now(), reason === null ? null : JSON.stringify(reason)));
    this.worker.interrupt(instanceId); // an episode that never ends would hold the terminate back
  }

  suspend(instanceId: string, reason: string | null): Promise<void> {
    return this.control(instanceId, 'suspend', ev.executionSuspended(this.now(), reason));
  }

  resume(instanceId: string, reason: string | null): Promise<void> {
    return this.control(instanceId, 'resume', ev.executionResumed(this.now(), reason));
  }

  async rewind(instanceId: string, reason: string | null): Promise<void> {
    const row = this.get(instanceId);
    if (row.runtimeStatus !== 'Failed') {
      throw new ControlError(412, `Only Failed instances can be rewound; '${instanceId}' is ${row.runtimeStatus}.`);
    }
    await this.service.deliver({ addMessages: [{ instanceId, event: ev.executionRewound(this.now(), reason) }] }, [instanceId]);
  }

  /** Starts the instance's orchestration again with its original input. */
  async restart(instanceId: string, newId: boolean): Promise<InstanceRow> {
    const row = this.get(instanceId);
    if (!newId && !isTerminal(row.runtimeStatus)) throw new ConflictError(instanceId, row.runtimeStatus);
    return this.start(row.name, { instanceId: newId ? undefined : instanceId, input: row.input });
  }

  /** Deletes a finished instance and all its history; returns how many were deleted (0 or 1). */
  async purge(instanceId: string): Promise<number> {
    const row = this.service.instance(instanceId);
    if (!row) return 0;
    if (!isTerminal(row.runtimeStatus)) {
      throw new ControlError(412, `The orchestration instance '${instanceId}' is ${row.runtimeStatus}; terminate it before purging it.`);
    }
    await this.service.deliver({ purgeInstances: [instanceId] }, []);
    return 1;
  }

  /** Purges the finished instances matching the filter (running ones are left alone): the control channel's rule. */
  purgeWhere(query: InstanceQuery): Promise<number> {
    const statuses = (query.runtimeStatus?.length ? query.runtimeStatus : FINISHED).filter(isTerminal);
    return statuses.length ? this.purgeMatching({ ...query, runtimeStatus: statuses }) : Promise.resolve(0);
  }

  /**
   * Purges every instance matching the query, live ones too (the HTTP API's purge by filter, as the
   * extension does it). The service drops a purged instance's queued messages, timers, work in flight and
   * cached state with it, so nothing brings it back.
   */
  async purgeMatching(query: InstanceQuery): Promise<number> {
    const page = this.store.queryInstances({ ...query, top: 0, continuationToken: undefined });
    const ids = page.instances.map((r) => r.instanceId);
    if (!ids.length) return 0;
    await this.service.deliver({ purgeInstances: ids }, []);
    return ids.length;
  }

  private async control(instanceId: string, what: string, event: HistoryEvent): Promise<void> {
    const row = this.get(instanceId);
    if (isTerminal(row.runtimeStatus)) {
      throw new ControlError(410, `Cannot ${what} the orchestration instance '${instanceId}': it is ${row.runtimeStatus}.`);
    }
    await this.service.deliver({ addMessages: [{ instanceId, event }] }, [instanceId]);
  }

  /** Function names are case-insensitive; the registered spelling is the one stored. */
  private orchestratorName(name: string): string {
    if (!name) throw new ControlError(400, 'An orchestrator function name is required.');
    if (this.worker.state === 'loadFailed') {
      throw new ControlError(503, `Cannot start '${name}': the app failed to load: ${this.worker.loadError?.message ?? 'unknown error'}`);
    }
    if (this.worker.state !== 'ready') return name;
    const fn = this.worker.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn || fn.kind !== 'orchestrator') {
      const known = this.worker.functions.filter((f) => f.kind === 'orchestrator').map((f) => f.name);
      const info = known.length ? `The following are the known orchestrator functions: '${known.join("', '")}'.` : 'No orchestrator functions are currently registered!';
      throw new ControlError(400, `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ${info}`);
    }
    return fn.name;
  }
}

export class ConflictError extends ControlError {
  constructor(
    instanceId: string,
    readonly runtimeStatus: RuntimeStatus,
  ) {
    super(409, `An orchestration instance with ID '${instanceId}' already exists and is ${runtimeStatus}.`);
  }
}

export function newInstanceId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

function validateInstanceId(id: string): void {
  if (id.length > MAX_INSTANCE_ID) throw new ControlError(400, `Instance IDs are at most ${MAX_INSTANCE_ID} characters.`);
  if (/[\\/#?\u0000-\u001f\u007f]/.test(id)) {
    throw new ControlError(400, `The instance ID '${id}' contains characters that are not allowed (/, \\, #, ?, control characters).`);
  }
  if (id.startsWith('@')) throw new ControlError(400, `Instance IDs starting with '@' are reserved for entities.`);
}
