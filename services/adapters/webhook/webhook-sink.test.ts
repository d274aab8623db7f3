// The webhook sink against a receiver on loopback: what it signs, and how it retries.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSink } from './webhook-sink';

async function receiver(statuses: number[]) {
  const got: Array<{ body: string; ts: string; sig: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ body, ts: String(req.headers['x-callsentry-timestamp']), sig: String(req.headers['x-callsentry-signature']) });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=abc`, got, close: () => new Promise((r) => server.close(r)) };
}

const alert = { labels: { alertname: 'CallsentrySipRequestFlood', severity: 'high' }, annotations: { summary: 's' }, startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-01-01T00:05:00Z' };
const fast = { attempts: 3, baseMs: 1, maxMs: 5 };

describe('webhook sink', () => {
  it('signs timestamp and body with HMAC-SHA256, retrying a failing receiver', async () => {
    const r = await receiver([503, 200]);
    await new WebhookSink('noc-hook', r.url, 'hook-secret', () => 1_767_225_600_000, fast).send([alert]);
    await r.close();
    expect(r.got).toHaveLength(2);
    const { body, ts, sig } = r.got[1];
    expect(ts).toBe('1767225600');
    expect(sig).toBe('sha256=' + createHmac('sha256', 'hook-secret').update(`${ts}.${body}`).digest('hex'));
    expect(JSON.parse(body)).toEqual({ source: 'callsentry', alerts: [alert] });
  });

  it('gives up at once on a 4xx and says so without the URL query (it may hold a token)', async () => {
    const r = await receiver([401]);
    const err = await new WebhookSink('noc-hook', r.url, 'hook-secret', Date.now, fast).send([alert]).catch((e: Error) => e);
    await r.close();
    expect(r.got).toHaveLength(1);
    expect(String(err)).toMatch(/webhook noc-hook \(127\.0\.0\.1:\d+\): webhook answered 401/);
    expect(String(err)).not.toContain('token=abc');
  });
});
