// Someone tries to join a meeting room its host has locked: an uninvited guest, or a bot that
// walks conference numbers. A join the conference server admitted anyway means the lock failed,
// and raises the severity. A participant who joined before the lock and re-INVITEs (hold, codec
// change) looks the same in signalling; the conference server's list of locked rooms should say
// which calls are new. Silent until rooms are configured; alerts only.
import { defineDetector, type CommonSettings, type Observation } from './definition';
import { roomOf, ROOM_LIST_SCHEMA } from './meeting-room';

export interface LockedRoomSettings extends CommonSettings {
  /** locked rooms: `user` or `user@domain` */
  locked_rooms: string[];
  /** join attempts (distinct Call-IDs) per window and source before a finding */
  min_joins: number;
}

export default defineDetector<LockedRoomSettings>({
  id: 'policy/locked-room-join',
  name: 'Join attempt to a locked meeting room',
  description: 'A source sends INVITEs to a meeting room that is locked.',
  category: 'policy',
  keyType: 'ip',
  methods: ['INVITE'],
  labels: { behavior: 'conference:locked-join', mitre_technique: 'T1078' },
  remediation: 'alert-only',
  defaults: {
    enabled: true,
    window_seconds: 300,
    suppress_seconds: 600,
    severity: 'medium',
    locked_rooms: [],
    min_joins: 1,
  },
  settingsSchema: {
    locked_rooms: ROOM_LIST_SCHEMA,
    min_joins: { type: 'integer', minimum: 1 },
  },
  keyOf: (r) => r.source.ip,
  observe(r, s): Observation | undefined {
    if (r.sip.method.toUpperCase() !== 'INVITE') return undefined;
    const room = roomOf(r, s.locked_rooms);
    if (room === undefined) return undefined;
    const distinct: Record<string, string> = { joins: r.sip.call_id };
    if (r.sip.status !== undefined && r.sip.status >= 200 && r.sip.status < 300) distinct.admitted = r.sip.call_id;
    return { distinct, sample: { room } };
  },
  evaluate(w, s) {
    const joins = w.distinct.joins ?? 0;
    if (joins < s.min_joins) return undefined;
    const admitted = w.distinct.admitted ?? 0;
    return {
      counts: { joins, admitted, threshold: s.min_joins },
      reason: `${joins} join attempts to locked room ${w.sample.room ?? '?'} from ${w.key} (${admitted} admitted)`,
      ...(admitted > 0 ? { severity: 'high' as const } : {}),
    };
  },
});
