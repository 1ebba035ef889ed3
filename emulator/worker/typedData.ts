/**
 * Decoding of the TypedData values @azure/functions returns (its toRpcTypedData): into JSON text for
 * activity results, and into bytes for HTTP bodies.
 */
import type { RpcTypedData } from './coreTypes';

/** JSON text of the value, as the Durable extension records it in TaskCompleted.Result. */
export function typedDataToJson(data: RpcTypedData | null | undefined): string {
  if (!data) return 'null';
  if (isSet(data.string)) return JSON.stringify(data.string);
  if (isSet(data.json)) return data.json;
  if (isSet(data.int)) return JSON.stringify(Number(data.int));
  if (isSet(data.double)) return JSON.stringify(Number(data.double));
  // .NET serializes a byte[] result as a base64 string.
  if (isSet(data.bytes)) return JSON.stringify(Buffer.from(data.bytes).toString('base64'));
  return 'null';
}

export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (isSet(data.bytes)) return Buffer.from(data.bytes);
  if (isSet(data.string)) return Buffer.from(data.string, 'utf8');
  if (isSet(data.json)) return Buffer.from(data.json, 'utf8');
  if (isSet(data.int)) return Buffer.from(String(data.int), 'utf8');
  if (isSet(data.double)) return Buffer.from(String(data.double), 'utf8');
  return Buffer.alloc(0);
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
