/**
 * The stand-in for `@azure/functions-core`, the module the Azure Functions Node worker answers itself.
 * `@azure/functions` v4 registers every function, hook and its programming model through it, so the
 * worker learns the app's functions from these calls and later invokes them through the registered model.
 */
import Module from 'node:module';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookData,
  HookName,
  LogFn,
  ProgrammingModel,
  WorkerCapabilities,
} from './coreTypes';

const CORE_MODULE_NAME = '@azure/functions-core';
/** A Node worker version that speaks the v4 programming model (log hooks need worker 3.10+). */
const WORKER_VERSION = '3.10.1';
/** A host version recent enough for every feature the library probes (HTTP streaming needs 4.28, log hooks 4.34). */
const HOST_VERSION = '4.34.0';
/** What the Node worker itself announces at init; the programming model adds its own (HttpUri). */
const WORKER_CAPABILITIES: WorkerCapabilities = {
  RawHttpBodyBytes: 'true',
  RpcHttpTriggerMetadataRemoved: 'true',
  RpcHttpBodyOnly: 'true',
  IgnoreEmptyValuedRpcHttpHeaders: 'true',
  UseNullableValueDictionaryForHttp: 'true',
  WorkerStatus: 'true',
  TypedDataCollection: 'true',
  HandlesWorkerTerminateMessage: 'true',
};

export class Disposable {
  #callOnDispose?: () => unknown;

  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }

  dispose(): void {
    this.#callOnDispose?.();
    this.#callOnDispose = undefined;
  }
}

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export class FunctionsCore {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks: Record<HookName, HookCallback[]> = {
    appStart: [],
    appTerminate: [],
    preInvocation: [],
    postInvocation: [],
    log: [],
  };
  /** Shared by every hook of the app (`appHookData` in hook contexts). */
  readonly appHookData: HookData = {};
  /** Shared by the appStart and appTerminate hooks only (their `hookData`), as in the Node worker. */
  readonly appLevelOnlyHookData: HookData = {};
  programmingModel?: ProgrammingModel;
  /** Versions of every distinct programming model set: more than one means two copies of @azure/functions. */
  readonly programmingModelVersions: string[] = [];
  #startupDone = false;

  constructor(private readonly log: LogFn) {}

  /** Functions register while the app's files load; afterwards the set is fixed, as in the real worker. */
  finishStartup(): void {
    this.#startupDone = true;
  }

  /** The worker's capabilities after app start, as the Node worker collects them for the host. */
  async capabilities(): Promise<WorkerCapabilities> {
    const own = { ...WORKER_CAPABILITIES };
    return (await this.programmingModel?.getCapabilities?.(own)) ?? own;
  }

  /** The object `require('@azure/functions-core')` returns to the app. */
  createApi(): object {
    return {
      version: WORKER_VERSION,
      hostVersion: HOST_VERSION,
      Disposable,
      registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) =>
        this.#registerFunction(metadata, callback),
      setProgrammingModel: (model: ProgrammingModel) => {
        if (model !== this.programmingModel) {
          this.programmingModelVersions.push(`${model.name}@${model.version}`);
        }
        this.programmingModel = model;
      },
      getProgrammingModel: () => this.programmingModel,
      registerHook: (name: string, callback: HookCallback) => this.#registerHook(name, callback),
      log: (level: Parameters<LogFn>[0], category: Parameters<LogFn>[1], message: string) => this.log(level, category, message),
    };
  }

  #registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#startupDone) {
      throw new Error('A function can only be registered during app startup.');
    }
    const name = metadata.name;
    if (this.functions.has(name)) {
      throw new Error(`A function named "${name}" is already registered.`);
    }
    this.functions.set(name, { metadata, callback });
    return new Disposable(() => {
      if (this.#startupDone) {
        throw new Error('A function can only be disposed during app startup.');
      }
      this.functions.delete(name);
    });
  }

  #registerHook(name: string, callback: HookCallback): Disposable {
    if (!(name in this.hooks)) {
      throw new RangeError(`Unrecognized hook "${name}"`);
    }
    const list = this.hooks[name as HookName];
    list.push(callback);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) {
        list.splice(index, 1);
      }
    });
  }
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;

/**
 * Makes `require('@azure/functions-core')` return `api` from any module, including the CommonJS
 * `@azure/functions` that ES-module apps import. Must run before the app's first file loads.
 */
export function installCoreModule(api: object): void {
  const moduleInternals = Module as unknown as { _load: ModuleLoad };
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function (this: unknown, request, parent, isMain) {
    if (request === CORE_MODULE_NAME) {
      return api;
    }
    return originalLoad.call(this, request, parent, isMain);
  };
}
