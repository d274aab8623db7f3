// The operator API from the command line's side: small, typed, with errors a NOC engineer can act on.
import { CallsentryError } from '../core/errors';

export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  async get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  async post<T>(path: string, body: object): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    const { status, json } = await this.request<T>(method, path, body);
    if (status === 401) throw new CallsentryError('USAGE', `the operator API refused the token: set the variable named by api.token_env (${json.error ?? ''})`);
    if (status < 200 || status > 299) throw new CallsentryError('USAGE', `operator API: ${status} ${json.error ?? ''}`.trimEnd());
    return json;
  }

  /** The status and body as the API answered them, for a caller (the console) that passes them on. */
  async request<T>(method: string, path: string, body?: object): Promise<{ status: number; json: T & { error?: string } }> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
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
