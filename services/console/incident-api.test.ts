// The incident routes of the operator API, as the console and scripts call them: JSON only, who
// from the credential, filters checked, unknown ids refused with nothing changed.
import { MemoryBus } from '../adapters/memory-bus/memory-bus';
import { ManualClock } from '../core/clock';
import { decode } from '../core/codec';
import { silentLogger } from '../core/ports';
import type { AuditEvent, Incident, IncidentAction } from '../core/records';
import { Topics } from '../core/topics';
import { DEFAULT_CONFIG } from '../core/config';
import { Correlator } from '../incidents/correlator';
import { IncidentView } from '../incidents/incident-view';
import type { Enforcer } from '../enforcer/enforcer';
import { finding } from '../audit/test-records';
import { ON_BEHALF_OF } from './on-behalf-of';
import { startOperatorApi, type OperatorApi } from './operator-api';

const TOKEN = 'incident-api-test-token-0123456789';

describe('operator API: incidents', () => {
  let api: OperatorApi;
  let bus: MemoryBus;
  const view = new IncidentView();
  const topics = new Topics();
  const clock = new ManualClock(Date.parse('2026-02-10T10:00:00Z'));
  const actions: IncidentAction[] = [];
  const audit: AuditEvent[] = [];
  let incidents: Incident[];

  beforeAll(async () => {
    bus = new MemoryBus();
    const c = new Correlator(DEFAULT_CONFIG.incidents);
    incidents = [...c.finding(finding('f1', 'sip/request-flood', '203.0.113.7', clock.now() - 60_000)), ...c.finding({ ...finding('f2', 'sip/request-flood', '198.51.100.9', clock.now() - 30_000), severity: 'critical' })];
    incidents.forEach((i) => view.put(i));
    await bus.subscribe({ groupId: 'a', topics: [topics.name('incidents.actions.v1')], handler: async (b) => void b.messages.forEach((m) => actions.push(decode(m))) });
    await bus.subscribe({ groupId: 'b', topics: [topics.name('audit.v1')], handler: async (b) => void b.messages.forEach((m) => audit.push(decode(m))) });
    api = await startOperatorApi({ listen: '127.0.0.1:0', token: TOKEN, enforcer: {} as Enforcer, producer: await bus.producer(), topics, clock, log: silentLogger, incidents: view });
  });
  afterAll(async () => {
    await api.close();
    await bus.close();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(api.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, [ON_BEHALF_OF]: 'ana', 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('lists with filters, the latest first, and refuses a bad filter with the reason', async () => {
    expect((await call('GET', '/v1/incidents')).json.incidents.map((i: Incident) => i.keys[0].value)).toEqual(['198.51.100.9', '203.0.113.7']);
    expect((await call('GET', '/v1/incidents?severity=critical')).json.incidents).toHaveLength(1);
    expect((await call('GET', '/v1/incidents?key=203.0.113.7&status=open,acknowledged')).json.incidents).toHaveLength(1);
    expect((await call('GET', '/v1/incidents?since=45s')).json.incidents).toHaveLength(1);
    expect((await call('GET', '/v1/incidents?limit=1')).json.incidents).toHaveLength(1);
    const bad = await call('GET', '/v1/incidents?status=closed');
    expect(bad).toEqual({ status: 400, json: { error: 'status must be a comma-separated list of open, acknowledged, resolved; got "closed"' } });
    expect((await call('GET', '/v1/incidents?since=yesterday')).status).toBe(400);
  });

  it('gets one incident, or says there is none', async () => {
    expect((await call('GET', `/v1/incidents/${incidents[0].id}`)).json.incident.id).toBe(incidents[0].id);
    expect(await call('GET', '/v1/incidents/nope')).toEqual({ status: 404, json: { error: 'no incident nope' } });
  });

  it('acknowledges in bulk: one action and one audit event per incident, who from the credential', async () => {
    const ids = incidents.map((i) => i.id);
    const r = await call('POST', '/v1/incidents/ack', { ids, why: 'on it', ticket: 'NOC-1', who: 'mallory' });
    expect(r.status).toBe(202);
    await bus.drained();
    expect(actions.map((a) => [a.incident_id, a.action, a.operator.who, a.operator.ticket])).toEqual(ids.map((id) => [id, 'ack', 'ana', 'NOC-1']));
    expect(r.json.actions.map((a: { action_id: string }) => a.action_id)).toEqual(actions.map((a) => a.id));
    expect(audit.map((e) => [e.ref, e.actor, e.outcome])).toEqual(ids.map((id) => [{ kind: 'incident', id }, { type: 'operator', id: 'ana' }, 'acknowledged']));
  });

  it('refuses unknown ids, a missing ticket, a bad assignee and non-JSON bodies, changing nothing', async () => {
    const before = actions.length;
    expect(await call('POST', '/v1/incidents/resolve', { ids: [incidents[0].id, 'ghost'], why: 'x', ticket: 'T' })).toEqual({ status: 404, json: { error: 'no incident ghost', unknown: ['ghost'] } });
    expect((await call('POST', '/v1/incidents/resolve', { ids: [incidents[0].id], why: 'x' })).status).toBe(400);
    expect((await call('POST', '/v1/incidents/resolve', { ids: [], why: 'x', ticket: 'T' })).status).toBe(400);
    expect((await call('POST', '/v1/incidents/assign', { id: incidents[0].id, assignee: 'a b', why: 'x', ticket: 'T' })).status).toBe(400);
    expect((await call('POST', '/v1/incidents/note', { id: incidents[0].id, why: 'x', ticket: 'T' }, { 'content-type': 'text/plain' })).status).toBe(415);
    await bus.drained();
    expect(actions).toHaveLength(before);
  });

  it('assigns and notes', async () => {
    expect((await call('POST', '/v1/incidents/assign', { id: incidents[0].id, assignee: 'bo', why: 'shift', ticket: 'NOC-2' })).status).toBe(202);
    expect((await call('POST', '/v1/incidents/note', { id: incidents[0].id, text: 'carrier informed', ticket: 'NOC-2' })).status).toBe(202);
    await bus.drained();
    expect(actions.slice(-2).map((a) => [a.action, a.assignee, a.text, a.operator.why])).toEqual([
      ['assign', 'bo', undefined, 'shift'],
      ['note', undefined, 'carrier informed', 'carrier informed'],
    ]);
  });
});
