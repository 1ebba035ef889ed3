/**
 * CORS as Core Tools configures it: `Host.CORS` in local.settings.json (comma-separated origins, `*` for
 * any) and `Host.CORSCredentials`, applied like ASP.NET Core's CORS middleware with
 * WithOrigins(...).AllowAnyHeader().AllowAnyMethod() (+ AllowCredentials()). Without `Host.CORS` there is
 * no CORS at all, as under Core Tools.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: string[];

  constructor(
    origins: string[],
    private readonly credentials: boolean,
  ) {
    // WithOrigins lower-cases what it is given; the request's Origin is then compared as sent.
    this.origins = origins.map((o) => o.toLowerCase());
    this.anyOrigin = this.origins.length === 1 && this.origins[0] === '*';
    if (this.anyOrigin && credentials) {
      throw new Error(
        'local.settings.json: Host.CORS is "*" and Host.CORSCredentials is true, but the CORS protocol does not allow a wildcard origin with credentials. List the origins instead.',
      );
    }
  }

  /** Whether a browser page from this origin may call the emulator. */
  allows(origin: string): boolean {
    return this.anyOrigin || this.origins.includes(origin);
  }

  /**
   * Answers a preflight (OPTIONS with Origin and Access-Control-Request-Method): always 204, with the
   * Access-Control-* headers when the origin is allowed. Returns whether the request was a preflight.
   */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || req.headers.origin === undefined || method === undefined) return false;
    const headers = this.allowHeaders(req.headers.origin);
    if (headers) {
      const requested = (req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean);
      if (requested.length) headers['Access-Control-Allow-Headers'] = requested.join(',');
      headers['Access-Control-Allow-Methods'] = method;
    }
    res.writeHead(204, headers ?? {});
    res.end();
    return true;
  }

  /** Puts the Access-Control-* headers of an allowed origin on the response about to be written. */
  decorate(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.origin === undefined) return;
    for (const [name, value] of Object.entries(this.allowHeaders(req.headers.origin) ?? {})) res.setHeader(name, value);
  }

  private allowHeaders(origin: string): Record<string, string> | undefined {
    if (!this.allows(origin)) return undefined;
    const headers: Record<string, string> = { 'Access-Control-Allow-Origin': this.anyOrigin ? '*' : origin };
    if (this.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    if (!this.anyOrigin && this.origins.length > 1) headers.Vary = 'Origin';
    return headers;
  }
}

/** The policy from local.settings.json's Host section, or undefined when Host.CORS is not set. */
export function corsPolicyOf(hostSettings: Record<string, unknown>): CorsPolicy | undefined {
  const origins = hostSettings.CORS;
  if (typeof origins !== 'string' || !origins) return undefined;
  const credentials = hostSettings.CORSCredentials;
  return new CorsPolicy(
    origins.split(',').filter(Boolean),
    credentials === true || (typeof credentials === 'string' && credentials.toLowerCase() === 'true'),
  );
}
