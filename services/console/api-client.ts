// The operator API from the command line's side: small, typed, with errors a NOC engineer can act on.
import { CallsentryError } from '../core/errors';
import { ON_BEHALF_OF } from './on-behalf-of';

/**
 * The API's base URL from what a person typed: a http(s) URL, or HOST:PORT (as api.listen is
 * written), which means http://HOST:PORT. Anything else is refused with what is expected.
 */
export function apiBaseUrl(text: string, what = '--api'): string {
  const t = text.trim();
  const withScheme = /^https?:\/\//i.test(t) ? t : /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}\/?$/.test(t) ? `http://${t}` : undefined;
  let url: URL | undefined;
  try {
    url = withScheme ? new URL(withScheme) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !url.hostname || (url.port !== '' && Number(url.port) > 65535)) {
    throw new CallsentryError('USAGE', `${what} takes the operator API's URL (http://127.0.0.1:9470) or HOST:PORT (127.0.0.1:9470), got '${text}'`);
  }
  return url.href.replace(/\/$/, '');
}

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  async get<T>(path: string, onBehalfOf?: string): Promise<T> {
    return this.call<T>('GET', path, undefined, onBehalfOf);
  }

  async post<T>(path: string, body: object, onBehalfOf?: string): Promise<T> {
    return this.call<T>('POST', path, body, onBehalfOf);
  }

  private async call<T>(method: string, path: string, body: object | undefined, onBehalfOf: string | undefined): Promise<T> {
    const { status, json } = await this.request<T>(method, path, body, onBehalfOf);
    if (status === 401) {
      throw new CallsentryError('USAGE', `the operator API refused the token (${json.error ?? ''}): run the command as the user that runs the enforcer (it reads api.token_file), or set the variable named by api.token_env`);
    }
    // nothing by that name (not blocked, not allowlisted, not in the history): a fact, not a usage error
    if (status === 404 && json.error && !/^no route /.test(json.error)) throw new CallsentryError('NOT_FOUND', json.error, { context: { body: json } });
    if (status < 200 || status > 299) throw new CallsentryError('USAGE', `operator API: ${status} ${json.error ?? ''}`.trimEnd());
    return json;
  }

  /** The status and body as the API answered them, for a caller (the console) that passes them on. */
  async request<T>(method: string, path: string, body?: object, onBehalfOf?: string): Promise<{ status: number; json: T & { error?: string } }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(onBehalfOf ? { [ON_BEHALF_OF]: onBehalfOf } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new CallsentryError('USAGE', `cannot reach the operator API at ${this.base} (${(err as Error).message}): is \`callsentry enforce\` or \`callsentry start\` running? (--api URL, or api.listen in the configuration)`, { cause: err });
    }
    const json = (await res.json().catch(() => ({}))) as T & { error?: string };
    return { status: res.status, json };
  }
}
