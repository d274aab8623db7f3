// Publishing against a stand-in for Grafana's dashboard API (no Grafana server runs here): what is
// sent, with which token, and how a refusal is reported.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runCli } from './test-io';

const DIR = path.resolve(__dirname, '../../dashboards/generated');

async function grafanaStandIn(status = 200) {
  const got: Array<{ auth?: string; body: { dashboard: { uid: string; id: unknown }; overwrite: boolean; folderUid?: string } }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      got.push({ auth: req.headers.authorization, body: JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { status: 'success', url: `/d/${JSON.parse(text).dashboard.uid}` } : { message: 'Access denied' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => new Promise((r) => server.close(r)) };
}

describe('callsentry dashboards publish', () => {
  it('posts every generated dashboard, overwriting by uid, with the token from the environment', async () => {
    const g = await grafanaStandIn();
    const r = await runCli(['dashboards', 'publish', '--url', g.url, '--folder-uid', 'noc', '--dir', DIR], { env: { GRAFANA_TOKEN: 'glsa_test' } });
    await g.close();
    expect(r.code).toBe(0);
    expect(g.got.map((x) => x.body.dashboard.uid).sort()).toEqual(['callsentry-dos', 'callsentry-enforcement', 'callsentry-fraud', 'callsentry-noc', 'callsentry-policy']);
    expect(g.got.every((x) => x.auth === 'Bearer glsa_test' && x.body.overwrite && x.body.folderUid === 'noc' && x.body.dashboard.id === null)).toBe(true);
    expect(r.out.join('\n')).not.toContain('glsa_test');
  });

  it('reports a refusal and exits non-zero; needs a token and a URL', async () => {
    const g = await grafanaStandIn(403);
    const r = await runCli(['dashboards', 'publish', '--url', g.url, '--dir', DIR], { env: { GRAFANA_TOKEN: 'x' } });
    await g.close();
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toMatch(/callsentry-noc: Grafana answered 403 Access denied/);
    expect((await runCli(['dashboards', 'publish', '--url', g.url, '--dir', DIR])).err.join('\n')).toMatch(/GRAFANA_TOKEN holds no token/);
    expect((await runCli(['dashboards', 'publish', '--dir', DIR], { env: { GRAFANA_TOKEN: 'x' } })).code).toBe(2);
  });
});
