/**
 * The slice of the `@azure/functions-core` contract that `@azure/functions` v4 relies on, typed for the
 * worker. The real module ships inside the Azure Functions Node worker and has no npm package, so these
 * shapes are written from the library's use of it (reference §1).
 */

export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type RpcLogCategory = 'user' | 'system' | 'customMetric';
export type LogFn = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

export interface RpcBindingInfo {
  type?: string;
  direction?: 'in' | 'out' | 'inout';
  [property: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RpcHttpCookie {
  name?: string;
  value?: string;
  domain?: { value?: string } | null;
  path?: { value?: string } | null;
  expires?: { value?: { seconds?: number } } | null;
  secure?: { value?: boolean } | null;
  httpOnly?: { value?: boolean } | null;
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone';
  maxAge?: { value?: number } | null;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: RpcTypedData | null;
  statusCode?: string;
  cookies?: RpcHttpCookie[];
}

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  int?: number | null;
  double?: number | null;
  http?: RpcHttpData | null;
}

export interface RpcParameterBinding {
  name: string;
  data?: RpcTypedData;
}

export type InvocationState = 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';

export interface CoreInvocationContext {
  invocationId: string;
  request: {
    invocationId: string;
    functionId: string;
    inputData: RpcParameterBinding[];
    triggerMetadata: Record<string, RpcTypedData>;
  };
  metadata: FunctionMetadata;
  state?: InvocationState;
  log: LogFn;
}

export interface RpcInvocationResponse {
  invocationId?: string;
  returnValue?: RpcTypedData | null;
  outputData?: { name: string; data?: RpcTypedData | null }[];
}

/** The InvocationContext of @azure/functions, opaque here except for what durable-functions adds to it. */
export type AppInvocationContext = object;

export interface InvocationModel {
  getArguments(): Promise<{ context: AppInvocationContext; inputs: unknown[] }>;
  invokeFunction(context: AppInvocationContext, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: AppInvocationContext, result: unknown): Promise<RpcInvocationResponse>;
}

/** Capability name → value, as the worker tells the host at init (e.g. `HttpUri` for HTTP streaming). */
export type WorkerCapabilities = Record<string, string>;

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  /** Called once after app start; @azure/functions locks app.setup() here and starts its HTTP proxy. */
  getCapabilities?(capabilities: WorkerCapabilities): WorkerCapabilities | Promise<WorkerCapabilities>;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookData = Record<string, unknown>;
export type HookCallback = (context: object) => unknown;
