// `callsentry dashboards publish`: the generated dashboards into a Grafana, through its HTTP API
// with a service-account token (never printed).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandSpec, ParsedArgs } from '../cli/args';
import { CallsentryError } from '../core/errors';
import type { CommandIo } from './io';

// dist/services/commands -> <package>/dashboards/generated (the sources' folder beside dist)
const GENERATED = path.resolve(__dirname, '../../../dashboards/generated');

export const spec: CommandSpec = {
  name: 'dashboards',
  summary: 'Publish the generated Grafana dashboards (dashboards/generated) to a Grafana URL with a token.',
  usage: 'callsentry dashboards publish --url https://grafana.example.net [--token-env GRAFANA_TOKEN] [--folder-uid UID]',
  description: 'Each dashboard is created or overwritten by its uid. The datasources they name come from dashboards/provisioning (see dashboards/README.md).',
  options: [
    { name: 'url', type: 'string', description: 'Grafana base URL' },
    { name: 'token-env', type: 'string', description: 'environment variable holding a Grafana service-account token', default: 'GRAFANA_TOKEN' },
    { name: 'folder-uid', type: 'string', description: 'Grafana folder to publish into' },
    { name: 'dir', type: 'string', description: 'folder of dashboard JSON files', default: GENERATED },
  ],
  examples: ['GRAFANA_TOKEN=glsa_... callsentry dashboards publish --url https://grafana.noc.example.net --folder-uid callsentry'],
};

export async function run(args: ParsedArgs, io: CommandIo): Promise<number> {
  if (args.positionals[0] !== 'publish' || args.positionals.length !== 1) throw new CallsentryError('USAGE', `usage: ${spec.usage}`);
  const url = String(args.options.url ?? '').replace(/\/$/, '');
  if (!/^https?:\/\/\S+$/.test(url)) throw new CallsentryError('USAGE', '--url must be the Grafana base URL (http:// or https://)');
  const tokenEnv = String(args.options['token-env']);
  const token = io.env[tokenEnv];
  if (!token) throw new CallsentryError('USAGE', `environment variable ${tokenEnv} holds no token (a Grafana service-account token with dashboard write access)`);
  const dir = String(args.options.dir);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new CallsentryError('USAGE', `no dashboard JSON in ${dir} (npm run dashboards writes them)`);
  let failed = 0;
  for (const f of files) {
    const dashboard = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    const body = { dashboard: { ...dashboard, id: null }, overwrite: true, message: 'published by callsentry', ...(args.options['folder-uid'] ? { folderUid: args.options['folder-uid'] } : {}) };
    let res: Response;
    try {
      res = await fetch(`${url}/api/dashboards/db`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    } catch (err) {
      throw new CallsentryError('USAGE', `cannot reach Grafana at ${url}: ${(err as Error).message}`, { cause: err });
    }
    const answer = (await res.json().catch(() => ({}))) as { url?: string; message?: string };
    if (res.ok) io.out(`published ${dashboard.uid}: ${url}${answer.url ?? ''}`);
    else {
      failed++;
      io.err(`${dashboard.uid}: Grafana answered ${res.status} ${answer.message ?? res.statusText}`);
    }
  }
  return failed === 0 ? 0 : 1;
}
