/**
 * The answers of the extension's HttpApiHandler, in its three shapes (HttpRequestMessageExtensions):
 * an empty body (CreateResponse(status)), a JSON value (CreateResponse(status, value), e.g. a plain JSON
 * string), and an error object (CreateErrorResponse: {"Message"} or, with an exception,
 * {"Message","ExceptionMessage","ExceptionType","StackTrace"}).
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './httpUtil';

/** A refusal carried up to the route's handler, answered in the extension's shape for that route. */
export class ApiReply extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }

  static empty(status: number): ApiReply {
    return new ApiReply(status, undefined);
  }

  static error(status: number, message: string): ApiReply {
    return new ApiReply(status, { Message: message });
  }

  /** CreateErrorResponse(status, message, exception). There is no .NET stack to give: StackTrace is null. */
  static exception(status: number, message: string, exceptionMessage: string, exceptionType: string): ApiReply {
    return new ApiReply(status, { Message: message, ExceptionMessage: exceptionMessage, ExceptionType: exceptionType, StackTrace: null });
  }

  send(res: ServerResponse): void {
    if (res.headersSent) return void res.destroy();
    if (this.body === undefined) return sendEmpty(res, this.status);
    sendJson(res, this.status, this.body);
  }
}

export const ARGUMENTS_INCORRECT = 'One or more of the arguments submitted is incorrect';
export const SOMETHING_WENT_WRONG = 'Something went wrong while processing your request';

/** The exception the extension turns into a 400 for bad arguments (unknown function, invalid id, …). */
export const badArguments = (message: string) => ApiReply.exception(400, ARGUMENTS_INCORRECT, message, 'System.ArgumentException');

/** Any other exception: a 500. */
export const failedRequest = (message: string, type = 'System.InvalidOperationException') => ApiReply.exception(500, SOMETHING_WENT_WRONG, message, type);

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}
